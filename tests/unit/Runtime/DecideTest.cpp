//===- DecideTest.cpp - decide(), explain() and permittedValues() on a hand-built policy -===//
#include "SamplePolicy.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

class DecideTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto P = CompiledPolicy::fromBytes(serializeArtifact(samplePolicy()));
    ASSERT_TRUE(P) << P.error();
    Policy = P.take();
  }

  Request request() const { return Request(*Policy); }
  std::vector<uint32_t> rules(const Decision &D) const {
    return {D.rules().begin(), D.rules().end()};
  }
  std::vector<uint32_t> obligations(const Decision &D) const {
    return {D.obligations().begin(), D.obligations().end()};
  }

  std::shared_ptr<const CompiledPolicy> Policy;
};

TEST_F(DecideTest, ReadsBackTheTables) {
  EXPECT_EQ(Policy->name(), "sample");
  EXPECT_EQ(Policy->title(), "Sample Privacy Policy");
  EXPECT_EQ(Policy->version(), "2026-01-01");
  EXPECT_EQ(Policy->sourceHash(), 0x1234abcd5678ef00ull);
  EXPECT_EQ(Policy->numValues(Dim::Data), 7u);
  EXPECT_EQ(Policy->numValues(Dim::Subject), 0u);
  EXPECT_EQ(Policy->valueId(Dim::Data, "ip_address"), IpAddress);
  EXPECT_EQ(Policy->valueId(Dim::Data, "nope"), InvalidId);
  EXPECT_EQ(Policy->valueId(Dim::Purpose, "ip_address"), InvalidId);
  EXPECT_EQ(Policy->valueName(Dim::Data, Contact), "contact");
  EXPECT_EQ(Policy->valueTitle(Dim::Data, IpAddress), "IP address");
  EXPECT_FALSE(Policy->isLeaf(Dim::Data, Contact));
  EXPECT_TRUE(Policy->isLeaf(Dim::Data, Name));
  ASSERT_EQ(Policy->parents(Dim::Data, EmailAddress).size(), 1u);
  EXPECT_EQ(Policy->parents(Dim::Data, EmailAddress)[0], Contact);
  EXPECT_EQ(Policy->attributeId("age"), Age);
  EXPECT_EQ(Policy->attributeKind(DataAge), AttrKind::Duration);
  EXPECT_EQ(Policy->attributeKind(ConsentStatus), AttrKind::Enum);
  EXPECT_FALSE(Policy->attributeHasDefault(ConsentStatus));
  EXPECT_EQ(Policy->enumName(0), "consent_state");
  EXPECT_EQ(Policy->enumValueId(0, "not_asked"), 2u);
  EXPECT_EQ(Policy->enumValueName(0, 1), "withdrawn");
  EXPECT_EQ(Policy->obligationTitle(0), "Unsubscribe link");
  EXPECT_EQ(Policy->describeObligationInstance(1), "retain_for(30 days)");
  ASSERT_EQ(Policy->numRules(), 6u);
  RuleInfo R = Policy->rule(1);
  EXPECT_EQ(R.Id, "sample:11:3");
  EXPECT_FALSE(R.IsAllow);
  EXPECT_EQ(R.Parent, 0u);
  EXPECT_EQ(R.Line, 11u);
  EXPECT_EQ(Policy->rule(3).NumSources, 2u);
  EXPECT_EQ(Policy->ruleSource(3, 1), "§7 Retention");
  EXPECT_EQ(Policy->ruleIndex("payments"), 4u);
  EXPECT_EQ(Policy->numNodes(), 12u);
  EXPECT_EQ(Policy->numTerminals(), 10u);
}

TEST_F(DecideTest, AllowWithObligation) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{0});
  EXPECT_EQ(obligations(D), std::vector<uint32_t>{0});
}

