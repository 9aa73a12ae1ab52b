//===- MddTest.cpp - The set algebra: canonical forms, operations, witnesses, cubes -----===//
#include "privet/Space/Mdd.h"

#include <gtest/gtest.h>

using namespace privet::space;

namespace {

llvm::BitVector bits(unsigned N, std::initializer_list<unsigned> Set) {
  llvm::BitVector B(N);
  for (unsigned I : Set)
    B.set(I);
  return B;
}

TEST(MddTest, EqualSetsAreEqualRefs) {
  Mdd M({3, 2});
  Mdd::Ref A = M.literal(0, bits(3, {0, 1}));
  Mdd::Ref B = M.disj(M.literal(0, bits(3, {0})), M.literal(0, bits(3, {1})));
  EXPECT_EQ(A, B);
  EXPECT_EQ(M.literal(0, bits(3, {0, 1, 2})), Mdd::True);
  EXPECT_EQ(M.conj(A, M.literal(0, bits(3, {2}))), Mdd::False);
  EXPECT_EQ(M.neg(M.neg(A)), A);
}

TEST(MddTest, SubsetIntersectAndDiff) {
  Mdd M({3, 2, 4});
  const llvm::BitVector X = bits(3, {0, 1}), Y = bits(2, {1}), Z = bits(4, {2, 3});
  Mdd::Ref Big = M.cube({&X, nullptr, &Z});
  Mdd::Ref Small = M.cube({&X, &Y, &Z});
  EXPECT_TRUE(M.subset(Small, Big));
  EXPECT_FALSE(M.subset(Big, Small));
  EXPECT_TRUE(M.intersects(Big, Small));
  Mdd::Ref Rest = M.diff(Big, Small);
  EXPECT_FALSE(M.intersects(Rest, Small));
  EXPECT_EQ(M.disj(Rest, Small), Big);
  EXPECT_TRUE(M.contains(Big, {1, 0, 3}));
  EXPECT_FALSE(M.contains(Small, {1, 0, 3}));
}

TEST(MddTest, PickPrefersGivenValuesAndStaysInside) {
  Mdd M({3, 3});
  const llvm::BitVector X = bits(3, {2}), Y = bits(3, {0, 1});
  Mdd::Ref S = M.cube({&X, &Y});
  auto P = M.pick(S, {0, 1});
  ASSERT_TRUE(P);
  EXPECT_EQ((*P)[0], 2u);
  EXPECT_EQ((*P)[1], 1u);
  EXPECT_FALSE(M.pick(Mdd::False));
}

TEST(MddTest, CubesCoverTheSetDisjointly) {
  Mdd M({4, 3});
  const llvm::BitVector A = bits(4, {0, 1}), B = bits(3, {2}), C = bits(4, {3});
  Mdd::Ref S = M.disj(M.cube({&A, &B}), M.cube({&C, nullptr}));
  Mdd::Ref Rebuilt = Mdd::False;
  unsigned Count = 0;
  M.forEachCube(S, [&](const std::vector<llvm::BitVector> &Cube) {
    std::vector<const llvm::BitVector *> Ptrs{&Cube[0], &Cube[1]};
    Mdd::Ref Part = M.cube(Ptrs);
    EXPECT_FALSE(M.intersects(Part, Rebuilt));
    Rebuilt = M.disj(Rebuilt, Part);
    ++Count;
    return true;
  });
  EXPECT_EQ(Rebuilt, S);
  EXPECT_EQ(Count, 2u);
  EXPECT_EQ(M.project(S, 1), bits(3, {0, 1, 2}));
  EXPECT_EQ(M.project(M.cube({&A, &B}), 0), A);
}

} // namespace
