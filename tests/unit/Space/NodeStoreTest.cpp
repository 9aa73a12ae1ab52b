//===- NodeStoreTest.cpp - Hash-consing and the budgets of the shared node store -------------===//
#include "privet/Space/NodeStore.h"
#include "privet/Space/Mdd.h"

#include <gtest/gtest.h>

using namespace privet::space;

namespace {

TEST(NodeStoreTest, EqualNodesAreOneNode) {
  NodeStore S;
  uint32_t A = S.intern(0, {1, 2, 3});
  uint32_t B = S.intern(0, {1, 2, 4});
  EXPECT_NE(A, B);
  EXPECT_EQ(S.intern(0, {1, 2, 3}), A);
  // The variable and the arity are part of a node's identity.
  EXPECT_NE(S.intern(1, {1, 2, 3}), A);
  EXPECT_NE(S.intern(0, {1, 2}), A);
  EXPECT_EQ(S.size(), 4u);
  EXPECT_EQ(S.children(B), llvm::ArrayRef<uint32_t>({1, 2, 4}));
  EXPECT_EQ(S.child(B, 2), 4u);
}

TEST(NodeStoreTest, GrowingKeepsEveryNodeFindable) {
  NodeStore S;
  for (uint32_t I = 0; I < 5000; ++I)
    EXPECT_EQ(S.intern(I % 7, {I, I + 1}), I);
  for (uint32_t I = 0; I < 5000; ++I)
    EXPECT_EQ(S.intern(I % 7, {I, I + 1}), I);
  EXPECT_EQ(S.size(), 5000u);
}

TEST(NodeStoreTest, NodeBudgetFailsWithAnError) {
  NodeStore S(Budget{2, UINT64_MAX});
  EXPECT_EQ(S.intern(0, {1}), 0u);
  EXPECT_EQ(S.intern(0, {2}), 1u);
  EXPECT_FALSE(S.exhausted());
  EXPECT_EQ(S.intern(0, {3}), NodeStore::Full);
  // Existing nodes are still found, and nodes the caller bounds itself are still stored.
  EXPECT_EQ(S.intern(0, {1}), 0u);
  EXPECT_EQ(S.intern(9, {3}, /*Budgeted=*/false), 2u);
  EXPECT_TRUE(S.exhausted());
  EXPECT_EQ(llvm::toString(S.budgetError("the test diagram")),
            "the test diagram exceeds the node budget of 2 nodes");
}

TEST(NodeStoreTest, StepBudgetFailsWithAnError) {
  NodeStore S(Budget{100, 10});
  EXPECT_TRUE(S.step(10));
  EXPECT_FALSE(bool(S.budgetError("x")));
  EXPECT_FALSE(S.step());
  EXPECT_EQ(llvm::toString(S.budgetError("the test diagram")),
            "building the test diagram exceeds the work budget of 10 steps");
}

// The set algebra stops at its budget with an error instead of aborting the process.
TEST(NodeStoreTest, MddOverBudgetReportsAnError) {
  Mdd M(std::vector<uint32_t>(16, 4), Budget{20, UINT64_MAX});
  Mdd::Ref Acc = Mdd::False;
  for (unsigned V = 0; V < 16 && !M.failed(); ++V) {
    llvm::BitVector Values(4);
    Values.set(V % 4);
    Acc = M.disj(Acc, M.literal(V, Values));
  }
  EXPECT_TRUE(M.failed());
  EXPECT_LE(M.numNodes(), 22u);
  EXPECT_EQ(llvm::toString(M.takeError()), "the set diagram exceeds the node budget of 20 nodes");

  Mdd Steps(std::vector<uint32_t>(8, 3), Budget{1000, 5});
  llvm::BitVector One(3);
  One.set(1);
  Mdd::Ref X = Steps.literal(0, One), Y = Steps.literal(1, One);
  Steps.conj(Steps.disj(X, Y), Steps.literal(2, One));
  EXPECT_TRUE(Steps.failed());
  EXPECT_NE(llvm::toString(Steps.takeError()).find("work budget of 5 steps"), std::string::npos);

  Mdd Fine(std::vector<uint32_t>(2, 2));
  EXPECT_FALSE(Fine.failed());
  EXPECT_FALSE(bool(Fine.takeError()));
}

} // namespace
