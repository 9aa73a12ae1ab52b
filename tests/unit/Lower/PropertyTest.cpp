//===- PropertyTest.cpp - The compiled policy against the reference evaluator ----------------===//
//
// Thousands of random policies and requests: every answer of the decision diagram (and, through
// serialisation and loading, of the runtime) must equal the reference evaluator's. A failure is
// shrunk to the smallest policy and request that still disagree, and printed.
// PRIVET_PROPERTY_SCALE (a percentage, default 100) scales the counts, e.g. for sanitizer builds.
//
//===----------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"
#include "RandomPolicy.h"
#include "ReferenceEvaluator.h"

#include "privet/Lower/DecisionDiagram.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <functional>
#include <sstream>

using namespace privet;
using namespace privet::testing;

namespace {

unsigned scaled(unsigned N) {
  const char *Env = std::getenv("PRIVET_PROPERTY_SCALE");
  unsigned Percent = Env ? unsigned(std::atoi(Env)) : 100;
#if defined(__SANITIZE_ADDRESS__)
  if (!Env)
    Percent = 10;
#endif
  return std::max(1u, N * Percent / 100);
}

std::string describeDecision(const Policy &P, const RefDecision &D) {
  std::ostringstream OS;
  OS << (D.K == RefDecision::Allow ? "allow" : D.K == RefDecision::Deny ? "deny" : "error");
  if (D.K == RefDecision::Error)
    OS << " (" << D.Message << ")";
  for (uint32_t R : D.Rules)
    OS << " " << P.Rules[R].Id;
  for (const ObligationRef &O : D.Obligations) {
    OS << " +" << P.Obligations.Nodes[O.Obligation].Name;
    if (O.Arg)
      OS << "(" << *O.Arg << ")";
  }
  return OS.str();
}

/// A way of deciding a request with a compiled form of the policy.
using Compiled = std::function<RefDecision(const Policy &, const Request &)>;

/// Disagreement between the compiled decision and the reference, as text (empty: they agree).
std::string disagreement(const Policy &P, const Request &R, const Compiled &Decide) {
  RefDecision Expected = ReferenceEvaluator(P).decide(R);
  RefDecision Actual = Decide(P, R);
  if (Expected == Actual)
    return "";
  return "reference: " + describeDecision(P, Expected) +
         "\ncompiled:  " + describeDecision(P, Actual) + "\n";
}

/// Greedily removes parts of the policy and the request while they still disagree.
std::string shrinkAndDescribe(Policy P, Request R, const Compiled &Decide) {
  auto Fails = [&](const Policy &Q, const Request &S) {
    return !disagreement(Q, S, Decide).empty();
  };
  bool Progress = true;
  while (Progress) {
    Progress = false;
    for (uint32_t Rule = 0; Rule < P.Rules.size(); ++Rule) {
      Policy Q = P;
      removeRule(Q, Rule);
      if (Fails(Q, R)) {
        P = std::move(Q);
        Progress = true;
        break;
      }
    }
    for (uint32_t Rule = 0; Rule < P.Rules.size(); ++Rule) {
      for (unsigned D = 0; D < NumDimensions; ++D) {
        if (!P.Rules[Rule].S.Dims[D])
          continue;
        Policy Q = P;
        Q.Rules[Rule].S.Dims[D].reset();
        Q.Rules[Rule].S.Written[D].clear();
        Q.Rules[Rule].S.Neither[D].clear();
        if (D == unsigned(Dimension::Recipient))
          Q.Rules[Rule].S.Where.clear();
        if (Fails(Q, R)) {
          P = std::move(Q);
          Progress = true;
        }
      }
      if (P.Rules[Rule].Condition) {
        Policy Q = P;
        Q.Rules[Rule].Condition.reset();
        if (Fails(Q, R)) {
          P = std::move(Q);
          Progress = true;
        }
      }
      if (!P.Rules[Rule].Obligations.empty()) {
        Policy Q = P;
        Q.Rules[Rule].Obligations.clear();
        if (Fails(Q, R)) {
          P = std::move(Q);
          Progress = true;
        }
      }
    }
    for (size_t C = 0; C < P.Combinations.size(); ++C) {
      Policy Q = P;
      Q.Combinations.erase(Q.Combinations.begin() + C);
      if (Fails(Q, R)) {
        P = std::move(Q);
        Progress = true;
        break;
      }
    }
    for (unsigned D = 0; D < NumDimensions; ++D)
      for (size_t I = 0; I < R.Values[D].size(); ++I) {
        Request S = R;
        S.Values[D].erase(S.Values[D].begin() + I);
        if (Fails(P, S)) {
          R = std::move(S);
          Progress = true;
          break;
        }
      }
    for (size_t I = 0; I < R.Attrs.size(); ++I) {
      Request S = R;
      S.Attrs.erase(S.Attrs.begin() + I);
      if (Fails(P, S)) {
        R = std::move(S);
        Progress = true;
        break;
      }
    }
  }
  return "policy:\n" + describePolicy(P) + "request: " + describeRequest(P, R) + "\n" +
         disagreement(P, R, Decide);
}

/// Runs NumPolicies random policies with NumRequests random requests each.
void checkAgainstReference(uint64_t Seed, unsigned NumPolicies, unsigned NumRequests,
                           const Compiled &Decide,
                           const std::function<bool(const Policy &, const Request &)> &Applicable) {
  std::mt19937_64 Rng(Seed);
  for (unsigned I = 0; I < NumPolicies; ++I) {
    Policy P = randomPolicy(Rng);
    for (unsigned J = 0; J < NumRequests; ++J) {
      Request R = randomRequest(P, Rng);
      if (!Applicable(P, R))
        continue;
      if (disagreement(P, R, Decide).empty())
        continue;
      FAIL() << "seed " << Seed << ", policy " << I << ", request " << J
             << ": compiled and reference decisions differ; smallest case found:\n"
             << shrinkAndDescribe(P, R, Decide);
    }
  }
}

RefDecision fromTerminal(const DiagramTerminal &T) {
  RefDecision D;
  D.K = T.Allow ? RefDecision::Allow : RefDecision::Deny;
  D.Rules = T.Rules;
  D.Obligations = T.Obligations;
  return D;
}

/// How the diagrams under test are built; the group-edge budget decides how many group values
/// are answered by a precomputed edge and how many by meeting walks.
DiagramOptions TestOptions;

/// The diagram alone answers one walk: a single data category and every attribute known.
RefDecision decideWithDiagram(const Policy &P, const Request &R) {
  auto DD = DecisionDiagram::build(P, TestOptions);
  if (!DD) {
    RefDecision E;
    E.K = RefDecision::Error;
    E.Message = llvm::toString(DD.takeError());
    return E;
  }
  std::array<uint32_t, NumDimensions> Classes;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const DimensionClasses &DC = (*DD)->classes(Dimension(D));
    Classes[D] = R.Values[D].empty() ? DC.OmittedClass : DC.NodeClass[R.Values[D][0]];
  }
  std::vector<int64_t> Values(P.Attributes.size(), 0);
  for (uint32_t A = 0; A < P.Attributes.size(); ++A)
    Values[A] = P.Attributes[A].Default.value_or(0);
  for (auto [A, V] : R.Attrs)
    Values[A] = V;
  std::vector<uint32_t> Attrs;
  for (uint32_t A = 0; A < P.Attributes.size(); ++A)
    Attrs.push_back((*DD)->domain(A).indexOf(Values[A]));
  return fromTerminal((*DD)->evaluate(Classes, Attrs));
}

