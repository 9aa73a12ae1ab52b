//===- RequestSpace.cpp - The finite request space of one or more policies
//---------------------===//
#include "privet/Space/RequestSpace.h"
#include "privet/Domain.h"

#include <algorithm>

using namespace privet;
using namespace privet::space;

//===-- Building the shared space -------------------------------------------------------===//

static std::string attrKey(const Attribute &A) {
  return A.Name + '\x01' + std::to_string(unsigned(A.Kind));
}

RequestSpace::RequestSpace(std::vector<const Policy *> Ps, Budget B) : Policies(std::move(Ps)) {
  // Data first: it has the most values, and one node testing it at the root keeps the diagram
  // narrow below. The rest roughly by how often rules constrain them.
  static const Dimension Order[] = {Dimension::Data,      Dimension::Action,  Dimension::Purpose,
                                    Dimension::Recipient, Dimension::Subject, Dimension::Basis,
                                    Dimension::Region,    Dimension::Context, Dimension::Actor};
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
    std::vector<std::vector<int64_t>> Cuts = space::collectCuts(*P);
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
    static_cast<space::AttrClasses &>(Dom) =
        space::AttrClasses::make(Dom.Kind, std::move(Dom.Cuts), Dom.EnumValues.size());
  }

  std::vector<uint32_t> Domains(NumDimensions + Attrs.size(), 1);
  for (unsigned D = 0; D != NumDimensions; ++D)
    Domains[DimVars[D]] = Dims[D].size();
  for (uint32_t A = 0; A != Attrs.size(); ++A)
    Domains[attrVar(A)] = Attrs[A].size();
  M = std::make_unique<Mdd>(std::move(Domains), B);

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

std::optional<Dimension> RequestSpace::dimOfVar(unsigned V) const {
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (DimVars[D] == V)
      return Dimension(D);
  return std::nullopt;
}

std::vector<uint32_t> RequestSpace::preferredPoint() const {
  std::vector<uint32_t> Point(M->numVars(), 0);
  for (uint32_t A = 0; A != Attrs.size(); ++A)
    Point[attrVar(A)] = Attrs[A].Default ? Attrs[A].indexOf(*Attrs[A].Default) : 0;
  return Point;
}

//===-- Policy views --------------------------------------------------------------------===//

PolicyView::PolicyView(const RequestSpace &S, const Policy &P, unsigned) : S(S), P(P) {
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
  if (Voc.Nodes.empty() && D == Dimension::Actor) {
    // A policy without actors is the controller's alone: beside one with actors, it covers `us`.
    llvm::BitVector Out(N, N == 1);
    auto It = S.dim(D).Index.find(std::string(domain::ControllerActor));
    if (It != S.dim(D).Index.end())
      Out.set(It->second);
    return Out;
  }
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
    if (Voc.Covers[Node].isSubsetOf(*Local))
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

Mdd::Ref RequestSpace::condition(unsigned Which, const Cond &C) {
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
    if (X ? space::attrCondHolds(C, *X) : C.K == Cond::Compare && C.Op == CmpOp::Ne)
      Holds.set(I);
  }
  return M->literal(attrVar(Shared), Holds);
}

Mdd::Ref RequestSpace::scope(unsigned Which, const Scope &Sc) {
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
