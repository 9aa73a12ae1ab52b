//===- AttrClasses.cpp - Attribute value classes: cuts, representatives, descriptions
//----------===//
#include "privet/Space/AttrClasses.h"

#include "privet/Domain.h"

#include "fmt/format.h"

#include <algorithm>
#include <limits>

using namespace privet;
using namespace privet::space;

/// Adds the cuts that make `attribute OP constant` constant on every interval.
static void addCuts(const Cond &C, const Policy &P, std::vector<std::vector<int64_t>> &Cuts) {
  for (const Cond &Op : C.Ops)
    addCuts(Op, P, Cuts);
  if ((C.K != Cond::Compare && C.K != Cond::InSet) || C.Attr >= P.Attributes.size())
    return;
  AttrKind K = P.Attributes[C.Attr].Kind;
  if (K != AttrKind::Int && K != AttrKind::Duration)
    return;
  constexpr int64_t Min = std::numeric_limits<int64_t>::min();
  constexpr int64_t Max = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> &Out = Cuts[C.Attr];
  // A cut at the minimum would make an empty class below it.
  auto At = [&](int64_t V) {
    if (V != Min)
      Out.push_back(V);
  };
  auto After = [&](int64_t V) {
    if (V != Max)
      At(V + 1);
  };
  if (C.K == Cond::InSet) {
    for (int64_t V : C.Set) {
      At(V);
      After(V);
    }
    return;
  }
  switch (C.Op) {
  case CmpOp::Eq:
  case CmpOp::Ne:
    At(C.Value);
    After(C.Value);
    break;
  case CmpOp::Lt:
  case CmpOp::Ge:
    At(C.Value);
    break;
  case CmpOp::Le:
  case CmpOp::Gt:
    After(C.Value);
    break;
  }
}

std::vector<std::vector<int64_t>> space::collectCuts(const Policy &P) {
  std::vector<std::vector<int64_t>> Cuts(P.Attributes.size());
  for (const Rule &R : P.Rules)
    if (R.Condition)
      addCuts(*R.Condition, P, Cuts);
  for (const Invariant &I : P.Invariants)
    if (I.Condition)
      addCuts(*I.Condition, P, Cuts);
  for (std::vector<int64_t> &C : Cuts) {
    llvm::sort(C);
    C.erase(std::unique(C.begin(), C.end()), C.end());
  }
  return Cuts;
}

AttrClasses AttrClasses::make(AttrKind K, std::vector<int64_t> Cuts, uint32_t NumEnumValues) {
  AttrClasses C;
  C.Kind = K;
  switch (K) {
  case AttrKind::Bool:
    C.Size = 2;
    break;
  case AttrKind::Enum:
    C.Size = std::max<uint32_t>(NumEnumValues, 1);
    break;
  case AttrKind::Int:
  case AttrKind::Duration:
    C.Cuts = std::move(Cuts);
    C.Size = C.Cuts.size() + 1;
    break;
  }
  return C;
}

uint32_t AttrClasses::indexOf(int64_t V) const {
  if (Kind != AttrKind::Int && Kind != AttrKind::Duration)
    return uint32_t(std::min<int64_t>(std::max<int64_t>(V, 0), int64_t(Size) - 1));
  return uint32_t(std::upper_bound(Cuts.begin(), Cuts.end(), V) - Cuts.begin());
}

int64_t AttrClasses::representative(uint32_t I, std::optional<int64_t> Preferred) const {
  if (Preferred && indexOf(*Preferred) == I)
    return *Preferred;
  if (Kind != AttrKind::Int && Kind != AttrKind::Duration)
    return I;
  if (I > 0)
    return Cuts[I - 1];
  if (Cuts.empty() || Cuts[0] > 0)
    return 0;
  return Cuts[0] - 1;
}

std::string space::formatNumber(AttrKind K, int64_t V) {
  return K == AttrKind::Duration ? domain::formatDuration(V) : std::to_string(V);
}

std::string AttrClasses::describe(uint32_t I, llvm::ArrayRef<std::string> EnumValues) const {
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
  // A bound is written the shorter way: `> 1 year` rather than `>= 31536001 seconds` (the cut
  // of `data_age > 1 year` is one second past the year); `>= 18` stays as it is.
  auto Lower = [&](int64_t Cut) {
    std::string Ge = formatNumber(Kind, Cut), Gt = formatNumber(Kind, Cut - 1);
    return Gt.size() < Ge.size() ? "> " + Gt : ">= " + Ge;
  };
  auto Upper = [&](int64_t Cut) {
    std::string Lt = formatNumber(Kind, Cut), Le = formatNumber(Kind, Cut - 1);
    return Le.size() < Lt.size() ? "<= " + Le : "< " + Lt;
  };
  if (I == 0)
    return Upper(Cuts[0]);
  if (I == Cuts.size())
    return Lower(Cuts[I - 1]);
  if (Cuts[I] == Cuts[I - 1] + 1)
    return "== " + formatNumber(Kind, Cuts[I - 1]);
  return Lower(Cuts[I - 1]) + " and " + Upper(Cuts[I]);
}

std::vector<AttrClasses> space::attributeClasses(const Policy &P) {
  std::vector<std::vector<int64_t>> Cuts = collectCuts(P);
  std::vector<AttrClasses> Out;
  for (uint32_t A = 0; A != P.Attributes.size(); ++A) {
    const Attribute &Attr = P.Attributes[A];
    uint32_t NumEnum = Attr.Kind == AttrKind::Enum && Attr.Enum < P.Enums.size()
                           ? P.Enums[Attr.Enum].Values.size()
                           : 1;
    Out.push_back(AttrClasses::make(Attr.Kind, std::move(Cuts[A]), NumEnum));
  }
  return Out;
}
