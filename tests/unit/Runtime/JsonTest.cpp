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

#include <cstdio>
#include <stdlib.h>
#include <string>
#include <unistd.h>
#include <vector>

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
            "{\"decision\":\"error\",\"error\":\"invalid request at column 7: `id` must be a "
            "string or a number\"}");
  EXPECT_EQ(K, Decision::Kind::Error);
  EXPECT_EQ(decide(R"({"id":-2.5e3,"action":"sell"})", &K),
            "{\"id\":-2.5e3,\"decision\":\"error\",\"error\":\"unknown action `sell`\"}");
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
    // A client that parses the request itself (the server's explain and logs) decides the same.
    Request Parsed(*Policy);
    std::string RawId;
    std::string Error;
    ASSERT_TRUE(parseRequestJson(*Policy, C.Json, Parsed, RawId, Error)) << Error;
    EXPECT_EQ(decisionJson(*Policy, Policy->decide(Parsed)), Expected) << C.Json;
  }
}

TEST_F(JsonTest, SessionsRenderEachRuleOnFirstUseAndThenReuseIt) {
  // A session renders a rule's or obligation's JSON the first time a decision lists it. Two
  // sessions answer every action x data x purpose request of the sample, one forwards and one
  // backwards, so each text is first rendered for a different decision, then answered again
  // from the cache: every line must be decisionJson's, byte for byte.
  std::vector<std::string> Lines, Expected;
  size_t WithRules = 0, WithObligations = 0;
  for (uint32_t A = 0; A < Policy->numValues(Dim::Action); ++A)
    for (uint32_t D = 0; D < Policy->numValues(Dim::Data); ++D)
      for (uint32_t P = 0; P < Policy->numValues(Dim::Purpose); ++P) {
        Request R(*Policy);
        R.set(Dim::Action, A).set(Dim::Data, D).set(Dim::Purpose, P);
        Decision Dec = Policy->decide(R);
        WithRules += !Dec.rules().empty();
        WithObligations += !Dec.obligations().empty();
        Expected.push_back(decisionJson(*Policy, Dec) + "\n");
        Lines.push_back("{\"action\":\"" + std::string(Policy->valueName(Dim::Action, A)) +
                        "\",\"data\":\"" + std::string(Policy->valueName(Dim::Data, D)) +
                        "\",\"purpose\":\"" + std::string(Policy->valueName(Dim::Purpose, P)) +
                        "\"}");
      }
  ASSERT_GT(WithRules, 0u);
  ASSERT_GT(WithObligations, 0u);
  JsonlSession Forwards(*Policy), Backwards(*Policy);
  for (int Pass = 0; Pass < 2; ++Pass)
    for (size_t K = 0; K < Lines.size(); ++K) {
      size_t Back = Lines.size() - 1 - K;
      std::string F, B;
      Forwards.processLine(Lines[K], F);
      Backwards.processLine(Lines[Back], B);
      EXPECT_EQ(F, Expected[K]) << Lines[K];
      EXPECT_EQ(B, Expected[Back]) << Lines[Back];
    }
}

TEST_F(JsonTest, ParseRequestJsonReportsWhatDecideJsonAnswers) {
  Request R(*Policy);
  R.set(Dim::Action, "share"); // cleared by the parse
  std::string RawId;
  std::string Error;
  EXPECT_FALSE(parseRequestJson(*Policy, R"({"id":3,"purpose":)", R, RawId, Error));
  EXPECT_EQ(RawId, "3");
  EXPECT_EQ(errorJson(Error, RawId), decide(R"({"id":3,"purpose":)"));
  EXPECT_TRUE(parseRequestJson(*Policy, R"({"id":"k\u00e9","action":"use"})", R, RawId, Error));
  EXPECT_EQ(RawId, "\"k\xc3\xa9\""); // re-serialized, never echoed
  EXPECT_EQ(R.value(Dim::Action), Policy->valueId(Dim::Action, "use"));
  EXPECT_EQ(R.value(Dim::Purpose), InvalidId);
}

