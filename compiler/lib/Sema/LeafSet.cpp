//===- LeafSet.cpp - The leaves a vocabulary node covers, sparse or dense ---------------===//
#include "privet/Sema/LeafSet.h"

#include <algorithm>
#include <iterator>

using namespace privet;

bool LeafSet::test(uint32_t Leaf) const {
  if (Dense)
    return Leaf < Bits.size() && Bits.test(Leaf);
  return std::binary_search(Sparse.begin(), Sparse.end(), Leaf);
}

void LeafSet::maybeDensify() {
  // A list entry is 32 bits; the bitset is one bit per leaf of the universe.
  if (Dense || uint64_t(Sparse.size()) * 32 <= Universe)
    return;
  Bits = llvm::BitVector(Universe);
  for (uint32_t L : Sparse)
    Bits.set(L);
  Sparse.clear();
  Sparse.shrink_to_fit();
  Dense = true;
}

void LeafSet::set(uint32_t Leaf) {
  if (Dense) {
    Bits.set(Leaf);
    return;
  }
  auto It = std::lower_bound(Sparse.begin(), Sparse.end(), Leaf);
  if (It != Sparse.end() && *It == Leaf)
    return;
  Sparse.insert(It, Leaf);
  maybeDensify();
}

LeafSet &LeafSet::operator|=(const LeafSet &Other) {
  if (Other.Dense) {
    if (!Dense) {
      llvm::BitVector B = Other.Bits;
      for (uint32_t L : Sparse)
        B.set(L);
      Bits = std::move(B);
      Sparse.clear();
      Sparse.shrink_to_fit();
      Dense = true;
    } else {
      Bits |= Other.Bits;
    }
    return *this;
  }
  if (Dense) {
    for (uint32_t L : Other.Sparse)
      Bits.set(L);
    return *this;
  }
  std::vector<uint32_t> Merged;
  Merged.reserve(Sparse.size() + Other.Sparse.size());
  std::set_union(Sparse.begin(), Sparse.end(), Other.Sparse.begin(), Other.Sparse.end(),
                 std::back_inserter(Merged));
  Sparse = std::move(Merged);
  maybeDensify();
  return *this;
}

bool LeafSet::anyCommon(const llvm::BitVector &B) const {
  if (Dense)
    return Bits.anyCommon(B);
  return std::any_of(Sparse.begin(), Sparse.end(),
                     [&](uint32_t L) { return L < B.size() && B.test(L); });
}

bool LeafSet::anyCommon(const LeafSet &Other) const {
  if (Other.Dense)
    return anyCommon(Other.Bits);
  return Other.anyCommon(bits());
}

bool LeafSet::isSubsetOf(const llvm::BitVector &B) const {
  if (Dense)
    return !Bits.test(B);
  return std::all_of(Sparse.begin(), Sparse.end(),
                     [&](uint32_t L) { return L < B.size() && B.test(L); });
}

bool LeafSet::isSubsetOf(const LeafSet &Other) const {
  if (!Dense && !Other.Dense)
    return std::includes(Other.Sparse.begin(), Other.Sparse.end(), Sparse.begin(), Sparse.end());
  return isSubsetOf(Other.bits());
}

void LeafSet::addTo(llvm::BitVector &B) const {
  if (Dense) {
    B |= Bits;
    return;
  }
  for (uint32_t L : Sparse)
    B.set(L);
}

void LeafSet::removeFrom(llvm::BitVector &B) const {
  if (Dense) {
    B.reset(Bits);
    return;
  }
  for (uint32_t L : Sparse)
    if (L < B.size())
      B.reset(L);
}

llvm::BitVector LeafSet::bits() const {
  if (Dense)
    return Bits;
  llvm::BitVector B(Universe);
  for (uint32_t L : Sparse)
    B.set(L);
  return B;
}

std::vector<uint32_t> LeafSet::leaves() const {
  if (!Dense)
    return Sparse;
  std::vector<uint32_t> Out;
  for (unsigned L : Bits.set_bits())
    Out.push_back(L);
  return Out;
}

bool privet::operator==(const LeafSet &A, const LeafSet &B) {
  if (A.Universe != B.Universe)
    return false;
  if (A.Dense == B.Dense)
    return A.Dense ? A.Bits == B.Bits : A.Sparse == B.Sparse;
  return A.bits() == B.bits();
}

llvm::hash_code privet::hash_value(const LeafSet &S) {
  // Equal sets hash equally whatever their representation: hash the leaves.
  std::vector<uint32_t> L = S.leaves();
  return llvm::hash_combine(S.Universe, llvm::hash_combine_range(L.begin(), L.end()));
}
