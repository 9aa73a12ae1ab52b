//===- ScopeIndex.cpp - Rules indexed by the values of their effective scopes -----------===//
#include "ScopeIndex.h"

#include <algorithm>

using namespace privet;
using namespace privet::analysis;

ScopeIndex::ScopeIndex(const PolicyRegions &Regions) : R(Regions) {
  const auto &Dims =
      R.policy().Rules.empty() ? std::array<llvm::BitVector, NumDimensions>{} : R.effectiveDims(0);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    unsigned Size = Dims[D].size();
    Layout[D].Offset = Stride;
    Layout[D].Folded = Size > MaxInlineValues;
    Layout[D].Words = Layout[D].Folded ? 1 : (Size + 63) / 64;
    Stride += Layout[D].Words;
    Post[D].resize(Size);
  }
  Query.assign(Stride, 0);
}

void ScopeIndex::writeRow(uint32_t Rl, uint64_t *Row) const {
  const auto &Dims = R.effectiveDims(Rl);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    auto Words = Dims[D].getData();
    uint64_t *Out = Row + Layout[D].Offset;
    if (Layout[D].Folded) {
      uint64_t Fold = 0;
      for (auto W : Words)
        Fold |= uint64_t(W);
      *Out = Fold;
      continue;
    }
    for (uint32_t I = 0; I != Layout[D].Words; ++I)
      Out[I] = I < Words.size() ? uint64_t(Words[I]) : 0;
  }
}

void ScopeIndex::add(uint32_t Rl) {
  assert((Members.empty() || Members.back() < Rl) && "rules must be added in ascending order");
  uint32_t Pos = Members.size();
  Members.push_back(Rl);
  Rows.resize(Rows.size() + Stride);
  writeRow(Rl, Rows.data() + size_t(Pos) * Stride);
  const auto &Dims = R.effectiveDims(Rl);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    if (Dims[D].all()) {
      Full[D].push_back(Pos);
      continue;
    }
    for (unsigned V : Dims[D].set_bits())
      Post[D][V].push_back(Pos);
  }
}

bool ScopeIndex::overlap(uint32_t A, uint32_t B) const {
  const auto &DA = R.effectiveDims(A), &DB = R.effectiveDims(B);
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (!DA[D].anyCommon(DB[D]))
      return false;
  return true;
}

bool ScopeIndex::contains(uint32_t B, uint32_t A) const {
  const auto &DA = R.effectiveDims(A), &DB = R.effectiveDims(B);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    auto WA = DA[D].getData(), WB = DB[D].getData();
    for (size_t I = 0; I != WA.size(); ++I)
      if (WA[I] & ~(I < WB.size() ? WB[I] : 0))
        return false;
  }
  return true;
}

void ScopeIndex::loadQuery(uint32_t Rl) {
  QueryRule = Rl;
  writeRow(Rl, Query.data());
}

bool ScopeIndex::rowOverlaps(uint32_t Member) const {
  const uint64_t *Row = Rows.data() + size_t(Member) * Stride;
  bool Unsure = false;
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const DimLayout &L = Layout[D];
    uint64_t Common = 0;
    for (uint32_t I = 0; I != L.Words; ++I)
      Common |= Row[L.Offset + I] & Query[L.Offset + I];
    if (!Common)
      return false;
    Unsure |= L.Folded;
  }
  if (!Unsure)
    return true;
  const auto &DA = R.effectiveDims(Members[Member]), &DB = R.effectiveDims(QueryRule);
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (Layout[D].Folded && !DA[D].anyCommon(DB[D]))
      return false;
  return true;
}

bool ScopeIndex::rowContains(uint32_t Member) const {
  const uint64_t *Row = Rows.data() + size_t(Member) * Stride;
  bool Unsure = false;
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const DimLayout &L = Layout[D];
    for (uint32_t I = 0; I != L.Words; ++I)
      if (Query[L.Offset + I] & ~Row[L.Offset + I])
        return false;
    Unsure |= L.Folded;
  }
  return !Unsure || contains(Members[Member], QueryRule);
}

void ScopeIndex::overlapping(uint32_t Rl, std::vector<uint32_t> &Out) {
  Out.clear();
  const auto &Dims = R.effectiveDims(Rl);
  // The dimension whose lists are shortest for Rl's values; when Rl has no value in some
  // dimension, nothing overlaps it.
  unsigned Best = NumDimensions;
  size_t BestCount = SIZE_MAX;
  for (unsigned D = 0; D != NumDimensions; ++D) {
    size_t Count = Full[D].size();
    bool Any = false;
    for (unsigned V : Dims[D].set_bits()) {
      Count += Post[D][V].size();
      Any = true;
    }
    if (!Any)
      return;
    if (Count < BestCount)
      Best = D, BestCount = Count;
  }
  if (Best == NumDimensions || Members.empty())
    return;
  loadQuery(Rl);
  if (Seen.size() != Members.size())
    Seen.assign(Members.size(), 0);
  if (++Epoch == 0) { // Wrapped: forget every earlier query.
    std::fill(Seen.begin(), Seen.end(), 0);
    Epoch = 1;
  }
  Found.clear();
  auto Collect = [&](uint32_t X) {
    if (Seen[X] == Epoch)
      return;
    Seen[X] = Epoch;
    if (rowOverlaps(X))
      Found.push_back(X);
  };
  for (uint32_t X : Full[Best])
    Collect(X);
  for (unsigned V : Dims[Best].set_bits())
    for (uint32_t X : Post[Best][V])
      Collect(X);
  llvm::sort(Found);
  for (uint32_t X : Found)
    Out.push_back(Members[X]);
}

void ScopeIndex::containing(uint32_t Rl, llvm::function_ref<bool(uint32_t)> F) {
  const auto &Dims = R.effectiveDims(Rl);
  // A container holds each of Rl's values: the shortest list of one of them, with the rules
  // holding every value of that dimension, has them all.
  const std::vector<uint32_t> *List = nullptr;
  unsigned Dim = 0;
  for (unsigned D = 0; D != NumDimensions; ++D)
    for (unsigned V : Dims[D].set_bits())
      if (!List || Post[D][V].size() + Full[D].size() < List->size() + Full[Dim].size())
        List = &Post[D][V], Dim = D;
  if (!List || Members.empty())
    return;
  loadQuery(Rl);
  // Both lists ascend: merge them.
  const std::vector<uint32_t> &All = Full[Dim];
  size_t I = 0, J = 0;
  while (I != List->size() || J != All.size()) {
    uint32_t X =
        J == All.size() || (I != List->size() && (*List)[I] < All[J]) ? (*List)[I++] : All[J++];
    if (rowContains(X) && !F(Members[X]))
      return;
  }
}
