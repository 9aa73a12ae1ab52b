//===- Frontend.h - From a .privet file on disk to a checked Policy ---------------*- C++ -*-===//
//
// The public entry point of the front end: load the root file and everything it imports, parse,
// resolve names, type-check, and produce the Policy every later stage consumes. Every tool
// (check, build, query, test, diff, the fuzzer) goes through here.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_FRONTEND_H
#define PRIVET_SEMA_FRONTEND_H

#include "privet/Basic/Diagnostic.h"
#include "privet/Sema/Policy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <string>
#include <vector>

namespace privet {

/// Where `import name;` looks after the importing file's directory and the -I directories:
/// each directory in $PRIVET_STDLIB_PATH (colon-separated), then the standard library the
/// compiler was built with (PRIVET_STDLIB_DIR).
std::vector<std::string> defaultStdlibDirs();

struct FrontendOptions {
  std::vector<std::string> IncludeDirs; ///< -I, searched in order.
  std::vector<std::string> StdlibDirs = defaultStdlibDirs();
  unsigned MaxNesting = 256; ///< See syntax::ParseOptions.
};

/// Loads Path and its imports into the engine's SourceMgr and checks them. Returns the Policy
/// when no error was reported. Ranges in the Policy point into the SourceMgr, which must outlive
/// any use of them (e.g. diagnostics reported later by the analyses).
std::optional<Policy> loadPolicy(llvm::StringRef Path, const FrontendOptions &Options,
                                 DiagnosticEngine &Diags);

/// The same for text in memory (named Name in diagnostics; imports resolve relative to the
/// current directory).
std::optional<Policy> loadPolicyFromText(llvm::StringRef Text, llvm::StringRef Name,
                                         const FrontendOptions &Options, DiagnosticEngine &Diags);

/// Owns what a Policy's source ranges point into, for tools that want one object.
class Compilation {
public:
  Compilation() : Diags(SM) {}
  Compilation(const Compilation &) = delete;
  Compilation &operator=(const Compilation &) = delete;

  llvm::SourceMgr SM;
  DiagnosticEngine Diags;
  std::optional<Policy> ThePolicy;

  /// Loads and checks Path; true when a Policy was produced.
  bool load(llvm::StringRef Path, const FrontendOptions &Options = {}) {
    ThePolicy = loadPolicy(Path, Options, Diags);
    return ThePolicy.has_value();
  }
};

} // namespace privet

#endif // PRIVET_SEMA_FRONTEND_H