TEST_F(DecideTest, ExceptionDeniesWhenAttributeSet) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  R.setBool("marketing_opt_out", true);
  Decision D = Policy->decide(R);
  EXPECT_FALSE(D.permitted());
  EXPECT_EQ(D.kind(), Decision::Kind::Deny);
  EXPECT_EQ(rules(D), std::vector<uint32_t>{1});
  EXPECT_TRUE(D.obligations().empty());
  // unset() brings back the default.
  R.unset(MarketingOptOut);
  EXPECT_TRUE(Policy->decide(R).permitted());
}

TEST_F(DecideTest, DenyRuleAndDefaultDeny) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "payment").set(Dim::Purpose, "marketing");
  Decision D = Policy->decide(R);
  EXPECT_EQ(D.kind(), Decision::Kind::Deny);
  EXPECT_EQ(rules(D), std::vector<uint32_t>{2});

  R.set(Dim::Data, "ip_address");
  D = Policy->decide(R);
  EXPECT_EQ(D.kind(), Decision::Kind::Deny);
  EXPECT_TRUE(D.rules().empty());

  R.set(Dim::Action, "share").set(Dim::Data, "email_address");
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
}

TEST_F(DecideTest, NonLeafAndOmittedValuesUseTheirOwnClass) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "personal_information").set(Dim::Purpose, "marketing");
  Decision D = Policy->decide(R);
  EXPECT_FALSE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{2});
  R.setBool(MarketingOptOut, true);
  EXPECT_EQ(rules(Policy->decide(R)), (std::vector<uint32_t>{1, 2}));

  // Data omitted entirely: the "omitted" class of the data dimension.
  R.omit(Dim::Data);
  EXPECT_EQ(rules(Policy->decide(R)), (std::vector<uint32_t>{1, 2, 5}));
  EXPECT_EQ(R.value(Dim::Data), InvalidId);

  // Purpose omitted.
  Request R2 = request();
  R2.set(Dim::Action, "use").set(Dim::Data, "contact");
  D = Policy->decide(R2);
  EXPECT_FALSE(D.permitted());
  EXPECT_TRUE(D.rules().empty());
  R2.setBool("marketing_opt_out", true);
  EXPECT_EQ(rules(Policy->decide(R2)), std::vector<uint32_t>{1});

  // Action omitted goes down the action dimension's omitted edge.
  Request R3 = request();
  R3.set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  EXPECT_FALSE(Policy->decide(R3).permitted());
}

/// The sample with every dimension node cut back to its leaf-class children: the runtime must
/// meet every group value itself. (A kept prefix of derived edges is covered by the compiler's
/// property tests, whose artifacts follow the documented meet; this hand-built sample's derived
/// edges predate it.)
ArtifactContents withoutDerivedEdges() {
  ArtifactContents C = samplePolicy();
  for (Node &N : C.Nodes)
    if (N.K == Node::DimensionTest)
      N.Children.resize(C.Dims[N.Var].NumLeafClasses);
  return C;
}

