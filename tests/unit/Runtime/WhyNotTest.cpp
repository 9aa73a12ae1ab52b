//===- WhyNotTest.cpp - whyNot(): split values, nearest allowing rule, ties, overrides ---===//
//
// The sample policy (SamplePolicy.h) with its rule table written out by hand, as the compiler
// writes it for every artifact: each rule's scope by leaf class and its condition.
//
//===------------------------------------------------------------------------------------===//
#include "SamplePolicy.h"

#include "privet/Json.h"
#include "privet/Runtime.h"
#include "privet/privet.h"

#include <gtest/gtest.h>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

// Leaf classes (SamplePolicy.h): action use 0; data contact 0, payment 1, ip 2, profile 3;
// purpose marketing 0, site_operation 1.
void scope(RuleEntry &R, Dim D, std::vector<uint32_t> Classes) {
  R.Scope[unsigned(D)] = std::move(Classes);
  R.Constrained |= 1u << unsigned(D);
}

std::vector<uint32_t> compare(uint32_t Attr, uint32_t Op, int64_t V) {
  return {uint32_t(CondOp::Compare), Attr, Op, uint32_t(uint64_t(V)), uint32_t(uint64_t(V) >> 32)};
}

ArtifactContents withRuleTable() {
  ArtifactContents C = samplePolicy();
  C.RuleTable = true;
  std::vector<RuleEntry> &R = C.Rules;
  scope(R[0], Dim::Action, {0}); // marketing_email: use contact for marketing
  scope(R[0], Dim::Data, {0});
  scope(R[0], Dim::Purpose, {0});
  R[1].Condition = {uint32_t(CondOp::Bool), MarketingOptOut}; // except deny when opt-out
  scope(R[2], Dim::Action, {0});                              // no_payment_marketing
  scope(R[2], Dim::Data, {1});
  scope(R[2], Dim::Purpose, {0});
  scope(R[3], Dim::Action, {0}); // logs: use ip_address for site_operation when ...
  scope(R[3], Dim::Data, {2});
  scope(R[3], Dim::Purpose, {1});
  R[3].Condition = compare(DataAge, 2, 30 * Day); // data_age < 30 days
  std::vector<uint32_t> AgeTest = compare(Age, 5, 16);
  R[3].Condition.insert(R[3].Condition.end(), AgeTest.begin(), AgeTest.end());
  R[3].Condition.push_back(uint32_t(CondOp::And));
  R[3].Condition.push_back(2);
  scope(R[4], Dim::Action, {0}); // payments: use payment for site_operation when given
  scope(R[4], Dim::Data, {1});
  scope(R[4], Dim::Purpose, {1});
  R[4].Condition = compare(ConsentStatus, 0, 0);
  scope(R[5], Dim::Action, {0}); // no_profiling
  scope(R[5], Dim::Data, {3});
  scope(R[5], Dim::Purpose, {0});
  return C;
}

class WhyNotTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto P = CompiledPolicy::fromBytes(serializeArtifact(withRuleTable()));
    ASSERT_TRUE(P) << P.error();
    Policy = P.take();
  }
  Request request() const { return Request(*Policy); }
  std::vector<std::string> names(Dim D, const std::vector<uint32_t> &Values) const {
    std::vector<std::string> Out;
    for (uint32_t V : Values)
      Out.emplace_back(Policy->valueName(D, V));
    return Out;
  }
  std::shared_ptr<const CompiledPolicy> Policy;
};

using Names = std::vector<std::string>;

