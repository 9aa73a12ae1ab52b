//===- ImportFuzzer.cpp - libFuzzer target: a tree of importing policies ----------------===//
//
// The input is split at lines `--- ` into up to eight in-memory files (/fuzz/root.privet,
// /fuzz/m1.privet, /fuzz/sub/m2.privet, ...) that import one another, by path or by name,
// through the overlay. Whatever they say, loading must report diagnostics or produce a Policy
// (never crash, hang or trip a sanitizer), and no file outside /fuzz and the standard library
// may be read: file imports are confined (E0118), so `import "/etc/passwd";` or `../../x` must
// never reach the disk.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Frontend/Frontend.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static const char *const Names[] = {
      "/fuzz/root.privet",   "/fuzz/m1.privet",     "/fuzz/sub/m2.privet", "/fuzz/sub/m3.privet",
      "/fuzz/a/b/m4.privet", "/fuzz/lib/m5.privet", "/fuzz/m6.privet",     "/fuzz/sub/m7.privet"};
  privet::SourceOverlay Overlay;
  llvm::StringRef Rest(reinterpret_cast<const char *>(Data), Size);
  for (const char *Name : Names) {
    auto [File, Tail] = Rest.split("\n--- ");
    Overlay.set(Name, File.str());
    Rest = Tail;
  }
  llvm::SourceMgr SM;
  privet::DiagnosticEngine Diags(SM);
  privet::FrontendOptions Options;
  Options.Overlay = &Overlay;
  Options.IncludeDirs = {"/fuzz/lib"};
  Options.MaxModules = 64;
  std::optional<privet::Policy> P = privet::loadPolicy(Names[0], Options, Diags);
  if (P && Diags.hasErrors())
    __builtin_trap(); // a Policy is only produced for error-free input
  std::vector<std::string> Allowed{"/fuzz/"};
  for (const std::string &Dir : Options.StdlibDirs)
    Allowed.push_back(Dir);
  for (unsigned Id = 1; Id <= SM.getNumBuffers(); ++Id) {
    llvm::StringRef Read = SM.getMemoryBuffer(Id)->getBufferIdentifier();
    bool Inside = false;
    for (const std::string &Root : Allowed)
      Inside |= Read.startswith(Root);
    if (!Inside)
      __builtin_trap(); // an import escaped its roots
  }
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  Diags.renderText(OS, /*Colors=*/false);
  Diags.renderJson(OS);
  return 0;
}
