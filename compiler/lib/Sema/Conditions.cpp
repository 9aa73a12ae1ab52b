//===- Conditions.cpp - `when` and `unless`: typed boolean expressions over attributes --------===//
#include "SemaContext.h"

#include "llvm/ADT/DenseMap.h"

using namespace llvm;

namespace privet::sema {

/// If E is a name of an attribute visible from M, its index (no diagnostics).
std::optional<uint32_t> attributeNamed(Context &Ctx, uint32_t M, const ast::Expr &E) {
  const auto *VE = dyn_cast<ast::ValueExpr>(&E);
  if (!VE || VE->V.K != ast::Value::Name)
    return std::nullopt;
  const ast::QualName &Q = VE->V.NameValue;
  uint32_t Scope = M;
  if (Q.isQualified()) {
    auto It = Ctx.Mods[M].Imports.find(join(ArrayRef<std::string>(Q.Parts).drop_back(), "."));
    if (It == Ctx.Mods[M].Imports.end())
      return std::nullopt;
    Scope = It->second;
  }
  const Symbol *S = Ctx.Mods[Scope].Symbols.find(Q.Parts.back(), Want{Symbol::Attribute}.ns());
  if (!S || S->K != Symbol::Attribute)
    return std::nullopt;
  return S->Index;
}

static CmpOp cmpOp(ast::CompareOp Op) { return CmpOp(unsigned(Op)); }

static CmpOp flip(CmpOp Op) {
  switch (Op) {
  case CmpOp::Lt:
    return CmpOp::Gt;
  case CmpOp::Le:
    return CmpOp::Ge;
  case CmpOp::Gt:
    return CmpOp::Lt;
  case CmpOp::Ge:
    return CmpOp::Le;
  default:
    return Op;
  }
}

/// Wraps C in a negation located where C is.
static Cond negate(Cond C, Loc Location) {
  Cond Not;
  Not.K = Cond::Not;
  Not.Location = Location;
  Not.Ops.push_back(std::move(C));
  return Not;
}

/// `true`, `false` or a `bool` attribute on its own.
static std::optional<Cond> valueCond(Context &Ctx, uint32_t M, const ast::ValueExpr &V, Cond C) {
  if (V.V.K == ast::Value::Bool) {
    C.K = V.V.BoolValue ? Cond::True : Cond::False;
    return C;
  }
  if (V.V.K != ast::Value::Name) {
    Ctx.Diags.report<diag::condition_not_bool>(V.Range,
                                               V.V.K == ast::Value::String ? "\"" + V.V.Text + "\""
                                               : V.V.K == ast::Value::Int
                                                   ? V.V.Digits
                                                   : V.V.Digits + " " + V.V.Unit,
                                               V.V.K == ast::Value::String ? "string"
                                               : V.V.K == ast::Value::Int  ? "int"
                                                                           : "duration");
    return std::nullopt;
  }
  auto S = resolve(Ctx, M, V.V.NameValue, {Symbol::Attribute});
  if (!S)
    return std::nullopt;
  const Attribute &A = Ctx.P.Attributes[S->Index];
  if (Ctx.UntypedAttributes.count(S->Index))
    return std::nullopt;
  if (A.Kind != AttrKind::Bool) {
    auto B = Ctx.Diags.report<diag::condition_not_bool>(V.Range, V.V.NameValue.str(),
                                                        shortTypeName(Ctx, A.Kind, A.Enum));
    B.note(A.Location.Range, "`" + A.Name + "` is declared here");
    if (A.Kind == AttrKind::Enum && !Ctx.P.Enums[A.Enum].Values.empty())
      B.help("compare it with a value: `" + V.V.NameValue.str() +
             " == " + Ctx.P.Enums[A.Enum].Values[0] + "`");
    return std::nullopt;
  }
  C.K = Cond::BoolAttr;
  C.Attr = S->Index;
  return C;
}

/// A disjunction's equalities on one attribute, `n == 0 or n == 1 or n in {5, 6}`, as one set
/// `n in {0, 1, 5, 6}`: the same condition, but one node where the disjunction would cut the
/// attribute's range 20,000 times for `n == 0 or ... or n == 19999` and exhaust memory.
static void mergeEqualities(Cond &Or) {
  std::vector<Cond> Ops;
  llvm::DenseMap<uint32_t, size_t> SetOf; // attribute -> index in Ops of its merged set
  for (Cond &Op : Or.Ops) {
    bool Eq = Op.K == Cond::Compare && Op.Op == CmpOp::Eq;
    if (!Eq && Op.K != Cond::InSet) {
      Ops.push_back(std::move(Op));
      continue;
    }
    auto [It, New] = SetOf.try_emplace(Op.Attr, Ops.size());
    if (New) {
      Cond Set;
      Set.K = Cond::InSet;
      Set.Attr = Op.Attr;
      Set.Location = Op.Location;
      Ops.push_back(std::move(Set));
    }
    std::vector<int64_t> &Values = Ops[It->second].Set;
    if (Eq)
      Values.push_back(Op.Value);
    else
      Values.insert(Values.end(), Op.Set.begin(), Op.Set.end());
  }
  for (const auto &Entry : SetOf) {
    std::vector<int64_t> &Values = Ops[Entry.second].Set;
    llvm::sort(Values);
    Values.erase(std::unique(Values.begin(), Values.end()), Values.end());
  }
  Or.Ops = std::move(Ops);
}

/// `a and b and c`, `a or b`: every operand is checked, so each error is reported.
static std::optional<Cond> logicalCond(Context &Ctx, uint32_t M, const ast::LogicalExpr &L,
                                       Cond C) {
  C.K = L.isAnd() ? Cond::And : Cond::Or;
  bool Ok = true;
  for (const auto &Op : L.Operands) {
    auto X = cond(Ctx, M, *Op);
    if (!X)
      Ok = false;
    else if (X->K == C.K) // `(a or b) or c` is `a or b or c`
      C.Ops.insert(C.Ops.end(), std::make_move_iterator(X->Ops.begin()),
                   std::make_move_iterator(X->Ops.end()));
    else
      C.Ops.push_back(std::move(*X));
  }
  if (!Ok)
    return std::nullopt;
  if (C.K == Cond::Or)
    mergeEqualities(C);
  if (C.Ops.size() == 1) {
    Cond Only = std::move(C.Ops[0]);
    return Only;
  }
  return C;
}

/// `attr in {a, b}` and `attr not in {a, b}`.
static std::optional<Cond> inCond(Context &Ctx, uint32_t M, const ast::InExpr &In, Cond C) {
  auto Attr = attributeNamed(Ctx, M, *In.LHS);
  if (!Attr) {
    if (const auto *VE = dyn_cast<ast::ValueExpr>(In.LHS.get()); VE && VE->V.K == ast::Value::Name)
      resolve(Ctx, M, VE->V.NameValue, {Symbol::Attribute});
    else
      Ctx.Diags.report<diag::in_needs_attribute>(In.LHS->Range);
    return std::nullopt;
  }
  if (Ctx.UntypedAttributes.count(*Attr))
    return std::nullopt;
  const Attribute &A = Ctx.P.Attributes[*Attr];
  C.K = Cond::InSet;
  C.Attr = *Attr;
  bool Ok = true;
  for (const auto &V : In.Set) {
    auto X = constant(Ctx, M, V, A.Kind, A.Enum);
    if (!X)
      Ok = false;
    else
      C.Set.push_back(*X);
  }
  if (!Ok)
    return std::nullopt;
  llvm::sort(C.Set);
  C.Set.erase(std::unique(C.Set.begin(), C.Set.end()), C.Set.end());
  if (!In.Negated)
    return C;
  Loc Location = C.Location;
  return negate(std::move(C), Location);
}

/// The attribute of a comparison (on either side), reporting a comparison that has none or two.
static std::optional<uint32_t> comparedAttribute(Context &Ctx, uint32_t M,
                                                 const ast::CompareExpr &Cmp) {
  auto LA = attributeNamed(Ctx, M, *Cmp.LHS);
  auto RA = attributeNamed(Ctx, M, *Cmp.RHS);
  if (LA && RA) {
    Ctx.Diags.report<diag::comparison_of_attributes>(Cmp.Range);
    return std::nullopt;
  }
  if (LA || RA)
    return LA ? LA : RA;
  for (const ast::Expr *Side : {Cmp.LHS.get(), Cmp.RHS.get()}) {
    const auto *VE = dyn_cast<ast::ValueExpr>(Side);
    if (VE && VE->V.K == ast::Value::Name) {
      resolve(Ctx, M, VE->V.NameValue, {Symbol::Attribute});
      return std::nullopt;
    }
  }
  Ctx.Diags.report<diag::bad_comparison>(Cmp.Range);
  return std::nullopt;
}

/// `attr OP constant` or `constant OP attr` (normalized to the attribute on the left).
static std::optional<Cond> compareCond(Context &Ctx, uint32_t M, const ast::CompareExpr &Cmp,
                                       Cond C) {
  auto Attr = comparedAttribute(Ctx, M, Cmp);
  if (!Attr || Ctx.UntypedAttributes.count(*Attr))
    return std::nullopt;
  bool AttrOnLeft = attributeNamed(Ctx, M, *Cmp.LHS).has_value();
  const ast::Expr &Other = AttrOnLeft ? *Cmp.RHS : *Cmp.LHS;
  const auto *OV = dyn_cast<ast::ValueExpr>(&Other);
  if (!OV) {
    Ctx.Diags.report<diag::comparison_needs_constant>(Other.Range, Ctx.P.Attributes[*Attr].Name);
    return std::nullopt;
  }
  const Attribute &A = Ctx.P.Attributes[*Attr];
  CmpOp Op = cmpOp(Cmp.Op);
  if ((A.Kind == AttrKind::Bool || A.Kind == AttrKind::Enum) && Op != CmpOp::Eq &&
      Op != CmpOp::Ne) {
    Ctx.Diags
        .report<diag::unordered_comparison>(Cmp.OpRange, ast::compareOpSpelling(Cmp.Op),
                                            shortTypeName(Ctx, A.Kind, A.Enum))
        .help("only `==` and `!=` (and `in`) apply to this type");
    return std::nullopt;
  }
  auto Value = constant(Ctx, M, OV->V, A.Kind, A.Enum);
  if (!Value)
    return std::nullopt;
  C.K = Cond::Compare;
  C.Attr = *Attr;
  C.Op = AttrOnLeft ? Op : flip(Op);
  C.Value = *Value;
  return C;
}

std::optional<Cond> cond(Context &Ctx, uint32_t M, const ast::Expr &E) {
  Cond C;
  C.Location = locOf(Ctx, M, E.Range);
  if (const auto *V = dyn_cast<ast::ValueExpr>(&E))
    return valueCond(Ctx, M, *V, std::move(C));
  if (const auto *N = dyn_cast<ast::NotExpr>(&E)) {
    auto Op = cond(Ctx, M, *N->Operand);
    if (!Op)
      return std::nullopt;
    return negate(std::move(*Op), C.Location);
  }
  if (const auto *L = dyn_cast<ast::LogicalExpr>(&E))
    return logicalCond(Ctx, M, *L, std::move(C));
  if (const auto *In = dyn_cast<ast::InExpr>(&E))
    return inCond(Ctx, M, *In, std::move(C));
  return compareCond(Ctx, M, cast<ast::CompareExpr>(E), std::move(C));
}

std::optional<Cond> conditions(Context &Ctx, uint32_t M, const std::vector<ast::Condition> &Cs,
                               bool &Ok) {
  std::vector<Cond> Parts;
  for (const auto &C : Cs) {
    auto X = cond(Ctx, M, *C.E);
    if (!X) {
      Ok = false;
      continue;
    }
    if (C.IsUnless)
      X = negate(std::move(*X), locOf(Ctx, M, C.Range));
    Parts.push_back(std::move(*X));
  }
  if (Parts.empty())
    return std::nullopt;
  if (Parts.size() == 1)
    return std::move(Parts[0]);
  Cond And;
  And.K = Cond::And;
  And.Location = Parts[0].Location;
  And.Ops = std::move(Parts);
  return And;
}

} // namespace privet::sema
