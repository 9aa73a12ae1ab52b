//===- DecisionDiagram.h - Reduced ordered multi-valued decision diagram of a policy -*- C++
//-*-===//
//
// The compiled form of a Policy: a hash-consed, reduced, ordered multi-valued decision diagram
// whose variables are the request dimensions (tested by value class) and the attributes (tested by
// value interval), and whose terminals are decisions (effect, deciding rules, obligations).
// Lowering serialises it into the artifact. Its nodes live in a space::NodeStore and its attribute
// tests use space::AttrClasses, the foundation the analyses' set algebra (space::Mdd) shares.
//
// Value classes. Per dimension, leaves that belong to exactly the same rule, invariant and test
// scopes are interchangeable and share a *leaf class*. Every non-leaf value and "omitted" maps to
// the set of leaf classes it covers: a singleton is that leaf class, anything else a *derived
// class* whose decision is the meet (docs/language.md, "Requests that are not leaves") of those of
// its leaf classes: a precomputed edge where the group budget allowed one (a node has children for
// a prefix of the derived classes), otherwise met from the leaf-class edges when asked. Leaf
// classes are numbered 0..numLeafClasses()-1, derived classes after them.
//
// Attribute domains. Bool: {false, true}; enum: its values; int/duration: the intervals between the
// constants used in conditions (rules, invariants, tests), so every comparison is constant on an
// interval. Domain index i of an int attribute covers [Cuts[i-1], Cuts[i]).
//
// evaluate() works on leaf classes and attribute intervals ("cells"); all leaves of a class and
// all values of an interval get the same decision, so a cell answers for every leaf request inside
// it.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LOWER_DECISIONDIAGRAM_H
#define PRIVET_LOWER_DECISIONDIAGRAM_H

#include "privet/Sema/Policy.h"
#include "privet/Space/AttrClasses.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace privet {

/// A diagram variable: a request dimension or an attribute.
struct DiagramVar {
  bool IsDimension = true;
  uint32_t Index = 0; ///< unsigned(Dimension), or index into Policy::Attributes.

  static DiagramVar dim(Dimension D) { return {true, unsigned(D)}; }
  static DiagramVar attr(uint32_t A) { return {false, A}; }
  friend bool operator==(DiagramVar A, DiagramVar B) {
    return A.IsDimension == B.IsDimension && A.Index == B.Index;
  }
};

/// How to order the variables (root first). Attributes always come after the dimensions so that a
/// request that omits an attribute explores only small subdiagrams.
enum class DimensionOrder : uint8_t {
  Heuristic,     ///< Most-constrained dimension first, ties by fewer leaf classes (the default).
  Declaration,   ///< action, data, subject, purpose, basis, recipient, region, context.
  FewestClasses, ///< Fewest leaf classes first.
  MostClasses,   ///< Most leaf classes first.
  Explicit,      ///< DiagramOptions::ExplicitOrder.
};

struct DiagramOptions {
  DimensionOrder Order = DimensionOrder::Heuristic;
  std::array<Dimension, NumDimensions> ExplicitOrder{};
  /// Build fails with an error when the diagram would hold more nodes than this.
  uint64_t NodeBudget = 2'000'000;
  /// Build fails when it would take more than this many operation steps (each combines two
  /// subdiagrams at one variable); this bounds compile time when the diagram explodes.
  uint64_t StepBudget = 50'000'000;
  /// Precomputing the edges of derived classes (non-leaf values, omitted), nodes nearest the root
  /// first, stops after this many steps (one edge may take a sixteenth of them). A dimension node
  /// has children for its leaf classes and for a prefix of its derived classes (all of them
  /// within budget); a derived class beyond them is decided as the meet of the node's children
  /// for its leaf classes.
  uint64_t DerivedStepBudget = 4'000'000;
  /// When the diagram exceeds a budget, build the indexed rule evaluator instead: a diagram over
  /// the first RuleListLevels tested dimensions whose leaves list the rules that can apply there
  /// (rule-list nodes), evaluated by the runtime. ForceRuleLists builds it directly.
  bool AllowRuleLists = true;
  bool ForceRuleLists = false;
  uint32_t RuleListLevels = 3;
  /// Every this many steps of the leaf phase, memory freed by the builder is returned to the
  /// system (releaseFreedMemory); 0: never. A build that did so also returns it before
  /// compaction and while it is lowered (lowerAndReleaseDiagram). The builder's short-lived
  /// blocks are freed between its long-lived ones, so their pages stay resident otherwise: at
  /// 100,000 rules the build peaked at 425 MiB of RSS in the leaf phase without this, and peaks
  /// at 365 MiB with it. Pages used again are faulted in again, which costs that build about
  /// 0.2 s of its 1.7 s diagram; every 2^18 steps returns no more and costs twice that.
  uint64_t ReturnMemoryEvery = uint64_t(1) << 20;
};

/// Per dimension: how values map to classes.
struct DimensionClasses {
  uint32_t NumLeafClasses = 1;
  uint32_t NumClasses = 1;
  std::vector<uint32_t> LeafClass; ///< LeafIndex -> leaf class.
  std::vector<uint32_t> NodeClass; ///< NodeId -> class (leaf or derived).
  uint32_t OmittedClass = 0;       ///< The class of "omitted" (every leaf).
  /// Class -> the leaf classes it covers (a leaf class covers itself).
  std::vector<std::vector<uint32_t>> Covers;
  /// Leaf class -> its leaves (ascending). Empty for a dimension without a vocabulary.
  std::vector<std::vector<LeafIndex>> Members;
};

