//===- RegionsTest.cpp - Rule regions against the reference evaluator -------------------===//
//
// Random policies with hierarchies, negated items, conditions, obligations and nested exceptions;
// every leaf request's decision from the regions must equal the reference evaluator's.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Analysis/Regions.h"
#include "PolicyBuilder.h"
#include "ReferenceEvaluator.h"

#include <gtest/gtest.h>

#include <random>

using namespace privet;
using namespace privet::analysis;
using privet::testing::PolicyBuilder;

namespace {

struct LeafPoint {
  std::array<LeafIndex, NumDimensions> Leaves{};
  std::vector<int64_t> Attrs;
};

bool applies(const Policy &P, uint32_t R, const LeafPoint &X) {
  const Rule &Rl = P.Rules[R];
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (Rl.S.Dims[D] && !(*Rl.S.Dims[D])[X.Leaves[D]])
      return false;
  if (Rl.Condition && !evaluateCondition(*Rl.Condition, X.Attrs))
    return false;
  return Rl.Parent == NoIndex || applies(P, Rl.Parent, X);
}

class RandomPolicy {
public:
  explicit RandomPolicy(unsigned Seed) : Rng(Seed) {
    B.node(Dimension::Action, "use");
    B.node(Dimension::Action, "collect", {"use"});
    B.node(Dimension::Action, "share", {"use"});
    B.node(Dimension::Action, "delete");
    B.node(Dimension::Data, "personal");
    B.node(Dimension::Data, "email", {"personal"});
    B.node(Dimension::Data, "contact", {"personal"});
    B.node(Dimension::Data, "phone", {"contact"});
    B.node(Dimension::Data, "address", {"contact"});
    B.node(Dimension::Data, "logs");
    B.node(Dimension::Purpose, "ads");
    B.node(Dimension::Purpose, "ops");
    B.obligation("notify");
    B.obligation("retain");
    Flag = B.attribute("flag", AttrKind::Bool, false);
    Age = B.attribute("age", AttrKind::Int);
    B.close();
    unsigned N = 3 + Rng() % 6;
    for (unsigned I = 0; I != N; ++I)
      addRule(NoIndex, 0);
  }

  Policy &policy() { return B.policy(); }

private:
  std::vector<std::string> pickNames(Dimension D) {
    const Vocabulary &V = B.policy().vocab(D);
    std::vector<std::string> Out;
    unsigned K = 1 + Rng() % 2;
    for (unsigned I = 0; I != K; ++I)
      Out.push_back((Rng() % 5 == 0 ? "!" : "") + V.Nodes[Rng() % V.Nodes.size()].Name);
    return Out;
  }
  std::optional<Cond> pickCond() {
    switch (Rng() % 5) {
    case 0:
      return PolicyBuilder::boolAttr(Flag);
    case 1:
      return PolicyBuilder::cmp(Age, CmpOp(Rng() % 6), int64_t(Rng() % 20));
    case 2:
      return PolicyBuilder::negate(PolicyBuilder::both(
          PolicyBuilder::boolAttr(Flag), PolicyBuilder::cmp(Age, CmpOp::Ge, int64_t(Rng() % 20))));
    default:
      return std::nullopt;
    }
  }
  void addRule(uint32_t Parent, unsigned Depth) {
    bool Allow = Parent == NoIndex ? Rng() % 3 != 0 : !B.policy().Rules[Parent].IsAllow;
    std::initializer_list<std::pair<Dimension, std::vector<std::string>>> None = {};
    Scope S = B.scope(None);
    if (Rng() % 3)
      S = B.scope({{Dimension::Action, pickNames(Dimension::Action)},
                   {Dimension::Data, pickNames(Dimension::Data)}});
    else if (Rng() % 2)
      S = B.scope({{Dimension::Data, pickNames(Dimension::Data)},
                   {Dimension::Purpose, pickNames(Dimension::Purpose)}});
    std::vector<ObligationRef> Obls;
    if (Allow && Rng() % 2)
      Obls.push_back({NodeId(Rng() % 2), std::nullopt, {}});
    uint32_t R =
        B.rule("r" + std::to_string(B.policy().Rules.size()), Allow, S, pickCond(), Obls, Parent);
    if (Depth < 2)
      for (unsigned E = Rng() % 3 == 0 ? 1 + Rng() % 2 : 0; E-- > 0;)
        addRule(R, Depth + 1);
  }

  std::mt19937 Rng;
  PolicyBuilder B;
  uint32_t Flag = 0, Age = 0;
};

TEST(RegionsTest, DecisionsMatchTheSemanticsOnRandomPolicies) {
  for (unsigned Seed = 1; Seed <= 300; ++Seed) {
    RandomPolicy RP(Seed);
    const Policy &P = RP.policy();
    RequestSpace S({&P});
    PolicyRegions R(S, 0);
    ReferenceEvaluator Ref(P);
    LeafPoint X;
    X.Attrs.assign(2, 0);
    std::vector<uint32_t> Point(S.mdd().numVars(), 0);
    for (LeafIndex A = 0; A != P.vocab(Dimension::Action).numLeaves(); ++A)
      for (LeafIndex D = 0; D != P.vocab(Dimension::Data).numLeaves(); ++D)
        for (LeafIndex Pu = 0; Pu != P.vocab(Dimension::Purpose).numLeaves(); ++Pu)
          for (int64_t Flag = 0; Flag != 2; ++Flag)
            for (int64_t Age = -2; Age != 23; ++Age) {
              X.Leaves[unsigned(Dimension::Action)] = A;
              X.Leaves[unsigned(Dimension::Data)] = D;
              X.Leaves[unsigned(Dimension::Purpose)] = Pu;
              X.Attrs = {Flag, Age};
              Point[S.dimVar(Dimension::Action)] = A;
              Point[S.dimVar(Dimension::Data)] = D;
              Point[S.dimVar(Dimension::Purpose)] = Pu;
              Point[S.attrVar(0)] = S.attrs()[0].indexOf(Flag);
              Point[S.attrVar(1)] = S.attrs()[1].indexOf(Age);
              RefDecision Want = Ref.decideLeaf(X.Leaves, X.Attrs);
              PointDecision Got = R.decide(Point);
              ASSERT_EQ(Want.K == RefDecision::Allow, Got.Allow) << "seed " << Seed;
              ASSERT_EQ(Want.Rules, Got.Rules) << "seed " << Seed;
              ASSERT_EQ(Want.Obligations.size(), Got.Obligations.size()) << "seed " << Seed;
              for (size_t I = 0; I != Want.Obligations.size(); ++I)
                ASSERT_EQ(Want.Obligations[I].Obligation, Got.Obligations[I].Obligation)
                    << "seed " << Seed;
              for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl)
                ASSERT_EQ(S.mdd().contains(R.applies(Rl), Point), applies(P, Rl, X))
                    << "seed " << Seed;
            }
  }
}

} // namespace
