//===- Sema.cpp - The phases of sema, in order, over parsed modules ---------------------------===//
//
// Turns the parsed, linked modules of a compilation (from privet/Frontend) into one checked
// Policy. The phases and the state they share are described in SemaContext.h.
//
//===----------------------------------------------------------------------------------------===//
#include "SemaContext.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

namespace privet::sema {

void checkModuleNames(Context &Ctx) {
  StringMap<uint32_t> Seen;
  for (uint32_t M = 1; M < Ctx.Mods.size(); ++M) {
    if (!Ctx.Mods[M].AST)
      continue;
    auto [It, Inserted] = Seen.try_emplace(Ctx.Mods[M].Name, M);
    if (!Inserted)
      Ctx.Diags.report<diag::duplicate_module>(Ctx.Mods[M].AST->Head->NameRange, Ctx.Mods[M].Name)
          .note(Ctx.Mods[It->second].AST->Head->NameRange, "also declared here");
  }
}

void buildModules(Context &Ctx) {
  std::string All;
  for (uint32_t M = 0; M < Ctx.Mods.size(); ++M) {
    Module Mod;
    const ast::Header &H = *Ctx.Mods[M].AST->Head;
    Mod.Name = H.Name;
    Mod.Title = H.Title;
    Mod.Version = H.Version;
    Mod.Effective = H.Effective;
    Mod.IsPolicy = H.IsPolicy;
    Mod.File = M;
    Ctx.P.Modules.push_back(std::move(Mod));
    Ctx.P.Files.push_back(Ctx.Mods[M].Path);
    All += Ctx.SM.getMemoryBuffer(Ctx.Mods[M].BufferId)->getBuffer();
    annotations(Ctx, M, H.Annotations, false, "a header");
  }
  Ctx.P.SourceHash = xxHash64(All);
}

static void adoptModules(Context &Ctx, std::vector<ParsedModule> Modules) {
  for (uint32_t M = 0; M < Modules.size(); ++M) {
    ParsedModule &PM = Modules[M];
    ModuleState &S = Ctx.Mods.emplace_back();
    S.Name = PM.AST->Head->Name;
    S.Prefix = M == 0 ? "" : PM.AST->Head->Name + ".";
    S.Path = std::move(PM.Path);
    S.BufferId = PM.BufferId;
    S.AST = std::move(PM.AST);
    S.Imports = std::move(PM.Imports);
    S.ImportOrder = std::move(PM.ImportOrder);
  }
}

namespace {

size_t countRules(const ast::RuleDecl &R) {
  size_t N = 1;
  for (const auto &E : R.Exceptions)
    N += countRules(*E);
  return N;
}

/// The rules the modules write, exceptions included: Policy::Rules is reserved to this so that a
/// large policy's rules (over a kilobyte each) are not copied into a doubled vector, which at
/// 100,000 rules held 300 MB for a moment.
size_t countRules(const Context &Ctx) {
  size_t N = 0;
  for (const auto &M : Ctx.Mods)
    if (M.AST)
      for (const auto &D : M.AST->Decls)
        if (const auto *R = dyn_cast<ast::RuleDecl>(D.get()))
          N += countRules(*R);
  return N;
}

} // namespace

std::optional<Policy> checkModules(std::vector<ParsedModule> Modules, DiagnosticEngine &Diags) {
  if (Modules.empty())
    return std::nullopt;
  unsigned ErrorsBefore = Diags.errorCount();
  Context Ctx(Diags);
  adoptModules(Ctx, std::move(Modules));
  checkModuleNames(Ctx);
  buildModules(Ctx);
  uint32_t NumModules = Ctx.Mods.size();
  for (uint32_t M = 0; M < NumModules; ++M)
    declareModule(Ctx, M);
  declareControllerActor(Ctx);
  resolvePending(Ctx);
  for (uint32_t M = 0; M < NumModules; ++M)
    resolveAttributes(Ctx, M);
  resolveLimits(Ctx);
  breakCycles(Ctx);
  Ctx.P.closeHierarchies();
  Ctx.P.Rules.reserve(countRules(Ctx));
  for (uint32_t M = 0; M < NumModules; ++M)
    checkBodies(Ctx, M);
  Ctx.P.addRetentionExceptions();
  checkController(Ctx);
  for (uint32_t M = 0; M < NumModules; ++M)
    checkTests(Ctx, M);
  finishUnknownModules(Ctx);
  if (Diags.errorCount() != ErrorsBefore)
    return std::nullopt;
  return std::move(Ctx.P);
}

} // namespace privet::sema
