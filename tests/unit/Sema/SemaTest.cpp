//===- SemaTest.cpp - The Policy sema builds from source --------------------------------===//
#include "privet/Frontend/Frontend.h"
#include "privet/Sema/Condition.h"

#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace privet;

namespace {

struct Checked {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM};
  std::optional<Policy> P;

  explicit Checked(llvm::StringRef Text) {
    FrontendOptions Options;
    Options.StdlibDirs.clear();
    P = loadPolicyFromText(Text, "test.privet", Options, Diags);
  }
  std::string errors() const {
    std::string Out;
    for (const auto *D : Diags.sorted())
      Out += D->code().str() + ": " + D->Message + "\n";
    return Out;
  }
  NodeId node(Dimension D, llvm::StringRef Name) const {
    auto Id = P->vocab(D).lookup(Name);
    EXPECT_TRUE(Id) << Name.str();
    return Id.value_or(0);
  }
  /// The names of the leaves in a scope's dimension, sorted.
  std::string leaves(const Scope &S, Dimension D) const {
    const auto &Bits = S.dim(D);
    if (!Bits)
      return "*";
    std::vector<std::string> Names;
    for (unsigned L : Bits->set_bits())
      Names.push_back(P->vocab(D).Nodes[P->vocab(D).Leaves[L]].Name);
    std::sort(Names.begin(), Names.end());
    std::string Out;
    for (const auto &N : Names)
      Out += (Out.empty() ? "" : ",") + N;
    return Out;
  }
};

const char *const Base = R"(policy p "P" version "1";
action use; action share;
category personal { contact { name; email; } payment; }
category other { ip; }
category cookies : other, tracking;
category tracking { beacons; }
purpose marketing { email_marketing; ads; }
purpose support;
recipient processor;
recipient vendor role processor under contract { host; }
region eea { sweden; }
recipient eu located in sweden;
obligation notify;
obligation retention { retain_for(duration); }
enum consent_state { given, withdrawn }
attribute opted_out: bool = false;
attribute consent: consent_state;
attribute age: int;
combine other with personal as personal;
)";

TEST(Sema, ClosesHierarchiesAsDags) {
  Checked C{std::string(Base)};
  ASSERT_TRUE(C.P) << C.errors();
  const Vocabulary &Data = C.P->vocab(Dimension::Data);
  // Leaves: name, email, payment, ip, cookies, beacons.
  EXPECT_EQ(Data.numLeaves(), 6u);
  NodeId Cookies = C.node(Dimension::Data, "cookies");
  EXPECT_EQ(Data.Nodes[Cookies].Parents.size(), 2u);
  NodeId Tracking = C.node(Dimension::Data, "tracking");
  EXPECT_EQ(Data.Covers[Tracking].count(), 2u); // cookies, beacons
  NodeId Personal = C.node(Dimension::Data, "personal");
  EXPECT_EQ(Data.Covers[Personal].count(), 3u);
  EXPECT_EQ(Data.LeafOf[Personal], NoIndex);

  const Vocabulary &Rec = C.P->vocab(Dimension::Recipient);
  NodeId Vendor = C.node(Dimension::Recipient, "vendor");
  NodeId Processor = C.node(Dimension::Recipient, "processor");
  EXPECT_TRUE(Rec.Nodes[Vendor].UnderContract);
  ASSERT_EQ(Rec.Nodes[Vendor].Roles.size(), 1u);
  EXPECT_EQ(Rec.Nodes[Vendor].Roles[0], Processor);
  EXPECT_TRUE(Rec.Covers[Processor].test(Rec.LeafOf[C.node(Dimension::Recipient, "host")]));
  NodeId Eu = C.node(Dimension::Recipient, "eu");
  ASSERT_TRUE(Rec.Nodes[Eu].LocatedIn);
  EXPECT_EQ(*Rec.Nodes[Eu].LocatedIn, C.node(Dimension::Region, "sweden"));

  auto Retain = C.P->Obligations.lookup("retain_for");
  ASSERT_TRUE(Retain);
  EXPECT_EQ(C.P->Obligations.Nodes[*Retain].ParamKind, AttrKind::Duration);
  ASSERT_EQ(C.P->Combinations.size(), 1u);
  EXPECT_EQ(C.P->Combinations[0].Result, Personal);
  EXPECT_EQ(C.P->Modules[0].Name, "p");
  EXPECT_EQ(C.P->Modules[0].Version, "1");
  EXPECT_NE(C.P->SourceHash, 0u);
}

