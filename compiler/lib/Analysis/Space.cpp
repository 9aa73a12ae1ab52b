//===- Space.cpp - The finite request space of one or more policies ---------------------===//
#include "privet/Analysis/Space.h"

#include "fmt/format.h"

#include <algorithm>
#include <limits>

using namespace privet;
using namespace privet::analysis;

llvm::StringRef privet::analysis::dimName(Dimension D) {
  static const char *const Names[] = {"action", "data",      "subject", "purpose",
                                      "basis",  "recipient", "region",  "context"};
  return Names[unsigned(D)];
}

llvm::StringRef privet::analysis::dimPreposition(Dimension D) {
  static const char *const Words[] = {"", "", "about", "for", "under", "to", "in", "from"};
  return Words[unsigned(D)];
}

//===-- Attribute domains ---------------------------------------------------------------===//

uint32_t AttrDomain::size() const {
  switch (Kind) {
  case AttrKind::Bool:
    return 2;
  case AttrKind::Enum:
    return std::max<size_t>(EnumValues.size(), 1);
  case AttrKind::Int:
  case AttrKind::Duration:
    return Cuts.size() + 1;
  }
  return 1;
}

uint32_t AttrDomain::classOf(int64_t Value) const {
  if (Kind == AttrKind::Bool || Kind == AttrKind::Enum)
    return Value >= 0 && uint64_t(Value) < size() ? uint32_t(Value) : 0;
  return std::upper_bound(Cuts.begin(), Cuts.end(), Value) - Cuts.begin();
}

int64_t AttrDomain::representative(uint32_t I) const {
  if (Default && classOf(*Default) == I)
    return *Default;
  if (Kind == AttrKind::Bool || Kind == AttrKind::Enum)
    return I;
  if (I > 0)
    return Cuts[I - 1];
  // The unbounded lower class: 0 reads best when it is inside, as durations and ages are.
  if (Cuts.empty() || Cuts[0] > 0)
    return 0;
  return Cuts[0] - 1;
}

std::string privet::analysis::formatNumber(AttrKind K, int64_t V) {
  if (K != AttrKind::Duration)
    return std::to_string(V);
  static const std::pair<int64_t, const char *> Units[] = {
      {365 * 86400, "year"}, {30 * 86400, "month"}, {7 * 86400, "week"},
      {86400, "day"},        {3600, "hour"},        {60, "minute"}};
  for (auto [Secs, Unit] : Units)
    if (V != 0 && V % Secs == 0)
      return fmt::format("{} {}{}", V / Secs, Unit, V / Secs == 1 ? "" : "s");
  return fmt::format("{} second{}", V, V == 1 ? "" : "s");
}

std::string AttrDomain::describeClass(uint32_t I) const {
  switch (Kind) {
  case AttrKind::Bool:
    return I ? "true" : "false";
  case AttrKind::Enum:
    return I < EnumValues.size() ? EnumValues[I] : "?";
  case AttrKind::Int:
  case AttrKind::Duration:
    break;
  }
  if (Cuts.empty())
    return "any value";
  if (I == 0)
    return "< " + formatNumber(Kind, Cuts[0]);
  if (I == Cuts.size())
    return ">= " + formatNumber(Kind, Cuts[I - 1]);
  if (Cuts[I] == Cuts[I - 1] + 1)
    return "== " + formatNumber(Kind, Cuts[I - 1]);
  return fmt::format(">= {} and < {}", formatNumber(Kind, Cuts[I - 1]),
                     formatNumber(Kind, Cuts[I]));
}

//===-- Building the shared space -------------------------------------------------------===//

static std::string attrKey(const Attribute &A) {
  return A.Name + '\x01' + std::to_string(unsigned(A.Kind));
}

static void addCut(std::vector<int64_t> &Cuts, int64_t V) {
  // A cut at the minimum would make an empty class below it.
  if (V != std::numeric_limits<int64_t>::min())
    Cuts.push_back(V);
}

