//===- Lowering.cpp - Flattening a decision diagram and symbol tables into ArtifactContents --===//
#include "privet/Lower/Lowering.h"

#include "DiagramImpl.h"

#include "privet/Basic/Memory.h"
#include "privet/Domain.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace privet {

static rt::AttrKind toRt(AttrKind K) {
  switch (K) {
  case AttrKind::Bool:
    return rt::AttrKind::Bool;
  case AttrKind::Int:
    return rt::AttrKind::Int;
  case AttrKind::Duration:
    return rt::AttrKind::Duration;
  case AttrKind::Enum:
    return rt::AttrKind::Enum;
  }
  return rt::AttrKind::Bool;
}

static bool isAtOrUnder(const Vocabulary &V, NodeId N, NodeId Ancestor, std::vector<int8_t> &Memo) {
  if (N == Ancestor)
    return true;
  if (Memo[N] >= 0)
    return Memo[N];
  bool Under = false;
  for (NodeId Parent : V.Nodes[N].Parents)
    if (Parent < V.Nodes.size() && isAtOrUnder(V, Parent, Ancestor, Memo)) {
      Under = true;
      break;
    }
  Memo[N] = Under;
  return Under;
}

/// A condition as the runtime's postfix bytecode (rt::CondOp).
static void emitCondition(const Cond &C, std::vector<uint32_t> &Out) {
  auto Value = [&](int64_t V) {
    Out.push_back(uint32_t(uint64_t(V)));
    Out.push_back(uint32_t(uint64_t(V) >> 32));
  };
  switch (C.K) {
  case Cond::True:
    Out.push_back(uint32_t(rt::CondOp::True));
    return;
  case Cond::False:
    Out.push_back(uint32_t(rt::CondOp::False));
    return;
  case Cond::Not:
    emitCondition(C.Ops[0], Out);
    Out.push_back(uint32_t(rt::CondOp::Not));
    return;
  case Cond::And:
  case Cond::Or:
    for (const Cond &Op : C.Ops)
      emitCondition(Op, Out);
    Out.push_back(uint32_t(C.K == Cond::And ? rt::CondOp::And : rt::CondOp::Or));
    Out.push_back(uint32_t(C.Ops.size()));
    return;
  case Cond::BoolAttr:
    Out.push_back(uint32_t(rt::CondOp::Bool));
    Out.push_back(C.Attr);
    return;
  case Cond::Compare:
    Out.push_back(uint32_t(rt::CondOp::Compare));
    Out.push_back(C.Attr);
    Out.push_back(uint32_t(C.Op));
    Value(C.Value);
    return;
  case Cond::InSet:
    Out.push_back(uint32_t(rt::CondOp::InSet));
    Out.push_back(C.Attr);
    Out.push_back(uint32_t(C.Set.size()));
    for (int64_t V : C.Set)
      Value(V);
    return;
  }
}

/// An allowing rule's obligations: its own and those of every enclosing allow.
static std::vector<ObligationRef> carriedObligations(const Policy &P, uint32_t RuleIndex) {
  std::vector<ObligationRef> Out;
  for (uint32_t R = RuleIndex; R != NoIndex && R < P.Rules.size(); R = P.Rules[R].Parent)
    if (P.Rules[R].IsAllow)
      for (ObligationRef O : P.Rules[R].Obligations) {
        O.Location = Loc();
        Out.push_back(O);
      }
  std::sort(Out.begin(), Out.end());
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

/// The value tables of every dimension: names, titles, hierarchy and value classes.
static void lowerDimensions(const DecisionDiagram &DD, rt::ArtifactContents &A) {
  const Policy &P = DD.policy();
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const Vocabulary &V = P.Vocab[D];
    const DimensionClasses &DC = DD.classes(Dimension(D));
    rt::DimensionTable &T = A.Dims[D];
    T.Name = std::string(domain::DimensionKeys[D]);
    for (const VocabNode &N : V.Nodes) {
      T.ValueNames.push_back(N.Name);
      T.ValueTitles.push_back(N.Title);
      T.IsLeaf.push_back(N.Children.empty());
      T.Parents.push_back(std::vector<uint32_t>(N.Parents.begin(), N.Parents.end()));
    }
    T.ValueClass.assign(DC.NodeClass.begin(), DC.NodeClass.end());
    T.ValueClass.push_back(DC.OmittedClass);
    T.NumClasses = DC.NumClasses;
    T.NumLeafClasses = DC.NumLeafClasses;
    T.DerivedCovers.assign(DC.Covers.begin() + DC.NumLeafClasses, DC.Covers.end());
  }
}

