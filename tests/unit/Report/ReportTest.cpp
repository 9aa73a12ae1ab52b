//===- ReportTest.cpp - What buildReport derives from small policies built in code --------===//
#include "PolicyBuilder.h"
#include "RandomPolicy.h"

#include "privet/Report/Report.h"
#include "privet/Report/Writers.h"

#include <gtest/gtest.h>

#include "llvm/Support/JSON.h"

#include <algorithm>
#include <random>

using namespace privet;
using privet::testing::PolicyBuilder;
using report::Field;

namespace {

const report::Activity *activity(const report::Report &R, llvm::StringRef Key) {
  for (const report::Activity &A : R.Activities)
    if (A.Key == Key)
      return &A;
  return nullptr;
}

const report::Item *item(const report::Activity &A, Field F, llvm::StringRef Key) {
  for (const report::Item &I : A.cell(F))
    if (I.Key == Key)
      return &I;
  return nullptr;
}

std::vector<std::string> ruleIds(const report::Report &R, const std::vector<uint32_t> &Rules) {
  std::vector<std::string> Out;
  for (uint32_t I : Rules)
    Out.push_back(R.Rules[I].Id);
  return Out;
}

TEST(Activities, ABroaderRuleFeedsTheNarrowerPurposeButNotTheReverse) {
  PolicyBuilder B;
  B.node(Dimension::Action, "use");
  B.node(Dimension::Data, "email");
  B.node(Dimension::Purpose, "uses");
  B.node(Dimension::Purpose, "ops", {"uses"});
  B.node(Dimension::Purpose, "research", {"uses"});
  B.close();
  B.rule("broad", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Purpose, {"uses"}}}));
  B.rule("narrow", true, B.scope({{Dimension::Data, {"email"}}, {Dimension::Purpose, {"ops"}}}));
  B.rule("deny", false, B.scope({{Dimension::Purpose, {"research"}}}));
  report::Report R = report::buildReport(B.policy(), {}, {});
  ASSERT_EQ(R.Activities.size(), 2u); // `research` is named only by a deny.
  EXPECT_EQ(ruleIds(R, activity(R, "uses")->Rules), std::vector<std::string>{"broad"});
  EXPECT_EQ(ruleIds(R, activity(R, "ops")->Rules), (std::vector<std::string>{"broad", "narrow"}));
  // Nothing names a subject: the cell says so, with both rules.
  const report::Item *Any = item(*activity(R, "ops"), Field::Subjects, "any");
  ASSERT_NE(Any, nullptr);
  EXPECT_EQ(Any->Rules.size(), 2u);
}

/// The GDPR library's nodes, under the names stdlib/gdpr.privet gives them.
PolicyBuilder gdprPolicy() {
  PolicyBuilder B;
  B.node(Dimension::Action, "transfer");
  B.node(Dimension::Data, "gdpr.special_category_data");
  B.node(Dimension::Data, "gdpr.health_data", {"gdpr.special_category_data"});
  B.node(Dimension::Data, "records");
  B.node(Dimension::Data, "readings", {"records", "gdpr.health_data"});
  B.node(Dimension::Data, "email", {"records"});
  B.node(Dimension::Purpose, "care");
  B.node(Dimension::Region, "gdpr.world");
  B.node(Dimension::Region, "gdpr.eea", {"gdpr.world"});
  B.node(Dimension::Region, "gdpr.germany", {"gdpr.eea"});
  B.node(Dimension::Region, "gdpr.third_country", {"gdpr.world"});
  B.node(Dimension::Region, "gdpr.adequate_country", {"gdpr.third_country"});
  B.node(Dimension::Region, "gdpr.japan", {"gdpr.adequate_country"});
  B.node(Dimension::Region, "gdpr.non_adequate_country", {"gdpr.third_country"});
  B.node(Dimension::Region, "gdpr.india", {"gdpr.non_adequate_country"});
  B.obligation("gdpr.transfer_mechanism");
  B.obligation("gdpr.standard_contractual_clauses", {"gdpr.transfer_mechanism"});
  B.obligation("gdpr.security_measures");
  B.obligation("encrypt_at_rest");
  B.close();
  B.policy()
      .Obligations.Nodes[B.policy().Obligations.lookup("encrypt_at_rest").value()]
      .Sources.push_back("GDPR Art. 32(1)(a): encryption");
  return B;
}

