//===- ReferenceEvaluator.cpp - The semantics of docs/language.md, applied literally ---------===//
//
// Kept free of the diagram's ideas (classes, intervals, hash-consing) on purpose: it shares no
// code with the compiler beyond the Policy it reads (and evaluateCondition, the Policy's own
// reading of a condition), so the two can check each other.
//
//===----------------------------------------------------------------------------------------===//
#include "ReferenceEvaluator.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>

namespace privet {

static void collectConstants(const Cond &C, std::vector<std::set<int64_t>> &Out) {
  if (C.K == Cond::Compare && C.Attr < Out.size())
    Out[C.Attr].insert(C.Value);
  if (C.K == Cond::InSet && C.Attr < Out.size())
    Out[C.Attr].insert(C.Set.begin(), C.Set.end());
  for (const Cond &Op : C.Ops)
    collectConstants(Op, Out);
}

ReferenceEvaluator::ReferenceEvaluator(const Policy &P) : P(P) {
  std::vector<std::set<int64_t>> Constants(P.Attributes.size());
  for (const Rule &R : P.Rules)
    if (R.Condition)
      collectConstants(*R.Condition, Constants);
  Relevant.resize(P.Attributes.size());
  for (unsigned A = 0; A < P.Attributes.size(); ++A) {
    const Attribute &Attr = P.Attributes[A];
    std::vector<int64_t> &Vals = Relevant[A];
    if (Attr.Kind == AttrKind::Bool) {
      Vals = {0, 1};
    } else if (Attr.Kind == AttrKind::Enum) {
      size_t N = Attr.Enum < P.Enums.size() ? P.Enums[Attr.Enum].Values.size() : 0;
      for (size_t V = 0; V < N; ++V)
        Vals.push_back(V);
    } else {
      // Every comparison with a constant c is decided by c-1, c and c+1.
      std::set<int64_t> S{0};
      for (int64_t C : Constants[A]) {
        S.insert(C);
        if (C != std::numeric_limits<int64_t>::min())
          S.insert(C - 1);
        if (C != std::numeric_limits<int64_t>::max())
          S.insert(C + 1);
      }
      Vals.assign(S.begin(), S.end());
    }
  }
}

std::vector<int64_t> ReferenceEvaluator::relevantValues(uint32_t Attr) const {
  return Relevant[Attr];
}

namespace {
/// A rule's outcome at a leaf request.
struct Outcome {
  bool Allow = false;
  std::set<uint32_t> Rules;
  std::set<ObligationRef> Obligations;
};
} // namespace

/// Outcomes of sibling rules combined: deny wins, and same-effect outcomes unite.
static std::optional<Outcome> combine(const std::vector<Outcome> &Outcomes) {
  if (Outcomes.empty())
    return std::nullopt;
  bool AnyDeny =
      std::any_of(Outcomes.begin(), Outcomes.end(), [](const Outcome &O) { return !O.Allow; });
  Outcome Result;
  Result.Allow = !AnyDeny;
  for (const Outcome &O : Outcomes) {
    if (O.Allow == AnyDeny)
      continue;
    Result.Rules.insert(O.Rules.begin(), O.Rules.end());
    Result.Obligations.insert(O.Obligations.begin(), O.Obligations.end());
  }
  return Result;
}

// Recipient facts as docs/language.md states them, one recipient at a time: a node's facts are
// its own declarations, else those of the nodes above it.
static bool refUnderContract(const Vocabulary &V, NodeId N) {
  if (V.Nodes[N].UnderContract)
    return true;
  for (NodeId Parent : V.Nodes[N].Parents)
    if (refUnderContract(V, Parent))
      return true;
  return false;
}

/// The region leaves the recipient may be located in; empty when no location is declared.
static void refLocation(const Policy &P, NodeId N, std::vector<bool> &Out) {
  const VocabNode &Node = P.vocab(Dimension::Recipient).Nodes[N];
  if (Node.LocatedIn) {
    const Vocabulary &Regions = P.vocab(Dimension::Region);
    for (LeafIndex L = 0; L < Regions.numLeaves(); ++L)
      if (Regions.Covers[*Node.LocatedIn].test(L))
        Out[L] = true;
    return;
  }
  for (NodeId Parent : Node.Parents)
    refLocation(P, Parent, Out);
}

static bool refFactsHold(const Policy &P, const RecipientFacts &F, NodeId Leaf) {
  const Vocabulary &V = P.vocab(Dimension::Recipient);
  switch (F.K) {
  case RecipientFacts::Role:
    return V.Covers[F.Node].test(V.LeafOf[Leaf]);
  case RecipientFacts::Contract:
    return refUnderContract(V, Leaf);
  case RecipientFacts::Located: {
    const Vocabulary &Regions = P.vocab(Dimension::Region);
    std::vector<bool> Where(Regions.numLeaves(), false);
    refLocation(P, Leaf, Where);
    bool Known = false;
    for (LeafIndex L = 0; L < Where.size(); ++L) {
      if (!Where[L])
        continue;
      Known = true;
      if (!Regions.Covers[F.Node].test(L))
        return false;
    }
    return Known;
  }
  case RecipientFacts::Not:
    return !refFactsHold(P, F.Ops[0], Leaf);
  case RecipientFacts::And:
    for (const RecipientFacts &Op : F.Ops)
      if (!refFactsHold(P, Op, Leaf))
        return false;
    return true;
  case RecipientFacts::Or:
    for (const RecipientFacts &Op : F.Ops)
      if (refFactsHold(P, Op, Leaf))
        return true;
    return false;
  }
  return false;
}

/// Whether leaf L of dimension D is in the list as written: a list is the union of its items;
/// `x` is the leaves under x, `not x` the others, `not (a, b)` those under neither, `recipients
/// where F` the recipients whose facts satisfy F. A scope built without written items (by hand)
/// is read from its leaf sets.
static bool inList(const Policy &P, const Scope &S, unsigned D, LeafIndex L) {
  const Vocabulary &V = P.Vocab[D];
  bool IsRecipients = D == unsigned(Dimension::Recipient);
  if (S.Written[D].empty() && S.Neither[D].empty() && (!IsRecipients || S.Where.empty()))
    return L < S.Dims[D]->size() && S.Dims[D]->test(L);
  for (auto [N, Negated] : S.Written[D])
    if (V.Covers[N].test(L) != Negated)
      return true;
  for (const auto &Group : S.Neither[D]) {
    bool Under = false;
    for (NodeId N : Group)
      Under = Under || V.Covers[N].test(L);
    if (!Under)
      return true;
  }
  if (IsRecipients)
    for (const RecipientFacts &F : S.Where)
      if (refFactsHold(P, F, V.Leaves[L]))
        return true;
  return false;
}

static bool inScope(const Policy &P, const Rule &R,
                    const std::array<LeafIndex, NumDimensions> &Leaves) {
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const auto &Set = R.S.Dims[D];
    if (!Set || P.Vocab[D].empty())
      continue;
    if (Leaves[D] >= Set->size() || !inList(P, R.S, D, Leaves[D]))
      return false;
  }
  return true;
}