TEST_F(DecideTest, GroupValuesAreMetWhenTheirEdgesAreLeftOut) {
  {
    auto Cut = CompiledPolicy::fromBytes(serializeArtifact(withoutDerivedEdges()));
    ASSERT_TRUE(Cut) << Cut.error();
    // Every action, data and purpose value (omitted too) with every attribute set: the decision
    // is the meet of the leaf requests under it, decided by the full artifact's leaf edges.
    const uint32_t Omit = InvalidId;
    auto Values = [&](Dim D) {
      std::vector<uint32_t> V{Omit};
      for (uint32_t I = 0; I < Policy->numValues(D); ++I)
        V.push_back(I);
      return V;
    };
    auto Leaves = [&](Dim D, uint32_t V) {
      std::vector<uint32_t> L;
      for (uint32_t I = 0; I < Policy->numValues(D); ++I) {
        bool Under = V == Omit || I == V;
        for (uint32_t P = I; !Under && !Policy->parents(D, P).empty();) {
          P = Policy->parents(D, P)[0];
          Under = P == V;
        }
        if (Policy->isLeaf(D, I) && Under)
          L.push_back(I);
      }
      return L;
    };
    unsigned Checked = 0;
    for (uint32_t A : Values(Dim::Action))
      for (uint32_t Dt : Values(Dim::Data))
        for (uint32_t Pu : Values(Dim::Purpose))
          for (int OptOut : {0, 1})
            for (uint32_t Consent : {0u, 1u}) {
              auto Build = [&](const CompiledPolicy &On, uint32_t A, uint32_t Dt, uint32_t Pu) {
                Request R(On);
                if (A != Omit)
                  R.set(Dim::Action, A);
                if (Dt != Omit)
                  R.set(Dim::Data, Dt);
                if (Pu != Omit)
                  R.set(Dim::Purpose, Pu);
                R.setBool(MarketingOptOut, OptOut).setEnum(ConsentStatus, Consent);
                R.setInt(Age, 20).setDuration(DataAge, 10 * Day);
                return R;
              };
              // The documented meet over the leaf requests.
              bool Allow = true, Any = false;
              std::vector<uint32_t> Rules, Obls;
              for (uint32_t LA : Leaves(Dim::Action, A))
                for (uint32_t LD : Leaves(Dim::Data, Dt))
                  for (uint32_t LP : Leaves(Dim::Purpose, Pu)) {
                    Decision D = Policy->decide(Build(*Policy, LA, LD, LP));
                    ASSERT_FALSE(D.isError()) << D.error();
                    std::vector<uint32_t> R = rules(D);
                    if (!Any || (Allow && !D.permitted())) {
                      Any = true;
                      Allow = D.permitted();
                      Rules = R;
                      Obls.clear();
                    } else if (Allow != D.permitted()) {
                      continue;
                    } else if (R.empty() != Rules.empty() ? Rules.empty() : R < Rules) {
                      Rules = R;
                    }
                    if (Allow)
                      for (uint32_t O : D.obligations())
                        Obls.push_back(O);
                  }
              std::sort(Obls.begin(), Obls.end());
              Obls.erase(std::unique(Obls.begin(), Obls.end()), Obls.end());
              Decision Got = (*Cut)->decide(Build(**Cut, A, Dt, Pu));
              ASSERT_FALSE(Got.isError()) << Got.error();
              EXPECT_EQ(Got.permitted(), Allow) << A << " " << Dt << " " << Pu;
              EXPECT_EQ(rules(Got), Rules) << A << " " << Dt << " " << Pu;
              EXPECT_EQ(obligations(Got), Obls) << A << " " << Dt << " " << Pu;
              ++Checked;
            }
    EXPECT_EQ(Checked, 3u * 8u * 3u * 4u);
  }
}

TEST_F(DecideTest, MetGroupValuesStillNeedTheAttributesTheyDependOn) {
  ArtifactContents C = withoutDerivedEdges();
  C.Attributes[MarketingOptOut].HasDefault = false;
  auto Cut = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(Cut) << Cut.error();
  // Use of any data for marketing: denied either way, but by the opt-out exception or by
  // no_payment_marketing depending on marketing_opt_out, which has no default here: an error.
  Request R(**Cut);
  R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
  Decision D = (*Cut)->decide(R);
  ASSERT_TRUE(D.isError());
  EXPECT_EQ(D.error(), "missing attribute `marketing_opt_out`: it has no default and the "
                       "decision depends on it");
  R.setBool(MarketingOptOut, true);
  D = (*Cut)->decide(R);
  ASSERT_FALSE(D.isError()) << D.error();
  EXPECT_EQ(rules(D), std::vector<uint32_t>{1});
  // A missing attribute that cannot change the met decision is not an error: with all data for
  // site_operation, contact is denied by default whatever consent_status (no default) says.
  Request S(**Cut);
  S.set(Dim::Action, "use").set(Dim::Purpose, "site_operation").setInt(Age, 20);
  D = (*Cut)->decide(S);
  ASSERT_FALSE(D.isError()) << D.error();
  EXPECT_FALSE(D.permitted());
  EXPECT_TRUE(D.rules().empty());
}

