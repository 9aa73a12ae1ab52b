//===- Frontend.h - From .privet files to a checked Policy -----------------------*- C++ -*-===//
//
// The public entry point of the front end: find and read the root file and everything it
// imports (from disk or from an in-memory overlay), parse them, link the imports, and hand the
// modules to sema for the Policy every later stage consumes. Every tool (check, build, query,
// test, diff, the fuzzer) goes through here; sema itself never reads a file.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_FRONTEND_FRONTEND_H
#define PRIVET_FRONTEND_FRONTEND_H

#include "privet/Basic/Diagnostic.h"
#include "privet/Basic/SourceFile.h"
#include "privet/Sema/Policy.h"
#include "privet/Sema/Sema.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace privet {

/// Where `import name;` looks after the importing file's directory and the -I directories:
/// each directory in $PRIVET_STDLIB_PATH (colon-separated), then the copy installed beside the
/// executable (<prefix>/share/privet/stdlib), then the standard library the compiler was built
/// with (PRIVET_STDLIB_DIR).
std::vector<std::string> defaultStdlibDirs();

/// Documents held in memory that take the place of the files at their paths (an editor's
/// unsaved buffers). Paths are compared after making them absolute and removing `.`/`..`.
class SourceOverlay {
public:
  void set(llvm::StringRef Path, std::string Text);
  void remove(llvm::StringRef Path);
  /// The text standing in for Path, or null when Path is read from disk.
  const std::string *find(llvm::StringRef Path) const;
  /// The key Path is stored under.
  static std::string normalize(llvm::StringRef Path);

private:
  llvm::StringMap<std::string> Texts;
};

/// Parsed modules kept across compilations (the language server re-checks a document after
/// every edit; its imports and the standard library rarely change). An entry is keyed by the
/// file's identity and reused only while the file's text (on disk or in the overlay) is
/// byte-for-byte the one it was parsed from; only parses without any diagnostic are kept. The
/// text of an entry stays alive as long as a SourceMgr or AST of any compilation uses it.
class ModuleCache {
public:
  struct Entry {
    std::string Text;
    std::shared_ptr<const ast::File> AST;
  };
  /// The entry for Identity when its text is Text (counted as a hit), else null.
  std::shared_ptr<const Entry> find(llvm::StringRef Identity, llvm::StringRef Text);
  void insert(llvm::StringRef Identity, std::shared_ptr<const Entry> E);
  void noteParse() { ++Parses; }
  /// How many files were parsed by compilations using this cache (hits are not parses).
  unsigned parses() const { return Parses; }
  unsigned hits() const { return Hits; }
  size_t size() const { return Entries.size(); }

private:
  llvm::StringMap<std::shared_ptr<const Entry>> Entries;
  unsigned Parses = 0, Hits = 0;
};

struct FrontendOptions {
  std::vector<std::string> IncludeDirs; ///< -I, searched in order.
  std::vector<std::string> StdlibDirs = defaultStdlibDirs();
  unsigned MaxNesting = 256; ///< See syntax::ParseOptions.
  /// Most files one compilation loads (the root included); more is reported as
  /// `too_many_modules` (E0109), so a generated import chain cannot exhaust memory.
  unsigned MaxModules = 4096;
  /// Largest file read (`file_too_large`, E0016); see defaultMaxSourceBytes().
  uint64_t MaxSourceBytes = defaultMaxSourceBytes();
  /// Imports read only files under the root file's directory, the -I directories, the stdlib
  /// directories and these (`--allow-import-dir`); anything else is `import_outside_roots`
  /// (E0118) and is not opened. Links are resolved first, so a link cannot lead out.
  std::vector<std::string> ExtraImportRoots;
  /// Consulted before the disk for every file; not owned, may be null.
  const SourceOverlay *Overlay = nullptr;
  /// Parsed modules reused across compilations; not owned, may be null.
  ModuleCache *Cache = nullptr;
  /// Check the declarations that parsed even when some did not (syntax::ParseOptions::Recover),
  /// so one run reports the syntax errors and the name and type errors elsewhere. The result is
  /// still a failure: loadPolicy returns no Policy when any error was reported.
  bool RecoverSyntaxErrors = false;
};

/// Reads, parses and links Path and everything it imports, in load order (the root first, each
/// import depth-first as found). Returns nullopt when an error was reported (with
/// RecoverSyntaxErrors: an error other than a syntax error in a file whose header parsed).
std::optional<std::vector<sema::ParsedModule>>
loadModules(llvm::StringRef Path, const FrontendOptions &Options, DiagnosticEngine &Diags);

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

#endif // PRIVET_FRONTEND_FRONTEND_H