static std::optional<Outcome> outcomeOf(const Policy &P, uint32_t RuleIndex,
                                        const std::array<LeafIndex, NumDimensions> &Leaves,
                                        llvm::ArrayRef<int64_t> AttrValues) {
  const Rule &R = P.Rules[RuleIndex];
  if (!inScope(P, R, Leaves))
    return std::nullopt;
  if (R.Condition && !evaluateCondition(*R.Condition, AttrValues))
    return std::nullopt;
  std::vector<Outcome> FromExceptions;
  for (uint32_t E : R.Exceptions)
    if (auto O = outcomeOf(P, E, Leaves, AttrValues))
      FromExceptions.push_back(*O);
  if (auto O = combine(FromExceptions))
    return O;
  Outcome Own;
  Own.Allow = R.IsAllow;
  Own.Rules.insert(RuleIndex);
  if (R.IsAllow)
    for (uint32_t A = RuleIndex; A != NoIndex; A = P.Rules[A].Parent)
      if (P.Rules[A].IsAllow)
        for (ObligationRef O : P.Rules[A].Obligations) {
          O.Location = Loc();
          Own.Obligations.insert(O);
        }
  return Own;
}

RefDecision ReferenceEvaluator::decideLeaf(const std::array<LeafIndex, NumDimensions> &Leaves,
                                           llvm::ArrayRef<int64_t> AttrValues) const {
  std::vector<Outcome> TopLevel;
  for (uint32_t R = 0; R < P.Rules.size(); ++R)
    if (P.Rules[R].isTopLevel())
      if (auto O = outcomeOf(P, R, Leaves, AttrValues))
        TopLevel.push_back(*O);
  RefDecision D;
  auto O = combine(TopLevel);
  if (!O)
    return D; // deny by default
  D.K = O->Allow ? RefDecision::Allow : RefDecision::Deny;
  D.Rules.assign(O->Rules.begin(), O->Rules.end());
  D.Obligations.assign(O->Obligations.begin(), O->Obligations.end());
  return D;
}

