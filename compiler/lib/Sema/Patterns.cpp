//===- Patterns.cpp - Request patterns and obligation lists, shared by rules and tests --------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

/// Resolves one scope item, explaining the common slip of naming data first.
std::optional<NodeId> scopeNode(Context &Ctx, uint32_t M, const ast::ScopeClause &Clause,
                                const ast::ScopeItem &Item, bool HasDataClause) {
  unsigned Slot = unsigned(dimensionOf(Clause.P));
  auto S = lookup(Ctx, M, Item.Name, {Symbol::Vocab, Slot});
  if (!S)
    return std::nullopt;
  if (S->K == Symbol::Vocab && S->Slot == Slot)
    return S->Index;
  auto B = Ctx.Diags.report(diag::wrong_kind, Item.Name.Range, Item.Name.str(), describe(*S),
                            kindWithArticle(Slot));
  B.note(S->Range, "`" + Item.Name.Parts.back() + "` is declared here");
  if (Clause.P == ast::ScopeClause::Actions && S->K == Symbol::Vocab &&
      S->Slot == unsigned(Dimension::Data) && !HasDataClause)
    B.help("the first list names actions; write `any " + Item.Name.str() +
           "` for data under any action");
  else if (S->K == Symbol::Vocab && S->Slot < NumDimensions && S->Slot >= 2)
    B.help("introduce " + std::string(DimPlural[S->Slot]) + " with `" +
           dimensionPreposition(Dimension(S->Slot)).str() + "`");
  return std::nullopt;
}

bool scope(Context &Ctx, uint32_t M, const ast::Pattern &Pat, Scope &S) {
  bool Ok = true;
  std::array<const ast::ScopeClause *, NumDimensions> Seen{};
  bool HasData = llvm::any_of(
      Pat.Clauses, [](const ast::ScopeClause &C) { return C.P == ast::ScopeClause::Data; });
  for (const auto &Clause : Pat.Clauses) {
    Dimension D = dimensionOf(Clause.P);
    if (Seen[unsigned(D)]) {
      Ctx.Diags.report(diag::duplicate_clause, Clause.Range, DimPlural[unsigned(D)])
          .note(Seen[unsigned(D)]->Range, "first named here")
          .help("list several values with commas: `" + dimensionPreposition(D).str() +
                (dimensionPreposition(D).empty() ? "" : " ") + "a, b`");
      Ok = false;
      continue;
    }
    Seen[unsigned(D)] = &Clause;
    const Vocabulary &V = Ctx.P.vocab(D);
    BitVector Bits(V.numLeaves());
    for (const auto &Item : Clause.Items) {
      auto N = scopeNode(Ctx, M, Clause, Item, HasData);
      if (!N) {
        Ok = false;
        continue;
      }
      S.Written[unsigned(D)].push_back({*N, Item.Negated});
      BitVector Covered = V.Covers[*N];
      if (Item.Negated)
        Covered.flip();
      Bits |= Covered;
    }
    S.Dims[unsigned(D)] = std::move(Bits);
  }
  return Ok;
}

void defaultActor(Context &Ctx, Scope &S) {
  std::optional<LeafIndex> Us = Ctx.P.controllerActorLeaf();
  std::optional<BitVector> &Actors = S.dim(Dimension::Actor);
  if (!Us || Actors)
    return;
  Actors = BitVector(Ctx.P.vocab(Dimension::Actor).numLeaves());
  Actors->set(*Us);
}

/// Reports an empty dimension of a checked scope; What names the rule or invariant.
bool checkNotEmpty(Context &Ctx, const Scope &S, const ast::Pattern &Pat, const std::string &What) {
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (!S.Dims[D] || S.Dims[D]->any())
      continue;
    SMRange Where = Pat.Range;
    for (const auto &C : Pat.Clauses)
      if (unsigned(dimensionOf(C.P)) == D)
        Where = C.Range;
    Ctx.Diags.report(diag::empty_scope, Where, What, dimensionName(Dimension(D)))
        .help("a `not x` item covers everything except what is under `x`; here that is nothing");
    return false;
  }
  return true;
}

/// Obligations as attached (ArgRequired) or as required by an invariant or test.
std::optional<std::vector<ObligationRef>> obligations(Context &Ctx, uint32_t M,
                                                      const std::vector<ast::ObligationUse> &Uses,
                                                      bool ArgRequired) {
  std::vector<ObligationRef> Out;
  bool Ok = true;
  for (const auto &U : Uses) {
    auto N = resolveNode(Ctx, M, U.Name, ObligationSlot);
    if (!N) {
      Ok = false;
      continue;
    }
    const VocabNode &Node = Ctx.P.Obligations.Nodes[*N];
    ObligationRef Ref;
    Ref.Obligation = *N;
    Ref.Location = locOf(Ctx, M, U.Range);
    if (U.Arg) {
      if (!Node.ParamKind) {
        Ctx.Diags.report(diag::unexpected_obligation_argument, U.Arg->Range, U.Name.str())
            .note(Node.Location.Range, "`" + Node.Name + "` is declared here");
        Ok = false;
        continue;
      }
      auto V = constant(Ctx, M, *U.Arg, *Node.ParamKind, Node.ParamEnum);
      if (!V) {
        Ok = false;
        continue;
      }
      Ref.Arg = *V;
    } else if (Node.ParamKind && ArgRequired) {
      Ctx.Diags
          .report(diag::missing_obligation_argument, U.Range, U.Name.str(),
                  shortTypeName(Ctx, *Node.ParamKind, Node.ParamEnum))
          .note(Node.Location.Range, "`" + Node.Name + "` is declared here");
      Ok = false;
      continue;
    }
    Out.push_back(Ref);
  }
  if (!Ok)
    return std::nullopt;
  llvm::sort(Out);
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

} // namespace privet::sema