// The issue's "a test that omits the subject reports no rule applies although a rule allows it
// for some subjects": here the purpose is omitted and `logs` allows site_operation.
TEST_F(WhyNotTest, OmittedDimensionSplitsIntoAllowedAndDenied) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").setInt("age", 30);
  ASSERT_FALSE(Policy->decide(R).permitted());
  Result<WhyNot> W = Policy->whyNot(R);
  ASSERT_TRUE(W) << W.error();
  ASSERT_TRUE(W->Denied);
  EXPECT_FALSE(W->Whole);
  ASSERT_EQ(W->Splits.size(), 1u);
  const WhyNotSplit &S = W->Splits[0];
  EXPECT_EQ(S.D, Dim::Purpose);
  EXPECT_TRUE(S.RequestValues.empty());
  EXPECT_EQ(names(Dim::Purpose, S.Allowed), Names{"site_operation"});
  ASSERT_EQ(S.Denied.size(), 1u);
  EXPECT_EQ(names(Dim::Purpose, S.Denied[0].Values), Names{"marketing"});
  const WhyNotReason &Why = S.Denied[0].Reason;
  EXPECT_TRUE(Why.DenyRules.empty()); // by default
  // marketing_email misses the data category, logs the purpose: one part each, a tie that the
  // first in policy order wins; payments misses three.
  EXPECT_EQ(Why.Nearest, 0u);
  EXPECT_EQ(Why.Tied, 2u);
  ASSERT_EQ(Why.Mismatches.size(), 1u);
  EXPECT_EQ(Why.Mismatches[0].K, WhyNotMismatch::Kind::Dimension);
  EXPECT_EQ(Why.Mismatches[0].D, Dim::Data);
  EXPECT_EQ(names(Dim::Data, Why.Mismatches[0].RuleValues), Names{"contact"});
  EXPECT_EQ(names(Dim::Data, Why.Mismatches[0].RequestValues), Names{"ip_address"});

  std::string Text = Policy->explain(R);
  EXPECT_NE(Text.find("no rule allows all of this request: part of it is denied by default"),
            std::string::npos)
      << Text;
  EXPECT_NE(Text.find("why not:\n  purpose (omitted): allowed for site_operation; denied for "
                      "marketing\n    denied for marketing by default\n      nearest allowing "
                      "rule: `marketing_email` at sample.privet:10:1 (the first in policy order "
                      "of 2 equally near)\n        data: `marketing_email` covers contact; the "
                      "request has ip_address\n"),
            std::string::npos)
      << Text;
}

// The group action covering allowed and denied leaves, with a group data category.
TEST_F(WhyNotTest, GroupValueCoversAllowedAndDeniedLeaves) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "personal_information");
  R.set(Dim::Purpose, "site_operation").setInt("age", 30).setEnum("consent_status", "given");
  ASSERT_FALSE(Policy->decide(R).permitted());
  Result<WhyNot> W = Policy->whyNot(R);
  ASSERT_TRUE(W) << W.error();
  ASSERT_EQ(W->Splits.size(), 1u);
  const WhyNotSplit &S = W->Splits[0];
  EXPECT_EQ(S.D, Dim::Data);
  EXPECT_EQ(names(Dim::Data, S.RequestValues), Names{"personal_information"});
  EXPECT_EQ(names(Dim::Data, S.Allowed), (Names{"payment", "ip_address"}));
  ASSERT_EQ(S.Denied.size(), 1u) << "name and email_address share one reason";
  EXPECT_EQ(names(Dim::Data, S.Denied[0].Values), (Names{"name", "email_address"}));
  const WhyNotReason &Why = S.Denied[0].Reason;
  EXPECT_EQ(Why.Nearest, 0u);
  EXPECT_EQ(Why.Tied, 3u); // marketing_email (purpose), logs and payments (data)
  ASSERT_EQ(Why.Mismatches.size(), 1u);
  EXPECT_EQ(Why.Mismatches[0].D, Dim::Purpose);
  EXPECT_EQ(names(Dim::Purpose, Why.Mismatches[0].RuleValues), Names{"marketing"});
  EXPECT_EQ(names(Dim::Purpose, Why.Mismatches[0].RequestValues), Names{"site_operation"});

  std::string Json = whyNotJson(*Policy, *W);
  EXPECT_NE(Json.find("{\"splits\":[{\"dimension\":\"data\",\"request_values\":[\"personal_"
                      "information\"],\"allowed\":[\"payment\",\"ip_address\"],\"denied\":[{"
                      "\"values\":[\"name\",\"email_address\"],\"reason\":{\"denied_by\":[],"
                      "\"nearest\":{\"rule\":{\"id\":\"marketing_email\""),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"tied\":3,\"applies\":false,\"mismatches\":[{\"kind\":\"dimension\","
                      "\"rule\":\"marketing_email\",\"dimension\":\"purpose\",\"rule_values\":["
                      "\"marketing\"],\"request_values\":[\"site_operation\"]}]}}}]}],\"whole\":"
                      "null}"),
            std::string::npos)
      << Json;
}

// A rule that matches but is overridden by a deny (here its own exception).
TEST_F(WhyNotTest, MatchingAllowOverriddenByDeny) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  R.setBool("marketing_opt_out", true);
  Result<WhyNot> W = Policy->whyNot(R);
  ASSERT_TRUE(W) << W.error();
  EXPECT_TRUE(W->Splits.empty());
  ASSERT_TRUE(W->Whole);
  EXPECT_EQ(W->Whole->DenyRules, std::vector<uint32_t>{1});
  EXPECT_EQ(W->Whole->Nearest, 0u);
  EXPECT_EQ(W->Whole->Tied, 1u);
  EXPECT_TRUE(W->Whole->Mismatches.empty());
  EXPECT_NE(Policy->explain(R).find("nearest allowing rule: `marketing_email` at "
                                    "sample.privet:10:1\n    it applies, but a deny overrides it: "
                                    "`sample:11:3` at sample.privet:11:1\n"),
            std::string::npos)
      << Policy->explain(R);
}