/// Whether rule set \p A explains a group decision rather than \p B: an explicit deny before
/// the default deny (the empty set), then the earliest-declared rules first.
static bool denyPrecedes(const std::vector<uint32_t> &A, const std::vector<uint32_t> &B) {
  if (A.empty() != B.empty())
    return B.empty();
  return A < B;
}

/// The decision for a request that covers several leaf requests: allowed only if each is, with
/// the least allowed part's rules and the union of their obligations; otherwise denied by the
/// least denied part's rules.
static RefDecision meet(const RefDecision &A, const RefDecision &B) {
  if ((A.K == RefDecision::Allow) != (B.K == RefDecision::Allow))
    return A.K == RefDecision::Allow ? B : A;
  const RefDecision &Least = denyPrecedes(B.Rules, A.Rules) ? B : A;
  if (A.K != RefDecision::Allow)
    return Least;
  RefDecision M;
  M.K = A.K;
  M.Rules = Least.Rules;
  std::set<ObligationRef> Obls(A.Obligations.begin(), A.Obligations.end());
  Obls.insert(B.Obligations.begin(), B.Obligations.end());
  M.Obligations.assign(Obls.begin(), Obls.end());
  return M;
}

static bool isAtOrUnder(const Vocabulary &V, NodeId N, NodeId Ancestor) {
  if (N == Ancestor)
    return true;
  for (NodeId Parent : V.Nodes[N].Parents)
    if (isAtOrUnder(V, Parent, Ancestor))
      return true;
  return false;
}

std::vector<NodeId> ReferenceEvaluator::combinedCategories(llvm::ArrayRef<NodeId> Data) const {
  const Vocabulary &V = P.vocab(Dimension::Data);
  std::vector<NodeId> Set(Data.begin(), Data.end());
  std::sort(Set.begin(), Set.end());
  Set.erase(std::unique(Set.begin(), Set.end()), Set.end());
  auto Fires = [&](const Combination &C) {
    for (NodeId X : Set)
      for (NodeId Y : Set)
        if (X != Y && isAtOrUnder(V, X, C.First) && isAtOrUnder(V, Y, C.Second))
          return true;
    return false;
  };
  // `as`: add the result until nothing changes.
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (const Combination &C : P.Combinations) {
      if (C.TreatedAs || std::find(Set.begin(), Set.end(), C.Result) != Set.end())
        continue;
      if (Fires(C)) {
        Set.push_back(C.Result);
        Changed = true;
      }
    }
  }
  // `treated as`: on the closed set, every firing combination marks its first-parts that are
  // not under its result; the marked ones go together, unless that would empty the set.
  std::vector<NodeId> Kept;
  for (NodeId X : Set) {
    bool Governed = false;
    for (const Combination &C : P.Combinations)
      if (C.TreatedAs && isAtOrUnder(V, X, C.First) && !isAtOrUnder(V, X, C.Result) && Fires(C))
        Governed = true;
    if (!Governed)
      Kept.push_back(X);
  }
  if (!Kept.empty())
    Set = std::move(Kept);
  std::sort(Set.begin(), Set.end());
  return Set;
}

static RefDecision error(std::string Message) {
  RefDecision D;
  D.K = RefDecision::Error;
  D.Message = std::move(Message);
  return D;
}

