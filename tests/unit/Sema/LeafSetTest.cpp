//===- LeafSetTest.cpp - LeafSet agrees with a BitVector in both representations -----===//
#include "privet/Sema/LeafSet.h"

#include <gtest/gtest.h>

#include <random>

using namespace privet;

namespace {

// Random sets built by set() and |=, compared with the same operations on BitVectors, across
// the sparse-to-dense switch (a list is kept while 32 bits per entry are fewer than Universe).
TEST(LeafSet, AgreesWithBitVector) {
  std::mt19937 G(7);
  for (unsigned Universe : {1u, 31u, 64u, 200u, 5000u}) {
    for (int Round = 0; Round < 60; ++Round) {
      LeafSet A(Universe), B(Universe);
      llvm::BitVector RA(Universe), RB(Universe);
      unsigned NA = G() % (Universe / 8 + 2), NB = G() % (Universe / 2 + 2);
      for (unsigned I = 0; I < NA; ++I) {
        unsigned L = G() % Universe;
        A.set(L);
        RA.set(L);
      }
      for (unsigned I = 0; I < NB; ++I) {
        unsigned L = G() % Universe;
        B.set(L);
        RB.set(L);
      }
      EXPECT_EQ(A.bits(), RA);
      EXPECT_EQ(A.count(), RA.count());
      EXPECT_EQ(A.anyCommon(RB), RA.anyCommon(RB));
      EXPECT_EQ(A.anyCommon(B), RA.anyCommon(RB));
      llvm::BitVector Outside = RA;
      Outside.reset(RB);
      EXPECT_EQ(A.isSubsetOf(B), Outside.none());
      EXPECT_EQ(A.isSubsetOf(RB), Outside.none());
      for (unsigned L = 0; L < Universe; ++L)
        ASSERT_EQ(A.test(L), RA.test(L));
      llvm::BitVector Into(Universe);
      A.addTo(Into);
      EXPECT_EQ(Into, RA);
      llvm::BitVector Removed = RB;
      A.removeFrom(Removed);
      llvm::BitVector Want = RB;
      Want.reset(RA);
      EXPECT_EQ(Removed, Want);
      // Union, and equality and hashing independent of the representation.
      LeafSet U = A;
      U |= B;
      llvm::BitVector RU = RA;
      RU |= RB;
      EXPECT_EQ(U.bits(), RU);
      LeafSet Rebuilt(Universe);
      for (unsigned L : RU.set_bits())
        Rebuilt.set(L);
      EXPECT_TRUE(U == Rebuilt);
      EXPECT_EQ(hash_value(U), hash_value(Rebuilt));
      std::vector<uint32_t> Leaves = U.leaves();
      EXPECT_TRUE(std::is_sorted(Leaves.begin(), Leaves.end()));
      EXPECT_EQ(Leaves.size(), RU.count());
    }
  }
}

TEST(LeafSet, SmallSetsStaySmall) {
  // A flat vocabulary: one leaf per set over a large universe stays a one-entry list, which is
  // what keeps 150,000 categories at a few bytes each (a bitset would be 18 KiB each).
  LeafSet S(150000);
  S.set(149999);
  EXPECT_EQ(S.count(), 1u);
  EXPECT_TRUE(S.test(149999));
  EXPECT_FALSE(S.test(0));
  EXPECT_EQ(S.leaves(), std::vector<uint32_t>{149999});
}

} // namespace