static void collectCuts(const Cond &C, const Policy &P, std::vector<std::vector<int64_t>> &Cuts) {
  for (const Cond &Op : C.Ops)
    collectCuts(Op, P, Cuts);
  if (C.Attr >= P.Attributes.size())
    return;
  AttrKind K = P.Attributes[C.Attr].Kind;
  if (K != AttrKind::Int && K != AttrKind::Duration)
    return;
  auto &Out = Cuts[C.Attr];
  auto Point = [&](int64_t V) {
    addCut(Out, V);
    if (V != std::numeric_limits<int64_t>::max())
      addCut(Out, V + 1);
  };
  if (C.K == Cond::InSet) {
    for (int64_t V : C.Set)
      Point(V);
    return;
  }
  if (C.K != Cond::Compare)
    return;
  switch (C.Op) {
  case CmpOp::Eq:
  case CmpOp::Ne:
    Point(C.Value);
    break;
  case CmpOp::Lt:
  case CmpOp::Ge:
    addCut(Out, C.Value);
    break;
  case CmpOp::Le:
  case CmpOp::Gt:
    if (C.Value != std::numeric_limits<int64_t>::max())
      addCut(Out, C.Value + 1);
    break;
  }
}

Space::Space(std::vector<const Policy *> Ps) : Policies(std::move(Ps)) {
  // Data first: it has the most values, and one node testing it at the root keeps the diagram
  // narrow below. The rest roughly by how often rules constrain them.
  static const Dimension Order[] = {Dimension::Data,      Dimension::Action,  Dimension::Purpose,
                                    Dimension::Recipient, Dimension::Subject, Dimension::Basis,
                                    Dimension::Region,    Dimension::Context};
  for (unsigned V = 0; V != NumDimensions; ++V)
    DimVars[unsigned(Order[V])] = V;

  for (const Policy *P : Policies) {
    for (unsigned D = 0; D != NumDimensions; ++D) {
      const Vocabulary &Voc = P->Vocab[D];
      DimDomain &Dom = Dims[D];
      for (NodeId N : Voc.Leaves) {
        const std::string &Name = Voc.Nodes[N].Name;
        if (Dom.Index.try_emplace(Name, Dom.Names.size()).second)
          Dom.Names.push_back(Name);
      }
    }
    std::vector<std::vector<int64_t>> Cuts(P->Attributes.size());
    for (const Rule &R : P->Rules)
      if (R.Condition)
        collectCuts(*R.Condition, *P, Cuts);
    for (const Invariant &I : P->Invariants)
      if (I.Condition)
        collectCuts(*I.Condition, *P, Cuts);
    for (uint32_t A = 0; A != P->Attributes.size(); ++A) {
      const Attribute &Attr = P->Attributes[A];
      auto [It, New] = AttrIndex.try_emplace(attrKey(Attr), Attrs.size());
      if (New) {
        Attrs.emplace_back();
        Attrs.back().Name = Attr.Name;
        Attrs.back().Kind = Attr.Kind;
      }
      AttrDomain &Dom = Attrs[It->second];
      Dom.Cuts.insert(Dom.Cuts.end(), Cuts[A].begin(), Cuts[A].end());
      if (Attr.Kind == AttrKind::Enum && Attr.Enum < P->Enums.size())
        for (const std::string &V : P->Enums[Attr.Enum].Values)
          if (std::find(Dom.EnumValues.begin(), Dom.EnumValues.end(), V) == Dom.EnumValues.end())
            Dom.EnumValues.push_back(V);
    }
  }
  for (AttrDomain &Dom : Attrs) {
    llvm::sort(Dom.Cuts);
    Dom.Cuts.erase(std::unique(Dom.Cuts.begin(), Dom.Cuts.end()), Dom.Cuts.end());
  }

  std::vector<uint32_t> Domains(NumDimensions + Attrs.size(), 1);
  for (unsigned D = 0; D != NumDimensions; ++D)
    Domains[DimVars[D]] = Dims[D].size();
  for (uint32_t A = 0; A != Attrs.size(); ++A)
    Domains[attrVar(A)] = Attrs[A].size();
  M = std::make_unique<Mdd>(std::move(Domains));

  for (unsigned W = 0; W != Policies.size(); ++W)
    Views.push_back(std::make_unique<PolicyView>(*this, *Policies[W], W));
  // Defaults in shared terms, taken from the first policy that declares the attribute.
  for (unsigned W = Policies.size(); W-- > 0;) {
    const Policy &P = *Policies[W];
    for (uint32_t A = 0; A != P.Attributes.size(); ++A)
      if (P.Attributes[A].Default)
        Attrs[Views[W]->sharedAttr(A)].Default = Views[W]->sharedValue(A, *P.Attributes[A].Default);
  }
}