RefDecision ReferenceEvaluator::decide(const Request &R) const {
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (D != unsigned(Dimension::Data) && R.Values[D].size() > 1)
      return error("more than one value for a dimension other than data");
    for (NodeId N : R.Values[D])
      if (N >= P.Vocab[D].Nodes.size())
        return error("value not in the dimension's vocabulary");
  }
  std::vector<int64_t> Values(P.Attributes.size(), 0);
  std::vector<bool> Supplied(P.Attributes.size(), false);
  for (auto [A, V] : R.Attrs) {
    if (A >= P.Attributes.size())
      return error("unknown attribute");
    if (Supplied[A])
      return error("attribute supplied twice");
    const Attribute &Attr = P.Attributes[A];
    if (Attr.Kind == AttrKind::Bool && V != 0 && V != 1)
      return error("not a bool");
    if (Attr.Kind == AttrKind::Enum &&
        (V < 0 || Attr.Enum >= P.Enums.size() || size_t(V) >= P.Enums[Attr.Enum].Values.size()))
      return error("not a value of the attribute's enum");
    Values[A] = V;
    Supplied[A] = true;
  }
  std::vector<uint32_t> Missing;
  for (unsigned A = 0; A < P.Attributes.size(); ++A) {
    if (Supplied[A])
      continue;
    if (P.Attributes[A].Default)
      Values[A] = *P.Attributes[A].Default;
    else
      Missing.push_back(A);
  }

  // The leaves each dimension's value stands for.
  auto LeavesOf = [&](unsigned D, std::optional<NodeId> N) {
    std::vector<LeafIndex> Out;
    const Vocabulary &V = P.Vocab[D];
    if (V.empty())
      return std::vector<LeafIndex>{NoIndex};
    for (LeafIndex L = 0; L < V.numLeaves(); ++L)
      if (!N || V.Covers[*N].test(L))
        Out.push_back(L);
    return Out;
  };

  std::vector<std::optional<NodeId>> Categories;
  if (R.dim(Dimension::Data).empty())
    Categories.push_back(std::nullopt);
  else
    for (NodeId C : combinedCategories(R.dim(Dimension::Data)))
      Categories.push_back(C);

  std::optional<RefDecision> Overall;
  for (const std::optional<NodeId> &Category : Categories) {
    std::array<std::vector<LeafIndex>, NumDimensions> Leaves;
    for (unsigned D = 0; D < NumDimensions; ++D) {
      std::optional<NodeId> N;
      if (D == unsigned(Dimension::Data))
        N = Category;
      else if (!R.Values[D].empty())
        N = R.Values[D][0];
      else if (D == unsigned(Dimension::Actor))
        N = P.controllerActor(); // an omitted actor is the controller itself, `us`
      Leaves[D] = LeavesOf(D, N);
    }
    // The decision under each valuation of the missing attributes; they must all agree.
    std::optional<RefDecision> First;
    std::vector<size_t> Pick(Missing.size(), 0);
    while (true) {
      for (size_t I = 0; I < Missing.size(); ++I)
        Values[Missing[I]] = Relevant[Missing[I]][Pick[I]];
      std::optional<RefDecision> D;
      std::array<size_t, NumDimensions> Pos{};
      while (true) {
        std::array<LeafIndex, NumDimensions> Leaf;
        for (unsigned Dim = 0; Dim < NumDimensions; ++Dim)
          Leaf[Dim] = Leaves[Dim][Pos[Dim]];
        RefDecision LeafD = decideLeaf(Leaf, Values);
        D = D ? meet(*D, LeafD) : LeafD;
        unsigned Dim = 0;
        for (; Dim < NumDimensions; ++Dim) {
          if (++Pos[Dim] < Leaves[Dim].size())
            break;
          Pos[Dim] = 0;
        }
        if (Dim == NumDimensions)
          break;
      }
      if (!First)
        First = D;
      else if (!(*First == *D))
        return error("the decision depends on an attribute the request does not supply");
      size_t I = 0;
      for (; I < Missing.size(); ++I) {
        if (++Pick[I] < Relevant[Missing[I]].size())
          break;
        Pick[I] = 0;
      }
      if (I == Missing.size())
        break;
    }
    Overall = Overall ? meet(*Overall, *First) : *First;
  }
  return *Overall;
}

} // namespace privet
