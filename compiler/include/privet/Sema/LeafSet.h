//===- LeafSet.h - The leaves a vocabulary node covers, sparse or dense ----------*- C++ -*-===//
//
// Every vocabulary node knows the leaves it covers. A dense bitset per node costs nodes x leaves
// bits: 150,000 flat categories are 2.8 GB of sets that each hold one leaf. A LeafSet holds its
// leaves as a sorted list while that is smaller than the bitset would be, and as a bitset once it
// is not, so a flat vocabulary costs a few bytes per leaf and a broad parent the bitset it needs.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_LEAFSET_H
#define PRIVET_SEMA_LEAFSET_H

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/Hashing.h"

#include <cstdint>
#include <vector>

namespace privet {

class LeafSet {
public:
  LeafSet() = default;
  /// The empty set over Universe leaves.
  explicit LeafSet(unsigned Universe) : Universe(Universe) {}

  /// Number of leaves in the vocabulary (as BitVector::size()).
  unsigned universe() const { return Universe; }
  bool test(uint32_t Leaf) const;
  unsigned count() const { return Dense ? Bits.count() : unsigned(Sparse.size()); }
  bool none() const { return count() == 0; }

  void set(uint32_t Leaf);
  LeafSet &operator|=(const LeafSet &Other);

  bool anyCommon(const llvm::BitVector &B) const;
  bool anyCommon(const LeafSet &Other) const;
  /// Whether every leaf of this set is in B / Other.
  bool isSubsetOf(const llvm::BitVector &B) const;
  bool isSubsetOf(const LeafSet &Other) const;

  /// B |= this (B has the universe's size).
  void addTo(llvm::BitVector &B) const;
  /// B &= ~this.
  void removeFrom(llvm::BitVector &B) const;
  /// The set as a bitset over the universe.
  llvm::BitVector bits() const;
  /// The leaves, ascending.
  std::vector<uint32_t> leaves() const;

  friend bool operator==(const LeafSet &A, const LeafSet &B);
  friend llvm::hash_code hash_value(const LeafSet &S);

private:
  /// Switches to a bitset once the list would take more memory than one.
  void maybeDensify();

  unsigned Universe = 0;
  bool Dense = false;
  std::vector<uint32_t> Sparse; ///< Sorted, unique; used while !Dense.
  llvm::BitVector Bits;         ///< Universe bits; used while Dense.
};

bool operator==(const LeafSet &A, const LeafSet &B);
llvm::hash_code hash_value(const LeafSet &S);

} // namespace privet

#endif // PRIVET_SEMA_LEAFSET_H