// Class 1: the `id` is parsed (a string or a JSON number, at most MaxIdBytes) and re-serialized,
// so no byte of the request reaches the answer unescaped.
TEST_F(JsonTest, TheIdIsReserializedNotEchoed) {
  // A raw CR inside the id string is not JSON: the request is refused, and nothing of it echoed.
  EXPECT_EQ(decide("{\"id\":\"a\r{\\\"decision\\\":\\\"allow\\\"}\",\"action\":\"use\"}"),
            "{\"decision\":\"error\",\"error\":\"invalid request at column 7: malformed `id` "
            "string\"}");
  // An escaped CR is decoded and escaped again: the answer stays on one line.
  EXPECT_EQ(decide(R"({"id":"a\r\u000b\u00e9\/","action":"sell"})"),
            "{\"id\":\"a\\r\\u000b\xc3\xa9/\",\"decision\":\"error\",\"error\":\"unknown action "
            "`sell`\"}");
  for (const char *Bad : {"1.2.3e+-5", "01", "+1", "-", "1.", "1e", ".5", "true", "null", "{}"}) {
    std::string Out = decide("{\"id\":" + std::string(Bad) + ",\"action\":\"use\"}");
    EXPECT_EQ(Out.find("\"id\""), std::string::npos) << Bad << ": " << Out;
    EXPECT_NE(Out.find("\"decision\":\"error\""), std::string::npos) << Bad;
  }
  for (const char *Good : {"0", "-0", "12", "1.5", "1e9", "-1.25E-7"})
    EXPECT_EQ(
        decide("{\"id\":" + std::string(Good) + "}").rfind("{\"id\":" + std::string(Good) + ",", 0),
        0u)
        << Good;
  std::string Long(MaxIdBytes, 'x');
  EXPECT_NE(decide("{\"id\":\"" + Long + "\"}").find("`id` is longer than 256 bytes"),
            std::string::npos);
  EXPECT_EQ(decide("{\"id\":\"" + Long.substr(2) + "\"}").rfind("{\"id\":\"xx", 0), 0u);
}

// Class 1: invalid UTF-8 (raw, overlong, surrogates, lone surrogate escapes) is refused, and an
// error message never carries an invalid byte.
TEST_F(JsonTest, InvalidUtf8IsRefused) {
  for (const char *Bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
                          "\\ud800", "\\udc00x", "\\ud800\\u0041"}) {
    std::string Out = decide("{\"id\":\"" + std::string(Bad) + "\"}");
    EXPECT_NE(Out.find("not valid UTF-8"), std::string::npos) << Out;
    Out = decide("{\"purpose\":\"" + std::string(Bad) + "\"}");
    EXPECT_NE(Out.find("not valid UTF-8"), std::string::npos) << Out;
  }
  EXPECT_EQ(decide(R"({"id":"\ud83d\ude00"})").rfind("{\"id\":\"\xf0\x9f\x98\x80\"", 0), 0u);
  std::string S;
  appendJsonString(S, "a\xff\xc3\x28\xe2\x82\xac\x7f");
  EXPECT_EQ(S, "\"a\xef\xbf\xbd\xef\xbf\xbd(\xe2\x82\xac\\u007f\"");
}

// The scanner reads a string's plain bytes eight at a time: whatever ends or interrupts the run
// (the closing quote, an escape, a raw control byte, a byte past 0x7F) must be seen at every
// offset within a word and in the bytes the word loop leaves to the byte loop.
TEST_F(JsonTest, StringsReadTheSameWhereverTheirSpecialBytesFall) {
  auto Id = [&](const std::string &Raw) { return decide("{\"id\":\"" + Raw + "\"}"); };
  auto AnswersWithId = [&](const std::string &Raw, const std::string &Reserialized) {
    return Id(Raw).rfind("{\"id\":\"" + Reserialized + "\",", 0) == 0;
  };
  for (size_t K = 0; K <= 24; ++K) {
    std::string Pad(K, 'a'), Tail(K % 9, 'z');
    EXPECT_TRUE(AnswersWithId(Pad, Pad)) << K;
    EXPECT_TRUE(AnswersWithId(Pad + "\\n" + Tail, Pad + "\\n" + Tail)) << K;
    EXPECT_TRUE(AnswersWithId(Pad + "\\\"" + Tail, Pad + "\\\"" + Tail)) << K;
    EXPECT_TRUE(AnswersWithId(Pad + "\xc3\xa9" + Tail, Pad + "\xc3\xa9" + Tail)) << K;
    EXPECT_NE(Id(Pad + "\x01" + Tail).find("malformed `id` string"), std::string::npos) << K;
    EXPECT_NE(Id(Pad + "\x1f" + Tail).find("malformed `id` string"), std::string::npos) << K;
    EXPECT_NE(Id(Pad + "\xff" + Tail).find("not valid UTF-8"), std::string::npos) << K;
    EXPECT_NE(Id(Pad + "\x80" + Tail).find("not valid UTF-8"), std::string::npos) << K;
    // The bytes that cannot end a run: a space, DEL and the neighbours of `"` and `\`.
    std::string Near = Pad + " \x7f!#[]" + Tail;
    EXPECT_TRUE(AnswersWithId(Near, Pad + " \\u007f!#[]" + Tail)) << K;
    // An unterminated string ends the line at any length.
    EXPECT_NE(decide("{\"id\":\"" + Pad).find("malformed `id` string"), std::string::npos) << K;
  }
}