/// Per attribute: the finite domain the diagram tests (Cuts: the interval bounds).
using AttributeDomain = space::AttrClasses;

/// A decision: what a diagram terminal carries.
struct DiagramTerminal {
  bool Allow = false;
  std::vector<uint32_t> Rules;            ///< Deciding rules (Policy::Rules indexes), sorted.
  std::vector<ObligationRef> Obligations; ///< Sorted, unique; allow only.

  friend bool operator==(const DiagramTerminal &A, const DiagramTerminal &B) {
    return A.Allow == B.Allow && A.Rules == B.Rules && A.Obligations == B.Obligations;
  }
  friend bool operator!=(const DiagramTerminal &A, const DiagramTerminal &B) { return !(A == B); }
};

/// How a build went, for `privet build --stats` and the benchmarks.
struct DiagramBuildStats {
  double LeafSeconds = 0;     ///< The diagram over leaf classes.
  double DerivedSeconds = 0;  ///< Adding derived classes (non-leaf values, omitted).
  uint64_t GroupNodes = 0;    ///< Dimension nodes with an edge for every derived class.
  uint64_t DeferredNodes = 0; ///< Dimension nodes where some derived class is met at decision time.
  uint64_t DerivedEdges = 0;  ///< Derived-class edges precomputed.
  uint64_t DeferredEdges = 0; ///< Derived-class edges left to decision time.
  uint64_t RuleLists = 0;     ///< Rule-list nodes (the indexed rule evaluator), if any.
  uint64_t MemoryReturns = 0; ///< Times freed memory was returned (ReturnMemoryEvery).
  std::string FallbackReason; ///< Why the indexed rule evaluator was built, if it was.
};

/// The decision of a group request from two of its parts (docs/language.md, "Requests that are not
/// leaves"): deny if either denies, explained by the least rule set; an allow owes both parts'
/// obligations.
DiagramTerminal meetTerminals(const DiagramTerminal &X, const DiagramTerminal &Y);

class DecisionDiagram {
public:
  /// A child reference: TerminalBit | terminal index, or a node index.
  using Ref = uint32_t;
  static constexpr Ref TerminalBit = 0x80000000u;
  static bool isTerminal(Ref R) { return R & TerminalBit; }

  struct NodeView {
    DiagramVar Var;
    llvm::ArrayRef<Ref> Children; ///< One per class (dimension) or domain index (attribute).
  };

  /// Compiles P. Fails (with a message naming the budget) when the diagram exceeds
  /// Opts.NodeBudget nodes.
  static llvm::Expected<std::unique_ptr<DecisionDiagram>> build(const Policy &P,
                                                                const DiagramOptions &Opts = {});
  ~DecisionDiagram();

  const Policy &policy() const;
  const DiagramBuildStats &buildStats() const;
  /// Whether this is the indexed rule evaluator: some nodes are rule lists (nodeRules), and the
  /// cell query evaluate() must not be used.
  bool usesRuleLists() const;
  bool isRuleList(Ref R) const;
  /// The rule indexes a rule-list node names (ascending; exceptions with a live parent included).
  llvm::ArrayRef<uint32_t> nodeRules(Ref R) const;
  Ref root() const;
  /// Variables root first: the dimensions actually tested, then the attributes.
  llvm::ArrayRef<DiagramVar> order() const;
  const DimensionClasses &classes(Dimension D) const;
  const AttributeDomain &domain(uint32_t Attr) const;

  /// Nodes reachable from the root, terminals, and edges (children of those nodes).
  uint32_t numNodes() const;
  uint32_t numTerminals() const;
  uint64_t numEdges() const;
  NodeView node(Ref R) const;
  const DiagramTerminal &terminal(Ref R) const;
  /// Every reachable node in an order where children come before parents (root last).
  llvm::ArrayRef<Ref> nodesBottomUp() const;

  /// Free the terminals, or the nodes, once they have been copied elsewhere: lowering does, since
  /// at 100,000 rules they are about 60 and 20 MB, alive at the build's peak otherwise. Afterwards
  /// numTerminals() (numNodes(), numEdges()) is 0, and only what reads neither may be called:
  /// policy, buildStats, usesRuleLists, order, classes, domain, scopeClasses.
  void releaseTerminals();
  void releaseNodes();

  /// The decision for Classes (which may hold derived classes: non-leaf values, omitted) and a
  /// domain index per attribute: one walk, plus the meet of several walks where a derived edge
  /// is deferred.
  DiagramTerminal evaluate(const std::array<uint32_t, NumDimensions> &Classes,
                           llvm::ArrayRef<uint32_t> Attrs) const;

  /// Per dimension, the leaf classes a scope meets (every class where it is unconstrained).
  std::array<llvm::BitVector, NumDimensions> scopeClasses(const Scope &S) const;

  /// The decision of a leaf request, looked up in the diagram (Leaves: NoIndex for a dimension
  /// without vocabulary; AttrValues: a value for every attribute).
  const DiagramTerminal &decideLeaf(const std::array<LeafIndex, NumDimensions> &Leaves,
                                    llvm::ArrayRef<int64_t> AttrValues) const;

  struct Impl;

private:
  explicit DecisionDiagram(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

} // namespace privet

#endif // PRIVET_LOWER_DECISIONDIAGRAM_H
