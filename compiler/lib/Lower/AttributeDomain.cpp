//===- AttributeDomain.cpp - Finite domains for attribute tests in the diagram ---------------===//
#include "DiagramImpl.h"

#include <algorithm>
#include <limits>

namespace privet {

uint32_t AttributeDomain::indexOf(int64_t V) const {
  if (Kind != AttrKind::Int && Kind != AttrKind::Duration)
    return uint32_t(std::min<int64_t>(std::max<int64_t>(V, 0), int64_t(Size) - 1));
  return uint32_t(std::upper_bound(Thresholds.begin(), Thresholds.end(), V) - Thresholds.begin());
}

int64_t AttributeDomain::representative(uint32_t I) const {
  if (Kind != AttrKind::Int && Kind != AttrKind::Duration)
    return I;
  if (I > 0)
    return Thresholds[I - 1];
  // The first interval is unbounded below; pick a readable value just under the first split.
  if (Thresholds.empty())
    return 0;
  return Thresholds[0] > 0 ? 0 : Thresholds[0] - 1;
}

/// Adds the split points that make `attribute OP constant` constant on every interval.
static void collectSplits(const Cond &C, std::vector<std::vector<int64_t>> &Splits) {
  constexpr int64_t Max = std::numeric_limits<int64_t>::max();
  auto Add = [&](uint32_t A, int64_t V) {
    if (A < Splits.size())
      Splits[A].push_back(V);
  };
  auto AddAfter = [&](uint32_t A, int64_t V) {
    if (V != Max)
      Add(A, V + 1);
  };
  switch (C.K) {
  case Cond::Compare:
    switch (C.Op) {
    case CmpOp::Eq:
    case CmpOp::Ne:
      Add(C.Attr, C.Value);
      AddAfter(C.Attr, C.Value);
      break;
    case CmpOp::Lt:
    case CmpOp::Ge:
      Add(C.Attr, C.Value);
      break;
    case CmpOp::Le:
    case CmpOp::Gt:
      AddAfter(C.Attr, C.Value);
      break;
    }
    break;
  case Cond::InSet:
    for (int64_t V : C.Set) {
      Add(C.Attr, V);
      AddAfter(C.Attr, V);
    }
    break;
  default:
    for (const Cond &Op : C.Ops)
      collectSplits(Op, Splits);
    break;
  }
}

std::vector<AttributeDomain> computeAttributeDomains(const Policy &P) {
  std::vector<std::vector<int64_t>> Splits(P.Attributes.size());
  for (const Rule &R : P.Rules)
    if (R.Condition)
      collectSplits(*R.Condition, Splits);
  for (const Invariant &Inv : P.Invariants)
    if (Inv.Condition)
      collectSplits(*Inv.Condition, Splits);

  std::vector<AttributeDomain> Domains(P.Attributes.size());
  for (unsigned A = 0; A < P.Attributes.size(); ++A) {
    const Attribute &Attr = P.Attributes[A];
    AttributeDomain &D = Domains[A];
    D.Kind = Attr.Kind;
    switch (Attr.Kind) {
    case AttrKind::Bool:
      D.Size = 2;
      break;
    case AttrKind::Enum:
      D.Size =
          Attr.Enum < P.Enums.size() ? std::max<uint32_t>(1, P.Enums[Attr.Enum].Values.size()) : 1;
      break;
    case AttrKind::Int:
    case AttrKind::Duration: {
      std::vector<int64_t> &T = Splits[A];
      // A split at the minimum would create an empty first interval.
      T.erase(std::remove(T.begin(), T.end(), std::numeric_limits<int64_t>::min()), T.end());
      std::sort(T.begin(), T.end());
      T.erase(std::unique(T.begin(), T.end()), T.end());
      D.Thresholds = T;
      D.Size = T.size() + 1;
      break;
    }
    }
  }
  return Domains;
}

Request DiagramWitness::toRequest(const Policy &P) const {
  Request R;
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (Leaves[D] != NoIndex)
      R.Values[D].push_back(P.Vocab[D].Leaves[Leaves[D]]);
  for (unsigned A = 0; A < AttrValues.size(); ++A)
    R.Attrs.push_back({A, AttrValues[A]});
  return R;
}

} // namespace privet
