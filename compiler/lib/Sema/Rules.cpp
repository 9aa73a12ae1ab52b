//===- Rules.cpp - Rules, exceptions, combinations and invariants -----------------------------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

std::string derivedId(Context &Ctx, uint32_t M, SMRange R) {
  Loc L = locOf(Ctx, M, R);
  return Ctx.Mods[M].Name + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
}

uint32_t rule(Context &Ctx, uint32_t M, const ast::RuleDecl &R, uint32_t Parent,
              unsigned Position) {
  uint32_t Index = Ctx.P.Rules.size();
  Ctx.P.Rules.emplace_back();
  {
    Rule &X = Ctx.P.Rules[Index];
    X.IsAllow = R.IsAllow;
    X.Parent = Parent;
    X.Module = M;
    X.Location = locOf(Ctx, M, R.Range);
    X.SourceText = R.SourceText.str();
    X.Named = !R.Label.empty();
    // An unlabelled exception is named after its parent and its place among the parent's
    // exceptions (`marketing_email.1`), so its id survives edits above it; a top-level rule
    // without a label has only its location. The location is kept apart in either case.
    if (X.Named)
      X.Id = Ctx.Mods[M].Prefix + R.Label;
    else if (Parent != NoIndex)
      X.Id = Ctx.P.Rules[Parent].Id + "." + std::to_string(Position);
    else
      X.Id = derivedId(Ctx, M, R.Range);
  }
  if (!R.Label.empty())
    declareLabel(Ctx, M, R.Label, R.LabelRange, true, Index);
  AnnotationInfo Info = annotations(Ctx, M, R.Annotations, true, "a rule");
  Ctx.P.Rules[Index].Sources = std::move(Info.Sources);
  Ctx.P.Rules[Index].Suppressions = std::move(Info.Suppressions);

  Scope S;
  std::string What = R.Label.empty() ? (Parent == NoIndex ? "this rule" : "this exception")
                                     : "rule `" + R.Label + "`";
  if (scope(Ctx, M, R.Pat, S))
    checkNotEmpty(Ctx, S, R.Pat, What);
  // Naming no actor, a top-level allow permits the controller (`us`) alone, while a top-level
  // deny binds every actor: permissions are granted to `us`, restrictions hold for whoever acts.
  // An exception that names none applies wherever its parent does.
  if (Parent == NoIndex && R.IsAllow)
    defaultActor(Ctx, S);
  Ctx.P.Rules[Index].S = std::move(S);
  bool Ok = true;
  auto C = conditions(Ctx, M, R.Conditions, Ok);
  Ctx.P.Rules[Index].Condition = std::move(C);
  if (!R.Obligations.empty()) {
    if (!R.IsAllow)
      Ctx.Diags.report<diag::obligations_on_deny>(R.ObligationsRange)
          .note(R.EffectRange, "this rule denies");
    else if (auto Os = obligations(Ctx, M, R.Obligations, true))
      Ctx.P.Rules[Index].Obligations = std::move(*Os);
  }
  unsigned ChildPosition = 0;
  for (const auto &E : R.Exceptions) {
    if (E->IsAllow == R.IsAllow)
      Ctx.Diags.report<diag::except_same_effect>(E->EffectRange, R.IsAllow ? "allow" : "deny")
          .note(R.EffectRange, "the enclosing rule is here")
          .help(std::string("an exception to an `") + (R.IsAllow ? "allow" : "deny") +
                "` must be a `" + (R.IsAllow ? "deny" : "allow") + "`");
    uint32_t Child = rule(Ctx, M, *E, Index, ++ChildPosition);
    Ctx.P.Rules[Index].Exceptions.push_back(Child);
  }
  return Index;
}

