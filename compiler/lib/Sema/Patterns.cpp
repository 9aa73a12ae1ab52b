//===- Patterns.cpp - Request patterns and obligation lists, shared by rules and tests --------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

/// Resolves one scope item, explaining the common slip of naming data first.
static std::optional<NodeId> scopeName(Context &Ctx, uint32_t M, const ast::ScopeClause &Clause,
                                       const ast::QualName &Name, bool HasDataClause) {
  unsigned Slot = unsigned(dimensionOf(Clause.P));
  auto S = lookup(Ctx, M, Name, {Symbol::Vocab, Slot});
  if (!S)
    return std::nullopt;
  if (S->K == Symbol::Vocab && S->Slot == Slot)
    return S->Index;
  auto B = Ctx.Diags.report<diag::wrong_kind>(Name.Range, Name.str(), describe(*S),
                                              kindWithArticle(Slot));
  B.note(S->Range, "`" + Name.Parts.back() + "` is declared here");
  if (Clause.P == ast::ScopeClause::Actions && S->K == Symbol::Vocab &&
      S->Slot == unsigned(Dimension::Data) && !HasDataClause)
    B.help("the first list names actions; write `any " + Name.str() +
           "` for data under any action");
  else if (S->K == Symbol::Vocab && S->Slot < NumDimensions && S->Slot >= 2)
    B.help("introduce " + std::string(DimPlural[S->Slot]) + " with `" +
           dimensionPreposition(Dimension(S->Slot)).str() + "`");
  return std::nullopt;
}

std::optional<NodeId> scopeNode(Context &Ctx, uint32_t M, const ast::ScopeClause &Clause,
                                const ast::ScopeItem &Item, bool HasDataClause) {
  return scopeName(Ctx, M, Clause, Item.Name, HasDataClause);
}

/// Resolves the fact expression of `recipients where`.
static std::optional<RecipientFacts> recipientFacts(Context &Ctx, uint32_t M,
                                                    const ast::FactExpr &E) {
  RecipientFacts F;
  switch (E.K) {
  case ast::FactExpr::Role:
  case ast::FactExpr::Located: {
    bool Role = E.K == ast::FactExpr::Role;
    F.K = Role ? RecipientFacts::Role : RecipientFacts::Located;
    auto N = resolveNode(Ctx, M, E.Name, unsigned(Role ? Dimension::Recipient : Dimension::Region));
    if (!N)
      return std::nullopt;
    F.Node = *N;
    return F;
  }
  case ast::FactExpr::Contract:
    F.K = RecipientFacts::Contract;
    return F;
  case ast::FactExpr::Not:
  case ast::FactExpr::And:
  case ast::FactExpr::Or: {
    F.K = E.K == ast::FactExpr::Not   ? RecipientFacts::Not
          : E.K == ast::FactExpr::And ? RecipientFacts::And
                                      : RecipientFacts::Or;
    bool Ok = true;
    for (const auto &Op : E.Ops) {
      auto R = recipientFacts(Ctx, M, Op);
      if (R)
        F.Ops.push_back(std::move(*R));
      else
        Ok = false;
    }
    if (!Ok)
      return std::nullopt;
    return F;
  }
  }
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
      Ctx.Diags.report<diag::duplicate_clause>(Clause.Range, DimPlural[unsigned(D)])
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
      if (Item.K == ast::ScopeItem::Where) {
        if (D != Dimension::Recipient) {
          Ctx.Diags.report<diag::recipient_set_misplaced>(Item.Range, DimPlural[unsigned(D)])
              .help("write `to recipients where ...`");
          Ok = false;
          continue;
        }
        auto F = recipientFacts(Ctx, M, *Item.Facts);
        if (!F) {
          Ok = false;
          continue;
        }
        BitVector Covered = Ctx.P.recipientsWhere(*F);
        // A library's sets (the stdlib's invariants) are empty for many policies: only the
        // root file's are worth a warning.
        if (Covered.none() && M == 0)
          Ctx.Diags.report<diag::empty_recipient_set>(Item.Range)
              .help("check the `role`, `located in` and `under contract` of the recipients");
        Bits |= Covered;
        // The recipients it contains are named for the reports and the unused-name check.
        for (unsigned L : Covered.set_bits())
          S.Written[unsigned(D)].push_back({V.Leaves[L], false});
        S.Where.push_back(std::move(*F));
        continue;
      }
      if (Item.K == ast::ScopeItem::Neither) {
        BitVector Covered(V.numLeaves());
        std::vector<NodeId> Group;
        bool GroupOk = true;
        for (const auto &Name : Item.More) {
          auto N = scopeName(Ctx, M, Clause, Name, HasData);
          if (!N) {
            GroupOk = false;
            continue;
          }
          Group.push_back(*N);
          V.Covers[*N].addTo(Covered);
        }
        if (!GroupOk) {
          Ok = false;
          continue;
        }
        Covered.flip();
        Bits |= Covered;
        S.Neither[unsigned(D)].push_back(std::move(Group));
        continue;
      }
      auto N = scopeNode(Ctx, M, Clause, Item, HasData);
      if (!N) {
        Ok = false;
        continue;
      }
      S.Written[unsigned(D)].push_back({*N, Item.Negated});
      if (Item.Negated) {
        BitVector Covered = V.Covers[*N].bits();
        Covered.flip();
        Bits |= Covered;
      } else {
        V.Covers[*N].addTo(Bits);
      }
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
    // A `recipients where` set depends on the recipients a policy declares: empty, it makes
    // the rule or invariant cover nothing, which is what it says (W0415 in the policy's file).
    if (D == unsigned(Dimension::Recipient) && !S.Where.empty())
      continue;
    SMRange Where = Pat.Range;
    for (const auto &C : Pat.Clauses)
      if (unsigned(dimensionOf(C.P)) == D)
        Where = C.Range;
    Ctx.Diags.report<diag::empty_scope>(Where, What, dimensionName(Dimension(D)))
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
        Ctx.Diags.report<diag::unexpected_obligation_argument>(U.Arg->Range, U.Name.str())
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
          .report<diag::missing_obligation_argument>(
              U.Range, U.Name.str(), shortTypeName(Ctx, *Node.ParamKind, Node.ParamEnum))
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
