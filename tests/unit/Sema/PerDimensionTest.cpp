//===- PerDimensionTest.cpp - PerDimension behaves as nine separate vectors -----------===//
#include "privet/Sema/Policy.h"

#include <gtest/gtest.h>

#include <random>

using namespace privet;

namespace {

using Item = std::pair<NodeId, bool>;
using Model = std::array<std::vector<Item>, NumDimensions>;

void expectSame(const PerDimension<Item> &L, const Model &M) {
  size_t Total = 0;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    auto Got = L[D];
    ASSERT_EQ(Got.size(), M[D].size()) << "dimension " << D;
    EXPECT_EQ(Got.empty(), M[D].empty());
    EXPECT_TRUE(std::equal(Got.begin(), Got.end(), M[D].begin())) << "dimension " << D;
    Total += M[D].size();
  }
  EXPECT_EQ(L.totalSize(), Total);
}

// Random pushes, clears and assignments (from another container and from the same one), in
// any order of dimensions, against an array of vectors doing the same.
TEST(PerDimension, AgreesWithAnArrayOfVectors) {
  std::mt19937 G(11);
  for (int Round = 0; Round < 200; ++Round) {
    PerDimension<Item> L, Other;
    Model M, OtherM;
    for (int Step = 0; Step < 40; ++Step) {
      unsigned D = G() % NumDimensions, E = G() % NumDimensions;
      Item V{NodeId(G() % 100), bool(G() % 2)};
      switch (G() % 6) {
      case 0:
      case 1:
      case 2:
        L[D].push_back(V);
        M[D].push_back(V);
        break;
      case 3:
        L[D].clear();
        M[D].clear();
        break;
      case 4: // from the same container: a copy is taken before D changes
        L[D] = static_cast<const PerDimension<Item> &>(L)[E];
        M[D] = std::vector<Item>(M[E]);
        break;
      case 5:
        Other[E].push_back(V);
        OtherM[E].push_back(V);
        L[D] = static_cast<const PerDimension<Item> &>(Other)[E];
        M[D] = OtherM[E];
        break;
      }
      ASSERT_NO_FATAL_FAILURE(expectSame(L, M));
    }
    // Copies are deep and independent.
    PerDimension<Item> Copy = L;
    Copy[0].push_back({1, true});
    ASSERT_NO_FATAL_FAILURE(expectSame(L, M));
  }
}

TEST(PerDimension, WritableListReadsAndWritesInPlace) {
  PerDimension<std::vector<NodeId>> L;
  L[4].push_back({1, 2});
  L[2].emplace_back(std::vector<NodeId>{3});
  L[4].push_back({5});
  ASSERT_EQ(L[4].size(), 2u);
  L[4][1].push_back(6);
  EXPECT_EQ(L[4].back(), (std::vector<NodeId>{5, 6}));
  EXPECT_EQ(L[2].front(), (std::vector<NodeId>{3}));
  EXPECT_TRUE(L[0].empty());
  EXPECT_TRUE(L[8].empty());
  EXPECT_EQ(L.totalSize(), 3u);
}

} // namespace