void checkBodies(Context &Ctx, uint32_t M) {
  for (const auto &D : Ctx.Mods[M].AST->Decls) {
    if (const auto *R = dyn_cast<ast::RuleDecl>(D.get())) {
      rule(Ctx, M, *R, NoIndex);
    } else if (const auto *C = dyn_cast<ast::CombineDecl>(D.get())) {
      annotations(Ctx, M, D->Annotations, false, "a combination");
      unsigned Data = unsigned(Dimension::Data);
      auto A = resolveNode(Ctx, M, C->First, Data);
      auto B = resolveNode(Ctx, M, C->Second, Data);
      auto R = resolveNode(Ctx, M, C->Result, Data);
      if (A && B && R) {
        // `treated as C` replaces the A-parts by the request's C-parts, so the B-part must be
        // one of those: otherwise a combined request could be decided without its B-part.
        const Vocabulary &V = Ctx.P.vocab(Dimension::Data);
        if (C->TreatedAs && !V.isAtOrUnder(*B, *R))
          Ctx.Diags
              .report<diag::treated_as_not_above>(C->Result.Range, V.Nodes[*R].Name,
                                                  V.Nodes[*B].Name)
              .help("name `" + V.Nodes[*B].Name + "` or a category above it after `treated as`");
        Ctx.P.Combinations.push_back({*A, *B, *R, locOf(Ctx, M, D->Range), M, C->TreatedAs});
      }
    } else if (const auto *Q = dyn_cast<ast::RequireDecl>(D.get())) {
      invariant(Ctx, M, *Q);
    } else if (const auto *W = dyn_cast<ast::WithinDecl>(D.get())) {
      within(Ctx, M, *W);
    }
  }
}

/// What a declaration that is not an invariant is, for E0325.
static std::string describeMember(const ast::Decl &D) {
  if (const auto *R = dyn_cast<ast::RuleDecl>(&D))
    return R->IsAllow ? "an `allow` rule" : "a `deny` rule";
  if (isa<ast::WithinDecl>(D))
    return "a nested `within` block";
  if (isa<ast::TestDecl>(D))
    return "a test";
  if (isa<ast::CombineDecl>(D))
    return "a combination";
  if (isa<ast::AttributeDecl>(D))
    return "an attribute";
  if (isa<ast::EnumDecl>(D))
    return "an enum";
  if (isa<ast::ControllerDecl>(D))
    return "the `controller` block";
  return "a vocabulary declaration";
}

void within(Context &Ctx, uint32_t M, const ast::WithinDecl &W) {
  annotations(Ctx, M, W.Annotations, false, "a `within` block");
  WithinScope Scope;
  Scope.Decl = &W;
  bool ScopeOk =
      scope(Ctx, M, W.Pat, Scope.S) && checkNotEmpty(Ctx, Scope.S, W.Pat, "this `within` scope");
  bool Ok = true;
  Scope.Condition = conditions(Ctx, M, W.Conditions, Ok);
  for (const auto &Member : W.Members) {
    const auto *Q = dyn_cast<ast::RequireDecl>(Member.get());
    if (!Q) {
      Ctx.Diags.report<diag::within_member_not_invariant>(Member->Range, describeMember(*Member))
          .note(W.KeywordRange, "the `within` block starts here")
          .help("declare rules, tests and vocabularies outside the block; a rule's own scope "
                "is its pattern and `when` condition");
      continue;
    }
    // A scope that failed to resolve was reported once; its invariants are checked unscoped
    // rather than reported again.
    invariant(Ctx, M, *Q, ScopeOk && Ok ? &Scope : nullptr);
  }
}

/// Narrows an invariant's scope to its `within` block's: per dimension, the intersection of the
/// two sets (a dimension only one of them names keeps that one's set).
static void intersectWithin(Context &Ctx, Scope &S, const ast::RequireDecl &Q,
                            const WithinScope &Within, const std::string &What) {
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const auto &Outer = Within.S.Dims[D];
    if (!Outer)
      continue;
    for (const auto &W : Within.S.Written[D])
      S.Written[D].push_back(W);
    if (!S.Dims[D]) {
      S.Dims[D] = *Outer;
      continue;
    }
    *S.Dims[D] &= *Outer;
    if (S.Dims[D]->any())
      continue;
    SMRange Where = Q.Pat.Range;
    for (const auto &C : Q.Pat.Clauses)
      if (unsigned(dimensionOf(C.P)) == D)
        Where = C.Range;
    Ctx.Diags.report<diag::within_scope_disjoint>(Where, What, dimensionName(Dimension(D)))
        .note(Within.Decl->HeaderRange, "the `within` scope is here")
        .help("the invariant would hold vacuously; move it out of the block or name " +
              std::string(DimPlural[D]) + " inside the scope");
    return;
  }
}

