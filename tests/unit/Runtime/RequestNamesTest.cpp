//===- RequestNamesTest.cpp - Building requests by names against a large vocabulary ----===//
#include "SamplePolicy.h"

#include "privet/Runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

constexpr uint32_t NumSubjects = 600;

/// The sample policy with a large subject vocabulary (bare, qualified, long and short names,
/// two modules that both define `visitor`) and a qualified attribute. The diagram does not test
/// subjects, so every subject decides like an omitted one.
ArtifactContents largeVocabularyPolicy() {
  ArtifactContents C = samplePolicy();
  DimensionTable &S = C.Dims[unsigned(Dim::Subject)];
  for (uint32_t I = 0; I < NumSubjects; ++I) {
    std::string Name;
    switch (I % 4) {
    case 0:
      Name = "s" + std::to_string(I);
      break;
    case 1:
      Name = "taxonomy.subject_" + std::to_string(I);
      break;
    case 2:
      Name = "subject_group_" + std::to_string(I / 10) + "_" + std::to_string(I % 10);
      break;
    default:
      Name = "x" + std::to_string(I) + ".a_rather_long_qualified_subject_name";
      break;
    }
    S.ValueNames.push_back(Name);
    S.ValueTitles.push_back("");
    S.IsLeaf.push_back(1);
    S.Parents.push_back({});
  }
  S.ValueNames[7] = "customer.visitor";
  S.ValueNames[11] = "taxonomy.visitor";
  S.ValueNames[15] = "taxonomy.employee";
  S.ValueNames[19] = "";
  S.ValueClass.assign(NumSubjects + 1, 0);
  S.NumClasses = 1;
  C.Attributes.push_back({"taxonomy.risk_score", AttrKind::Int, 0, true, 0, {}});
  return C;
}

class RequestNamesTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto P = CompiledPolicy::fromBytes(serializeArtifact(largeVocabularyPolicy()));
    ASSERT_TRUE(P) << P.error();
    Policy = P.take();
  }

  std::shared_ptr<const CompiledPolicy> Policy;
};

TEST_F(RequestNamesTest, EveryNameOfEveryVocabularyResolves) {
  ASSERT_EQ(Policy->numValues(Dim::Subject), NumSubjects);
  for (unsigned D = 0; D < NumDimensions; ++D)
    for (uint32_t V = 0; V < Policy->numValues(Dim(D)); ++V) {
      std::string Name(Policy->valueName(Dim(D), V));
      EXPECT_EQ(Policy->valueId(Dim(D), Name), V) << Name;
      Request R(*Policy);
      R.set(Dim(D), Name);
      EXPECT_FALSE(R.hasError()) << R.error();
      EXPECT_EQ(R.value(Dim(D)), V) << Name;
    }
  for (uint32_t A = 0; A < Policy->numAttributes(); ++A)
    EXPECT_EQ(Policy->attributeId(std::string(Policy->attributeName(A))), A);
  for (uint32_t E = 0; E < Policy->numEnums(); ++E)
    for (uint32_t V = 0; V < Policy->numEnumValues(E); ++V)
      EXPECT_EQ(Policy->enumValueId(E, std::string(Policy->enumValueName(E, V))), V);
}

TEST_F(RequestNamesTest, NamesAreLookedUpPerDimension) {
  EXPECT_EQ(Policy->valueId(Dim::Subject, "use"), InvalidId);
  EXPECT_EQ(Policy->valueId(Dim::Action, "s0"), InvalidId);
  EXPECT_EQ(Policy->valueId(Dim::Subject, "s0"), 0u);
  EXPECT_EQ(Policy->valueId(Dim::Subject, ""), 19u);
  EXPECT_EQ(Policy->valueId(Dim::Action, ""), InvalidId);
  EXPECT_EQ(Policy->attributeId(""), InvalidId);
  EXPECT_EQ(Policy->attributeId("risk_score"), InvalidId);
  EXPECT_EQ(Policy->enumValueId(0, ""), InvalidId);
  EXPECT_EQ(Policy->enumValueId(0, "give"), InvalidId);
  EXPECT_EQ(Policy->enumValueId(1, "given"), InvalidId); // no such enum
}

