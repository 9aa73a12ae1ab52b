//===- DiagramQueries.cpp - Reading a built decision diagram: accessors and evaluation ------===//
#include "DiagramImpl.h"

#include "privet/Basic/Memory.h"

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

void DecisionDiagram::releaseTerminals() { release(I->Terminals); }
void DecisionDiagram::releaseNodes() {
  release(I->Nodes);
  release(I->Pool);
  release(I->BottomUp);
  I->Root = TerminalBit;
}

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

std::array<llvm::BitVector, NumDimensions> DecisionDiagram::scopeClasses(const Scope &S) const {
  std::array<llvm::BitVector, NumDimensions> Out;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const DimensionClasses &DC = I->Classes[D];
    Out[D] = llvm::BitVector(DC.NumLeafClasses, !S.Dims[D] || I->P.Vocab[D].empty());
    if (Out[D].all())
      continue;
    for (unsigned L : S.Dims[D]->set_bits())
      if (L < DC.LeafClass.size())
        Out[D].set(DC.LeafClass[L]);
  }
  return Out;
}

} // namespace privet
