//===- DiagramImpl.h - The storage of a built decision diagram (private to Lower) ------------===//
#ifndef PRIVET_LIB_LOWER_DIAGRAMIMPL_H
#define PRIVET_LIB_LOWER_DIAGRAMIMPL_H

#include "privet/Lower/DecisionDiagram.h"
#include "privet/Space/NodeStore.h"

#include <array>
#include <vector>

namespace privet {

/// Variables are numbered as "keys": dimension D is unsigned(D), attribute A is NumDimensions + A.
inline uint32_t varKey(DiagramVar V) { return V.IsDimension ? V.Index : NumDimensions + V.Index; }
/// The var key of a rule-list node, whose Pool entries are rule indexes rather than references.
constexpr uint32_t RuleListVar = 0xffffffu;

inline DiagramVar varOfKey(uint32_t K) {
  return K < NumDimensions ? DiagramVar::dim(Dimension(K)) : DiagramVar::attr(K - NumDimensions);
}

struct DecisionDiagram::Impl {
  const Policy &P;
  std::array<DimensionClasses, NumDimensions> Classes;
  std::vector<AttributeDomain> Domains;
  std::vector<DiagramVar> Order; ///< Every variable, root first.
  std::vector<uint32_t> LevelOf; ///< Var key -> position in Order.

  /// A compacted node: its var key, and its children's place in Pool. The layout of the
  /// builder's NodeStore, without the hash table: the built diagram is never extended.
  using NodeRec = space::NodeStore::Node;
  std::vector<NodeRec> Nodes; ///< Reachable nodes only, children before parents.
  std::vector<Ref> Pool;
  std::vector<DiagramTerminal> Terminals;
  std::vector<Ref> BottomUp;
  Ref Root = TerminalBit;
  DiagramBuildStats Stats;
  bool UsesRuleLists = false;

  explicit Impl(const Policy &P) : P(P) {}

  llvm::ArrayRef<Ref> children(Ref R) const {
    const NodeRec &N = Nodes[R];
    return llvm::ArrayRef<Ref>(Pool).slice(N.First, N.Count);
  }
  uint32_t level(Ref R) const {
    return DecisionDiagram::isTerminal(R) ? uint32_t(Order.size()) : LevelOf[Nodes[R].Var];
  }
};

} // namespace privet

#endif // PRIVET_LIB_LOWER_DIAGRAMIMPL_H