TEST_F(DecideTest, EnumAttribute) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "payment").set(Dim::Purpose, "site_operation");
  R.setEnum("consent_status", "given");
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{4});
  R.setEnum(ConsentStatus, 1u);
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
  R.setEnum(ConsentStatus, "not_asked");
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
}

TEST_F(DecideTest, MissingAttributeWithoutDefaultIsAnError) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "payment").set(Dim::Purpose, "site_operation");
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.isError());
  EXPECT_FALSE(D.permitted());
  EXPECT_EQ(D.error(),
            "missing attribute `consent_status`: it has no default and the decision depends on it");
  EXPECT_TRUE(D.rules().empty());
  // Not needed on paths that do not test it.
  R.set(Dim::Purpose, "marketing");
  EXPECT_FALSE(Policy->decide(R).isError());
}

TEST_F(DecideTest, IntAndDurationThresholds) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  // data_age defaults to 0 (< 30 days), so the walk reaches the age test: age has no default.
  EXPECT_TRUE(Policy->decide(R).isError());
  R.setInt("age", 16);
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.permitted());
  EXPECT_EQ(obligations(D), std::vector<uint32_t>{1});
  R.setInt(Age, 15);
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
  R.setInt(Age, INT64_MIN);
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
  R.setInt(Age, INT64_MAX);
  EXPECT_TRUE(Policy->decide(R).permitted());
  // The threshold is exclusive above: 30 days is no longer "< 30 days".
  R.setDuration("data_age", 30 * Day - 1);
  EXPECT_TRUE(Policy->decide(R).permitted());
  R.setDuration(DataAge, 30 * Day);
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
  // With data_age >= 30 days the age test is never reached, so a missing age is fine.
  R.unset(Age);
  EXPECT_EQ(Policy->decide(R).kind(), Decision::Kind::Deny);
}

TEST_F(DecideTest, SeveralCategoriesMeetAndUnion) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
  R.addData("email_address").addData("name").addData(EmailAddress);
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{0});
  EXPECT_EQ(obligations(D), std::vector<uint32_t>{0});

  // One denying category denies the whole request, citing only the denying rules.
  R.addData("payment");
  D = Policy->decide(R);
  EXPECT_FALSE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{2});
  EXPECT_TRUE(D.obligations().empty());

  // Copies keep their own storage.
  Decision Copy = D;
  D = Policy->decide(Request(*Policy).set(Dim::Data, "name"));
  EXPECT_EQ(rules(Copy), std::vector<uint32_t>{2});
}

TEST_F(DecideTest, UnionOfObligationsAcrossAllowingCategories) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Purpose, "site_operation");
  R.addData("ip_address").addData("payment");
  R.setEnum("consent_status", "given").setInt("age", 30);
  Decision D = Policy->decide(R);
  EXPECT_TRUE(D.permitted());
  // One allowing category explains the allow (the earliest-declared rule), whatever the order of
  // the categories, but the obligations of every category are owed.
  EXPECT_EQ(rules(D), std::vector<uint32_t>{3});
  EXPECT_EQ(obligations(D), std::vector<uint32_t>{1});
  Request Rev = request();
  Rev.set(Dim::Action, "use").set(Dim::Purpose, "site_operation");
  Rev.addData("payment").addData("ip_address");
  Rev.setEnum("consent_status", "given").setInt("age", 30);
  Decision DRev = Policy->decide(Rev);
  EXPECT_TRUE(DRev.permitted());
  EXPECT_EQ(rules(DRev), std::vector<uint32_t>{3});
  EXPECT_EQ(obligations(DRev), std::vector<uint32_t>{1});
}