/// Enums, attributes (with the intervals the diagram tests) and obligations.
static void lowerDeclarations(const DecisionDiagram &DD, rt::ArtifactContents &A) {
  const Policy &P = DD.policy();
  for (const EnumType &E : P.Enums)
    A.Enums.push_back({E.Name, E.Values});
  for (const Attribute &Attr : P.Attributes) {
    rt::AttributeEntry E;
    E.Name = Attr.Name;
    E.Kind = toRt(Attr.Kind);
    E.Enum = Attr.Kind == AttrKind::Enum ? Attr.Enum : 0;
    E.HasDefault = Attr.Default.has_value();
    E.Default = Attr.Default.value_or(0);
    E.Domain = DD.domain(uint32_t(A.Attributes.size())).Cuts;
    A.Attributes.push_back(std::move(E));
  }
  for (const VocabNode &N : P.Obligations.Nodes) {
    rt::ObligationEntry E;
    E.Name = N.Name;
    E.Title = N.Title;
    E.HasParam = N.ParamKind.has_value();
    E.ParamKind = toRt(N.ParamKind.value_or(AttrKind::Bool));
    E.ParamEnum = N.ParamKind == AttrKind::Enum ? N.ParamEnum : 0;
    A.Obligations.push_back(std::move(E));
  }
}

/// The obligation instances: every (obligation, argument) a terminal carries, and for the
/// indexed rule evaluator every one an allowing rule carries, once, numbered in ObligationRef
/// order so that sorted instance indexes are sorted obligations.
struct ObligationInstances {
  std::map<ObligationRef, uint32_t> Index;
  /// For the indexed rule evaluator: per rule, what it carries (carriedObligations).
  std::vector<std::vector<ObligationRef>> Carried;
};

static ObligationInstances lowerObligationInstances(const DecisionDiagram &DD,
                                                    rt::ArtifactContents &A) {
  const Policy &P = DD.policy();
  ObligationInstances I;
  for (uint32_t T = 0; T < DD.numTerminals(); ++T)
    for (const ObligationRef &O : DD.terminal(DecisionDiagram::TerminalBit | T).Obligations)
      I.Index.emplace(O, 0);
  if (DD.usesRuleLists())
    for (uint32_t R = 0; R < P.Rules.size(); ++R) {
      I.Carried.push_back(P.Rules[R].IsAllow ? carriedObligations(P, R)
                                             : std::vector<ObligationRef>());
      for (const ObligationRef &O : I.Carried.back())
        I.Index.emplace(O, 0);
    }
  for (auto &[O, Index] : I.Index) {
    Index = A.ObligationInstances.size();
    A.ObligationInstances.push_back({O.Obligation, O.Arg.has_value(), O.Arg.value_or(0)});
  }
  return I;
}

/// The terminals, with their obligations as instance indexes.
static void lowerTerminals(const DecisionDiagram &DD, const ObligationInstances &I,
                           rt::ArtifactContents &A) {
  // Every list here is reserved to its size: at 100,000 rules these contents are built while the
  // Policy and the diagram are alive, at the build's peak, and doubling leaves up to half unused.
  A.Terminals.reserve(DD.numTerminals());
  for (uint32_t T = 0; T < DD.numTerminals(); ++T) {
    const DiagramTerminal &DT = DD.terminal(DecisionDiagram::TerminalBit | T);
    rt::Terminal RT;
    RT.Allow = DT.Allow;
    RT.Rules = DT.Rules;
    RT.Obligations.reserve(DT.Obligations.size());
    for (const ObligationRef &O : DT.Obligations)
      RT.Obligations.push_back(I.Index.at(O));
    A.Terminals.push_back(std::move(RT));
  }
}

