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
  std::optional<std::string> readQuietly(StringRef Path) const;
  std::optional<uint32_t> load(StringRef Path, StringRef Identity, SMRange ImportRange);
  uint32_t addModule(StringRef Path, StringRef Identity, unsigned Buffer,
                     std::shared_ptr<const ast::File> Cached = nullptr);
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
  /// Errors reported by parses that recovered (FrontendOptions::RecoverSyntaxErrors).
  unsigned RecoveredErrors = 0;
};

/// A source buffer over the text of a cache entry, keeping the entry (and so the text the
/// cached AST points into) alive as long as the SourceMgr holding it.
class SharedBuffer final : public MemoryBuffer {
public:
  SharedBuffer(std::shared_ptr<const ModuleCache::Entry> E, StringRef Name)
      : E(std::move(E)), Name(Name.str()) {
    init(this->E->Text.data(), this->E->Text.data() + this->E->Text.size(),
         /*RequiresNullTerminator=*/true);
  }
  StringRef getBufferIdentifier() const override { return Name; }
  BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }

private:
  std::shared_ptr<const ModuleCache::Entry> E;
  std::string Name;
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

/// The text of Path as the compiler would read it, or nullopt (reporting nothing) when it
/// cannot be read; the caller then reads it again through read(), which reports why.
std::optional<std::string> ModuleLoader::readQuietly(StringRef Path) const {
  if (Opts.Overlay)
    if (const std::string *Text = Opts.Overlay->find(Path))
      return *Text;
  SourceMgr Scratch;
  DiagnosticEngine Quiet(Scratch);
  auto Id = loadSourceFile(Quiet, Path, SMRange(), Opts.MaxSourceBytes);
  if (!Id)
    return std::nullopt;
  return Scratch.getMemoryBuffer(*Id)->getBuffer().str();
}

/// Reads and parses Path, or takes its parsed module from the cache when its text is unchanged.
std::optional<uint32_t> ModuleLoader::load(StringRef Path, StringRef Identity,
                                           SMRange ImportRange) {
  if (Opts.Cache) {
    if (std::optional<std::string> Text = readQuietly(Path)) {
      if (auto Hit = Opts.Cache->find(Identity, *Text)) {
        // Validated when it was first added; the AST points into this very text. (Its
        // ast::File::BufferId is the first compilation's: ParsedModule::BufferId is this one.)
        unsigned Id = Diags.getSourceMgr().AddNewSourceBuffer(
            std::make_unique<SharedBuffer>(Hit, Path), SMLoc());
        return addModule(Path, Identity, Id, Hit->AST);
      }
      auto E = std::make_shared<ModuleCache::Entry>();
      E->Text = std::move(*Text);
      size_t DiagsBefore = Diags.all().size();
      auto Id = addSourceBuffer(Diags, std::make_unique<SharedBuffer>(E, Path));
      if (!Id)
        return std::nullopt;
      uint32_t M = addModule(Path, Identity, *Id);
      Opts.Cache->noteParse();
      // Kept only when nothing was reported (a later hit reports nothing either) and the
      // buffer was not copied on the way in (a byte-order mark or lone CRs).
      if (Mods[M].AST && Diags.all().size() == DiagsBefore &&
          Diags.getSourceMgr().getMemoryBuffer(*Id)->getBufferStart() == E->Text.data()) {
        E->AST = Mods[M].AST;
        Opts.Cache->insert(Identity, std::move(E));
      }
      return M;
    }
  }
  auto Buffer = read(Path, ImportRange);
  if (!Buffer)
    return std::nullopt;
  return addModule(Path, Identity, *Buffer);
}

uint32_t ModuleLoader::addModule(StringRef Path, StringRef Identity, unsigned Buffer,
                                 std::shared_ptr<const ast::File> Cached) {
  uint32_t Index = Mods.size();
  Mods.emplace_back();
  Mods[Index].Path = Path.str();
  Mods[Index].BufferId = Buffer;
  ByIdentity[Identity] = Index;
  if (Cached) {
    Mods[Index].AST = std::move(Cached);
    return Index;
  }
  syntax::ParseOptions PO;
  PO.MaxNesting = Opts.MaxNesting;
  PO.Recover = Opts.RecoverSyntaxErrors;
  unsigned ErrorsBefore = Diags.errorCount();
  std::unique_ptr<ast::File> AST = syntax::parseBuffer(Buffer, Diags, PO);
  if (AST && AST->HasSyntaxErrors)
    RecoveredErrors += Diags.errorCount() - ErrorsBefore;
  Mods[Index].AST = std::move(AST);
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
  std::optional<uint32_t> Read = load(T.Found, Id, T.Where);
  if (!Read)
    return;
  uint32_t Loaded = *Read;
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
  std::optional<uint32_t> Loaded =
      RootBuffer ? std::optional<uint32_t>(addModule(Path, Id, *RootBuffer)) : load(Path, Id, {});
  if (!Loaded)
    return std::nullopt;
  uint32_t Root = *Loaded;
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
  if (Diags.errorCount() != ErrorsBefore + RecoveredErrors || !Mods[Root].AST)
    return std::nullopt;
  return std::move(Mods);
}

} // namespace

std::optional<std::vector<sema::ParsedModule>>
loadModules(StringRef Path, const FrontendOptions &Options, DiagnosticEngine &Diags) {
  return ModuleLoader(Options, Diags).run(Path, std::nullopt);
}

std::shared_ptr<const ModuleCache::Entry> ModuleCache::find(StringRef Identity, StringRef Text) {
  auto It = Entries.find(Identity);
  if (It == Entries.end() || It->second->Text != Text)
    return nullptr;
  ++Hits;
  return It->second;
}

void ModuleCache::insert(StringRef Identity, std::shared_ptr<const Entry> E) {
  Entries[Identity] = std::move(E);
}

/// Sema over the modules, failing when anything failed: with RecoverSyntaxErrors, the modules
/// may come from files with syntax errors, which sema's own error count does not see.
static std::optional<Policy> checkLoaded(std::optional<std::vector<sema::ParsedModule>> Modules,
                                         DiagnosticEngine &Diags, unsigned ErrorsBefore) {
  if (!Modules)
    return std::nullopt;
  std::optional<Policy> P = sema::checkModules(std::move(*Modules), Diags);
  if (Diags.errorCount() != ErrorsBefore)
    return std::nullopt;
  return P;
}

std::optional<Policy> loadPolicy(StringRef Path, const FrontendOptions &Options,
                                 DiagnosticEngine &Diags) {
  unsigned ErrorsBefore = Diags.errorCount();
  return checkLoaded(loadModules(Path, Options, Diags), Diags, ErrorsBefore);
}

std::optional<Policy> loadPolicyFromText(StringRef Text, StringRef Name,
                                         const FrontendOptions &Options, DiagnosticEngine &Diags) {
  unsigned ErrorsBefore = Diags.errorCount();
  auto Buffer = addSourceText(Diags, Text, Name);
  if (!Buffer)
    return std::nullopt;
  return checkLoaded(ModuleLoader(Options, Diags).run(Name, Buffer), Diags, ErrorsBefore);
}

} // namespace privet