TEST(Sema, BuildsRuleScopesConditionsAndExceptions) {
  Checked C(std::string(Base) + R"(
mail: allow use contact for marketing, not ads to not eu when 18 <= age
  with retain_for(2 weeks), notify, notify
  except deny for email_marketing unless consent == given;
deny share;
)");
  ASSERT_TRUE(C.P) << C.errors();
  ASSERT_EQ(C.P->Rules.size(), 3u);
  const Rule &R = C.P->Rules[0];
  EXPECT_EQ(R.Id, "mail");
  EXPECT_TRUE(R.Named);
  EXPECT_EQ(C.leaves(R.S, Dimension::Data), "email,name");
  EXPECT_EQ(C.leaves(R.S, Dimension::Purpose), "ads,email_marketing,support"); // a union
  EXPECT_EQ(C.leaves(R.S, Dimension::Recipient), "host"); // processor is not a leaf
  EXPECT_EQ(C.leaves(R.S, Dimension::Subject), "*");
  ASSERT_EQ(R.S.Written[unsigned(Dimension::Purpose)].size(), 2u);
  EXPECT_TRUE(R.S.Written[unsigned(Dimension::Purpose)][1].second);
  // `18 <= age` is normalised to `age >= 18`.
  ASSERT_TRUE(R.Condition);
  EXPECT_EQ(R.Condition->K, Cond::Compare);
  EXPECT_EQ(R.Condition->Op, CmpOp::Ge);
  EXPECT_EQ(R.Condition->Value, 18);
  EXPECT_EQ(C.P->Attributes[R.Condition->Attr].Name, "age");
  // Obligations are sorted and unique; 2 weeks in seconds.
  ASSERT_EQ(R.Obligations.size(), 2u);
  bool SawRetain = false;
  for (const auto &O : R.Obligations)
    if (O.Arg) {
      SawRetain = true;
      EXPECT_EQ(*O.Arg, 14 * 86400);
    }
  EXPECT_TRUE(SawRetain);
  ASSERT_EQ(R.Exceptions.size(), 1u);
  const Rule &E = C.P->Rules[R.Exceptions[0]];
  EXPECT_EQ(E.Parent, 0u);
  EXPECT_FALSE(E.IsAllow);
  // An unlabelled exception is named after its parent and position; its location is apart.
  EXPECT_EQ(E.Id, "mail.1");
  EXPECT_EQ(E.Location.Line, 23u);
  EXPECT_EQ(E.Location.Col, 10u);
  ASSERT_TRUE(E.Condition);
  EXPECT_EQ(E.Condition->K, Cond::Not);
  EXPECT_EQ(E.Condition->Ops[0].K, Cond::Compare);
  EXPECT_EQ(E.SourceText, "deny for email_marketing unless consent == given;");
  EXPECT_EQ(R.SourceText.substr(0, 17), "mail: allow use c");
  const Rule &D = C.P->Rules[2];
  EXPECT_TRUE(D.isTopLevel());
  EXPECT_EQ(D.Id, "p:24:1");
  EXPECT_EQ(C.leaves(D.S, Dimension::Action), "share");
  EXPECT_EQ(C.leaves(D.S, Dimension::Data), "*");
  EXPECT_EQ(C.P->findRule("mail"), 0u);
  EXPECT_EQ(C.P->findAttribute("consent"), 1u);
}