TEST_F(DecideTest, CombinationRulesAddTheirResult) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
  R.addData("email_address");
  EXPECT_TRUE(Policy->decide(R).permitted());
  // ip_address with email_address also counts as profile, which is denied for marketing.
  R.addData("ip_address");
  Decision D = Policy->decide(R);
  EXPECT_FALSE(D.permitted());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{5});
  // A single category under both sides does not combine with itself.
  Request R2 = request();
  R2.set(Dim::Action, "use")
      .set(Dim::Purpose, "marketing")
      .addData("ip_address")
      .addData("ip_address");
  EXPECT_TRUE(Policy->decide(R2).rules().empty());
}

TEST_F(DecideTest, MistakesAreErrorsNeverAllows) {
  auto Expect = [&](Request &R, const std::string &Msg) {
    Decision D = Policy->decide(R);
    EXPECT_TRUE(D.isError()) << Msg;
    EXPECT_FALSE(D.permitted());
    EXPECT_EQ(D.error(), Msg);
  };
  {
    Request R = request();
    R.set(Dim::Data, "email_address").set(Dim::Purpose, "marketing").set(Dim::Action, "sell");
    Expect(R, "unknown action `sell`");
  }
  {
    Request R = request();
    R.set(Dim::Data, "email_address").addData("dna");
    Expect(R, "unknown data category `dna`");
  }
  {
    Request R = request();
    R.set(Dim::Basis, "consent");
    Expect(R, "unknown legal basis `consent`");
  }
  {
    Request R = request();
    R.set(Dim::Purpose, 2u);
    Expect(R, "purpose id 2 is out of range (the policy has 2)");
  }
  {
    Request R = request();
    R.setBool("nope", true);
    Expect(R, "unknown attribute `nope`");
  }
  {
    Request R = request();
    R.setInt("marketing_opt_out", 1);
    Expect(R, "attribute `marketing_opt_out` is bool, not int");
  }
  {
    Request R = request();
    R.setBool(ConsentStatus, true);
    Expect(R, "attribute `consent_status` is of enum `consent_state`, not bool");
  }
  {
    Request R = request();
    R.setInt(DataAge, 3);
    Expect(R, "attribute `data_age` is duration, not int");
  }
  {
    Request R = request();
    R.setEnum("consent_status", "maybe");
    Expect(R, "`maybe` is not a value of enum `consent_state` (attribute `consent_status`)");
  }
  {
    Request R = request();
    R.setEnum(ConsentStatus, 3u);
    Expect(R, "enum value id 3 is out of range for attribute `consent_status`");
  }
  {
    Request R = request();
    R.setBool(99u, true);
    Expect(R, "attribute id 99 is out of range (the policy has 4)");
  }
  {
    // The first mistake is the one reported; clear() forgets it.
    Request R = request();
    R.set(Dim::Action, "sell").set(Dim::Purpose, "selling");
    Expect(R, "unknown action `sell`");
    R.clear();
    EXPECT_FALSE(R.hasError());
    R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
    EXPECT_TRUE(Policy->decide(R).permitted());
  }
  {
    // A request resolved against one policy cannot be decided by another.
    auto Other = CompiledPolicy::fromBytes(serializeArtifact(samplePolicy()));
    ASSERT_TRUE(Other);
    Request R(**Other);
    R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
    Decision D = Policy->decide(R);
    EXPECT_TRUE(D.isError());
    EXPECT_EQ(D.error(), "the request was built for a different policy");
  }
}

