//===- DiagramQueries.cpp - Evaluation, regions, witnesses and counts over a built diagram ---===//
#include "DiagramImpl.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace privet {

using Ref = DecisionDiagram::Ref;

const Policy &DecisionDiagram::policy() const { return I->P; }
Ref DecisionDiagram::root() const { return I->Root; }
const DiagramBuildStats &DecisionDiagram::buildStats() const { return I->Stats; }
bool DecisionDiagram::usesRuleLists() const { return I->UsesRuleLists; }
bool DecisionDiagram::isRuleList(Ref R) const {
  return !isTerminal(R) && I->Nodes[R].Var == RuleListVar;
}
llvm::ArrayRef<uint32_t> DecisionDiagram::nodeRules(Ref R) const {
  assert(I->Nodes[R].Var == RuleListVar && "not a rule-list node");
  return I->children(R);
}
llvm::ArrayRef<DiagramVar> DecisionDiagram::order() const { return I->Order; }
const DimensionClasses &DecisionDiagram::classes(Dimension D) const {
  return I->Classes[unsigned(D)];
}
const AttributeDomain &DecisionDiagram::domain(uint32_t Attr) const { return I->Domains[Attr]; }
uint32_t DecisionDiagram::numNodes() const { return I->Nodes.size(); }
uint32_t DecisionDiagram::numTerminals() const { return I->Terminals.size(); }
uint64_t DecisionDiagram::numEdges() const { return I->Pool.size(); }
llvm::ArrayRef<Ref> DecisionDiagram::nodesBottomUp() const { return I->BottomUp; }

DecisionDiagram::NodeView DecisionDiagram::node(Ref R) const {
  return {varOfKey(I->Nodes[R].Var), I->children(R)};
}
const DiagramTerminal &DecisionDiagram::terminal(Ref R) const {
  return I->Terminals[R & ~TerminalBit];
}

DiagramTerminal meetTerminals(const DiagramTerminal &X, const DiagramTerminal &Y) {
  if (X.Allow != Y.Allow)
    return X.Allow ? Y : X;
  // The least rule set (an explicit deny before the default deny, then lexicographically)
  // explains the meet; an allow owes every part's obligations.
  bool YFirst = X.Rules.empty() != Y.Rules.empty() ? X.Rules.empty() : Y.Rules < X.Rules;
  DiagramTerminal R = YFirst ? Y : X;
  if (R.Allow) {
    R.Obligations.clear();
    std::set_union(X.Obligations.begin(), X.Obligations.end(), Y.Obligations.begin(),
                   Y.Obligations.end(), std::back_inserter(R.Obligations));
  }
  return R;
}

static DiagramTerminal evaluateFrom(const DecisionDiagram::Impl &I, const DecisionDiagram &DD,
                                    Ref R, const std::array<uint32_t, NumDimensions> &Classes,
                                    llvm::ArrayRef<uint32_t> Attrs) {
  while (!DecisionDiagram::isTerminal(R)) {
    const DecisionDiagram::Impl::NodeRec &N = I.Nodes[R];
    uint32_t K = N.Var < NumDimensions ? Classes[N.Var] : Attrs[N.Var - NumDimensions];
    if (K >= N.Count) { // a derived class whose edge was not precomputed
      std::optional<DiagramTerminal> Acc;
      for (uint32_t L : I.Classes[N.Var].Covers[K]) {
        DiagramTerminal T = evaluateFrom(I, DD, I.Pool[N.First + L], Classes, Attrs);
        Acc = Acc ? meetTerminals(*Acc, T) : std::move(T);
      }
      return std::move(*Acc);
    }
    R = I.Pool[N.First + K];
  }
  return DD.terminal(R);
}

DiagramTerminal DecisionDiagram::evaluate(const std::array<uint32_t, NumDimensions> &Classes,
                                          llvm::ArrayRef<uint32_t> Attrs) const {
  return evaluateFrom(*I, *this, I->Root, Classes, Attrs);
}

