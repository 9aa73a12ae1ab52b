//===- Names.cpp - Looking names up in a module and declaring them ----------------------------===//
#include "SemaContext.h"

#include "privet/Basic/SourceFile.h"

using namespace llvm;

namespace privet::sema {

Loc locOf(Context &Ctx, uint32_t M, SMRange R) {
  Loc L;
  L.File = M;
  L.Range = R;
  if (R.Start.isValid()) {
    auto LC = lineAndColumn(Ctx.SM, R.Start, Ctx.Mods[M].BufferId);
    L.Line = LC.first;
    L.Col = LC.second;
  }
  return L;
}

Vocabulary &vocab(Context &Ctx, unsigned Slot) {
  return Slot == ObligationSlot ? Ctx.P.Obligations : Ctx.P.Vocab[Slot];
}

/// Finds the symbol Q names from module M, reporting unknown names and modules (with
/// suggestions). Does not check the kind.
bool writtenInBrokenDecl(const Context &Ctx, uint32_t M, const ast::QualName &Q) {
  const ast::File *F = Ctx.Mods[M].AST.get();
  return F && !F->BrokenNames.empty() &&
         llvm::any_of(Q.Parts, [&](const std::string &P) { return F->BrokenNames.count(P); });
}

std::optional<Symbol> lookup(Context &Ctx, uint32_t M, const ast::QualName &Q, const Want &W) {
  if (Q.Parts.empty())
    return std::nullopt;
  uint32_t Scope = M;
  if (Q.isQualified()) {
    std::string Qualifier = join(ArrayRef<std::string>(Q.Parts).drop_back(), ".");
    auto It = Ctx.Mods[M].Imports.find(Qualifier);
    if (It == Ctx.Mods[M].Imports.end()) {
      reportUnknownModule(Ctx, M, Q, Qualifier);
      return std::nullopt;
    }
    Scope = It->second;
  }
  const std::string &Name = Q.Parts.back();
  if (const Symbol *S = Ctx.Mods[Scope].Symbols.find(Name, W.ns()))
    return *S;

  if (writtenInBrokenDecl(Ctx, M, Q))
    return std::nullopt;
  auto B = Ctx.Diags.report<diag::unknown_name>(Q.Range, W.noun(), Q.str());
  std::vector<std::string> Candidates = Ctx.Mods[Scope].Symbols.names(W.ns());
  std::string Prefix =
      Scope == M ? "" : join(ArrayRef<std::string>(Q.Parts).drop_back(), ".") + ".";
  if (auto Near = closestName(Name, Candidates)) {
    B.didYouMean(Q.Range, Prefix + *Near);
    return std::nullopt;
  }
  if (!Q.isQualified()) {
    // The name may live in a module this file imports: suggest the qualified name.
    for (const auto &Qual : Ctx.Mods[M].ImportOrder) {
      uint32_t Other = Ctx.Mods[M].Imports.lookup(Qual);
      const Symbol *Found = Ctx.Mods[Other].Symbols.find(Name, W.ns());
      if (Found && W.matches(*Found)) {
        B.didYouMean(Q.Range, Qual + "." + Name);
        break;
      }
    }
  }
  return std::nullopt;
}

void reportUnknownModule(Context &Ctx, uint32_t M, const ast::QualName &Q,
                         const std::string &Qualifier) {
  if (writtenInBrokenDecl(Ctx, M, Q))
    return;
  auto [It, First] = Ctx.UnknownModules.try_emplace({M, Qualifier}, 0, 0);
  ++It->second.second;
  if (!First)
    return;
  auto B = Ctx.Diags.report<diag::unknown_module>(Q.Range, Qualifier);
  It->second.first = Ctx.Diags.all().size() - 1;
  SMRange QualRange(Q.Range.Start,
                    SMLoc::getFromPointer(Q.Range.Start.getPointer() + Qualifier.size()));
  // `taxonomy.use` where the file says `import taxonomy as tx;`: name the alias.
  for (const auto &Alias : Ctx.Mods[M].ImportOrder) {
    const ModuleState &Imported = Ctx.Mods[Ctx.Mods[M].Imports.lookup(Alias)];
    if (Imported.Name == Qualifier && Alias != Qualifier) {
      B.help("`" + Qualifier + "` is imported as `" + Alias + "`: write `" + Alias + "." +
             Q.Parts.back() + "`");
      B.fixIt(QualRange, Alias);
      return;
    }
  }
  if (auto Near = closestName(Qualifier, Ctx.Mods[M].ImportOrder))
    B.didYouMean(QualRange, *Near);
  else
    B.help("import it first: `import " + Qualifier + ";`");
}

void finishUnknownModules(Context &Ctx) {
  for (const auto &[Key, Use] : Ctx.UnknownModules)
    if (Use.second > 1)
      Ctx.Diags.amend(Use.first).help("`" + Key.second + "` is used " + std::to_string(Use.second) +
                                      " times in this file; this one fix resolves them all");
}

/// The name of a symbol as declared, for notes.
std::optional<Symbol> resolve(Context &Ctx, uint32_t M, const ast::QualName &Q, const Want &W) {
  auto S = lookup(Ctx, M, Q, W);
  if (!S)
    return std::nullopt;
  if (W.matches(*S))
    return S;
  Ctx.Diags.report<diag::wrong_kind>(Q.Range, Q.str(), describe(*S), W.withArticle())
      .note(S->Range, "`" + Q.Parts.back() + "` is declared here");
  return std::nullopt;
}

std::optional<NodeId> resolveNode(Context &Ctx, uint32_t M, const ast::QualName &Q, unsigned Slot) {
  auto S = resolve(Ctx, M, Q, {Symbol::Vocab, Slot});
  if (!S)
    return std::nullopt;
  return S->Index;
}

bool declare(Context &Ctx, uint32_t M, const std::string &Name, SMRange Range, Symbol S) {
  S.Range = Range;
  const Symbol *Existing = Ctx.Mods[M].Symbols.insert(Name, S);
  if (!Existing)
    return true;
  Ctx.Diags.report<diag::duplicate_declaration>(Range, Name)
      .note(Existing->Range, "`" + Name + "` is first declared here as " + describe(*Existing));
  return false;
}

void declareLabel(Context &Ctx, uint32_t M, const std::string &Label, SMRange Range, bool IsRule,
                  uint32_t Index) {
  auto [It, Inserted] = Ctx.Mods[M].Labels.try_emplace(Label, LabelInfo{IsRule, Index, Range});
  if (!Inserted)
    Ctx.Diags.report<diag::duplicate_label>(Range, Label)
        .note(It->second.Range,
              "`" + Label + "` first labels this " + (It->second.IsRule ? "rule" : "invariant"));
}

} // namespace privet::sema