bool singleWalk(const Policy &P, const Request &R) {
  if (R.dim(Dimension::Data).size() > 1)
    return false;
  std::vector<bool> Known(P.Attributes.size(), false);
  for (auto [A, V] : R.Attrs)
    Known[A] = true;
  for (uint32_t A = 0; A < P.Attributes.size(); ++A)
    if (!Known[A] && !P.Attributes[A].Default)
      return false;
  return true;
}

TEST(Property, DiagramMatchesReferenceOnSingleWalks) {
  checkAgainstReference(1, scaled(1500), 12, decideWithDiagram, singleWalk);
}

TEST(Property, DiagramMatchesReferenceOnEveryLeafRequest) {
  std::mt19937_64 Rng(7);
  for (unsigned I = 0, N = scaled(300); I < N; ++I) {
    Policy P = randomPolicy(Rng);
    auto DD = DecisionDiagram::build(P);
    ASSERT_TRUE(bool(DD)) << llvm::toString(DD.takeError());
    ReferenceEvaluator Ref(P);
    // Every leaf of every dimension, with one random relevant value per attribute.
    std::array<LeafIndex, NumDimensions> Leaves{};
    std::array<unsigned, NumDimensions> Sizes{};
    for (unsigned D = 0; D < NumDimensions; ++D)
      Sizes[D] = P.Vocab[D].empty() ? 1 : P.Vocab[D].numLeaves();
    std::array<unsigned, NumDimensions> Pos{};
    while (true) {
      for (unsigned D = 0; D < NumDimensions; ++D)
        Leaves[D] = P.Vocab[D].empty() ? NoIndex : Pos[D];
      std::vector<int64_t> Values;
      for (uint32_t A = 0; A < P.Attributes.size(); ++A) {
        std::vector<int64_t> Rel = Ref.relevantValues(A);
        Values.push_back(Rel[Rng() % Rel.size()]);
      }
      RefDecision Expected = Ref.decideLeaf(Leaves, Values);
      RefDecision Actual = fromTerminal((*DD)->decideLeaf(Leaves, Values));
      ASSERT_TRUE(Expected == Actual)
          << "policy " << I << "\n"
          << describePolicy(P) << "reference: " << describeDecision(P, Expected)
          << "\ndiagram: " << describeDecision(P, Actual);
      unsigned D = 0;
      for (; D < NumDimensions; ++D) {
        if (++Pos[D] < Sizes[D])
          break;
        Pos[D] = 0;
      }
      if (D == NumDimensions)
        break;
    }
  }
}