TEST(Gdpr, SpecialCategoriesThirdCountriesAndSafeguardsComeFromTheStdlibNodes) {
  PolicyBuilder B = gdprPolicy();
  Policy &P = B.policy();
  ObligationRef Scc{P.Obligations.lookup("gdpr.standard_contractual_clauses").value(), {}, {}};
  ObligationRef Encrypt{P.Obligations.lookup("encrypt_at_rest").value(), {}, {}};
  B.rule("to_india", true,
         B.scope({{Dimension::Data, {"readings"}},
                  {Dimension::Purpose, {"care"}},
                  {Dimension::Region, {"gdpr.india"}}}),
         {}, {Scc, Encrypt});
  B.rule("unsafe", true,
         B.scope({{Dimension::Data, {"email"}},
                  {Dimension::Purpose, {"care"}},
                  {Dimension::Region, {"gdpr.india"}}}));
  B.rule("to_japan", true,
         B.scope({{Dimension::Data, {"email"}},
                  {Dimension::Purpose, {"care"}},
                  {Dimension::Region, {"gdpr.japan"}}}));
  B.rule("at_home", true,
         B.scope({{Dimension::Data, {"email"}},
                  {Dimension::Purpose, {"care"}},
                  {Dimension::Region, {"gdpr.germany"}}}));
  report::Report R = report::buildReport(P, {}, {});
  ASSERT_EQ(R.Activities.size(), 1u);
  const report::Activity &A = R.Activities[0];
  EXPECT_TRUE(A.HasSpecialData);
  EXPECT_TRUE(A.HasThirdCountryTransfer);
  const report::Item *Readings = item(A, Field::SpecialData, "readings");
  ASSERT_NE(Readings, nullptr);
  EXPECT_EQ(Readings->Note, "health data");
  EXPECT_EQ(item(A, Field::SpecialData, "email"), nullptr);

  const report::Item *India = item(A, Field::Transfers, "gdpr.india");
  ASSERT_NE(India, nullptr);
  EXPECT_TRUE(India->Flagged);
  EXPECT_EQ(ruleIds(R, India->Rules), (std::vector<std::string>{"to_india", "unsafe"}));
  const report::Item *Japan = item(A, Field::Transfers, "gdpr.japan");
  ASSERT_NE(Japan, nullptr);
  EXPECT_EQ(Japan->Note, "adequacy decision (Art. 45)");
  EXPECT_EQ(item(A, Field::Transfers, "gdpr.germany"), nullptr);

  const report::Item *Clauses = item(A, Field::Safeguards, "gdpr.standard_contractual_clauses");
  ASSERT_NE(Clauses, nullptr);
  EXPECT_EQ(ruleIds(R, Clauses->Rules), std::vector<std::string>{"to_india"});
  const report::Item *Missing = item(A, Field::Safeguards, "none");
  ASSERT_NE(Missing, nullptr);
  EXPECT_TRUE(Missing->Flagged);
  EXPECT_EQ(ruleIds(R, Missing->Rules), std::vector<std::string>{"unsafe"});
  const report::Item *Adequate = item(A, Field::Safeguards, "none-adequate");
  ASSERT_NE(Adequate, nullptr);
  EXPECT_FALSE(Adequate->Flagged);
  // An obligation whose declaration cites Art. 32 is a security measure.
  EXPECT_NE(item(A, Field::Security, "encrypt_at_rest"), nullptr);

  // The notice flags the transfer without a safeguard, not the one with clauses.
  auto Section = std::find_if(R.Notice.begin(), R.Notice.end(),
                              [](const auto &S) { return S.Id == "notice-transfers"; });
  ASSERT_NE(Section, R.Notice.end());
  ASSERT_EQ(Section->Statements.size(), 2u);
  const report::NoticeStatement &ToIndia = Section->Statements[0];
  EXPECT_TRUE(ToIndia.Flagged);
  EXPECT_NE(ToIndia.Detail.find("standard contractual clauses"), std::string::npos);
  EXPECT_NE(ToIndia.Detail.find("no safeguard stated"), std::string::npos);
  EXPECT_FALSE(Section->Statements[1].Flagged); // Japan: the adequacy decision.
}