const DiagramTerminal &
DecisionDiagram::decideLeaf(const std::array<LeafIndex, NumDimensions> &Leaves,
                            llvm::ArrayRef<int64_t> AttrValues) const {
  std::array<uint32_t, NumDimensions> Classes{};
  for (unsigned D = 0; D < NumDimensions; ++D)
    Classes[D] = Leaves[D] == NoIndex ? 0 : I->Classes[D].LeafClass[Leaves[D]];
  llvm::SmallVector<uint32_t, 8> Attrs;
  for (unsigned A = 0; A < I->Domains.size(); ++A)
    Attrs.push_back(I->Domains[A].indexOf(AttrValues[A]));
  // Leaf classes never reach a deferred edge: follow the children directly.
  Ref R = I->Root;
  while (!isTerminal(R)) {
    const Impl::NodeRec &N = I->Nodes[R];
    R = I->Pool[N.First + (N.Var < NumDimensions ? Classes[N.Var] : Attrs[N.Var - NumDimensions])];
  }
  return terminal(R);
}

DiagramBox DecisionDiagram::fullBox() const {
  DiagramBox B;
  for (unsigned D = 0; D < NumDimensions; ++D)
    B.Dims[D] = llvm::BitVector(I->Classes[D].NumLeafClasses, true);
  for (const AttributeDomain &Dom : I->Domains)
    B.Attrs.push_back(llvm::BitVector(Dom.Size, true));
  return B;
}

DiagramBox DecisionDiagram::boxOf(const Scope &S) const {
  DiagramBox B = fullBox();
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (!S.Dims[D] || I->P.Vocab[D].empty())
      continue;
    B.Dims[D].reset();
    for (unsigned L : S.Dims[D]->set_bits())
      if (L < I->Classes[D].LeafClass.size())
        B.Dims[D].set(I->Classes[D].LeafClass[L]);
  }
  return B;
}

static bool boxEmpty(const DiagramBox &B) {
  for (const llvm::BitVector &V : B.Dims)
    if (V.none())
      return true;
  for (const llvm::BitVector &V : B.Attrs)
    if (V.none())
      return true;
  return false;
}

bool DecisionDiagram::forEachRegion(const DiagramBox &B,
                                    const std::function<bool(const DiagramBox &, Ref)> &F) const {
  if (boxEmpty(B))
    return true;
  DiagramBox Cur = B;
  // Splits the current box at each node by the child each value leads to.
  std::function<bool(Ref)> Walk = [&](Ref R) -> bool {
    if (isTerminal(R))
      return F(Cur, R);
    const Impl::NodeRec &N = I->Nodes[R];
    llvm::BitVector &Set =
        N.Var < NumDimensions ? Cur.Dims[N.Var] : Cur.Attrs[N.Var - NumDimensions];
    llvm::BitVector Saved = Set;
    llvm::SmallVector<Ref, 16> Seen;
    for (unsigned K : Saved.set_bits()) {
      Ref C = I->Pool[N.First + K];
      if (std::find(Seen.begin(), Seen.end(), C) != Seen.end())
        continue;
      Seen.push_back(C);
      Set.reset();
      for (unsigned J : Saved.set_bits())
        if (I->Pool[N.First + J] == C)
          Set.set(J);
      bool Continue = Walk(C);
      if (!Continue) {
        Set = Saved;
        return false;
      }
    }
    Set = Saved;
    return true;
  };
  return Walk(I->Root);
}

/// Every assignment (domain indexes) of the attributes C mentions, inside Region; calls F with
/// the full valuation (representatives) until F returns true.
static void collectAttrs(const Cond &C, llvm::SmallVectorImpl<uint32_t> &Out) {
  if (C.K == Cond::BoolAttr || C.K == Cond::Compare || C.K == Cond::InSet) {
    if (std::find(Out.begin(), Out.end(), C.Attr) == Out.end())
      Out.push_back(C.Attr);
    return;
  }
  for (const Cond &Op : C.Ops)
    collectAttrs(Op, Out);
}