/// P lowered with TestOptions, serialised and loaded as a service would load it; null, with
/// Error saying why, when either step fails.
std::shared_ptr<const rt::CompiledPolicy> compileAndLoad(const Policy &P, std::string &Error) {
  auto Contents = compilePolicy(P, TestOptions);
  if (!Contents) {
    Error = llvm::toString(Contents.takeError());
    return nullptr;
  }
  auto Loaded = rt::CompiledPolicy::fromBytes(rt::serializeArtifact(*Contents));
  if (!Loaded) {
    Error = "artifact rejected: " + Loaded.error();
    return nullptr;
  }
  return Loaded.take();
}

/// A runtime decision in the reference evaluator's terms.
RefDecision fromRuntime(const rt::CompiledPolicy &CP, const rt::Decision &D) {
  RefDecision Out;
  if (D.isError()) {
    Out.K = RefDecision::Error;
    Out.Message = D.error();
    return Out;
  }
  Out.K = D.permitted() ? RefDecision::Allow : RefDecision::Deny;
  Out.Rules.assign(D.rules().begin(), D.rules().end());
  for (uint32_t I : D.obligations()) {
    rt::ObligationInstance OI = CP.obligationInstance(I);
    ObligationRef O;
    O.Obligation = OI.Obligation;
    if (OI.HasArg)
      O.Arg = OI.Arg;
    Out.Obligations.push_back(O);
  }
  return Out;
}

/// The whole pipeline: lower, serialise, load, decide with the runtime.
RefDecision decideWithRuntime(const Policy &P, const Request &R) {
  RefDecision Out;
  Out.K = RefDecision::Error;
  auto Loaded = compileAndLoad(P, Out.Message);
  if (!Loaded)
    return Out;
  const rt::CompiledPolicy &CP = *Loaded;
  return fromRuntime(CP, CP.decide(toRuntimeRequest(P, CP, R)));
}

TEST(Property, RuntimeMatchesReferenceOnEveryKindOfRequest) {
  checkAgainstReference(2, scaled(1500), 10, decideWithRuntime,
                        [](const Policy &, const Request &) { return true; });
}

/// With no budget for group edges every group value is met by the evaluator (diagram) or the
/// runtime; with a small one, nodes keep a prefix of their group edges.
TEST(Property, GroupValuesMetAtDecisionTimeMatchReference) {
  for (uint64_t Budget : {0, 3, 40}) {
    TestOptions = DiagramOptions();
    TestOptions.DerivedStepBudget = Budget;
    checkAgainstReference(10 + Budget, scaled(400), 12, decideWithDiagram, singleWalk);
    checkAgainstReference(20 + Budget, scaled(400), 10, decideWithRuntime,
                          [](const Policy &, const Request &) { return true; });
  }
  TestOptions = DiagramOptions();
}

/// The indexed rule evaluator (the fallback for diagrams over budget): rule lists below the
/// first 0, 1 or 2 tested dimensions, every kind of request, through the runtime.
TEST(Property, IndexedRuleEvaluatorMatchesReference) {
  for (uint32_t Levels : {0u, 1u, 2u}) {
    TestOptions = DiagramOptions();
    TestOptions.ForceRuleLists = true;
    TestOptions.RuleListLevels = Levels;
    checkAgainstReference(30 + Levels, scaled(500), 10, decideWithRuntime,
                          [](const Policy &, const Request &) { return true; });
  }
  TestOptions = DiagramOptions();
}

