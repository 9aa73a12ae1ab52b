//===- Frontend.cpp - Reading, parsing and linking a policy and its imports -------------===//
//
// Imports are followed depth-first, as a worklist with an explicit stack (no recursion, so a
// long generated chain of imports cannot overflow the native stack), detecting cycles on the
// way. Modules are numbered in the order they are first reached, which is Policy::Files' order.
// The parsed, linked modules then go to sema.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Frontend/Frontend.h"
#include "privet/Basic/SourceFile.h"
#include "privet/Syntax/Parser.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace privet {
namespace {

/// Where one `import` points.
struct ImportTarget {
  std::string Found; ///< Empty when no candidate exists.
  std::string Shown; ///< The module name or path as written.
  SMRange Where;
  std::vector<std::string> Searched;
};

class ModuleLoader {
public:
  ModuleLoader(const FrontendOptions &Opts, DiagnosticEngine &Diags) : Opts(Opts), Diags(Diags) {}

  std::optional<std::vector<sema::ParsedModule>> run(StringRef Path,
                                                     std::optional<unsigned> RootBuffer);

private:
  /// A module whose imports are being followed; Via is the import that reached it.
  struct Frame {
    uint32_t Module;
    size_t NextImport = 0;
    std::string Dir;
    uint32_t Importer = 0;
    const ast::Import *Via = nullptr;
    ImportTarget Target;
  };

  bool exists(StringRef Path) const {
    return (Opts.Overlay && Opts.Overlay->find(Path)) || sys::fs::is_regular_file(Path);
  }
  std::string identity(StringRef Path) const;
  std::optional<unsigned> read(StringRef Path, SMRange ImportRange);
  uint32_t addModule(StringRef Path, StringRef Identity, unsigned Buffer);
  void pushFrame(uint32_t Module, StringRef Path, uint32_t Importer, const ast::Import *Via,
                 ImportTarget Target);
  ImportTarget findImport(StringRef Dir, const ast::Import &I) const;
  void followImport(uint32_t Importer, const ast::Import &I);
  void reportCycle(uint32_t Target, SMRange Where);
  void setImportRoots(StringRef RootFile);
  bool mayImport(StringRef Identity) const;
  void link(uint32_t Importer, const ast::Import &I, uint32_t Loaded, const ImportTarget &T);