/// Rules with their provenance, and the rule table (scopes by leaf class, conditions,
/// obligations). The table is always written: the indexed rule evaluator reads it when the
/// diagram has rule lists, and the runtime's "why not" explanations (CompiledPolicy::whyNot) read
/// it to find the nearest allowing rule. Reads the diagram's classes only.
static void lowerRules(const DecisionDiagram &DD, const ObligationInstances &I,
                       rt::ArtifactContents &A) {
  const Policy &P = DD.policy();
  A.RuleTable = true;
  A.Rules.reserve(P.Rules.size());
  for (uint32_t R = 0; R < P.Rules.size(); ++R) {
    const Rule &Rl = P.Rules[R];
    rt::RuleEntry E;
    E.Id = Rl.Id;
    E.IsAllow = Rl.IsAllow;
    E.Parent = Rl.Parent == NoIndex ? UINT32_MAX : Rl.Parent;
    if (Rl.Location.File < P.Files.size())
      E.File = P.Files[Rl.Location.File];
    E.Line = Rl.Location.Line;
    E.Col = Rl.Location.Col;
    E.SourceText = Rl.SourceText;
    E.Sources = Rl.Sources;
    std::array<llvm::BitVector, NumDimensions> Classes = DD.scopeClasses(Rl.S);
    for (unsigned D = 0; D < NumDimensions; ++D) {
      if (Classes[D].all())
        continue;
      E.Constrained |= 1u << D;
      for (unsigned K : Classes[D].set_bits())
        E.Scope[D].push_back(K);
    }
    if (Rl.Condition)
      emitCondition(*Rl.Condition, E.Condition);
    if (DD.usesRuleLists()) // only the indexed evaluator reads them
      for (const ObligationRef &O : I.Carried[R])
        E.Obligations.push_back(I.Index.at(O));
    A.Rules.push_back(std::move(E));
  }
}

/// The data combinations.
static void lowerCombinations(const Policy &P, rt::ArtifactContents &A) {
  const Vocabulary &Data = P.vocab(Dimension::Data);
  for (const Combination &C : P.Combinations) {
    rt::CombinationEntry E;
    E.Result = C.Result;
    E.TreatedAs = C.TreatedAs;
    std::vector<int8_t> MemoFirst(Data.Nodes.size(), -1), MemoSecond(Data.Nodes.size(), -1),
        MemoResult(Data.Nodes.size(), -1);
    for (NodeId N = 0; N < Data.Nodes.size(); ++N) {
      E.UnderFirst.push_back(isAtOrUnder(Data, N, C.First, MemoFirst));
      E.UnderSecond.push_back(isAtOrUnder(Data, N, C.Second, MemoSecond));
      E.UnderResult.push_back(isAtOrUnder(Data, N, C.Result, MemoResult));
    }
    A.Combinations.push_back(std::move(E));
  }
}

/// The nodes, children before parents: the format requires it so that every walk provably
/// terminates.
static void lowerNodes(const DecisionDiagram &DD, rt::ArtifactContents &A) {
  llvm::ArrayRef<DecisionDiagram::Ref> BottomUp = DD.nodesBottomUp();
  std::vector<uint32_t> NewIndex(DD.numNodes());
  for (uint32_t I = 0; I < BottomUp.size(); ++I)
    NewIndex[BottomUp[I]] = I;
  auto Map = [&](DecisionDiagram::Ref R) {
    return DecisionDiagram::isTerminal(R) ? R : NewIndex[R];
  };
  A.Nodes.resize(BottomUp.size());
  for (DecisionDiagram::Ref R : BottomUp) {
    rt::Node &N = A.Nodes[NewIndex[R]];
    if (DD.isRuleList(R)) {
      N.K = rt::Node::RuleList;
      llvm::ArrayRef<uint32_t> Rules = DD.nodeRules(R);
      N.Children.assign(Rules.begin(), Rules.end());
      continue;
    }
    DecisionDiagram::NodeView V = DD.node(R);
    N.K = V.Var.IsDimension ? rt::Node::DimensionTest : rt::Node::AttributeTest;
    N.Var = V.Var.Index;
    const AttributeDomain *Dom = V.Var.IsDimension ? nullptr : &DD.domain(V.Var.Index);
    if (Dom && (Dom->Kind == AttrKind::Int || Dom->Kind == AttrKind::Duration)) {
      // Merge neighbouring intervals that lead to the same place.
      N.Children.reserve(V.Children.size());
      N.Children.push_back(Map(V.Children[0]));
      for (uint32_t K = 1; K < V.Children.size(); ++K) {
        if (V.Children[K] == V.Children[K - 1])
          continue;
        N.Thresholds.push_back(Dom->Cuts[K - 1]);
        N.Children.push_back(Map(V.Children[K]));
      }
      continue;
    }
    N.Children.reserve(V.Children.size());
    for (DecisionDiagram::Ref C : V.Children)
      N.Children.push_back(Map(C));
  }
  A.Root = Map(DD.root());
}

