//===- DiffTest.cpp - Semantic diff: exact regions, named at the highest covered node ---===//
#include "privet/Analysis/Diff.h"
#include "PolicyBuilder.h"

#include <gtest/gtest.h>

using namespace privet;
using namespace privet::analysis;
using privet::testing::PolicyBuilder;

namespace {

/// share, use; data other_information{cookies, device_ids}, email; recipients ad_tech{a1, a2},
/// processors; purposes advertising, operations; bases consent, contract.
PolicyBuilder vocabulary(bool WithNewLeaf) {
  PolicyBuilder B;
  B.node(Dimension::Action, "share");
  B.node(Dimension::Action, "use");
  B.node(Dimension::Data, "other_information");
  B.node(Dimension::Data, "cookies", {"other_information"});
  B.node(Dimension::Data, "device_ids", {"other_information"});
  B.node(Dimension::Data, "email");
  if (WithNewLeaf)
    B.node(Dimension::Data, "phone");
  B.node(Dimension::Recipient, "ad_tech");
  B.node(Dimension::Recipient, "a1", {"ad_tech"});
  B.node(Dimension::Recipient, "a2", {"ad_tech"});
  B.node(Dimension::Recipient, "processors");
  B.node(Dimension::Purpose, "advertising");
  B.node(Dimension::Purpose, "operations");
  B.node(Dimension::Basis, "consent");
  B.node(Dimension::Basis, "contract");
  B.obligation("notify");
  B.attribute("age", AttrKind::Int);
  B.close();
  return B;
}

TEST(DiffTest, NewPermissionReadsAtTheHierarchyLevel) {
  PolicyBuilder Old = vocabulary(false), New = vocabulary(true);
  Old.rule("ops", true,
           Old.scope({{Dimension::Action, {"use"}}, {Dimension::Purpose, {"operations"}}}));
  New.rule("ops", true,
           New.scope({{Dimension::Action, {"use"}}, {Dimension::Purpose, {"operations"}}}));
  New.rule("ads", true,
           New.scope({{Dimension::Action, {"share"}},
                      {Dimension::Data, {"other_information"}},
                      {Dimension::Recipient, {"ad_tech"}},
                      {Dimension::Purpose, {"advertising"}},
                      {Dimension::Basis, {"consent"}}}));
  DiffResult R = diffPolicies(Old.policy(), New.policy());
  // `phone` is new: that `ops` now covers it is one finding of its own, not a now-allowed region.
  ASSERT_EQ(R.count(DiffChange::NowAllowed), 1u);
  ASSERT_EQ(R.count(DiffChange::NewValueCovered), 1u);
  EXPECT_EQ(R.count(DiffChange::NowDenied), 0u);
  EXPECT_TRUE(R.morePermissive());
  EXPECT_FALSE(R.lessPermissive());
  std::vector<std::string> Texts;
  for (const DiffChange &C : R.Changes)
    Texts.push_back(C.Text);
  EXPECT_EQ(Texts[0], "share `other_information` to `ad_tech` for `advertising` under `consent`");
  EXPECT_EQ(R.Changes[1].K, DiffChange::NewValueCovered);
  EXPECT_NE(Texts[1].find("`phone`"), std::string::npos) << Texts[1];
}

TEST(DiffTest, RemovedPermissionAndConditions) {
  PolicyBuilder Old = vocabulary(false), New = vocabulary(false);
  Old.rule("ads", true,
           Old.scope({{Dimension::Data, {"email"}}, {Dimension::Purpose, {"advertising"}}}));
  New.rule("ads", true,
           New.scope({{Dimension::Data, {"email"}}, {Dimension::Purpose, {"advertising"}}}),
           PolicyBuilder::cmp(0, CmpOp::Ge, 18));
  DiffResult R = diffPolicies(Old.policy(), New.policy());
  ASSERT_EQ(R.Changes.size(), 1u);
  EXPECT_EQ(R.Changes[0].K, DiffChange::NowDenied);
  EXPECT_EQ(R.Changes[0].Text, "any `email` for `advertising` when age < 18");
  EXPECT_TRUE(R.lessPermissive());
}

TEST(DiffTest, ObligationChangesAndNoChange) {
  PolicyBuilder Old = vocabulary(false), New = vocabulary(false);
  Old.rule("r", true, Old.scope({{Dimension::Action, {"share"}}}), {}, {{0, std::nullopt, {}}});
  New.rule("r", true, New.scope({{Dimension::Action, {"share"}}}));
  DiffResult R = diffPolicies(Old.policy(), New.policy());
  ASSERT_EQ(R.Changes.size(), 1u);
  EXPECT_EQ(R.Changes[0].K, DiffChange::ObligationRemoved);
  EXPECT_EQ(R.Changes[0].Obligation, "notify");
  EXPECT_EQ(R.Changes[0].Text, "share");
  EXPECT_TRUE(R.morePermissive());
  EXPECT_TRUE(diffPolicies(Old.policy(), Old.policy()).empty());
}

TEST(DiffTest, ComplementIsNamedWhenShorter) {
  PolicyBuilder Old = vocabulary(false), New = vocabulary(false);
  New.rule("r", true, New.scope({{Dimension::Recipient, {"!a2"}}, {Dimension::Action, {"share"}}}));
  DiffResult R = diffPolicies(Old.policy(), New.policy());
  ASSERT_EQ(R.Changes.size(), 1u);
  EXPECT_EQ(R.Changes[0].Text, "share to not `a2`");
}

} // namespace
