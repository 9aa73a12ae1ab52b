//===- ChecksTest.cpp - Each analysis fires where it should and stays quiet elsewhere ---===//
#include "privet/Analysis/Checks.h"
#include "PolicyBuilder.h"

#include <gtest/gtest.h>

#include <memory>

using namespace privet;
using namespace privet::analysis;
using privet::testing::PolicyBuilder;

namespace {

/// The findings of one check, in order (copies: callers often pass a temporary).
std::vector<std::shared_ptr<Finding>> byCheck(const std::vector<Finding> &Fs,
                                              llvm::StringRef Name) {
  std::vector<std::shared_ptr<Finding>> Out;
  for (const Finding &F : Fs)
    if (diagnosticKindInfo(F.Kind).Name == Name)
      Out.push_back(std::make_shared<Finding>(F));
  return Out;
}

/// use{collect, share}; data personal{email, phone}, logs; purposes ads, ops; bases consent, li.
PolicyBuilder base() {
  PolicyBuilder B;
  B.node(Dimension::Action, "use");
  B.node(Dimension::Action, "collect", {"use"});
  B.node(Dimension::Action, "share", {"use"});
  B.node(Dimension::Data, "personal_data");
  B.node(Dimension::Data, "email", {"personal_data"});
  B.node(Dimension::Data, "phone", {"personal_data"});
  B.node(Dimension::Data, "logs");
  B.node(Dimension::Purpose, "ads");
  B.node(Dimension::Purpose, "ops");
  B.node(Dimension::Basis, "consent");
  B.node(Dimension::Basis, "li");
  B.obligation("notify");
  B.attribute("opted_out", AttrKind::Bool, false);
  B.close();
  return B;
}

TEST(ChecksTest, DeadAllowNamesTheCoveringDenies) {
  PolicyBuilder B = base();
  B.rule("a", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("d1", false, B.scope({{Dimension::Action, {"collect"}}}));
  B.rule("d2", false,
         B.scope({{Dimension::Action, {"share"}}, {Dimension::Data, {"personal_data"}}}));
  B.rule("live", true, B.scope({{Dimension::Data, {"logs"}}, {Dimension::Basis, {"li"}}}));
  auto Fs = runAnalyses(B.policy());
  auto Dead = byCheck(Fs, "dead_rule");
  ASSERT_EQ(Dead.size(), 1u);
  EXPECT_NE(Dead[0]->message().find("`a`"), std::string::npos);
  ASSERT_EQ(Dead[0]->Notes.size(), 2u);
  EXPECT_NE(Dead[0]->Notes[0].Message.find("`d1`"), std::string::npos);
  EXPECT_NE(Dead[0]->Notes[1].Message.find("`d2`"), std::string::npos);
}

// Past the check's limit on the search for covering denies, a dead rule is still reported (the
// finding is exact), with a note in place of the denies it no longer searched for.
TEST(ChecksTest, DeadRuleNotesStopAtTheirLimit) {
  PolicyBuilder B = base();
  B.rule("a", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("b", true, B.scope({{Dimension::Data, {"phone"}}}));
  B.rule("d1", false, B.scope({{Dimension::Action, {"collect"}}}));
  B.rule("d2", false,
         B.scope({{Dimension::Action, {"share"}}, {Dimension::Data, {"personal_data"}}}));
  AnalysisOptions Opts;
  Opts.MaxNoteTests = 2; // `a` spends both (it overlaps d1 and d2); `b` has none left
  auto Dead = byCheck(runAnalyses(B.policy(), Opts), "dead_rule");
  ASSERT_EQ(Dead.size(), 2u);
  EXPECT_EQ(Dead[0]->Notes.size(), 2u);
  EXPECT_NE(Dead[1]->message().find("`b`"), std::string::npos);
  ASSERT_EQ(Dead[1]->Notes.size(), 1u);
  EXPECT_NE(Dead[1]->Notes[0].Message.find("limit of 2 tests"), std::string::npos);
  // With the default limit both get their covering denies.
  auto Full = byCheck(runAnalyses(B.policy()), "dead_rule");
  ASSERT_EQ(Full.size(), 2u);
  EXPECT_EQ(Full[1]->Notes.size(), 2u);
}

TEST(ChecksTest, PartlyCoveredAllowIsNotDead) {
  PolicyBuilder B = base();
  B.rule("a", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("d1", false, B.scope({{Dimension::Action, {"collect"}}}), PolicyBuilder::boolAttr(0));
  EXPECT_TRUE(byCheck(runAnalyses(B.policy()), "dead_rule").empty());
}

TEST(ChecksTest, ExceptionOutsideItsParentIsUnreachable) {
  PolicyBuilder B = base();
  uint32_t A =
      B.rule("a", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("e", false, B.scope({{Dimension::Data, {"logs"}}}), {}, {}, A);
  B.rule("ok", false, B.scope({{Dimension::Purpose, {"ads"}}}), {}, {}, A);
  auto Fs = byCheck(runAnalyses(B.policy()), "unreachable_rule");
  ASSERT_EQ(Fs.size(), 1u);
  EXPECT_NE(Fs[0]->message().find("exception `e`"), std::string::npos);
  ASSERT_EQ(Fs[0]->Notes.size(), 1u);
}

TEST(ChecksTest, ContradictoryConditionIsUnreachable) {
  PolicyBuilder B = base();
  B.rule("never", true, B.scope({{Dimension::Basis, {"consent"}}}),
         PolicyBuilder::both(PolicyBuilder::boolAttr(0),
                             PolicyBuilder::negate(PolicyBuilder::boolAttr(0))));
  auto Fs = byCheck(runAnalyses(B.policy()), "unreachable_rule");
  ASSERT_EQ(Fs.size(), 1u);
  EXPECT_NE(Fs[0]->message().find("condition is never satisfied"), std::string::npos);
}

TEST(ChecksTest, RedundantNeedsSameEffectAndObligations) {
  PolicyBuilder B = base();
  ObligationRef Notify{0, std::nullopt, {}};
  B.rule("wide", true,
         B.scope({{Dimension::Data, {"personal_data"}}, {Dimension::Basis, {"consent"}}}), {},
         {Notify});
  B.rule("narrow", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("needs_more", true,
         B.scope({{Dimension::Data, {"phone"}}, {Dimension::Basis, {"consent"}}}), {}, {Notify});
  B.rule("different", true,
         B.scope({{Dimension::Data, {"logs"}}, {Dimension::Basis, {"consent"}}}));
  auto Fs = byCheck(runAnalyses(B.policy()), "redundant_rule");
  ASSERT_EQ(Fs.size(), 2u);
  EXPECT_NE(Fs[0]->message().find("`narrow`"), std::string::npos);
  EXPECT_NE(Fs[1]->message().find("`needs_more`"), std::string::npos);
}

TEST(ChecksTest, RedundantRespectsMoreObligationsAndSuppression) {
  PolicyBuilder B = base();
  ObligationRef Notify{0, std::nullopt, {}};
  B.rule("wide", true,
         B.scope({{Dimension::Data, {"personal_data"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("stricter", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Basis, {"consent"}}}),
         {}, {Notify});
  uint32_t S = B.rule("kept", true,
                      B.scope({{Dimension::Data, {"phone"}}, {Dimension::Basis, {"consent"}}}));
  B.policy().Rules[S].Suppressions.push_back({"redundant-rule", "documented twice", {}});
  EXPECT_TRUE(byCheck(runAnalyses(B.policy()), "redundant_rule").empty());
}

TEST(ChecksTest, IdenticalRulesReportOnlyTheLater) {
  PolicyBuilder B = base();
  B.rule("first", false, B.scope({{Dimension::Purpose, {"ads"}}}));
  B.rule("second", false, B.scope({{Dimension::Purpose, {"ads"}}}));
  auto Fs = byCheck(runAnalyses(B.policy()), "redundant_rule");
  ASSERT_EQ(Fs.size(), 1u);
  EXPECT_NE(Fs[0]->message().find("`second`"), std::string::npos);
}

TEST(ChecksTest, UnusedReportsTheHighestRootNodeOnly) {
  PolicyBuilder B;
  B.node(Dimension::Data, "used");
  B.node(Dimension::Data, "unused_group");
  B.node(Dimension::Data, "child", {"unused_group"});
  B.node(Dimension::Data, "library_node", {}, /*Module=*/1);
  B.node(Dimension::Purpose, "ads");
  B.attribute("never_read", AttrKind::Bool, false);
  B.close();
  B.rule("r", true, B.scope({{Dimension::Data, {"used"}}}));
  auto Fs = runAnalyses(B.policy());
  auto Unused = byCheck(Fs, "unused_declaration");
  ASSERT_EQ(Unused.size(), 2u);
  // Sorted by location: `ads` is the first node of its vocabulary, declared on an earlier line.
  EXPECT_NE(Unused[0]->message().find("purpose `ads`"), std::string::npos);
  EXPECT_NE(Unused[1]->message().find("`unused_group`"), std::string::npos);
  EXPECT_EQ(byCheck(Fs, "unused_attribute").size(), 1u);
}

TEST(ChecksTest, UnprocessedDataAndMissingBasis) {
  PolicyBuilder B = base();
  B.rule("no_basis", true, B.scope({{Dimension::Data, {"email"}}}));
  B.rule("deny_phone", false, B.scope({{Dimension::Data, {"phone"}}}));
  B.rule("logs", true, B.scope({{Dimension::Data, {"logs"}}, {Dimension::Basis, {"li"}}}));
  auto Fs = runAnalyses(B.policy());
  auto Unprocessed = byCheck(Fs, "unprocessed_data");
  ASSERT_EQ(Unprocessed.size(), 1u);
  EXPECT_NE(Unprocessed[0]->message().find("`phone`"), std::string::npos);
  auto Basis = byCheck(Fs, "missing_legal_basis");
  ASSERT_EQ(Basis.size(), 1u);
  EXPECT_NE(Basis[0]->message().find("`no_basis`"), std::string::npos);
}

TEST(ChecksTest, NonPersonalDataNeedsNoBasis) {
  PolicyBuilder B = base();
  B.rule("logs", true, B.scope({{Dimension::Data, {"logs"}}}));
  EXPECT_TRUE(byCheck(runAnalyses(B.policy()), "missing_legal_basis").empty());
}

TEST(ChecksTest, InvariantViolationGivesAConcreteRequestAndItsRules) {
  PolicyBuilder B = base();
  uint32_t A = B.rule("share_all", true,
                      B.scope({{Dimension::Action, {"share"}}, {Dimension::Basis, {"consent"}}}));
  B.rule("unless_opt_out", false, B.scope({{Dimension::Purpose, {"ads"}}}),
         PolicyBuilder::boolAttr(0), {}, A);
  Invariant Never;
  Never.Id = "no_ads_email";
  Never.K = Invariant::Never;
  Never.S = B.scope({{Dimension::Data, {"email"}}, {Dimension::Purpose, {"ads"}}});
  Never.Location = PolicyBuilder::at(50);
  B.policy().Invariants.push_back(Never);
  Invariant Always = Never;
  Always.Id = "ops_allowed";
  Always.K = Invariant::Always;
  Always.S = B.scope({{Dimension::Action, {"share"}},
                      {Dimension::Purpose, {"ops"}},
                      {Dimension::Basis, {"consent"}}});
  B.policy().Invariants.push_back(Always);
  auto Fs = runAnalyses(B.policy());
  auto Never1 = byCheck(Fs, "invariant_never");
  ASSERT_EQ(Never1.size(), 1u);
  EXPECT_EQ(diagnosticKindInfo(Never1[0]->Kind).DefaultSeverity, Severity::Error);
  EXPECT_NE(Never1[0]->message().find("`share email for ads under consent given opted_out = false` "
                                      "is allowed"),
            std::string::npos)
      << Never1[0]->message();
  ASSERT_EQ(Never1[0]->Notes.size(), 1u);
  EXPECT_NE(Never1[0]->Notes[0].Message.find("`share_all` allows"), std::string::npos);
  EXPECT_TRUE(byCheck(Fs, "invariant_always").empty());
}

TEST(ChecksTest, ObligationInvariantAcceptsNarrowerObligations) {
  PolicyBuilder B;
  B.node(Dimension::Action, "share");
  B.obligation("retention");
  B.obligation("retain_30", {"retention"});
  B.close();
  B.rule("r", true, B.scope({}), {}, {{1, std::nullopt, {}}});
  Invariant I;
  I.Id = "keep";
  I.K = Invariant::Obliged;
  I.Required = {{0, std::nullopt, {}}};
  B.policy().Invariants.push_back(I);
  EXPECT_TRUE(byCheck(runAnalyses(B.policy()), "invariant_obligation").empty());
  B.policy().Rules[0].Obligations.clear();
  EXPECT_EQ(byCheck(runAnalyses(B.policy()), "invariant_obligation").size(), 1u);
}

TEST(ChecksTest, RegistryNamesResolve) {
  for (const CheckInfo &C : checkRegistry()) {
    EXPECT_EQ(findCheck(C.name()), &C);
    EXPECT_EQ(findCheck(C.code()), &C);
    EXPECT_EQ(checkFor(C.Kind), &C);
    EXPECT_TRUE(C.name().startswith("") && *C.Short && *C.Full && *C.Help);
  }
  EXPECT_EQ(findCheck("dead-rule"), findCheck("dead_rule"));
  EXPECT_EQ(findCheck("no_such_check"), nullptr);
}

TEST(ChecksTest, UnknownSuppressionIsReported) {
  PolicyBuilder B = base();
  uint32_t R = B.rule("r", true, B.scope({{Dimension::Basis, {"consent"}}}));
  B.policy().Rules[R].Suppressions.push_back({"dead_rul", "typo", PolicyBuilder::at(9)});
  auto Fs = byCheck(runAnalyses(B.policy()), "unknown_suppression");
  ASSERT_EQ(Fs.size(), 1u);
  EXPECT_NE(Fs[0]->message().find("`dead_rul`"), std::string::npos);
}

} // namespace