// Class 2: values the spec does not allow are error answers, not silently read.
TEST_F(JsonTest, OutOfSpecValuesAreRefused) {
  const char *Allowed = R"({"action":"use","data":"ip_address","purpose":"site_operation",)";
  auto With = [&](const char *Attrs) { return decide(Allowed + std::string(Attrs) + "}"); };
  EXPECT_NE(With(R"("attributes":{"age":20,"data_age":86400})").find("\"allow\""),
            std::string::npos);
  for (const char *Attrs :
       {R"("attributes":{"age":20,"data_age":-86400})", R"("attributes":{"age":20,"data_age":018})",
        R"("attributes":{"age":020,"data_age":1})",
        R"("attributes":{"age":20,"data_age":"29days"})",
        R"("attributes":{"age":20,"data_age":"-1 days"})",
        R"("attributes":{"age":20,"data_age":"01 days"})",
        R"("attributes":{"age":20,"age":20,"data_age":1})",
        R"("attributes":{"age":20},"attributes":{"data_age":1})",
        R"("attributes":{"age":20,"data_age":1},"purpose":"site_operation")"}) {
    std::string Out = With(Attrs);
    EXPECT_NE(Out.find("\"decision\":\"error\""), std::string::npos) << Attrs << ": " << Out;
  }
  EXPECT_NE(With(R"("attributes":{"age":20,"age":21})").find("duplicate attribute `age`"),
            std::string::npos);
  EXPECT_NE(decide(R"({"id":1,"id":2})").find("duplicate key `id`"), std::string::npos);
  // The C++ API refuses a negative duration too.
  Request R(*Policy);
  R.set(Dim::Action, "use").set(Dim::Data, "ip_address").set(Dim::Purpose, "site_operation");
  R.setInt("age", 20).setDuration("data_age", -1);
  EXPECT_TRUE(Policy->decide(R).isError());
}

// Class 6: a JSONL line longer than the session's limit is one error answer, and the lines
// after it are answered as usual.
TEST_F(JsonTest, OverLongLinesAreErrorAnswers) {
  char Path[] = "/tmp/privet-jsonl-XXXXXX";
  int Fd = ::mkstemp(Path);
  ASSERT_GE(Fd, 0);
  std::FILE *In = ::fdopen(Fd, "w+b");
  std::string Long = "{\"id\":\"" + std::string(3000, 'x') + "\"}";
  std::fputs("{\"id\":1}\n", In);
  std::fputs(Long.c_str(), In);
  std::fputs("\n{\"id\":2}\n", In);
  std::fputs(Long.c_str(), In); // unfinished last line
  std::rewind(In);
  std::FILE *Out = std::tmpfile();
  JsonlSession Session(*Policy);
  Session.setMaxLineBytes(1000);
  std::string Err;
  Decision::Kind K;
  decide("{}", &K);
  EXPECT_EQ(Session.run(In, Out, Err), K == Decision::Kind::Error ? 4 : 2) << Err;
  std::rewind(Out);
  std::string Text;
  char Buf[4096];
  while (size_t N = std::fread(Buf, 1, sizeof Buf, Out))
    Text.append(Buf, N);
  std::string LongErr = "{\"decision\":\"error\",\"error\":\"request line is longer than 1000 "
                        "bytes\"" +
                        policyJsonSuffix(*Policy) + "\n";
  auto Line = [&](const char *Json) {
    std::string L;
    decideJson(*Policy, Json, L);
    return L + "\n";
  };
  EXPECT_EQ(Text, Line("{\"id\":1}") + LongErr + Line("{\"id\":2}") + LongErr);
  EXPECT_EQ(Session.count(Decision::Kind::Error), K == Decision::Kind::Error ? 4u : 2u);
  std::fclose(In);
  std::fclose(Out);
  ::unlink(Path);
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