TEST_F(RequestNamesTest, UnknownNamesSayWhatWasMeant) {
  auto ErrorOf = [&](auto Build) {
    Request R(*Policy);
    Build(R);
    Decision D = Policy->decide(R);
    EXPECT_TRUE(D.isError());
    EXPECT_FALSE(D.permitted());
    return D.error();
  };
  EXPECT_EQ(ErrorOf([](Request &R) { R.set(Dim::Subject, "employee"); }),
            "unknown subject `employee`; did you mean `taxonomy.employee`?");
  // Two qualified names end in `.visitor`: no guess.
  EXPECT_EQ(ErrorOf([](Request &R) { R.set(Dim::Subject, "visitor"); }),
            "unknown subject `visitor`");
  EXPECT_EQ(ErrorOf([](Request &R) { R.set(Dim::Subject, "s1"); }), "unknown subject `s1`");
  EXPECT_EQ(ErrorOf([](Request &R) { R.setInt("risk_score", 3); }),
            "unknown attribute `risk_score`; did you mean `taxonomy.risk_score`?");
  EXPECT_EQ(ErrorOf([](Request &R) { R.setBool("", true); }), "unknown attribute ``");
  EXPECT_EQ(ErrorOf([](Request &R) { R.addData("contact").addData(""); }),
            "unknown data category ``");
  EXPECT_EQ(ErrorOf([](Request &R) { R.setEnum("consent_status", ""); }),
            "`` is not a value of enum `consent_state` (attribute `consent_status`)");
  EXPECT_EQ(ErrorOf([](Request &R) { R.setEnum("taxonomy.risk_score", "given"); }),
            "attribute `taxonomy.risk_score` is int, not enum");
}

TEST_F(RequestNamesTest, OnlyTheFirstMistakeIsKept) {
  Request R(*Policy);
  R.set(Dim::Action, "use")
      .set(Dim::Subject, "employee")
      .set(Dim::Purpose, "selling")
      .setBool("nope", true)
      .setEnum("consent_status", "maybe")
      .addData("dna");
  EXPECT_EQ(R.error(), "unknown subject `employee`; did you mean `taxonomy.employee`?");
  // Later valid setters still apply; the request stays an error until cleared.
  R.set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  EXPECT_EQ(R.value(Dim::Purpose), Policy->valueId(Dim::Purpose, "marketing"));
  EXPECT_TRUE(Policy->decide(R).isError());
  R.clear();
  EXPECT_FALSE(R.hasError());
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  EXPECT_TRUE(Policy->decide(R).permitted());
}

// A service keeps one Request and clears it for every decision: each must decide exactly like
// a fresh request built by ids.
TEST_F(RequestNamesTest, AReusedRequestDecidesLikeAFreshOneByIds) {
  const char *const Actions[] = {"use", "share"};
  const char *const Purposes[] = {"marketing", "site_operation"};
  const char *const Consents[] = {"given", "withdrawn", "not_asked"};
  Request ByNames(*Policy);
  Decision Out;
  unsigned Allowed = 0, Checked = 0;
  for (uint32_t Data = 0; Data < Policy->numValues(Dim::Data); ++Data)
    for (unsigned A = 0; A < 2; ++A)
      for (unsigned P = 0; P < 2; ++P)
        for (unsigned Cs = 0; Cs < 3; ++Cs)
          for (int64_t OptOut = 0; OptOut < 2; ++OptOut) {
            uint32_t Subject = (Data * 37 + A * 11 + Cs) % NumSubjects;
            ByNames.clear();
            ByNames.set(Dim::Action, Actions[A])
                .set(Dim::Data, std::string(Policy->valueName(Dim::Data, Data)))
                .set(Dim::Subject, std::string(Policy->valueName(Dim::Subject, Subject)))
                .set(Dim::Purpose, Purposes[P])
                .setBool("marketing_opt_out", OptOut)
                .setEnum("consent_status", Consents[Cs])
                .setInt("age", 20)
                .setDuration("data_age", Day);
            ASSERT_FALSE(ByNames.hasError()) << ByNames.error();
            Policy->decide(ByNames, Out);

            Request ByIds(*Policy);
            ByIds.set(Dim::Action, A)
                .set(Dim::Data, Data)
                .set(Dim::Subject, Subject)
                .set(Dim::Purpose, P)
                .setBool(MarketingOptOut, OptOut)
                .setEnum(ConsentStatus, Cs)
                .setInt(Age, 20)
                .setDuration(DataAge, Day);
            Decision Expected = Policy->decide(ByIds);
            ASSERT_EQ(Out.kind(), Expected.kind()) << Data << " " << A << " " << P;
            EXPECT_EQ(std::vector<uint32_t>(Out.rules().begin(), Out.rules().end()),
                      std::vector<uint32_t>(Expected.rules().begin(), Expected.rules().end()));
            Allowed += Out.permitted();
            ++Checked;
          }
  EXPECT_GT(Allowed, 0u);
  EXPECT_LT(Allowed, Checked);
}

TEST_F(RequestNamesTest, DataSetsByNamesAfterClear) {
  Request R(*Policy);
  for (int Round = 0; Round < 3; ++Round) {
    R.clear();
    EXPECT_EQ(R.value(Dim::Data), InvalidId);
    R.addData("ip_address").addData("email_address");
    ASSERT_EQ(R.data().size(), 2u);
    EXPECT_EQ(R.data()[0], IpAddress);
    EXPECT_EQ(R.data()[1], EmailAddress);
    R.set(Dim::Data, "payment"); // replaces the set
    ASSERT_EQ(R.data().size(), 1u);
    EXPECT_EQ(R.data()[0], Payment);
    R.omit(Dim::Data);
    EXPECT_TRUE(R.data().empty());
  }
}

} // namespace