// The same, with every dimension's scope checked through the rule records rather than the
// transposed rows the loader builds (which a very large policy would not get).
TEST(Property, IndexedRuleEvaluatorWithoutScopeRowsMatchesReference) {
  uint64_t Saved = rt::ScopeRowWordLimit;
  rt::ScopeRowWordLimit = 0;
  TestOptions = DiagramOptions();
  TestOptions.ForceRuleLists = true;
  TestOptions.RuleListLevels = 1;
  checkAgainstReference(40, scaled(300), 10, decideWithRuntime,
                        [](const Policy &, const Request &) { return true; });
  TestOptions = DiagramOptions();
  rt::ScopeRowWordLimit = Saved;
}

/// Random requests as BatchDecider's columns (one value per dimension, data as offsets and
/// ids, every attribute a column with presence), kept alive with the view.
struct RequestColumns {
  std::vector<uint32_t> Values[NumDimensions];
  std::vector<uint64_t> Offsets{0};
  std::vector<uint32_t> DataIds;
  std::vector<std::vector<int64_t>> AttrValues;
  std::vector<std::vector<uint8_t>> AttrPresent;
  std::vector<rt::BatchColumns::Attribute> Attrs;
  rt::BatchColumns View;

  RequestColumns(const Policy &P, const std::vector<Request> &Reqs) {
    const size_t Rows = Reqs.size();
    AttrValues.assign(P.Attributes.size(), std::vector<int64_t>(Rows, 0));
    AttrPresent.assign(P.Attributes.size(), std::vector<uint8_t>(Rows, 0));
    for (unsigned D = 0; D < NumDimensions; ++D)
      Values[D].assign(Rows, rt::InvalidId);
    for (size_t R = 0; R < Rows; ++R) {
      for (unsigned D = 0; D < NumDimensions; ++D) {
        const auto &Vals = Reqs[R].Values[D];
        if (Dimension(D) == Dimension::Data)
          DataIds.insert(DataIds.end(), Vals.begin(), Vals.end());
        else if (!Vals.empty())
          Values[D][R] = Vals.back(); // as toRuntimeRequest: the last value set wins
      }
      Offsets.push_back(DataIds.size());
      for (auto [A, V] : Reqs[R].Attrs)
        if (A < P.Attributes.size()) {
          AttrValues[A][R] = V;
          AttrPresent[A][R] = 1;
        }
    }
    View.NumRows = Rows;
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (Dimension(D) != Dimension::Data)
        View.Values[D] = Values[D].data();
    View.DataOffsets = Offsets.data();
    View.DataIds = DataIds.data();
    for (uint32_t A = 0; A < P.Attributes.size(); ++A)
      Attrs.push_back({A, AttrValues[A].data(), AttrPresent[A].data()});
    View.Attributes = Attrs.data();
    View.NumAttributes = Attrs.size();
  }
};

/// The batch API (BatchDecider: its interleaved walks, forced here on these small diagrams, and
/// each of its ways back to decide(): rule lists, group values to meet, attributes without a
/// value, several data categories, mistakes, and its memo and run check): every row of batches
/// of random requests, runs of equal rows among them, against the reference evaluator.
TEST(Property, BatchMatchesReference) {
  const uint64_t SavedWords = rt::InterleavedWalksFromWords;
  rt::InterleavedWalksFromWords = 0;
  size_t Checked = 0;
  for (unsigned Variant = 0; Variant < 4; ++Variant) {
    TestOptions = DiagramOptions();
    if (Variant == 1)
      TestOptions.DerivedStepBudget = 0; // every group value is met at decision time
    if (Variant >= 2) {
      TestOptions.ForceRuleLists = true;
      TestOptions.RuleListLevels = Variant - 2;
    }
    std::mt19937_64 Rng(60 + Variant);
    for (unsigned I = 0, N = scaled(150); I < N; ++I) {
      Policy P = randomPolicy(Rng);
      std::string Error;
      auto Loaded = compileAndLoad(P, Error);
      ASSERT_TRUE(Loaded) << Error;
      const rt::CompiledPolicy &CP = *Loaded;
      // More rows than a group of walks, fewer than a block; a quarter repeat the row before.
      std::vector<Request> Reqs;
      for (unsigned K = 0; K < 50; ++K)
        Reqs.push_back(K && Rng() % 4 == 0 ? Reqs.back() : randomRequest(P, Rng));
      RequestColumns Cols(P, Reqs);
      rt::BatchDecider Batch(CP);
      // Twice: the second time the memo answers the rows the first walked.
      for (unsigned Pass = 0; Pass < 2; ++Pass) {
        std::vector<uint32_t> Ids(Reqs.size());
        rt::Status S = Batch.decide(Cols.View, {nullptr, Ids.data(), nullptr});
        ASSERT_TRUE(S.ok()) << S.error();
        ReferenceEvaluator Ref(P);
        for (size_t R = 0; R < Reqs.size(); ++R) {
          RefDecision Expected = Ref.decide(Reqs[R]);
          RefDecision Actual = fromRuntime(CP, Batch.decision(Ids[R]));
          ASSERT_TRUE(Expected == Actual)
              << "variant " << Variant << ", policy " << I << ", pass " << Pass << ", row " << R
              << "\n"
              << describePolicy(P) << "request: " << describeRequest(P, Reqs[R])
              << "\nreference: " << describeDecision(P, Expected)
              << "\nbatch:     " << describeDecision(P, Actual);
          ++Checked;
        }
      }
    }
  }
  TestOptions = DiagramOptions();
  rt::InterleavedWalksFromWords = SavedWords;
  EXPECT_EQ(Checked, 4u * scaled(150) * 50 * 2);
}

} // namespace

