//===- AttrClassesTest.cpp - Attribute classes, cuts and the comparison evaluator -----------===//
#include "privet/Space/AttrClasses.h"

#include <gtest/gtest.h>

#include <random>

using namespace privet;
using namespace privet::space;

namespace {

Cond compareWith(uint32_t Attr, CmpOp Op, int64_t V) {
  Cond C;
  C.K = Cond::Compare;
  C.Attr = Attr;
  C.Op = Op;
  C.Value = V;
  return C;
}

Policy policyWith(std::vector<Attribute> Attrs, std::vector<Cond> Conds) {
  Policy P;
  P.Attributes = std::move(Attrs);
  for (Cond &C : Conds) {
    Rule R;
    R.Id = "r" + std::to_string(P.Rules.size());
    R.Condition = std::move(C);
    P.Rules.push_back(std::move(R));
  }
  return P;
}

Attribute attr(const char *Name, AttrKind K) {
  Attribute A;
  A.Name = Name;
  A.Kind = K;
  return A;
}

TEST(AttrClassesTest, CompareIsTheSixOperators) {
  for (int64_t L : {-2, 0, 3})
    for (int64_t R : {-2, 0, 3}) {
      EXPECT_EQ(compare(CmpOp::Eq, L, R), L == R);
      EXPECT_EQ(compare(CmpOp::Ne, L, R), L != R);
      EXPECT_EQ(compare(CmpOp::Lt, L, R), L < R);
      EXPECT_EQ(compare(CmpOp::Le, L, R), L <= R);
      EXPECT_EQ(compare(CmpOp::Gt, L, R), L > R);
      EXPECT_EQ(compare(CmpOp::Ge, L, R), L >= R);
    }
}

TEST(AttrClassesTest, CutsAtTheComparedConstants) {
  Policy P = policyWith({attr("age", AttrKind::Int), attr("opt_out", AttrKind::Bool)},
                        {compareWith(0, CmpOp::Ge, 18), compareWith(0, CmpOp::Le, 65),
                         compareWith(0, CmpOp::Eq, 30), compareWith(0, CmpOp::Lt, 18)});
  std::vector<AttrClasses> Classes = attributeClasses(P);
  ASSERT_EQ(Classes.size(), 2u);
  EXPECT_EQ(Classes[0].Cuts, (std::vector<int64_t>{18, 30, 31, 66}));
  EXPECT_EQ(Classes[0].size(), 5u);
  EXPECT_EQ(Classes[0].indexOf(17), 0u);
  EXPECT_EQ(Classes[0].indexOf(18), 1u);
  EXPECT_EQ(Classes[0].indexOf(30), 2u);
  EXPECT_EQ(Classes[0].indexOf(1000), 4u);
  EXPECT_EQ(Classes[0].representative(0), 0);
  EXPECT_EQ(Classes[0].representative(1), 18);
  EXPECT_EQ(Classes[0].representative(1, 20), 20);
  EXPECT_EQ(Classes[0].representative(1, 40), 18); // 40 is not in [18, 30)
  EXPECT_EQ(Classes[0].describe(0), "< 18");
  EXPECT_EQ(Classes[0].describe(2), "== 30");
  EXPECT_EQ(Classes[0].describe(3), ">= 31 and < 66");
  EXPECT_EQ(Classes[0].describe(4), ">= 66");
  EXPECT_EQ(Classes[1].size(), 2u);
  EXPECT_EQ(Classes[1].describe(1), "true");
  EXPECT_EQ(Classes[1].indexOf(5), 1u); // out of range: clamped
}

TEST(AttrClassesTest, DurationsReadAsDomainFormatsThem) {
  constexpr int64_t Day = 86400;
  Policy P = policyWith({attr("age", AttrKind::Duration)}, {compareWith(0, CmpOp::Lt, 30 * Day)});
  AttrClasses C = attributeClasses(P)[0];
  // One month is written as 30 days, the one form every command prints.
  EXPECT_EQ(C.describe(0), "< 30 days");
  EXPECT_EQ(formatNumber(AttrKind::Duration, 7 * Day), "7 days");
  EXPECT_EQ(formatNumber(AttrKind::Int, 7 * Day), "604800");
}

// Every condition is constant on each class, and the representative decides the class: the
// property both the analyses and the decision diagram rely on.
TEST(AttrClassesTest, ConditionsAreConstantOnEveryClass) {
  std::mt19937_64 Rng(3);
  const CmpOp Ops[] = {CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge};
  for (unsigned Round = 0; Round < 200; ++Round) {
    std::vector<Cond> Conds;
    for (unsigned I = 0; I < 1 + Rng() % 4; ++I)
      Conds.push_back(compareWith(0, Ops[Rng() % 6], int64_t(Rng() % 21) - 10));
    Cond In;
    In.K = Cond::InSet;
    In.Attr = 0;
    In.Set = {int64_t(Rng() % 21) - 10, int64_t(Rng() % 21) - 10};
    Conds.push_back(In);
    Policy P = policyWith({attr("x", AttrKind::Int)}, Conds);
    AttrClasses C = attributeClasses(P)[0];
    for (const Rule &R : P.Rules)
      for (int64_t V = -15; V <= 15; ++V)
        EXPECT_EQ(attrCondHolds(*R.Condition, V),
                  attrCondHolds(*R.Condition, C.representative(C.indexOf(V))));
  }
}

} // namespace