std::optional<Dimension> Space::dimOfVar(unsigned V) const {
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (DimVars[D] == V)
      return Dimension(D);
  return std::nullopt;
}

std::vector<uint32_t> Space::preferredPoint() const {
  std::vector<uint32_t> Point(M->numVars(), 0);
  for (uint32_t A = 0; A != Attrs.size(); ++A)
    Point[attrVar(A)] = Attrs[A].Default ? Attrs[A].classOf(*Attrs[A].Default) : 0;
  return Point;
}

//===-- Policy views --------------------------------------------------------------------===//

PolicyView::PolicyView(const Space &S, const Policy &P, unsigned) : S(S), P(P) {
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const Vocabulary &Voc = P.Vocab[D];
    const DimDomain &Dom = S.Dims[D];
    LeafMap[D].resize(Voc.Leaves.size());
    for (LeafIndex L = 0; L != Voc.Leaves.size(); ++L)
      LeafMap[D][L] = Dom.Index.lookup(Voc.Nodes[Voc.Leaves[L]].Name);
    NodeMap[D].assign(Dom.size(), NoIndex);
    for (NodeId N = 0; N != Voc.Nodes.size(); ++N) {
      auto It = Dom.Index.find(Voc.Nodes[N].Name);
      if (It != Dom.Index.end())
        NodeMap[D][It->second] = N;
    }
  }
  for (const Attribute &A : P.Attributes)
    AttrMap.push_back(S.AttrIndex.lookup(attrKey(A)));
}

llvm::BitVector PolicyView::mapLeaves(Dimension D,
                                      const std::optional<llvm::BitVector> &Local) const {
  const Vocabulary &Voc = P.vocab(D);
  uint32_t N = S.dim(D).size();
  if (Voc.Nodes.empty())
    return llvm::BitVector(N, true);
  llvm::BitVector Out(N);
  for (uint32_t U = 0; U != N; ++U) {
    NodeId Node = NodeMap[unsigned(D)][U];
    if (Node == NoIndex)
      continue;
    LeafIndex L = Node < Voc.LeafOf.size() ? Voc.LeafOf[Node] : NoIndex;
    if (!Local) {
      Out.set(U);
      continue;
    }
    if (L != NoIndex) {
      if (L < Local->size() && (*Local)[L])
        Out.set(U);
      continue;
    }
    const llvm::BitVector &Covers = Voc.Covers[Node];
    llvm::BitVector Missing = Covers;
    Missing.resize(std::max(Covers.size(), Local->size()));
    llvm::BitVector L2 = *Local;
    L2.resize(Missing.size());
    if (!Missing.test(L2))
      Out.set(U);
  }
  return Out;
}

LeafIndex PolicyView::localLeaf(Dimension D, uint32_t Shared) const {
  NodeId N = NodeMap[unsigned(D)][Shared];
  const Vocabulary &Voc = P.vocab(D);
  return N == NoIndex || N >= Voc.LeafOf.size() ? NoIndex : Voc.LeafOf[N];
}