// A condition that does not hold, with the attribute values the request gave or defaulted.
TEST_F(WhyNotTest, ConditionWithTheRequestsAttributeValues) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  R.setInt("age", 10);
  Result<WhyNot> W = Policy->whyNot(R);
  ASSERT_TRUE(W) << W.error();
  ASSERT_TRUE(W->Whole);
  EXPECT_EQ(W->Whole->Nearest, 3u); // logs; payments and marketing_email miss two parts
  EXPECT_EQ(W->Whole->Tied, 1u);
  ASSERT_EQ(W->Whole->Mismatches.size(), 1u);
  const WhyNotMismatch &M = W->Whole->Mismatches[0];
  EXPECT_EQ(M.K, WhyNotMismatch::Kind::Condition);
  EXPECT_EQ(M.Attributes, (std::vector<uint32_t>{Age, DataAge}));
  EXPECT_EQ(M.AttributeValues, (std::vector<int64_t>{10, 0}));
  EXPECT_EQ(M.AttributeSources,
            (std::vector<WhyNotMismatch::Source>{WhyNotMismatch::Source::Given,
                                                 WhyNotMismatch::Source::Default}));
  EXPECT_NE(Policy->explain(R).find("condition of `logs` does not hold with age = 10, data_age = "
                                    "0 seconds (its default)\n"),
            std::string::npos)
      << Policy->explain(R);
}

TEST_F(WhyNotTest, AllowedAndErrorsHaveNothingToExplain) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  R.setInt("age", 30);
  Result<WhyNot> W = Policy->whyNot(R);
  ASSERT_TRUE(W);
  EXPECT_FALSE(W->Denied);
  EXPECT_EQ(whyNotJson(*Policy, *W), "null");
  EXPECT_EQ(Policy->explain(R).find("why not"), std::string::npos);
  Request Bad = request();
  Bad.set(Dim::Action, "no_such_action");
  EXPECT_FALSE(Policy->whyNot(Bad));
  // The explained decision JSON carries the member; the plain one does not.
  Decision D = Policy->decide(R);
  EXPECT_EQ(decisionJson(*Policy, D).find("why_not"), std::string::npos);
  EXPECT_NE(explainedDecisionJson(*Policy, R, D).find(",\"why_not\":null}"), std::string::npos);
}

// An artifact written before the compiler always wrote the rule table still splits values.
TEST(WhyNotWithoutRuleTable, SplitsButNamesNoNearestRule) {
  auto P = CompiledPolicy::fromBytes(serializeArtifact(samplePolicy()));
  ASSERT_TRUE(P) << P.error();
  Request R(**P);
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").setInt("age", 30);
  Result<WhyNot> W = (*P)->whyNot(R);
  ASSERT_TRUE(W);
  ASSERT_EQ(W->Splits.size(), 1u);
  ASSERT_EQ(W->Splits[0].Denied.size(), 1u);
  EXPECT_EQ(W->Splits[0].Denied[0].Reason.Nearest, InvalidId);
  EXPECT_NE((*P)->explain(R).find("no nearest allowing rule: the artifact has no rule table"),
            std::string::npos)
      << (*P)->explain(R);
}

TEST_F(WhyNotTest, CApi) {
  std::string Bytes = serializeArtifact(withRuleTable());
  char *Err = nullptr;
  privet_policy *P = privet_policy_from_bytes(Bytes.data(), Bytes.size(), &Err);
  ASSERT_NE(P, nullptr) << (Err ? Err : "");
  privet_request *Req = privet_request_new(P);
  ASSERT_EQ(privet_request_set(Req, PRIVET_DIM_ACTION, "use"), 0);
  ASSERT_EQ(privet_request_set(Req, PRIVET_DIM_DATA, "ip_address"), 0);
  ASSERT_EQ(privet_request_set_int(Req, "age", 30), 0);
  char *Json = privet_why_not_json(P, Req, &Err);
  ASSERT_NE(Json, nullptr) << (Err ? Err : "");
  EXPECT_NE(std::string(Json).find("\"dimension\":\"purpose\",\"request_values\":[],\"allowed\":"
                                   "[\"site_operation\"]"),
            std::string::npos)
      << Json;
  privet_string_free(Json);
  EXPECT_EQ(privet_why_not_json(P, nullptr, &Err), nullptr);
  ASSERT_NE(Err, nullptr);
  EXPECT_STREQ(Err, "no policy or request given");
  privet_string_free(Err);
  privet_request_free(Req);
  privet_policy_free(P);
}

} // namespace
