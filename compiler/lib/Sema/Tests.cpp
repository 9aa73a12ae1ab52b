//===- Tests.cpp - `test` blocks: expectations and the requests they describe -----------------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

void checkTests(Context &Ctx, uint32_t M) {
  for (const auto &D : Ctx.Mods[M].AST->Decls) {
    const auto *T = dyn_cast<ast::TestDecl>(D.get());
    if (!T)
      continue;
    annotations(Ctx, M, D->Annotations, false, "a test");
    TestCase TC;
    TC.Name = T->Name;
    TC.Location = locOf(Ctx, M, D->Range);
    TC.Module = M;
    for (const auto &X : T->Expectations)
      TC.Expectations.push_back(expectation(Ctx, M, X));
    Ctx.P.Tests.push_back(std::move(TC));
  }
}

Expectation expectation(Context &Ctx, uint32_t M, const ast::Expectation &X) {
  Expectation E;
  E.Expect = X.Expect == ast::Expectation::Allow  ? Expectation::Allow
             : X.Expect == ast::Expectation::Deny ? Expectation::Deny
                                                  : Expectation::Error;
  E.Location = locOf(Ctx, M, X.Range);
  E.SourceText = X.SourceText.str();
  E.Sources = annotations(Ctx, M, X.Annotations, false, "an expectation").Sources;
  std::array<const ast::ScopeClause *, NumDimensions> Seen{};
  bool HasData = llvm::any_of(
      X.Pat.Clauses, [](const ast::ScopeClause &C) { return C.P == ast::ScopeClause::Data; });
  for (const auto &Clause : X.Pat.Clauses) {
    Dimension D = dimensionOf(Clause.P);
    if (Seen[unsigned(D)]) {
      Ctx.Diags.report<diag::duplicate_clause>(Clause.Range, DimPlural[unsigned(D)])
          .note(Seen[unsigned(D)]->Range, "first named here");
      continue;
    }
    Seen[unsigned(D)] = &Clause;
    if (D != Dimension::Data && Clause.Items.size() > 1)
      Ctx.Diags.report<diag::request_several_values>(Clause.Range, kindNoun(unsigned(D)),
                                                     Clause.Items.size());
    for (const auto &Item : Clause.Items) {
      if (Item.K == ast::ScopeItem::Where) {
        Ctx.Diags.report<diag::recipient_set_in_request>(Item.Range)
            .help("name the recipient the request is disclosed to");
        continue;
      }
      if (Item.Negated) {
        Ctx.Diags.report<diag::negation_in_request>(Item.Range)
            .help("name the value the request carries");
        continue;
      }
      if (auto N = scopeNode(Ctx, M, Clause, Item, HasData))
        E.Req.dim(D).push_back(*N);
    }
  }
  // A request that names no actor is the controller's own.
  if (E.Req.dim(Dimension::Actor).empty())
    if (std::optional<NodeId> Us = Ctx.P.controllerActor())
      E.Req.dim(Dimension::Actor).push_back(*Us);
  StringMap<SMRange> Given;
  for (const auto &A : X.Given) {
    auto S = resolve(Ctx, M, A.Attr, {Symbol::Attribute});
    if (!S)
      continue;
    auto [It, Inserted] = Given.try_emplace(Ctx.P.Attributes[S->Index].Name, A.Range);
    if (!Inserted) {
      Ctx.Diags.report<diag::duplicate_assignment>(A.Range, A.Attr.str())
          .note(It->second, "first given here");
      continue;
    }
    const Attribute &Attr = Ctx.P.Attributes[S->Index];
    if (Ctx.UntypedAttributes.count(S->Index))
      continue;
    if (auto V = constant(Ctx, M, A.V, Attr.Kind, Attr.Enum))
      E.Req.Attrs.push_back({S->Index, *V});
  }
  if (!X.Obligations.empty() && X.Expect != ast::Expectation::Allow)
    Ctx.Diags
        .report<diag::expectation_obligations_on_deny>(
            X.ObligationsRange, X.Expect == ast::Expectation::Deny ? "deny" : "error")
        .note(X.OutcomeRange, "only an allowed request carries obligations");
  else if (auto Os = obligations(Ctx, M, X.Obligations, false))
    E.Obligations = std::move(*Os);
  if (X.By)
    E.ByRule = ruleByLabel(Ctx, M, *X.By);
  return E;
}

std::optional<uint32_t> ruleByLabel(Context &Ctx, uint32_t M, const ast::QualName &Q) {
  uint32_t Scope = M;
  if (Q.isQualified()) {
    std::string Qualifier = join(ArrayRef<std::string>(Q.Parts).drop_back(), ".");
    auto It = Ctx.Mods[M].Imports.find(Qualifier);
    // A retention exception has no label of its own: it is named by its id,
    // `keep_orders.retain_for`, which reads like a qualified name.
    if (It == Ctx.Mods[M].Imports.end())
      if (auto R = Ctx.P.findRule(Ctx.Mods[M].Prefix + Q.str());
          R && Ctx.P.Rules[*R].RetentionOf && Ctx.P.Rules[*R].Module == M)
        return *R;
    if (It == Ctx.Mods[M].Imports.end()) {
      reportUnknownModule(Ctx, M, Q, Qualifier);
      return std::nullopt;
    }
    Scope = It->second;
  }
  auto It = Ctx.Mods[Scope].Labels.find(Q.Parts.back());
  if (It != Ctx.Mods[Scope].Labels.end() && It->second.IsRule)
    return It->second.Index;
  if (writtenInBrokenDecl(Ctx, M, Q))
    return std::nullopt;
  auto B = Ctx.Diags.report<diag::unknown_name>(Q.Range, "rule", Q.str());
  if (It != Ctx.Mods[Scope].Labels.end()) {
    B.note(It->second.Range, "`" + Q.Parts.back() + "` labels an invariant, not a rule");
    return std::nullopt;
  }
  std::vector<std::string> Labels;
  for (const auto &L : Ctx.Mods[Scope].Labels)
    if (L.second.IsRule)
      Labels.push_back(L.first().str());
  if (auto Near = closestName(Q.Parts.back(), Labels))
    B.didYouMean(Q.Range, *Near);
  return std::nullopt;
}

} // namespace privet::sema