// "Why not" (CompiledPolicy::whyNot) on random policies and requests, with and without rule
// lists: every value a split lists as allowed is allowed on its own and every denied one is not,
// both lists are non-empty, a nearest rule with nothing unmet is overridden by a deny, and an
// allowed request has nothing to explain.
TEST(Property, WhyNotIsConsistentWithDecisions) {
  std::mt19937_64 Rng(77);
  unsigned Splits = 0, Nearest = 0;
  for (unsigned I = 0, N = scaled(400); I < N; ++I) {
    TestOptions = DiagramOptions();
    TestOptions.ForceRuleLists = I % 2 == 1;
    Policy P = randomPolicy(Rng);
    std::string Error;
    auto Loaded = compileAndLoad(P, Error);
    ASSERT_TRUE(Loaded) << Error;
    const rt::CompiledPolicy &CP = *Loaded;
    for (unsigned K = 0; K < 10; ++K) {
      Request R = randomRequest(P, Rng);
      rt::Request Req = toRuntimeRequest(P, CP, R);
      rt::Decision D = CP.decide(Req);
      rt::Result<rt::WhyNot> W = CP.whyNot(Req);
      if (Req.hasError()) {
        EXPECT_FALSE(bool(W));
        continue;
      }
      ASSERT_TRUE(bool(W)) << W.error();
      std::string Where = describePolicy(P) + "request: " + describeRequest(P, R);
      ASSERT_EQ(W->Denied, D.kind() == rt::Decision::Kind::Deny) << Where;
      if (!W->Denied)
        continue;
      EXPECT_EQ(W->Splits.empty(), bool(W->Whole)) << Where;
      auto CheckReason = [&](const rt::WhyNotReason &Why) {
        if (Why.Nearest == rt::InvalidId || !Why.Error.empty())
          return;
        ++Nearest;
        EXPECT_GE(Why.Tied, 1u) << Where;
        EXPECT_TRUE(CP.rule(Why.Nearest).IsAllow) << Where;
        if (Why.Mismatches.empty()) {
          EXPECT_FALSE(Why.DenyRules.empty()) << Where;
        }
      };
      if (W->Whole)
        CheckReason(*W->Whole);
      for (const rt::WhyNotSplit &S : W->Splits) {
        ++Splits;
        EXPECT_FALSE(S.Allowed.empty()) << Where;
        EXPECT_FALSE(S.Denied.empty()) << Where;
        rt::Request Q = Req;
        for (uint32_t V : S.Allowed)
          EXPECT_TRUE(CP.decide(Q.set(S.D, V)).permitted()) << Where;
        for (const rt::WhyNotSplit::Part &Part : S.Denied) {
          CheckReason(Part.Reason);
          for (uint32_t V : Part.Values)
            EXPECT_FALSE(CP.decide(Q.set(S.D, V)).permitted()) << Where;
        }
      }
    }
  }
  TestOptions = DiagramOptions();
  // The generator must reach both kinds of explanation, or this test checks nothing.
  EXPECT_GT(Splits, 0u);
  EXPECT_GT(Nearest, 0u);
}
