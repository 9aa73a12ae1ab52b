//===- MddTest.cpp - The set algebra: canonical forms, operations, witnesses, cubes -----===//
#include "privet/Space/Mdd.h"

#include <gtest/gtest.h>

#include <random>

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

namespace {

/// The same random operations on a diagram with the default caches and on one whose caches
/// hold two entries, so nearly every lookup misses or finds a colliding key: the results must
/// not depend on what the lossy computed tables keep.
TEST(MddTest, ResultsDoNotDependOnTheComputedTables) {
  std::mt19937 Rng(11);
  for (unsigned Round = 0; Round != 40; ++Round) {
    std::vector<uint32_t> Doms{uint32_t(2 + Rng() % 5), uint32_t(2 + Rng() % 3),
                               uint32_t(2 + Rng() % 4), 2};
    Mdd Big(Doms), Tiny(Doms, {}, /*CacheBits=*/1);
    std::vector<Mdd::Ref> A{Mdd::False, Mdd::True}, B{Mdd::False, Mdd::True};
    for (unsigned Op = 0; Op != 200; ++Op) {
      unsigned I = Rng() % A.size(), J = Rng() % A.size();
      switch (Rng() % 5) {
      case 0: {
        unsigned Var = Rng() % Doms.size();
        llvm::BitVector Values(Doms[Var]);
        for (unsigned V = 0; V != Doms[Var]; ++V)
          if (Rng() % 2)
            Values.set(V);
        A.push_back(Big.literal(Var, Values));
        B.push_back(Tiny.literal(Var, Values));
        break;
      }
      case 1:
        A.push_back(Big.conj(A[I], A[J]));
        B.push_back(Tiny.conj(B[I], B[J]));
        break;
      case 2:
        A.push_back(Big.disj(A[I], A[J]));
        B.push_back(Tiny.disj(B[I], B[J]));
        break;
      case 3:
        A.push_back(Big.diff(A[I], A[J]));
        B.push_back(Tiny.diff(B[I], B[J]));
        break;
      default:
        ASSERT_EQ(Big.subset(A[I], A[J]), Tiny.subset(B[I], B[J]));
        ASSERT_EQ(Big.intersects(A[I], A[J]), Tiny.intersects(B[I], B[J]));
        // Subset and intersection agree with the operations that build nodes.
        ASSERT_EQ(Big.subset(A[I], A[J]), Big.diff(A[I], A[J]) == Mdd::False);
        ASSERT_EQ(Tiny.intersects(B[I], B[J]), Tiny.conj(B[I], B[J]) != Mdd::False);
        break;
      }
      // Both diagrams are canonical, so the same sets have the same shape: compare by
      // membership of every point.
      std::vector<uint32_t> Point(Doms.size(), 0);
      for (;;) {
        ASSERT_EQ(Big.contains(A.back(), Point), Tiny.contains(B.back(), Point));
        unsigned V = 0;
        while (V != Doms.size() && ++Point[V] == Doms[V])
          Point[V++] = 0;
        if (V == Doms.size())
          break;
      }
    }
    if (Round % 8 == 0) {
      Big.clearCaches();
      Tiny.clearCaches();
    }
  }
}

} // namespace