  const FrontendOptions &Opts;
  DiagnosticEngine &Diags;
  std::vector<sema::ParsedModule> Mods;
  StringMap<uint32_t> ByIdentity;
  std::vector<Frame> Stack;
  /// Directories (real paths, or normalized for the overlay) imports may read below.
  std::vector<std::string> ImportRoots;
  bool LimitReported = false;
};

/// What makes two paths the same file: the real path on disk, the normalized path for a file
/// in the overlay (which need not exist on disk).
std::string ModuleLoader::identity(StringRef Path) const {
  if (Opts.Overlay && Opts.Overlay->find(Path))
    return SourceOverlay::normalize(Path);
  SmallString<256> Real;
  if (sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

std::optional<unsigned> ModuleLoader::read(StringRef Path, SMRange ImportRange) {
  if (Opts.Overlay)
    if (const std::string *Text = Opts.Overlay->find(Path))
      return addSourceText(Diags, *Text, Path);
  return loadSourceFile(Diags, Path, ImportRange, Opts.MaxSourceBytes);
}

uint32_t ModuleLoader::addModule(StringRef Path, StringRef Identity, unsigned Buffer) {
  uint32_t Index = Mods.size();
  Mods.emplace_back();
  Mods[Index].Path = Path.str();
  Mods[Index].BufferId = Buffer;
  ByIdentity[Identity] = Index;
  syntax::ParseOptions PO;
  PO.MaxNesting = Opts.MaxNesting;
  Mods[Index].AST = syntax::parseBuffer(Buffer, Diags, PO);
  return Index;
}

void ModuleLoader::pushFrame(uint32_t Module, StringRef Path, uint32_t Importer,
                             const ast::Import *Via, ImportTarget Target) {
  SmallString<256> Dir(Path);
  sys::path::remove_filename(Dir);
  if (Dir.empty())
    Dir = ".";
  Stack.push_back({Module, 0, std::string(Dir), Importer, Via, std::move(Target)});
}

ImportTarget ModuleLoader::findImport(StringRef Dir, const ast::Import &I) const {
  ImportTarget T;
  T.Where = I.Module ? I.Module->Range : I.PathRange;
  if (!I.Module) {
    T.Shown = I.Path;
    SmallString<256> Candidate(I.Path);
    if (!sys::path::is_absolute(Candidate)) {
      Candidate = Dir;
      sys::path::append(Candidate, I.Path);
    }
    T.Searched.push_back(Candidate.str().str());
    if (exists(Candidate))
      T.Found = Candidate.str().str();
    return T;
  }
  SmallString<128> Rel;
  for (const auto &Part : I.Module->Parts)
    sys::path::append(Rel, Part);
  Rel += ".privet";
  T.Shown = I.Module->str();
  std::vector<std::string> Dirs{Dir.str()};
  Dirs.insert(Dirs.end(), Opts.IncludeDirs.begin(), Opts.IncludeDirs.end());
  Dirs.insert(Dirs.end(), Opts.StdlibDirs.begin(), Opts.StdlibDirs.end());
  for (const auto &D : Dirs) {
    SmallString<256> Candidate(D);
    sys::path::append(Candidate, Rel);
    T.Searched.push_back(Candidate.str().str());
    if (exists(Candidate)) {
      T.Found = Candidate.str().str();
      break;
    }
  }
  return T;
}

void ModuleLoader::setImportRoots(StringRef RootFile) {
  SmallString<256> Dir(RootFile);
  sys::path::remove_filename(Dir);
  if (Dir.empty())
    Dir = ".";
  std::vector<std::string> Dirs{std::string(Dir)};
  Dirs.insert(Dirs.end(), Opts.IncludeDirs.begin(), Opts.IncludeDirs.end());
  Dirs.insert(Dirs.end(), Opts.StdlibDirs.begin(), Opts.StdlibDirs.end());
  Dirs.insert(Dirs.end(), Opts.ExtraImportRoots.begin(), Opts.ExtraImportRoots.end());
  for (const std::string &D : Dirs) {
    // Both spellings: the real path for files on disk, the normalized one for the overlay.
    SmallString<256> Real;
    if (!sys::fs::real_path(D, Real))
      ImportRoots.push_back(std::string(Real));
    ImportRoots.push_back(SourceOverlay::normalize(D));
  }
}

/// Identity is a file's real path (or normalized overlay path), so `..` and links are already
/// resolved and a plain prefix test on whole components decides.
bool ModuleLoader::mayImport(StringRef Identity) const {
  return llvm::any_of(ImportRoots, [&](const std::string &Root) {
    StringRef R(Root);
    if (R.size() > 1 && R.endswith("/"))
      R = R.drop_back();
    return Identity.startswith(R) &&
           (R == "/" || Identity.size() == R.size() || Identity[R.size()] == '/');
  });
}

void ModuleLoader::reportCycle(uint32_t Target, SMRange Where) {
  std::string Chain;
  auto Start = llvm::find_if(Stack, [&](const Frame &F) { return F.Module == Target; });
  for (auto K = Start; K != Stack.end(); ++K)
    Chain += "`" + Mods[K->Module].Path + "` -> ";
  Chain += "`" + Mods[Target].Path + "`";
  Diags.report<diag::import_cycle>(Where, Chain);
}

/// Resolves one import of the module on top of the stack: links a module already loaded, or
/// loads a new one and pushes it (it is linked when its own imports are done).
void ModuleLoader::followImport(uint32_t Importer, const ast::Import &I) {
  ImportTarget T = findImport(Stack.back().Dir, I);
  if (T.Found.empty()) {
    Diags.report<diag::module_not_found>(T.Where, T.Shown)
        .help("searched " + join(T.Searched, ", "));
    return;
  }
  std::string Id = identity(T.Found);
  if (!mayImport(Id)) {
    Diags.report<diag::import_outside_roots>(T.Where, T.Shown)
        .help("imports read below the root policy's directory, the -I directories and the "
              "standard library; widen this with --allow-import-dir");
    return;
  }
  auto It = ByIdentity.find(Id);
  if (It != ByIdentity.end()) {
    if (llvm::any_of(Stack, [&](const Frame &F) { return F.Module == It->second; }))
      return reportCycle(It->second, T.Where);
    if (Mods[It->second].AST)
      link(Importer, I, It->second, T);
    return;
  }
  if (Mods.size() >= Opts.MaxModules) {
    if (!LimitReported)
      Diags.report<diag::too_many_modules>(T.Where, Opts.MaxModules);
    LimitReported = true;
    return;
  }
  auto Buffer = read(T.Found, T.Where);
  if (!Buffer)
    return;
  uint32_t Loaded = addModule(T.Found, Id, *Buffer);
  if (!Mods[Loaded].AST)
    return;
  std::string Path = T.Found;
  pushFrame(Loaded, Path, Importer, &I, std::move(T));
}

/// Records that Importer sees Loaded under the import's qualifier.
void ModuleLoader::link(uint32_t Importer, const ast::Import &I, uint32_t Loaded,
                        const ImportTarget &T) {
  const ast::Header &H = *Mods[Loaded].AST->Head;
  if (H.IsPolicy) {
    Diags.report<diag::import_not_module>(T.Where, T.Shown)
        .note(H.Range, "declared as a policy here");
    return;
  }
  std::string Qualifier = !I.Alias.empty() ? I.Alias : I.Module ? I.Module->str() : H.Name;
  SMRange QualRange = !I.Alias.empty() ? I.AliasRange : T.Where;
  auto [It, Inserted] = Mods[Importer].Imports.try_emplace(Qualifier, Loaded);
  if (!Inserted) {
    if (It->second == Loaded)
      Diags.report<diag::redundant_import>(I.Range, H.Name);
    else
      Diags.report<diag::duplicate_import>(QualRange, Qualifier)
          .help("give one of them another name with `as`");
    return;
  }
  Mods[Importer].ImportOrder.push_back(Qualifier);
}

std::optional<std::vector<sema::ParsedModule>>
ModuleLoader::run(StringRef Path, std::optional<unsigned> RootBuffer) {
  unsigned ErrorsBefore = Diags.errorCount();
  setImportRoots(Path);
  std::string Id = RootBuffer ? Path.str() : identity(Path);
  if (!RootBuffer)
    RootBuffer = read(Path, SMRange());
  if (!RootBuffer)
    return std::nullopt;
  uint32_t Root = addModule(Path, Id, *RootBuffer);
  if (Mods[Root].AST)
    pushFrame(Root, Path, Root, nullptr, {});
  while (!Stack.empty()) {
    Frame &Top = Stack.back();
    const std::vector<ast::Import> &Imports = Mods[Top.Module].AST->Imports;
    if (Top.NextImport < Imports.size()) {
      uint32_t Importer = Top.Module;
      followImport(Importer, Imports[Top.NextImport++]);
      continue;
    }
    Frame Done = std::move(Top);
    Stack.pop_back();
    if (Done.Via)
      link(Done.Importer, *Done.Via, Done.Module, Done.Target);
  }
  if (Diags.errorCount() != ErrorsBefore || !Mods[Root].AST)
    return std::nullopt;
  return std::move(Mods);
}

} // namespace

std::optional<std::vector<sema::ParsedModule>>
loadModules(StringRef Path, const FrontendOptions &Options, DiagnosticEngine &Diags) {
  return ModuleLoader(Options, Diags).run(Path, std::nullopt);
}

std::optional<Policy> loadPolicy(StringRef Path, const FrontendOptions &Options,
                                 DiagnosticEngine &Diags) {
  auto Modules = loadModules(Path, Options, Diags);
  if (!Modules)
    return std::nullopt;
  return sema::checkModules(std::move(*Modules), Diags);
}

std::optional<Policy> loadPolicyFromText(StringRef Text, StringRef Name,
                                         const FrontendOptions &Options, DiagnosticEngine &Diags) {
  auto Buffer = addSourceText(Diags, Text, Name);
  if (!Buffer)
    return std::nullopt;
  auto Modules = ModuleLoader(Options, Diags).run(Name, Buffer);
  if (!Modules)
    return std::nullopt;
  return sema::checkModules(std::move(*Modules), Diags);
}

} // namespace privet