TEST_F(DecideTest, ReusedDecisionIsOverwritten) {
  Request Bad = request();
  Bad.set(Dim::Action, "sell");
  Request Good = request();
  Good.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  Request Multi = request();
  Multi.set(Dim::Action, "use").set(Dim::Purpose, "marketing").addData("payment").addData("name");
  Decision D;
  EXPECT_FALSE(D.permitted());
  Policy->decide(Bad, D);
  EXPECT_TRUE(D.isError());
  Policy->decide(Multi, D);
  EXPECT_FALSE(D.isError());
  EXPECT_EQ(rules(D), std::vector<uint32_t>{2});
  Policy->decide(Good, D);
  EXPECT_TRUE(D.permitted());
  EXPECT_TRUE(D.error().empty());
  EXPECT_EQ(obligations(D), std::vector<uint32_t>{0});
}

TEST_F(DecideTest, PermittedValues) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
  auto V = Policy->permittedValues(R, Dim::Data);
  ASSERT_TRUE(V) << V.error();
  EXPECT_EQ(*V, (std::vector<uint32_t>{Contact, Name, EmailAddress}));

  Request R2 = request();
  R2.set(Dim::Action, "use").set(Dim::Data, "ip_address").setInt("age", 40);
  auto P = Policy->permittedValues(R2, Dim::Purpose);
  ASSERT_TRUE(P);
  ASSERT_EQ(P->size(), 1u);
  EXPECT_EQ(Policy->valueName(Dim::Purpose, (*P)[0]), "site_operation");
  // Without age the site_operation decision is an error, and errors are never permitted.
  R2.unset(Age);
  EXPECT_TRUE(Policy->permittedValues(R2, Dim::Purpose)->empty());

  Request Bad = request();
  Bad.set(Dim::Data, "dna");
  auto E = Policy->permittedValues(Bad, Dim::Purpose);
  ASSERT_FALSE(E);
  EXPECT_EQ(E.error(), "unknown data category `dna`");
}

TEST_F(DecideTest, ExplainCitesRulesSourcesAndObligations) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  std::string Text = Policy->explain(R);
  EXPECT_NE(Text.find("request: use email_address for marketing\n"), std::string::npos) << Text;
  EXPECT_NE(Text.find("decision: allow"), std::string::npos) << Text;
  EXPECT_NE(Text.find("allowed by `marketing_email` at sample.privet:10:1"), std::string::npos)
      << Text;
  EXPECT_NE(Text.find("allow use contact for marketing with unsubscribe_link"), std::string::npos);
  EXPECT_NE(Text.find("notice: \"§9 We may send you marketing communications\""),
            std::string::npos);
  EXPECT_NE(Text.find("unsubscribe_link: Unsubscribe link"), std::string::npos) << Text;

  R.setBool("marketing_opt_out", true);
  Text = Policy->explain(R);
  EXPECT_NE(Text.find("given marketing_opt_out = true"), std::string::npos) << Text;
  EXPECT_NE(Text.find("denied by `sample:11:3` at sample.privet:11:1"), std::string::npos);
  EXPECT_NE(Text.find("an exception of `marketing_email`"), std::string::npos) << Text;

  Request Def = request();
  Def.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "marketing");
  EXPECT_NE(Policy->explain(Def).find("denied by default"), std::string::npos);

  Request Logs = request();
  Logs.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  Logs.setInt("age", 20).setDuration("data_age", 2 * Day);
  Text = Policy->explain(Logs);
  EXPECT_NE(Text.find("given age = 20, data_age = 2 days"), std::string::npos) << Text;
  EXPECT_NE(Text.find("retain_for(30 days): Retention"), std::string::npos) << Text;

  Request Multi = request();
  Multi.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
  Multi.addData("email_address").addData("ip_address");
  Text = Policy->explain(Multi);
  EXPECT_NE(Text.find("data after combination rules: email_address, ip_address, profile\n"),
            std::string::npos)
      << Text;
  EXPECT_NE(Text.find("denied by `no_profiling`"), std::string::npos) << Text;

  Request Bad = request();
  Bad.set(Dim::Action, "sell");
  EXPECT_EQ(Policy->explain(Bad), "decision: error: unknown action `sell`\n");
}

