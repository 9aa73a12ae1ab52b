//===- JsonTest.cpp - JSON requests and decisions: one schema for every runtime client -===//
//
// decideJson (the C++ and C API), JsonlSession (`privet query --jsonl`) and decisionJson (`privet
// query --format json`) must give the same bytes for the same request; their renderers are one,
// and these tests keep them one.
//
//===------------------------------------------------------------------------------------===//
#include "SamplePolicy.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <gtest/gtest.h>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

class JsonTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto P = CompiledPolicy::fromBytes(serializeArtifact(samplePolicy()));
    ASSERT_TRUE(P) << P.error();
    Policy = P.take();
  }

  std::string decide(std::string_view Json, Decision::Kind *Kind = nullptr) const {
    std::string Out;
    Decision::Kind K = decideJson(*Policy, Json, Out);
    if (Kind)
      *Kind = K;
    return withoutPolicy(*Policy, Out);
  }

  std::shared_ptr<const CompiledPolicy> Policy;
};

TEST_F(JsonTest, DecidesARequest) {
  Decision::Kind K;
  EXPECT_EQ(decide(R"({"id":"a","action":"use","data":"ip_address","purpose":"site_operation",)"
                   R"("attributes":{"age":20,"data_age":"3 days"}})",
                   &K),
            "{\"id\":\"a\",\"decision\":\"allow\",\"rules\":[{\"id\":\"logs\",\"file\":"
            "\"sample.privet\",\"line\":13,\"col\":1}],\"obligations\":[{\"name\":"
            "\"retain_for\",\"arg\":\"30 days\",\"seconds\":2592000}]}");
  EXPECT_EQ(K, Decision::Kind::Allow);
  EXPECT_EQ(decide(R"({"action":"use","data":"profile","purpose":"marketing"})", &K),
            "{\"decision\":\"deny\",\"rules\":[{\"id\":\"no_profiling\",\"file\":"
            "\"sample.privet\",\"line\":16,\"col\":1}],\"obligations\":[]}");
  EXPECT_EQ(K, Decision::Kind::Deny);
}

TEST_F(JsonTest, MistakesAreErrorAnswers) {
  Decision::Kind K;
  EXPECT_EQ(decide(R"({"id":[1,2],"action":"sell"})", &K),
            "{\"id\":[1,2],\"decision\":\"error\",\"error\":\"unknown action `sell`\"}");
  EXPECT_EQ(K, Decision::Kind::Error);
  EXPECT_EQ(decide(R"({"id":3,"purpose":)", &K),
            "{\"id\":3,\"decision\":\"error\",\"error\":\"invalid request at column 19: "
            "`purpose` must be a value name\"}");
  EXPECT_EQ(K, Decision::Kind::Error);
  EXPECT_EQ(decide(R"({"attributes":{"age":"old"}})"),
            "{\"decision\":\"error\",\"error\":\"invalid request at column 22: attribute `age` "
            "is an int: expected an integer\"}");
  EXPECT_EQ(decide(R"({"attributes":{"data_age":"29days"}})"),
            "{\"decision\":\"error\",\"error\":\"invalid request at column 35: attribute "
            "`data_age` is a duration: `29days` is not one (e.g. \\\"30 days\\\")\"}");
  EXPECT_EQ(decide(R"({"attributes":{"consent_status":"maybe"}})"),
            "{\"decision\":\"error\",\"error\":\"unknown value `maybe` of enum `consent_state` "
            "for attribute `consent_status`\"}");
  EXPECT_EQ(decide(R"({"colour":"red"})"),
            "{\"decision\":\"error\",\"error\":\"unknown key `colour`\"}");
  EXPECT_EQ(decide(R"({"purpose":["a"]})"),
            "{\"decision\":\"error\",\"error\":\"invalid request at column 12: only `data` may "
            "list several values\"}");
  EXPECT_EQ(decide("{} x"), "{\"decision\":\"error\",\"error\":\"invalid request at column 4: "
                            "unexpected text after the request object\"}");
  EXPECT_EQ(errorJson("no policy given", "\"q\""),
            "{\"id\":\"q\",\"decision\":\"error\",\"error\":\"no policy given\"}");
}

// Every way of printing a decision gives the same bytes: the session (cached fragments), the
// one-shot decideJson and decisionJson of a decision built through the C++ API.
TEST_F(JsonTest, EveryClientPrintsTheSameDecision) {
  struct Case {
    const char *Json;
    void (*Build)(Request &);
  } Cases[] = {
      {R"({"action":"use","data":"email_address","purpose":"marketing"})",
       [](Request &R) {
         R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
       }},
      {R"({"action":"use","data":["email_address","ip_address"],"purpose":"marketing"})",
       [](Request &R) {
         R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
         R.addData("email_address").addData("ip_address");
       }},
      {R"({"action":"use","data":"payment","purpose":"site_operation",)"
       R"("attributes":{"consent_status":"given"}})",
       [](Request &R) {
         R.set(Dim::Action, "use").set(Dim::Data, "payment").set(Dim::Purpose, "site_operation");
         R.setEnum("consent_status", "given");
       }},
      {R"({"action":"use","data":"ip_address","purpose":"site_operation","attributes":)"
       R"({"age":16,"data_age":86400}})",
       [](Request &R) {
         R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
         R.setInt("age", 16).setDuration("data_age", 86400);
       }},
      {R"({"action":"use","data":"ip_address","purpose":"site_operation"})",
       [](Request &R) {
         R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
       }},
      {R"({"purpose":"marketin"})", [](Request &R) { R.set(Dim::Purpose, "marketin"); }},
  };
  JsonlSession Session(*Policy);
  for (const Case &C : Cases) {
    Request R(*Policy);
    C.Build(R);
    std::string Expected = decisionJson(*Policy, Policy->decide(R));
    EXPECT_EQ(decide(C.Json), withoutPolicy(*Policy, Expected)) << C.Json;
    std::string Line;
    Session.processLine(C.Json, Line);
    EXPECT_EQ(Line, Expected + "\n") << C.Json;
  }
}

TEST_F(JsonTest, EveryAnswerNamesItsPolicy) {
  // The content hash is the artifact's checksum: another artifact, another hash.
  std::string Line =
      decisionJson(*Policy, Policy->decide(Request(*Policy).set(Dim::Action, "use")));
  EXPECT_NE(Line.find(",\"policy\":{\"name\":\"sample\",\"version\":\"2026-01-01\",\"hash\":\""),
            std::string::npos)
      << Line;
  EXPECT_EQ(withoutPolicy(*Policy, Line).find("(no policy"), std::string::npos) << Line;
  ArtifactContents Other = samplePolicy();
  Other.PolicyVersion = "2026-02-01";
  auto P2 = CompiledPolicy::fromBytes(serializeArtifact(Other));
  ASSERT_TRUE(P2) << P2.error();
  EXPECT_NE((*P2)->contentHash(), Policy->contentHash());
  // Session lines and error answers carry it too.
  JsonlSession Session(*Policy);
  std::string Out;
  Session.processLine("not json", Out);
  EXPECT_EQ(Out.substr(Out.size() - policyJsonSuffix(*Policy).size() - 1),
            policyJsonSuffix(*Policy) + "\n");
}

} // namespace