TEST(Gdpr, WithoutTheStdlibNothingIsFlagged) {
  PolicyBuilder B;
  B.node(Dimension::Data, "health");
  B.node(Dimension::Purpose, "care");
  B.node(Dimension::Region, "india");
  B.close();
  B.rule("r", true,
         B.scope({{Dimension::Data, {"health"}},
                  {Dimension::Purpose, {"care"}},
                  {Dimension::Region, {"india"}}}));
  report::Report R = report::buildReport(B.policy(), {}, {});
  ASSERT_EQ(R.Activities.size(), 1u);
  EXPECT_FALSE(R.Activities[0].HasSpecialData);
  EXPECT_FALSE(R.Activities[0].HasThirdCountryTransfer);
  EXPECT_TRUE(R.Activities[0].cell(Field::Transfers).empty());
}

TEST(DataMap, FoldsDeeperLevelsWhenOverTheNodeLimit) {
  PolicyBuilder B;
  B.node(Dimension::Data, "all");
  for (int I = 0; I < 20; ++I)
    B.node(Dimension::Data, "d" + std::to_string(I), {"all"});
  B.node(Dimension::Purpose, "p");
  B.close();
  for (int I = 0; I < 20; ++I)
    B.rule("r" + std::to_string(I), true,
           B.scope({{Dimension::Data, {"d" + std::to_string(I)}}, {Dimension::Purpose, {"p"}}}));
  report::ReportOptions Opts;
  Opts.Depth = 2;
  Opts.MaxMapNodes = 1000;
  report::Report Wide = report::buildReport(B.policy(), {}, Opts);
  EXPECT_FALSE(Wide.Map.AutoFolded);
  EXPECT_EQ(Wide.Map.Nodes.size(), 21u);
  Opts.MaxMapNodes = 10;
  report::Report Folded = report::buildReport(B.policy(), {}, Opts);
  EXPECT_TRUE(Folded.Map.AutoFolded);
  EXPECT_EQ(Folded.Map.Depth, 1u);
  EXPECT_EQ(Folded.Map.UnfoldedNodes, 21u);
  ASSERT_EQ(Folded.Map.Nodes.size(), 2u); // data:all -> purpose:p
  ASSERT_EQ(Folded.Map.Edges.size(), 1u);
  EXPECT_EQ(Folded.Map.Edges[0].Rules.size(), 20u);
  // The DOT names every node by its id.
  std::string Dot = report::renderDot(Folded);
  EXPECT_NE(Dot.find("\"data:all\" -> \"purpose:p\""), std::string::npos);
}

TEST(Coverage, AnExceptionIsEncodedByItsRulesSentences) {
  PolicyBuilder B;
  B.node(Dimension::Data, "email");
  B.node(Dimension::Purpose, "p");
  B.node(Dimension::Purpose, "q");
  B.close();
  uint32_t Parent = B.rule("sourced", true, B.scope({{Dimension::Data, {"email"}}}));
  B.policy().Rules[Parent].Sources.push_back("§1 We use your email");
  B.rule("exception", false, B.scope({{Dimension::Purpose, {"q"}}}), {}, {}, Parent);
  B.rule("bare", true, B.scope({{Dimension::Purpose, {"p"}}}));
  report::Report R = report::buildReport(B.policy(), {}, {});
  EXPECT_EQ(ruleIds(R, R.RulesWithoutSource), std::vector<std::string>{"bare"});
  ASSERT_EQ(R.Coverage.size(), 1u);
  EXPECT_EQ(R.Coverage[0].Sentence, "§1 We use your email");
  EXPECT_EQ(ruleIds(R, R.Coverage[0].Rules), std::vector<std::string>{"sourced"});
}

/// The actors rule I binds, walking its parents as the semantics do (docs/language.md:
/// an exception's scope is intersected with its parent's); nullopt is every actor.
std::optional<llvm::BitVector> boundActors(const Policy &P, uint32_t I) {
  std::optional<llvm::BitVector> Out;
  for (uint32_t R = I; R != NoIndex; R = P.Rules[R].Parent) {
    const std::optional<llvm::BitVector> &Own = P.Rules[R].S.dim(Dimension::Actor);
    if (!Own)
      continue;
    if (!Out)
      Out = *Own;
    else
      *Out &= *Own;
  }
  return Out;
}