TEST_F(DecideTest, JsonDecisions) {
  Request R = request();
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  R.setInt("age", 20);
  EXPECT_EQ(withoutPolicy(*Policy, decisionJson(*Policy, Policy->decide(R))),
            "{\"decision\":\"allow\",\"rules\":[{\"id\":\"logs\",\"file\":\"sample.privet\","
            "\"line\":13,\"col\":1}],\"obligations\":[{\"name\":\"retain_for\",\"arg\":"
            "\"30 days\",\"seconds\":2592000}]}");
  R.set(Dim::Purpose, "marketing");
  EXPECT_EQ(withoutPolicy(*Policy, decisionJson(*Policy, Policy->decide(R), "7")),
            "{\"id\":7,\"decision\":\"deny\",\"rules\":[],\"obligations\":[]}");
  R.set(Dim::Data, "email_address");
  EXPECT_EQ(withoutPolicy(*Policy, decisionJson(*Policy, Policy->decide(R))),
            "{\"decision\":\"allow\",\"rules\":[{\"id\":\"marketing_email\",\"file\":"
            "\"sample.privet\",\"line\":10,\"col\":1}],\"obligations\":[{\"name\":"
            "\"unsubscribe_link\"}]}");
  R.set(Dim::Purpose, "mar\"keting\n");
  EXPECT_EQ(withoutPolicy(*Policy, decisionJson(*Policy, Policy->decide(R))),
            "{\"decision\":\"error\",\"error\":\"unknown purpose `mar\\\"keting\\n`; did you mean "
            "`marketing`?\"}");
  std::string Ctl;
  appendJsonString(Ctl, std::string("a\x01\\", 3));
  EXPECT_EQ(Ctl, "\"a\\u0001\\\\\"");
}

TEST(FormatValue, DurationsUseTheLargestExactUnit) {
  auto P = CompiledPolicy::fromBytes(serializeArtifact(samplePolicy()));
  ASSERT_TRUE(P);
  const CompiledPolicy &C = **P;
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 0), "0 seconds");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 1), "1 second");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 90), "90 seconds");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 3600), "1 hour");
  // Weeks and months are read but never printed (privet/Domain.h): one form everywhere.
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 14 * Day), "14 days");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 7 * Day), "7 days");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 30 * Day), "30 days");
  EXPECT_EQ(C.formatValue(AttrKind::Duration, 0, 365 * Day), "1 year");
  EXPECT_EQ(C.formatValue(AttrKind::Bool, 0, 1), "true");
  EXPECT_EQ(C.formatValue(AttrKind::Int, 0, -3), "-3");
  EXPECT_EQ(C.formatValue(AttrKind::Enum, 0, 2), "not_asked");
}

TEST(ParseDuration, LanguageUnits) {
  EXPECT_EQ(parseDuration("30 days"), 30 * Day);
  EXPECT_EQ(parseDuration("1 day"), Day);
  EXPECT_EQ(parseDuration("2 weeks"), 14 * Day);
  EXPECT_EQ(parseDuration("6 months"), 180 * Day);
  EXPECT_EQ(parseDuration("2 years"), 730 * Day);
  EXPECT_EQ(parseDuration("15 minutes"), 900);
  EXPECT_EQ(parseDuration("12 hours"), 12 * 3600);
  EXPECT_EQ(parseDuration("0 seconds"), 0);
  EXPECT_FALSE(parseDuration("days"));
  EXPECT_FALSE(parseDuration("3 fortnights"));
  EXPECT_FALSE(parseDuration("-3 days"));
  EXPECT_FALSE(parseDuration("99999999999999999999 seconds"));
  EXPECT_FALSE(parseDuration("999999999999999 years"));
  EXPECT_FALSE(parseDuration(""));
}