bool evaluateCondition(const Cond &C, llvm::ArrayRef<int64_t> AttrValues);

static std::optional<std::vector<uint32_t>>
satisfyingAssignment(const Cond &C, const DiagramBox &Region,
                     const std::vector<AttributeDomain> &Domains) {
  llvm::SmallVector<uint32_t, 8> Attrs;
  collectAttrs(C, Attrs);
  std::vector<uint32_t> Index(Domains.size(), 0);
  for (uint32_t A = 0; A < Domains.size(); ++A) {
    int First = Region.Attrs[A].find_first();
    if (First < 0)
      return std::nullopt;
    Index[A] = First;
  }
  std::vector<int64_t> Values(Domains.size());
  std::function<bool(unsigned)> Try = [&](unsigned Pos) -> bool {
    if (Pos == Attrs.size()) {
      for (uint32_t A = 0; A < Domains.size(); ++A)
        Values[A] = Domains[A].representative(Index[A]);
      return evaluateCondition(C, Values);
    }
    uint32_t A = Attrs[Pos];
    if (A >= Domains.size())
      return false;
    for (unsigned K : Region.Attrs[A].set_bits()) {
      Index[A] = K;
      if (Try(Pos + 1))
        return true;
    }
    return false;
  };
  if (!Try(0))
    return std::nullopt;
  return Index;
}

bool DecisionDiagram::satisfiable(const Cond &C, const DiagramBox &Region) const {
  return !boxEmpty(Region) && satisfyingAssignment(C, Region, I->Domains).has_value();
}

std::optional<DiagramWitness>
DecisionDiagram::findWitness(const DiagramBox &B,
                             const std::function<bool(const DiagramTerminal &)> &Pred,
                             const Cond *C, const Scope *Restrict) const {
  DiagramBox Search = B;
  if (Restrict) {
    DiagramBox R = boxOf(*Restrict);
    for (unsigned D = 0; D < NumDimensions; ++D)
      Search.Dims[D] &= R.Dims[D];
  }
  std::optional<DiagramWitness> Found;
  forEachRegion(Search, [&](const DiagramBox &Region, Ref T) {
    if (!Pred(terminal(T)))
      return true;
    std::vector<uint32_t> AttrIndex(I->Domains.size());
    if (C) {
      auto Assignment = satisfyingAssignment(*C, Region, I->Domains);
      if (!Assignment)
        return true;
      AttrIndex = *Assignment;
    } else {
      for (uint32_t A = 0; A < I->Domains.size(); ++A)
        AttrIndex[A] = Region.Attrs[A].find_first();
    }
    DiagramWitness W;
    for (unsigned D = 0; D < NumDimensions; ++D) {
      W.Leaves[D] = NoIndex;
      if (I->P.Vocab[D].empty())
        continue;
      for (unsigned K : Region.Dims[D].set_bits()) {
        for (LeafIndex L : I->Classes[D].Members[K])
          if (!Restrict || !Restrict->Dims[D] ||
              (L < Restrict->Dims[D]->size() && Restrict->Dims[D]->test(L))) {
            W.Leaves[D] = L;
            break;
          }
        if (W.Leaves[D] != NoIndex)
          break;
      }
    }
    for (uint32_t A = 0; A < I->Domains.size(); ++A) {
      // Prefer the default where the region allows it: witnesses read more naturally.
      const Attribute &Attr = I->P.Attributes[A];
      if (!C && Attr.Default && Region.Attrs[A].test(I->Domains[A].indexOf(*Attr.Default))) {
        W.AttrValues.push_back(*Attr.Default);
        continue;
      }
      W.AttrValues.push_back(I->Domains[A].representative(AttrIndex[A]));
    }
    Found = std::move(W);
    return false;
  });
  return Found;
}