TEST(Sema, ChecksInvariantsAndTests) {
  Checked C(std::string(Base) + R"(
mail: allow use email for marketing with retain_for(1 year);
no_sell: require never share payment to vendor when not opted_out;
require use to processor with retain_for;
require always use email for ads;
test "t" {
  @source("§9")
  expect allow use email, name for email_marketing given consent = withdrawn, age = 3
    with retain_for(1 year) by mail;
  expect error share payment;
}
)");
  ASSERT_TRUE(C.P) << C.errors();
  ASSERT_EQ(C.P->Invariants.size(), 3u);
  EXPECT_EQ(C.P->Invariants[0].Id, "no_sell");
  EXPECT_EQ(C.P->Invariants[0].K, Invariant::Never);
  EXPECT_EQ(C.P->Invariants[1].K, Invariant::Obliged);
  ASSERT_EQ(C.P->Invariants[1].Required.size(), 1u);
  EXPECT_FALSE(C.P->Invariants[1].Required[0].Arg);
  EXPECT_EQ(C.P->Invariants[2].K, Invariant::Always);
  ASSERT_EQ(C.P->Tests.size(), 1u);
  const auto &X = C.P->Tests[0].Expectations;
  ASSERT_EQ(X.size(), 2u);
  EXPECT_EQ(X[0].Expect, Expectation::Allow);
  EXPECT_EQ(X[0].Req.dim(Dimension::Data).size(), 2u);
  EXPECT_EQ(X[0].Req.dim(Dimension::Subject).size(), 0u);
  ASSERT_EQ(X[0].Req.Attrs.size(), 2u);
  EXPECT_EQ(X[0].Req.Attrs[0].second, 1); // withdrawn
  EXPECT_EQ(X[0].ByRule, 0u);
  EXPECT_EQ(X[0].Sources, std::vector<std::string>{"§9"});
  EXPECT_EQ(X[0].Obligations[0].Arg, 365 * 86400);
  EXPECT_EQ(X[1].Expect, Expectation::Error);
}

TEST(Sema, ReportsInsteadOfProducingAPolicy) {
  Checked C(std::string(Base) + "allow use emial;\n");
  EXPECT_FALSE(C.P);
  auto Sorted = C.Diags.sorted();
  ASSERT_EQ(Sorted.size(), 1u);
  EXPECT_EQ(Sorted[0]->code(), "E0101");
  EXPECT_EQ(Sorted[0]->Help, "did you mean `email`?");
  ASSERT_EQ(Sorted[0]->FixIts.size(), 1u);
  EXPECT_EQ(Sorted[0]->FixIts[0].Text, "email");
}

TEST(Policy, CloseHierarchiesBuildsCoversForGeneratedPolicies) {
  Policy P;
  Vocabulary &V = P.vocab(Dimension::Data);
  V.Nodes.resize(5);
  // 0 -> {1, 2}; 2 -> {3}; 4 has parents 1 and 2 (a DAG).
  V.Nodes[1].Parents = {0};
  V.Nodes[2].Parents = {0};
  V.Nodes[3].Parents = {2};
  V.Nodes[4].Parents = {1, 2};
  P.closeHierarchies();
  EXPECT_EQ(V.numLeaves(), 2u); // 3 and 4
  EXPECT_EQ(V.Covers[0].count(), 2u);
  EXPECT_EQ(V.Covers[1].count(), 1u);
  EXPECT_EQ(V.Covers[2].count(), 2u);
  EXPECT_EQ(V.Nodes[0].Children, (std::vector<NodeId>{1, 2}));
  // Idempotent.
  P.closeHierarchies();
  EXPECT_EQ(V.Nodes[0].Children, (std::vector<NodeId>{1, 2}));
  EXPECT_TRUE(P.vocab(Dimension::Action).empty());
  EXPECT_EQ(dimensionName(Dimension::Data), "data");
  EXPECT_EQ(dimensionKeyword(Dimension::Data), "category");
  EXPECT_EQ(dimensionPreposition(Dimension::Recipient), "to");
}

} // namespace