/// The parts in an order that lets the diagram be freed as it goes: terminals, then nodes,
/// then what reads only the diagram's classes. AfterTerminals and AfterNodes run once each part
/// has been copied.
template <typename Then1, typename Then2>
static rt::ArtifactContents lower(const DecisionDiagram &DD, Then1 AfterTerminals,
                                  Then2 AfterNodes) {
  const Policy &P = DD.policy();
  rt::ArtifactContents A;
  if (!P.Modules.empty()) {
    A.PolicyName = P.Modules[0].Name;
    A.PolicyTitle = P.Modules[0].Title;
    A.PolicyVersion = P.Modules[0].Version;
  }
  A.SourceHash = P.SourceHash;
  lowerDimensions(DD, A);
  lowerDeclarations(DD, A);
  ObligationInstances Instances = lowerObligationInstances(DD, A);
  lowerTerminals(DD, Instances, A);
  AfterTerminals();
  lowerNodes(DD, A);
  AfterNodes();
  lowerRules(DD, Instances, A);
  lowerCombinations(P, A);
  return A;
}

rt::ArtifactContents lowerToArtifact(const DecisionDiagram &DD) {
  return lower(
      DD, [] {}, [] {});
}

rt::ArtifactContents lowerAndReleaseDiagram(DecisionDiagram &DD) {
  // A terminal's lists are small blocks: freed, their pages stay resident unless returned (at
  // 100,000 rules lowering ended at 382 MB of RSS for 335 MB in use otherwise). As in the
  // builder, only a build long enough to have returned memory pays for returning it here.
  bool Large = DD.buildStats().MemoryReturns != 0;
  return lower(
      DD,
      [&] {
        DD.releaseTerminals();
        if (Large)
          releaseFreedMemory();
      },
      [&] {
        DD.releaseNodes();
        if (Large)
          releaseFreedMemory();
      });
}

rt::Request toRuntimeRequest(const Policy &P, const rt::CompiledPolicy &CP, const Request &R) {
  rt::Request Out(CP);
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const auto &Vals = R.Values[D];
    if (Vals.empty())
      continue;
    if (Dimension(D) == Dimension::Data) {
      for (NodeId N : Vals)
        Out.addData(N);
      continue;
    }
    for (NodeId N : Vals)
      Out.set(rt::Dim(D), N);
  }
  for (auto [A, V] : R.Attrs) {
    if (A >= P.Attributes.size())
      continue;
    switch (P.Attributes[A].Kind) {
    case AttrKind::Bool:
      Out.setBool(A, V != 0);
      break;
    case AttrKind::Int:
      Out.setInt(A, V);
      break;
    case AttrKind::Duration:
      Out.setDuration(A, V);
      break;
    case AttrKind::Enum:
      Out.setEnum(A, uint32_t(V));
      break;
    }
  }
  return Out;
}

llvm::Expected<rt::ArtifactContents> compilePolicy(const Policy &P, const DiagramOptions &Opts,
                                                   LoweringStats *Stats) {
  using Clock = std::chrono::steady_clock;
  auto Start = Clock::now();
  auto DD = DecisionDiagram::build(P, Opts);
  if (!DD)
    return DD.takeError();
  auto Built = Clock::now();
  releaseFreedMemory(); // the builder's caches
  // The diagram's terminals and nodes are freed as soon as they are lowered: at 100,000 rules
  // this is the build's peak, with the Policy, the diagram and the contents alive together.
  rt::ArtifactContents A = lowerAndReleaseDiagram(**DD);
  auto Lowered = Clock::now();
  if (Stats) {
    Stats->Strategy = (*DD)->usesRuleLists() ? "indexed-rules" : "decision-diagram";
    Stats->Nodes = A.Nodes.size();
    Stats->Edges = 0;
    for (const rt::Node &N : A.Nodes)
      Stats->Edges += N.Children.size();
    Stats->Terminals = A.Terminals.size();
    for (unsigned D = 0; D < NumDimensions; ++D)
      Stats->Classes[D] = A.Dims[D].NumClasses;
    Stats->Order.clear();
    for (DiagramVar V : (*DD)->order()) {
      if (V.IsDimension && (*DD)->classes(Dimension(V.Index)).NumLeafClasses <= 1)
        continue;
      if (!Stats->Order.empty())
        Stats->Order += ",";
      Stats->Order += V.IsDimension ? std::string(domain::DimensionKeys[V.Index])
                                    : "@" + P.Attributes[V.Index].Name;
    }
    Stats->DiagramSeconds = std::chrono::duration<double>(Built - Start).count();
    Stats->LowerSeconds = std::chrono::duration<double>(Lowered - Built).count();
    Stats->Diagram = (*DD)->buildStats();
  }
  return A;
}

} // namespace privet