void invariant(Context &Ctx, uint32_t M, const ast::RequireDecl &Q, const WithinScope *Within) {
  Invariant Inv;
  Inv.Module = M;
  Inv.Location = locOf(Ctx, M, Q.Range);
  Inv.SourceText = Q.SourceText.str();
  Inv.Id = Q.Label.empty() ? derivedId(Ctx, M, Q.Range) : Ctx.Mods[M].Prefix + Q.Label;
  if (!Q.Label.empty())
    declareLabel(Ctx, M, Q.Label, Q.LabelRange, false, Ctx.P.Invariants.size());
  AnnotationInfo Info = annotations(Ctx, M, Q.Annotations, false, "an invariant");
  Inv.Sources = std::move(Info.Sources);
  if (Q.Within) {
    Inv.K = Invariant::Within;
    if (Q.Q != ast::RequireDecl::None)
      Ctx.Diags.report<diag::within_with_kind>(
          Q.KeywordRange, Q.Q == ast::RequireDecl::Never ? "`never`" : "`always`");
    else if (!Q.Obligations.empty())
      Ctx.Diags.report<diag::within_with_kind>(Q.ObligationsRange, "required obligations");
    if (auto N = resolveNode(Ctx, M, *Q.Within, unsigned(Dimension::Actor))) {
      const Vocabulary &Actors = Ctx.P.vocab(Dimension::Actor);
      if (Actors.LeafOf[*N] == NoIndex)
        Ctx.Diags
            .report<diag::within_not_leaf>(Q.Within->Range, Q.Within->str(),
                                           unsigned(Actors.Covers[*N].count()))
            .help("name the one actor whose permissions bound the others', usually `us`");
      else
        Inv.WithinActor = *N;
    }
  } else if (Q.Q == ast::RequireDecl::None) {
    Inv.K = Invariant::Obliged;
    if (Q.Obligations.empty())
      Ctx.Diags.report<diag::invariant_without_kind>(Q.KeywordRange)
          .help("write `require never ...`, `require always ...` or `require ... with o`");
  } else {
    Inv.K = Q.Q == ast::RequireDecl::Never ? Invariant::Never : Invariant::Always;
    if (!Q.Obligations.empty())
      Ctx.Diags.report<diag::invariant_kind_with_obligations>(
          Q.ObligationsRange, Q.Q == ast::RequireDecl::Never ? "never" : "always");
  }
  std::string What = Q.Label.empty() ? "this invariant" : "invariant `" + Q.Label + "`";
  if (scope(Ctx, M, Q.Pat, Inv.S) && checkNotEmpty(Ctx, Inv.S, Q.Pat, What) && Within)
    intersectWithin(Ctx, Inv.S, Q, *Within, What);
  // Likewise `require always` (a permission) is about `us`; `never`, `with` and `within`
  // (restrictions) are about every actor.
  if (Inv.K == Invariant::Always)
    defaultActor(Ctx, Inv.S);
  bool Ok = true;
  Inv.Condition = conditions(Ctx, M, Q.Conditions, Ok);
  if (Within && Within->Condition) {
    // The block's condition first: `within C { require P when D }` is `require P when C and D`.
    Cond Both;
    Both.K = Cond::And;
    Both.Location = Within->Condition->Location;
    Both.Ops.push_back(*Within->Condition);
    if (Inv.Condition)
      Both.Ops.push_back(std::move(*Inv.Condition));
    Inv.Condition = Both.Ops.size() == 1 ? std::move(Both.Ops.front()) : std::move(Both);
  }
  if (Within)
    Inv.WithinBlock = Within->Decl->HeaderText.str();
  if (auto Os = obligations(Ctx, M, Q.Obligations, false))
    Inv.Required = std::move(*Os);
  Ctx.P.Invariants.push_back(std::move(Inv));
}

} // namespace privet::sema