// `within P when C { require Q when D }` is `require (P ∩ Q) when C and D`: on random scopes and
// conditions over the vocabulary above, the scoped invariant's sets are the intersection of the
// two patterns' sets (each resolved on its own as an unscoped invariant), and its condition holds
// exactly where both conditions do.
TEST(Sema, WithinIsIntersectionAndConjunction) {
  const char *const Parts[][4] = {
      {"", "use", "share", "not use"},
      {"", "contact", "not payment", "ip, cookies"},
      {"", "for marketing", "for not ads", "for support, ads"},
      {"", "to vendor", "to not host", "to processor"},
      {"", "in eea", "in not sweden", "in sweden"},
  };
  const char *const Conds[] = {"", "when opted_out", "unless opted_out", "when consent == given",
                               "when age > 3 or opted_out"};
  uint32_t Seed = 12345;
  auto Next = [&Seed](unsigned N) {
    Seed = Seed * 1103515245u + 12345u;
    return (Seed >> 16) % N;
  };
  auto Pattern = [&]() {
    std::string P;
    // Actions first, then data, then the prepositional parts.
    std::string Action = Parts[0][Next(4)];
    std::string Data = Parts[1][Next(4)];
    P = Action.empty() ? (Data.empty() ? "" : "any " + Data) : Action + " " + Data;
    for (unsigned D = 2; D < 5; ++D)
      P += std::string(" ") + Parts[D][Next(4)];
    return P;
  };
  unsigned Compared = 0;
  for (int Round = 0; Round < 200; ++Round) {
    std::string WP = Pattern(), WC = Conds[Next(5)];
    std::string IP = Pattern(), IC = Conds[Next(5)];
    std::string Text = std::string(Base) + "within " + WP + " " + WC +
                       " {\n  scoped: require never " + IP + " " + IC +
                       ";\n}\nouter: require never " + WP + " " + WC + ";\ninner: require never " +
                       IP + " " + IC + ";\n";
    Checked C(Text);
    if (!C.P) {
      // Disjoint patterns are E0326 (or an empty set E0303); nothing else may fail.
      EXPECT_TRUE(C.errors().find("E0326") != std::string::npos ||
                  C.errors().find("E0303") != std::string::npos)
          << Text << C.errors();
      continue;
    }
    ASSERT_EQ(C.P->Invariants.size(), 3u) << Text;
    const Invariant &S = C.P->Invariants[0], &O = C.P->Invariants[1], &I = C.P->Invariants[2];
    EXPECT_FALSE(S.WithinBlock.empty());
    for (unsigned D = 0; D < NumDimensions; ++D) {
      std::optional<llvm::BitVector> Want;
      if (O.S.Dims[D] && I.S.Dims[D]) {
        Want = *O.S.Dims[D];
        *Want &= *I.S.Dims[D];
      } else if (O.S.Dims[D]) {
        Want = O.S.Dims[D];
      } else {
        Want = I.S.Dims[D];
      }
      EXPECT_EQ(S.S.Dims[D].has_value(), Want.has_value()) << Text;
      if (S.S.Dims[D] && Want) {
        EXPECT_EQ(*S.S.Dims[D], *Want) << Text << " dimension " << D;
      }
    }
    // Attributes: opted_out (bool), consent (enum of 2), age (int).
    for (int64_t Opted = 0; Opted < 2; ++Opted)
      for (int64_t Consent = 0; Consent < 2; ++Consent)
        for (int64_t Age : {0, 3, 4, 10}) {
          std::vector<int64_t> Values{Opted, Consent, Age};
          auto Holds = [&](const Invariant &X) {
            return !X.Condition || evaluateCondition(*X.Condition, Values);
          };
          EXPECT_EQ(Holds(S), Holds(O) && Holds(I)) << Text;
        }
    ++Compared;
  }
  EXPECT_GT(Compared, 20u) << "most random scopes meet";
}
