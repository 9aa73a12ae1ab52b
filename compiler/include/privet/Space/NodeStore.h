//===- NodeStore.h - The hash-consed node table under every request-space diagram -*- C++ -*-===//
//
// Both diagrams over the request space (the analyses' Mdd and Lower's decision diagram) store
// their nodes here: a node is a variable and an ordered list of child references, and equal nodes
// are one node, so equal subdiagrams are equal references. The store enforces the node budget and
// counts work steps against a step budget; exceeding either is reported as an llvm::Error by the
// diagram that owns the store, never as an abort.
//
// What a child reference means (a terminal, another node, a rule index) and the reduction rule
// (a node whose children are all equal is that child) belong to the diagram, not to the store.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SPACE_NODESTORE_H
#define PRIVET_SPACE_NODESTORE_H

#include "privet/Basic/Memory.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace privet::space {

/// The sizes a diagram may grow to before its build fails.
struct Budget {
  uint64_t Nodes = 0x7fffffffu;
  uint64_t Steps = UINT64_MAX;
};

class NodeStore {
public:
  struct Node {
    uint32_t Var;
    uint32_t First; ///< Index of the first child in the pool.
    uint32_t Count;
  };
  /// What intern() returns when the node budget is exhausted.
  static constexpr uint32_t Full = ~0u;

  explicit NodeStore(Budget B = {});

  /// The node (Var, Children), shared with an equal one already stored. Full when storing it
  /// would exceed the node budget, unless Budgeted is false (for nodes whose number the caller
  /// bounds itself).
  uint32_t intern(uint32_t Var, llvm::ArrayRef<uint32_t> Children, bool Budgeted = true);

  size_t size() const { return Nodes.size(); }
  const Node &node(uint32_t N) const { return Nodes[N]; }
  uint32_t var(uint32_t N) const { return Nodes[N].Var; }
  llvm::ArrayRef<uint32_t> children(uint32_t N) const {
    return llvm::ArrayRef<uint32_t>(Pool).slice(Nodes[N].First, Nodes[N].Count);
  }
  uint32_t child(uint32_t N, uint32_t K) const { return Pool[Nodes[N].First + K]; }

  /// Counts N steps of work; false once the step budget is exceeded.
  bool step(uint64_t N = 1) {
    Steps += N;
    return Steps <= Limits.Steps;
  }
  /// Frees the hash table behind intern(), for a store that is only read from now on: intern()
  /// must not be called afterwards.
  void dropIndex() {
    release(Hashes);
    release(Table);
  }
  /// Frees every node, for a store whose nodes have been copied elsewhere: no other member but
  /// the counters may be called afterwards.
  void releaseNodes() {
    dropIndex();
    release(Nodes);
    release(Pool);
  }
  uint64_t steps() const { return Steps; }
  const Budget &budget() const { return Limits; }
  /// Whether a node or step budget was exceeded since construction.
  bool exhausted() const { return NodesExhausted || Steps > Limits.Steps; }
  /// The error saying which budget What exceeded ("the set diagram", "the decision diagram").
  llvm::Error budgetError(llvm::StringRef What) const;

private:
  void grow();
  static uint32_t hash(uint32_t Var, llvm::ArrayRef<uint32_t> Children);

  Budget Limits;
  uint64_t Steps = 0;
  bool NodesExhausted = false;
  std::vector<Node> Nodes;
  std::vector<uint32_t> Pool;
  std::vector<uint32_t> Hashes; ///< Per node, so growing the table rehashes nothing.
  /// Open-addressed table of node index + 1 (0: empty slot).
  std::vector<uint32_t> Table;
};

} // namespace privet::space

#endif // PRIVET_SPACE_NODESTORE_H
