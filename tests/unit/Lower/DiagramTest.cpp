//===- DiagramTest.cpp - Construction and evaluation of the decision diagram, and lowering ---===//
#include "RandomPolicy.h"
#include "ReferenceEvaluator.h"

#include "privet/Artifact.h"
#include "privet/Lower/DecisionDiagram.h"
#include "privet/Lower/Lowering.h"

#include "gtest/gtest.h"

#include <set>

using namespace privet;
using namespace privet::testing;

namespace {

/// Adds (name, parent) nodes to a vocabulary; parents must come first.
void addNodes(Vocabulary &V, std::vector<std::pair<std::string, std::string>> Nodes) {
  for (auto &[Name, Parent] : Nodes) {
    VocabNode N;
    N.Name = Name;
    NodeId Id = V.Nodes.size();
    if (!Parent.empty())
      for (NodeId P = 0; P < V.Nodes.size(); ++P)
        if (V.Nodes[P].Name == Parent) {
          N.Parents.push_back(P);
          V.Nodes[P].Children.push_back(Id);
        }
    V.Nodes.push_back(N);
  }
  closeVocabulary(V);
}

NodeId node(const Policy &P, Dimension D, llvm::StringRef Name) {
  for (NodeId N = 0; N < P.vocab(D).Nodes.size(); ++N)
    if (P.vocab(D).Nodes[N].Name == Name)
      return N;
  ADD_FAILURE() << "no node " << Name.str();
  return 0;
}

Scope scopeOf(const Policy &P, std::vector<std::pair<Dimension, std::string>> Items) {
  Scope S;
  for (auto &[D, Name] : Items) {
    NodeId N = node(P, D, Name);
    auto &Set = S.dim(D);
    if (!Set)
      Set = llvm::BitVector(P.vocab(D).numLeaves());
    P.vocab(D).Covers[N].addTo(*Set);
    S.Written[unsigned(D)].push_back({N, false});
  }
  return S;
}

/// The example of docs/language.md, "Semantics".
Policy examplePolicy() {
  Policy P;
  P.Modules.push_back(Module{"example", "Example", "1", "", true, 0});
  P.Files.push_back("example.privet");
  addNodes(P.vocab(Dimension::Action), {{"use", ""}, {"share", ""}});
  addNodes(P.vocab(Dimension::Data), {{"personal_information", ""},
                                      {"contact", "personal_information"},
                                      {"name", "contact"},
                                      {"title", "contact"},
                                      {"email_address", "contact"},
                                      {"payment", "personal_information"},
                                      {"ip_address", ""}});
  addNodes(P.vocab(Dimension::Purpose), {{"marketing", ""}, {"site_operation", ""}});
  addNodes(P.Obligations, {{"unsubscribe_link", ""}});
  Attribute OptOut;
  OptOut.Name = "marketing_opt_out";
  OptOut.Kind = AttrKind::Bool;
  OptOut.Default = 0;
  P.Attributes.push_back(OptOut);

  Rule Allow;
  Allow.Id = "marketing_email";
  Allow.S = scopeOf(P, {{Dimension::Action, "use"},
                        {Dimension::Data, "contact"},
                        {Dimension::Purpose, "marketing"}});
  Allow.Obligations.push_back(ObligationRef{0, std::nullopt, Loc()});
  Allow.Exceptions = {1};
  Allow.Location = Loc{0, 3, 1, {}};
  Allow.SourceText = "allow use contact for marketing with unsubscribe_link";
  Rule OptedOut;
  OptedOut.Id = "opted_out";
  OptedOut.IsAllow = false;
  OptedOut.Parent = 0;
  OptedOut.Condition = Cond();
  OptedOut.Condition->K = Cond::BoolAttr;
  OptedOut.Condition->Attr = 0;
  Rule NoPayment;
  NoPayment.Id = "no_payment";
  NoPayment.IsAllow = false;
  NoPayment.S = scopeOf(P, {{Dimension::Action, "use"},
                            {Dimension::Data, "payment"},
                            {Dimension::Purpose, "marketing"}});
  P.Rules = {Allow, OptedOut, NoPayment};
  return P;
}

std::unique_ptr<DecisionDiagram> build(const Policy &P, DiagramOptions Opts = {}) {
  auto DD = DecisionDiagram::build(P, Opts);
  EXPECT_TRUE(bool(DD));
  if (!DD) {
    llvm::consumeError(DD.takeError());
    return nullptr;
  }
  return std::move(*DD);
}

/// One walk for named values ("" omits the dimension).
DiagramTerminal walk(const DecisionDiagram &DD, const Policy &P, std::string Action,
                     std::string Data, std::string Purpose, bool OptOut) {
  std::array<uint32_t, NumDimensions> Classes{};
  auto ClassOf = [&](Dimension D, const std::string &Name) {
    const DimensionClasses &DC = DD.classes(D);
    return Name.empty() ? DC.OmittedClass : DC.NodeClass[node(P, D, Name)];
  };
  Classes[unsigned(Dimension::Action)] = ClassOf(Dimension::Action, Action);
  Classes[unsigned(Dimension::Data)] = ClassOf(Dimension::Data, Data);
  Classes[unsigned(Dimension::Purpose)] = ClassOf(Dimension::Purpose, Purpose);
  return DD.evaluate(Classes, {OptOut ? 1u : 0u});
}

TEST(Diagram, LanguageReferenceExample) {
  Policy P = examplePolicy();
  auto DD = build(P);
  ASSERT_TRUE(DD);
  const DiagramTerminal &Allowed = walk(*DD, P, "use", "email_address", "marketing", false);
  EXPECT_TRUE(Allowed.Allow);
  EXPECT_EQ(Allowed.Rules, std::vector<uint32_t>{0});
  ASSERT_EQ(Allowed.Obligations.size(), 1u);
  EXPECT_EQ(Allowed.Obligations[0].Obligation, 0u);

  const DiagramTerminal &OptedOut = walk(*DD, P, "use", "email_address", "marketing", true);
  EXPECT_FALSE(OptedOut.Allow);
  EXPECT_EQ(OptedOut.Rules, std::vector<uint32_t>{1});

  // `contact` is not a leaf: allowed because name, title and email_address all are.
  EXPECT_TRUE(walk(*DD, P, "use", "contact", "marketing", false).Allow);
  const DiagramTerminal &Payment = walk(*DD, P, "use", "payment", "marketing", false);
  EXPECT_FALSE(Payment.Allow);
  EXPECT_EQ(Payment.Rules, std::vector<uint32_t>{2});
  const DiagramTerminal &Ip = walk(*DD, P, "use", "ip_address", "marketing", false);
  EXPECT_FALSE(Ip.Allow);
  EXPECT_TRUE(Ip.Rules.empty());
  // personal_information covers payment: the meet denies with the denying leaf's rule.
  const DiagramTerminal &All = walk(*DD, P, "use", "personal_information", "marketing", false);
  EXPECT_FALSE(All.Allow);
  EXPECT_EQ(All.Rules, std::vector<uint32_t>{2});
  // Omitted purpose covers site_operation, where nothing allows.
  EXPECT_FALSE(walk(*DD, P, "use", "email_address", "", false).Allow);
}

TEST(Diagram, LeavesWithTheSameScopesShareAClass) {
  Policy P = examplePolicy();
  auto DD = build(P);
  ASSERT_TRUE(DD);
  const DimensionClasses &Data = DD->classes(Dimension::Data);
  // {name, title, email_address}, {payment}, {ip_address}.
  EXPECT_EQ(Data.NumLeafClasses, 3u);
  NodeId Name = node(P, Dimension::Data, "name");
  NodeId Email = node(P, Dimension::Data, "email_address");
  NodeId Contact = node(P, Dimension::Data, "contact");
  EXPECT_EQ(Data.NodeClass[Name], Data.NodeClass[Email]);
  // A non-leaf value covering one class is that class; others get derived classes.
  EXPECT_EQ(Data.NodeClass[Contact], Data.NodeClass[Name]);
  uint32_t PI = Data.NodeClass[node(P, Dimension::Data, "personal_information")];
  EXPECT_GE(PI, Data.NumLeafClasses);
  EXPECT_EQ(Data.Covers[PI].size(), 2u);
  EXPECT_EQ(Data.Covers[Data.OmittedClass].size(), 3u);
  // Actions: `use` is constrained, `share` is not.
  EXPECT_EQ(DD->classes(Dimension::Action).NumLeafClasses, 2u);
  // Empty vocabularies have one class and are never tested.
  EXPECT_EQ(DD->classes(Dimension::Region).NumClasses, 1u);
}

TEST(Diagram, NoRulesIsAConstantDefaultDeny) {
  Policy P = examplePolicy();
  P.Rules.clear();
  auto DD = build(P);
  ASSERT_TRUE(DD);
  EXPECT_TRUE(DecisionDiagram::isTerminal(DD->root()));
  EXPECT_EQ(DD->numNodes(), 0u);
  EXPECT_FALSE(DD->terminal(DD->root()).Allow);
  EXPECT_TRUE(DD->terminal(DD->root()).Rules.empty());
}

TEST(Diagram, IntegerConditionsSplitIntoIntervals) {
  Policy P = examplePolicy();
  Attribute Age;
  Age.Name = "age";
  Age.Kind = AttrKind::Int;
  P.Attributes.push_back(Age);
  Cond Adult;
  Adult.K = Cond::Compare;
  Adult.Attr = 1;
  Adult.Op = CmpOp::Ge;
  Adult.Value = 18;
  P.Rules[2].Condition = Adult; // no_payment only for adults
  auto DD = build(P);
  ASSERT_TRUE(DD);
  EXPECT_EQ(DD->domain(1).Cuts, std::vector<int64_t>{18});
  std::array<LeafIndex, NumDimensions> Leaves{};
  Leaves.fill(NoIndex);
  Leaves[unsigned(Dimension::Action)] = 0;
  Leaves[unsigned(Dimension::Data)] =
      P.vocab(Dimension::Data).LeafOf[node(P, Dimension::Data, "payment")];
  Leaves[unsigned(Dimension::Purpose)] = 0;
  EXPECT_EQ(DD->decideLeaf(Leaves, {0, 18}).Rules, std::vector<uint32_t>{2});
  EXPECT_TRUE(DD->decideLeaf(Leaves, {0, 17}).Rules.empty());
  EXPECT_EQ(DD->decideLeaf(Leaves, {0, 1000}).Rules, std::vector<uint32_t>{2});
}

TEST(Diagram, EveryOrderGivesTheSameDecisions) {
  std::mt19937_64 Rng(11);
  for (unsigned I = 0; I < 200; ++I) {
    Policy P = randomPolicy(Rng);
    ReferenceEvaluator Ref(P);
    std::vector<std::unique_ptr<DecisionDiagram>> Diagrams;
    for (DimensionOrder O : {DimensionOrder::Heuristic, DimensionOrder::Declaration,
                             DimensionOrder::FewestClasses, DimensionOrder::MostClasses}) {
      DiagramOptions Opts;
      Opts.Order = O;
      Diagrams.push_back(build(P, Opts));
      ASSERT_TRUE(Diagrams.back());
    }
    for (unsigned J = 0; J < 20; ++J) {
      std::array<LeafIndex, NumDimensions> Leaves;
      for (unsigned D = 0; D < NumDimensions; ++D)
        Leaves[D] = P.Vocab[D].empty() ? NoIndex : Rng() % P.Vocab[D].numLeaves();
      std::vector<int64_t> Values;
      for (uint32_t A = 0; A < P.Attributes.size(); ++A) {
        auto Rel = Ref.relevantValues(A);
        Values.push_back(Rel[Rng() % Rel.size()]);
      }
      for (auto &DD : Diagrams)
        EXPECT_TRUE(DD->decideLeaf(Leaves, Values) == Diagrams[0]->decideLeaf(Leaves, Values));
    }
  }
}

// Returning freed memory during the build (here after every subdiagram) and while lowering changes
// nothing that is built; a small build does not pay for it at the default interval.
TEST(Diagram, ReturningFreedMemoryChangesNothing) {
  std::mt19937_64 Rng(17);
  for (unsigned I = 0; I < 40; ++I) {
    Policy P = I == 0 ? examplePolicy() : randomPolicy(Rng);
    DiagramOptions Never, Always;
    Never.ReturnMemoryEvery = 0;
    Always.ReturnMemoryEvery = 1;
    auto A = build(P, Never), B = build(P, Always), C = build(P);
    ASSERT_TRUE(A && B && C);
    EXPECT_EQ(A->buildStats().MemoryReturns, 0u);
    if (I == 0) {
      EXPECT_GT(B->buildStats().MemoryReturns, 0u);
    }
    EXPECT_EQ(C->buildStats().MemoryReturns, 0u);
    std::string Bytes = rt::serializeArtifact(lowerToArtifact(*A));
    EXPECT_EQ(rt::serializeArtifact(lowerToArtifact(*B)), Bytes);
    // B returned memory, so its lowering returns it too as it frees the diagram.
    EXPECT_EQ(rt::serializeArtifact(lowerAndReleaseDiagram(*B)), Bytes);
  }
}

TEST(Diagram, NodesAreSharedAndReduced) {
  std::mt19937_64 Rng(5);
  for (unsigned I = 0; I < 200; ++I) {
    Policy P = randomPolicy(Rng);
    auto DD = build(P);
    ASSERT_TRUE(DD);
    std::set<std::pair<uint32_t, std::vector<uint32_t>>> Seen;
    for (DecisionDiagram::Ref R : DD->nodesBottomUp()) {
      DecisionDiagram::NodeView V = DD->node(R);
      // Reduced: no node has all children equal. Shared: no two nodes are equal.
      EXPECT_FALSE(std::all_of(V.Children.begin(), V.Children.end(),
                               [&](auto C) { return C == V.Children[0]; }));
      EXPECT_TRUE(Seen.insert({V.Var.Index + (V.Var.IsDimension ? 0 : 100),
                               std::vector<uint32_t>(V.Children.begin(), V.Children.end())})
                      .second);
    }
  }
}

TEST(Diagram, NodeBudgetIsEnforced) {
  Policy P = examplePolicy();
  DiagramOptions Opts;
  Opts.NodeBudget = 1;
  auto DD = DecisionDiagram::build(P, Opts);
  ASSERT_FALSE(bool(DD));
  EXPECT_NE(llvm::toString(DD.takeError()).find("node budget of 1 nodes"), std::string::npos);
}

TEST(Diagram, WorkBudgetIsEnforced) {
  Policy P = examplePolicy();
  DiagramOptions Opts;
  Opts.StepBudget = 1;
  auto DD = DecisionDiagram::build(P, Opts);
  ASSERT_FALSE(bool(DD));
  EXPECT_NE(llvm::toString(DD.takeError()).find("work budget of 1 steps"), std::string::npos);
}

// With a fallback, a build projected far over its budgets stops early for the rule index;
// without one, it runs to the budget itself, since stopping early would only turn a diagram
// that might fit into an error.
TEST(Diagram, ProjectionOverBudgetFallsBackEarly) {
  std::mt19937_64 Rng(11);
  unsigned Projected = 0, Fitted = 0;
  for (unsigned I = 0; I < 400; ++I) {
    Policy P = randomPolicy(Rng);
    DiagramOptions Opts;
    Opts.StepBudget = 100;
    auto DD = DecisionDiagram::build(P, Opts);
    if (!DD) {
      llvm::consumeError(DD.takeError()); // the rule index over budget too
      continue;
    }
    if ((*DD)->buildStats().FallbackReason.find("projected") == std::string::npos)
      continue;
    ++Projected;
    Opts.AllowRuleLists = false;
    auto Full = DecisionDiagram::build(P, Opts);
    if (!Full)
      EXPECT_EQ(llvm::toString(Full.takeError()).find("projected"), std::string::npos);
    else
      ++Fitted;
  }
  EXPECT_GT(Projected, 0u);
  // The projection errs high on purpose; it must not do so often.
  EXPECT_LE(Fitted * 4, Projected);
}

// Every cell of the example, with a rule that never decides alone, against the decisions the
// language reference gives: the diagram's leaf lookups and its class walks agree with them.
TEST(Diagram, EveryCellOfTheExample) {
  Policy P = examplePolicy();
  Rule Shadowed = P.Rules[2];
  Shadowed.Id = "shadowed";
  P.Rules.push_back(Shadowed);
  auto DD = build(P);
  ASSERT_TRUE(DD);
  ReferenceEvaluator Ref(P);
  unsigned Allowed = 0, Cells = 0;
  std::vector<unsigned> Decides(P.Rules.size(), 0);
  const Vocabulary &Data = P.vocab(Dimension::Data);
  for (LeafIndex Action = 0; Action < 2; ++Action)
    for (LeafIndex D = 0; D < Data.numLeaves(); ++D)
      for (LeafIndex Purpose = 0; Purpose < 2; ++Purpose)
        for (int64_t OptOut = 0; OptOut < 2; ++OptOut) {
          std::array<LeafIndex, NumDimensions> Leaves;
          Leaves.fill(NoIndex);
          Leaves[unsigned(Dimension::Action)] = Action;
          Leaves[unsigned(Dimension::Data)] = D;
          Leaves[unsigned(Dimension::Purpose)] = Purpose;
          const DiagramTerminal &T = DD->decideLeaf(Leaves, {OptOut});
          RefDecision Expected = Ref.decideLeaf(Leaves, {OptOut});
          EXPECT_EQ(T.Allow, Expected.K == RefDecision::Allow);
          EXPECT_EQ(T.Rules, Expected.Rules);
          std::array<uint32_t, NumDimensions> Classes{};
          for (unsigned Dim = 0; Dim < NumDimensions; ++Dim)
            if (Leaves[Dim] != NoIndex)
              Classes[Dim] = DD->classes(Dimension(Dim)).LeafClass[Leaves[Dim]];
          EXPECT_TRUE(DD->evaluate(Classes, {uint32_t(OptOut)}) == T);
          ++Cells;
          Allowed += T.Allow;
          for (uint32_t R : T.Rules)
            ++Decides[R];
        }
  // 2 actions x 5 data leaves x 2 purposes x 2 opt-out values; allowed: use x {name, title,
  // email_address} x marketing without opt-out.
  EXPECT_EQ(Cells, 40u);
  EXPECT_EQ(Allowed, 3u);
  EXPECT_EQ(Decides, (std::vector<unsigned>{3, 3, 2, 2}));
}

// The indexed rule evaluator lists each rule's scope by leaf classes; decisions through the
// runtime match the full diagram's.
TEST(Lowering, RuleListScopesByLeafClass) {
  Policy P = examplePolicy();
  DiagramOptions Opts;
  Opts.ForceRuleLists = true;
  auto DD = build(P, Opts);
  ASSERT_TRUE(DD);
  EXPECT_TRUE(DD->usesRuleLists());
  rt::ArtifactContents A = lowerToArtifact(*DD);
  ASSERT_TRUE(A.RuleTable);
  const DimensionClasses &DataClasses = DD->classes(Dimension::Data);
  const rt::RuleEntry &NoPayment = A.Rules[2];
  unsigned Data = unsigned(Dimension::Data);
  EXPECT_TRUE(NoPayment.Constrained & (1u << Data));
  LeafIndex Payment = P.vocab(Dimension::Data).LeafOf[node(P, Dimension::Data, "payment")];
  EXPECT_EQ(NoPayment.Scope[Data], std::vector<uint32_t>{DataClasses.LeafClass[Payment]});
  // opted_out has no scope of its own: it constrains nothing, and carries its condition.
  EXPECT_EQ(A.Rules[1].Constrained, 0u);
  EXPECT_FALSE(A.Rules[1].Condition.empty());
}

// Lowering that frees the diagram as it goes (compilePolicy's) writes the same artifact as lowering
// that keeps it, for full diagrams and for the indexed rule evaluator, and leaves the diagram
// without terminals or nodes.
TEST(Lowering, ReleasingTheDiagramLowersTheSameArtifact) {
  std::mt19937_64 Rng(23);
  for (unsigned I = 0; I < 40; ++I) {
    Policy P = I == 0 ? examplePolicy() : randomPolicy(Rng);
    for (bool Lists : {false, true}) {
      DiagramOptions Opts;
      Opts.ForceRuleLists = Lists;
      auto DD = build(P, Opts);
      ASSERT_TRUE(DD);
      std::string Kept = rt::serializeArtifact(lowerToArtifact(*DD));
      ASSERT_GT(DD->numTerminals() + DD->numNodes(), 0u);
      EXPECT_EQ(rt::serializeArtifact(lowerAndReleaseDiagram(*DD)), Kept);
      EXPECT_EQ(DD->numTerminals(), 0u);
      EXPECT_EQ(DD->numNodes(), 0u);
      EXPECT_EQ(DD->numEdges(), 0u);
      EXPECT_EQ(DD->usesRuleLists(), Lists);
    }
  }
}

TEST(Lowering, ArtifactTablesAndDiagramShape) {
  Policy P = examplePolicy();
  auto Contents = compilePolicy(P);
  ASSERT_TRUE(bool(Contents));
  const rt::ArtifactContents &A = *Contents;
  EXPECT_EQ(A.PolicyName, "example");
  const rt::DimensionTable &Data = A.Dims[unsigned(Dimension::Data)];
  EXPECT_EQ(Data.Name, "data");
  EXPECT_EQ(Data.ValueClass.size(), Data.ValueNames.size() + 1);
  EXPECT_EQ(Data.IsLeaf[node(P, Dimension::Data, "contact")], 0);
  EXPECT_EQ(A.Rules[1].Parent, 0u);
  EXPECT_EQ(A.Rules[0].File, "example.privet");
  EXPECT_EQ(A.Rules[0].Line, 3u);
  // Children come before parents; every dimension node has one child per class.
  for (uint32_t N = 0; N < A.Nodes.size(); ++N)
    for (uint32_t C : A.Nodes[N].Children) {
      EXPECT_TRUE((C & rt::TerminalBit) || C < N);
      if (A.Nodes[N].K == rt::Node::DimensionTest) {
        EXPECT_EQ(A.Nodes[N].Children.size(), A.Dims[A.Nodes[N].Var].NumClasses);
      }
    }
  ASSERT_EQ(A.ObligationInstances.size(), 1u);
  bool SawAllow = false;
  for (const rt::Terminal &T : A.Terminals) {
    if (!T.Allow)
      continue;
    SawAllow = true;
    EXPECT_EQ(T.Obligations, std::vector<uint32_t>{0});
  }
  EXPECT_TRUE(SawAllow);
}

} // namespace