int64_t PolicyView::sharedValue(uint32_t LocalAttr, int64_t V) const {
  const Attribute &A = P.Attributes[LocalAttr];
  if (A.Kind != AttrKind::Enum || A.Enum >= P.Enums.size())
    return V;
  const auto &Local = P.Enums[A.Enum].Values;
  if (V < 0 || uint64_t(V) >= Local.size())
    return V;
  const auto &Shared = S.Attrs[AttrMap[LocalAttr]].EnumValues;
  return std::find(Shared.begin(), Shared.end(), Local[V]) - Shared.begin();
}

uint32_t PolicyView::localAttr(uint32_t Shared) const {
  for (uint32_t A = 0; A != AttrMap.size(); ++A)
    if (AttrMap[A] == Shared)
      return A;
  return NoIndex;
}

//===-- Conditions and scopes -----------------------------------------------------------===//

static bool compare(CmpOp Op, int64_t L, int64_t R) {
  switch (Op) {
  case CmpOp::Eq:
    return L == R;
  case CmpOp::Ne:
    return L != R;
  case CmpOp::Lt:
    return L < R;
  case CmpOp::Le:
    return L <= R;
  case CmpOp::Gt:
    return L > R;
  case CmpOp::Ge:
    return L >= R;
  }
  return false;
}

Mdd::Ref Space::condition(unsigned Which, const Cond &C) {
  const PolicyView &V = *Views[Which];
  const Policy &P = V.policy();
  switch (C.K) {
  case Cond::True:
    return Mdd::True;
  case Cond::False:
    return Mdd::False;
  case Cond::Not:
    return C.Ops.empty() ? Mdd::False : M->neg(condition(Which, C.Ops[0]));
  case Cond::And: {
    Mdd::Ref R = Mdd::True;
    for (const Cond &Op : C.Ops)
      R = M->conj(R, condition(Which, Op));
    return R;
  }
  case Cond::Or: {
    Mdd::Ref R = Mdd::False;
    for (const Cond &Op : C.Ops)
      R = M->disj(R, condition(Which, Op));
    return R;
  }
  case Cond::BoolAttr:
  case Cond::Compare:
  case Cond::InSet:
    break;
  }
  if (C.Attr >= P.Attributes.size())
    return Mdd::False;
  uint32_t Shared = V.sharedAttr(C.Attr);
  const AttrDomain &Dom = Attrs[Shared];
  const Attribute &Local = P.Attributes[C.Attr];
  // Enums compare by the policy's own value order; a shared value it lacks matches no constant.
  auto LocalValue = [&](uint32_t Class) -> std::optional<int64_t> {
    if (Dom.Kind != AttrKind::Enum)
      return Dom.representative(Class);
    if (Local.Enum >= P.Enums.size() || Class >= Dom.EnumValues.size())
      return std::nullopt;
    const auto &Vals = P.Enums[Local.Enum].Values;
    auto It = std::find(Vals.begin(), Vals.end(), Dom.EnumValues[Class]);
    if (It == Vals.end())
      return std::nullopt;
    return It - Vals.begin();
  };
  llvm::BitVector Holds(Dom.size());
  for (uint32_t I = 0; I != Dom.size(); ++I) {
    std::optional<int64_t> X = LocalValue(I);
    bool H = false;
    if (C.K == Cond::BoolAttr)
      H = X && *X != 0;
    else if (C.K == Cond::Compare)
      H = X ? compare(C.Op, *X, C.Value) : C.Op == CmpOp::Ne;
    else
      H = X && std::find(C.Set.begin(), C.Set.end(), *X) != C.Set.end();
    if (H)
      Holds.set(I);
  }
  return M->literal(attrVar(Shared), Holds);
}

Mdd::Ref Space::scope(unsigned Which, const Scope &Sc) {
  const PolicyView &V = *Views[Which];
  std::array<llvm::BitVector, NumDimensions> Sets;
  std::vector<const llvm::BitVector *> PerVar(M->numVars(), nullptr);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    // Every value of a dimension is a no-op in the cube unless the policy lacks some values.
    Sets[D] = V.mapLeaves(Dimension(D), Sc.Dims[D]);
    if (!Sets[D].all())
      PerVar[DimVars[D]] = &Sets[D];
  }
  return M->cube(PerVar);
}