static uint64_t satMul(uint64_t A, uint64_t B) {
  uint64_t R;
  return __builtin_mul_overflow(A, B, &R) ? UINT64_MAX : R;
}
static uint64_t satAdd(uint64_t A, uint64_t B) {
  uint64_t R;
  return __builtin_add_overflow(A, B, &R) ? UINT64_MAX : R;
}

/// Cells of the box reaching each terminal, by one top-down pass over the nodes.
static std::vector<uint64_t> terminalWeights(const DecisionDiagram::Impl &I, const DiagramBox &B) {
  // Weight of each value of each variable inside the box.
  std::vector<std::vector<uint64_t>> W(I.Order.size());
  std::vector<uint64_t> Total(I.Order.size() + 1, 0);
  for (uint32_t L = 0; L < I.Order.size(); ++L) {
    DiagramVar V = I.Order[L];
    if (V.IsDimension) {
      const DimensionClasses &DC = I.Classes[V.Index];
      for (uint32_t K = 0; K < DC.NumLeafClasses; ++K)
        W[L].push_back(B.Dims[V.Index].test(K) ? std::max<uint64_t>(1, DC.Members[K].size()) : 0);
    } else {
      for (uint32_t K = 0; K < I.Domains[V.Index].Size; ++K)
        W[L].push_back(B.Attrs[V.Index].test(K) ? 1 : 0);
    }
    uint64_t Sum = 0;
    for (uint64_t X : W[L])
      Sum = satAdd(Sum, X);
    Total[L] = Sum;
  }
  // Skip[L1][L2]: product of Total over levels in [L1, L2).
  auto Skipped = [&](uint32_t From, uint32_t To) {
    uint64_t P = 1;
    for (uint32_t L = From; L < To; ++L)
      P = satMul(P, Total[L]);
    return P;
  };
  std::vector<uint64_t> NodeCount(I.Nodes.size(), 0);
  std::vector<uint64_t> TermCount(I.Terminals.size(), 0);
  auto Add = [&](Ref R, uint32_t FromLevel, uint64_t N) {
    if (!N)
      return;
    uint32_t To = I.level(R);
    N = satMul(N, Skipped(FromLevel, To));
    if (DecisionDiagram::isTerminal(R))
      TermCount[R & ~DecisionDiagram::TerminalBit] =
          satAdd(TermCount[R & ~DecisionDiagram::TerminalBit], N);
    else
      NodeCount[R] = satAdd(NodeCount[R], N);
  };
  Add(I.Root, 0, 1);
  // BottomUp lists children before parents; walk it backwards for a top-down pass.
  for (auto It = I.BottomUp.rbegin(); It != I.BottomUp.rend(); ++It) {
    Ref R = *It;
    uint64_t N = NodeCount[R];
    if (!N)
      continue;
    uint32_t L = I.level(R);
    llvm::ArrayRef<Ref> Children = I.children(R);
    for (uint32_t K = 0; K < W[L].size(); ++K)
      Add(Children[K], L + 1, satMul(N, W[L][K]));
  }
  return TermCount;
}

uint64_t
DecisionDiagram::countCells(const DiagramBox &B,
                            const std::function<bool(const DiagramTerminal &)> &Pred) const {
  if (boxEmpty(B))
    return 0;
  std::vector<uint64_t> Counts = terminalWeights(*I, B);
  uint64_t Sum = 0;
  for (uint32_t T = 0; T < Counts.size(); ++T)
    if (Counts[T] && Pred(I->Terminals[T]))
      Sum = satAdd(Sum, Counts[T]);
  return Sum;
}

std::vector<uint64_t> DecisionDiagram::ruleContribution() const {
  std::vector<uint64_t> Counts = terminalWeights(*I, fullBox());
  std::vector<uint64_t> PerRule(I->P.Rules.size(), 0);
  for (uint32_t T = 0; T < Counts.size(); ++T)
    for (uint32_t R : I->Terminals[T].Rules)
      PerRule[R] = satAdd(PerRule[R], Counts[T]);
  return PerRule;
}

} // namespace privet