TEST(Dimensions, NamesRoundTrip) {
  for (unsigned D = 0; D < NumDimensions; ++D)
    EXPECT_EQ(dimensionFromName(dimensionName(Dim(D))), Dim(D));
  EXPECT_EQ(dimensionFromName("category"), Dim::Data);
  EXPECT_FALSE(dimensionFromName("colour"));
}

} // namespace

namespace {

/// A policy over attributes only: a, b (bool, no default), c (int, no default).
ArtifactContents attributesOnly() {
  ArtifactContents C;
  for (DimensionTable &D : C.Dims)
    D.ValueClass = {0};
  C.Attributes = {{"a", AttrKind::Bool, 0, false, 0, {}},
                  {"b", AttrKind::Bool, 0, false, 0, {}},
                  {"c", AttrKind::Int, 0, false, 0, {}}};
  RuleEntry R;
  R.Id = "r0";
  C.Rules = {R};
  Terminal Deny, Allow;
  Allow.Allow = true;
  Allow.Rules = {0};
  C.Terminals = {Deny, Allow, Allow}; // terminals 1 and 2 decide the same
  return C;
}

Node attrNode(uint32_t A, std::vector<uint32_t> Children, std::vector<int64_t> Th = {}) {
  Node N;
  N.K = Node::AttributeTest;
  N.Var = A;
  N.Children = std::move(Children);
  N.Thresholds = std::move(Th);
  return N;
}

TEST(MissingAttributes, AnErrorOnlyIfTheDecisionDependsOnIt) {
  // allow when a or b: a -> [b -> [deny, allow], allow]
  ArtifactContents C = attributesOnly();
  C.Nodes = {attrNode(1, {TerminalBit | 0, TerminalBit | 1}), attrNode(0, {0, TerminalBit | 1})};
  C.Root = 1;
  auto P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P) << P.error();
  Request R(**P);
  R.setBool("b", true);
  Decision D = (*P)->decide(R);
  EXPECT_TRUE(D.permitted()) << D.error(); // a does not matter when b holds
  R.setBool("b", false);
  D = (*P)->decide(R);
  EXPECT_TRUE(D.isError());
  EXPECT_EQ(D.error(), "missing attribute `a`: it has no default and the decision depends on it");
  R.unset(1);
  D = (*P)->decide(R);
  EXPECT_TRUE(D.isError());
  EXPECT_FALSE(D.permitted());
  R.setBool("a", true);
  EXPECT_TRUE((*P)->decide(R).permitted());
}

TEST(MissingAttributes, EqualTerminalsAgreeAndThresholdsBranch) {
  // c < 10 -> terminal 1, c >= 10 -> terminal 2: the same decision either way.
  ArtifactContents C = attributesOnly();
  C.Nodes = {attrNode(2, {TerminalBit | 1, TerminalBit | 2}, {10})};
  C.Root = 0;
  auto P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P);
  Request R(**P);
  Decision D = (*P)->decide(R);
  EXPECT_TRUE(D.permitted()) << D.error();
  C.Terminals[2].Rules.clear();
  P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P);
  Request R2(**P);
  EXPECT_TRUE((*P)->decide(R2).isError()); // different deciding rules: it matters
}

TEST(MissingAttributes, ExplorationIsLinearOnAHostileShape) {
  // A chain of 100000 tests on a missing attribute, each with both children pointing at the next
  // node: 2^100000 paths, 100000 nodes. It must neither take forever nor overflow the stack.
  ArtifactContents C = attributesOnly();
  const uint32_t N = 100000;
  C.Nodes.push_back(attrNode(0, {TerminalBit | 1, TerminalBit | 2}));
  for (uint32_t K = 1; K < N; ++K)
    C.Nodes.push_back(attrNode(K % 2, {K - 1, K - 1}));
  C.Root = N - 1;
  auto P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P) << P.error();
  Request R(**P);
  Decision D = (*P)->decide(R);
  EXPECT_TRUE(D.permitted()) << D.error();
}

} // namespace