/// The actor leaves an actors cell names: `us`, `any` or actor nodes by name.
llvm::BitVector cellActors(const Policy &P, const std::vector<report::Item> &Items) {
  const Vocabulary &V = P.vocab(Dimension::Actor);
  llvm::BitVector Out(V.numLeaves());
  for (const report::Item &I : Items) {
    if (I.Key == "any") {
      Out.set();
      continue;
    }
    std::optional<NodeId> N = V.lookup(I.Key);
    EXPECT_TRUE(N) << "no actor " << I.Key;
    if (N)
      V.Covers[*N].addTo(Out);
  }
  return Out;
}

// On random policies (with actors, exceptions, `not`, and a random controller block): each
// activity's actors cell names exactly the actors its rules bind, each Art. 30(2) record holds
// exactly the activities at or under its controller's purposes and their rules, and the JSON
// carries the block.
TEST(Random, ActorsCellsAndProcessorRecordsFollowTheRules) {
  std::mt19937_64 Rng(14);
  unsigned WithActors = 0, WithRecords = 0;
  for (unsigned Round = 0; Round < 400; ++Round) {
    Policy P = privet::testing::randomPolicy(Rng);
    report::Report R = report::buildReport(P, {}, {});
    const Vocabulary &Actors = P.vocab(Dimension::Actor);
    std::string Context = privet::testing::describePolicy(P);
    auto CheckActors = [&](const report::Activity &A) {
      if (Actors.empty()) {
        for (const report::Item &I : A.cell(Field::Actors))
          EXPECT_EQ(I.Key, "us") << Context;
        return;
      }
      llvm::BitVector Bound(Actors.numLeaves());
      for (uint32_t I : A.Rules) {
        std::optional<llvm::BitVector> B = boundActors(P, I);
        if (B)
          Bound |= *B;
        else
          Bound.set();
      }
      EXPECT_EQ(cellActors(P, A.cell(Field::Actors)), Bound) << A.Key << "\n" << Context;
    };
    for (const report::Activity &A : R.Activities) {
      WithActors += !Actors.empty();
      CheckActors(A);
    }
    size_t Clients = P.Controller ? P.Controller->Clients.size() : 0;
    ASSERT_EQ(R.ProcessorRecords.size(), Clients) << Context;
    const Vocabulary &Purposes = P.vocab(Dimension::Purpose);
    for (size_t C = 0; C < Clients; ++C) {
      const ProcessingClient &Client = P.Controller->Clients[C];
      const report::ProcessorRecord &Rec = R.ProcessorRecords[C];
      EXPECT_EQ(Rec.Client.Name, Client.Name);
      EXPECT_EQ(Rec.Client.Contacts, Client.Contacts);
      std::vector<uint32_t> Want, WantRules;
      for (uint32_t A = 0; A < R.Activities.size(); ++A) {
        std::optional<NodeId> N = Purposes.lookup(R.Activities[A].Key);
        bool Under = N && std::any_of(Client.Purposes.begin(), Client.Purposes.end(),
                                      [&](NodeId Q) { return Purposes.isAtOrUnder(*N, Q); });
        if (!Under)
          continue;
        Want.push_back(A);
        WantRules.insert(WantRules.end(), R.Activities[A].Rules.begin(),
                         R.Activities[A].Rules.end());
      }
      std::sort(WantRules.begin(), WantRules.end());
      WantRules.erase(std::unique(WantRules.begin(), WantRules.end()), WantRules.end());
      EXPECT_EQ(Rec.Activities, Want) << Context;
      EXPECT_EQ(Rec.Summary.Rules, WantRules) << Context;
      CheckActors(Rec.Summary);
      WithRecords += !Want.empty();
    }
    const report::RopaTemplate *T = report::findTemplate("generic");
    ASSERT_TRUE(T);
    llvm::Expected<llvm::json::Value> J = llvm::json::parse(report::renderJson(R, *T));
    ASSERT_TRUE(bool(J)) << llvm::toString(J.takeError());
    const llvm::json::Object *Controller = J->getAsObject()->getObject("controller");
    ASSERT_TRUE(Controller);
    EXPECT_EQ(Controller->get("entity")->getAsNull().hasValue(), !P.Controller);
    EXPECT_EQ(J->getAsObject()->getArray("processor_records")->size(), Clients);
  }
  // The rounds met what they check.
  EXPECT_GT(WithActors, 50u);
  EXPECT_GT(WithRecords, 20u);
}

} // namespace
