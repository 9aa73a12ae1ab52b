//===- ParseCheckFuzzer.cpp - libFuzzer target: any bytes through parse + sema ---------===//
//
// Whatever the input, the front end must report diagnostics or produce a Policy: never crash,
// hang, overflow the stack or trip a sanitizer. Both renderers run too, since they see every
// diagnostic's ranges.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Frontend/Frontend.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::SourceMgr SM;
  privet::DiagnosticEngine Diags(SM);
  privet::FrontendOptions Options; // imports resolve against the real standard library
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  std::optional<privet::Policy> P = privet::loadPolicyFromText(Text, "fuzz.privet", Options, Diags);
  if (P && Diags.hasErrors())
    __builtin_trap(); // a Policy is only produced for error-free input
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  Diags.renderText(OS, /*Colors=*/false);
  Diags.renderJson(OS);
  return 0;
}
