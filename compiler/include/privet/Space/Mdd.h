//===- Mdd.h - Hash-consed multi-valued decision diagrams over finite sets -------*- C++ -*-===//
//
// The analyses reason about sets of leaf requests: products of finite variable domains (one leaf
// per dimension, one value class per attribute). An Mdd represents such a set canonically (reduced
// and ordered, so equal sets are equal Refs), which makes emptiness, subset and equality O(1) or a
// memoised walk, and lets a 10,000-rule policy be analysed exactly instead of by sampling.
//
// This is a set algebra, not the compiled decision diagram of privet/Lower: that one maps requests
// to decisions; this one answers "which requests" questions (where does rule r apply, where do the
// denies win, where did two policies' decisions flip) that the analyses combine freely. Both keep
// their nodes in a space::NodeStore. Over its budget the diagram stops growing: every operation
// then answers False, and takeError() says which budget was exceeded.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SPACE_MDD_H
#define PRIVET_SPACE_MDD_H

#include "privet/Space/NodeStore.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace privet::space {

class Mdd {
public:
  using Ref = uint32_t;
  static constexpr Ref False = 0;
  static constexpr Ref True = 1;

  /// The operation caches' largest size, as a power of two (entries of 16 bytes each).
  static constexpr unsigned DefaultCacheBits = 22;

  /// Variables are tested in index order; Domains[v] >= 1 is the number of values of v.
  /// CacheBits bounds each operation cache to 2^CacheBits entries (tests use tiny caches to
  /// check that results do not depend on what the caches keep).
  explicit Mdd(std::vector<uint32_t> Domains, Budget B = {}, unsigned CacheBits = DefaultCacheBits);

  unsigned numVars() const { return Domains.size(); }
  uint32_t domain(unsigned Var) const { return Domains[Var]; }
  bool isTerminal(Ref R) const { return R <= True; }
  /// The variable R tests; numVars() for a terminal.
  unsigned var(Ref R) const { return isTerminal(R) ? numVars() : Store.var(R - FirstNode); }
  llvm::ArrayRef<Ref> children(Ref R) const { return Store.children(R - FirstNode); }
  /// Nodes stored, terminals included.
  size_t numNodes() const { return Store.size() + FirstNode; }
  /// Whether a budget was exceeded (every result since is False).
  bool failed() const { return Store.exhausted(); }
  /// The budget exceeded, if one was.
  llvm::Error takeError() const { return Store.budgetError("the set diagram"); }

  /// The reduced node testing Var with these children (one per value).
  Ref node(unsigned Var, llvm::ArrayRef<Ref> Children);
  /// The set of assignments whose Var takes a value in Values.
  Ref literal(unsigned Var, const llvm::BitVector &Values);
  /// A product: per variable a value set, nullptr meaning every value.
  Ref cube(llvm::ArrayRef<const llvm::BitVector *> PerVar);

  Ref conj(Ref A, Ref B) { return apply(OpAnd, A, B); }
  Ref disj(Ref A, Ref B) { return apply(OpOr, A, B); }
  /// A and not B.
  Ref diff(Ref A, Ref B) { return apply(OpDiff, A, B); }
  Ref neg(Ref A) { return apply(OpDiff, True, A); }
  /// The union of many sets, combined pairwise so intermediate results stay small.
  Ref disjAll(std::vector<Ref> Sets);

  bool subset(Ref A, Ref B);
  bool intersects(Ref A, Ref B);
  /// Whether the full assignment Point (a value per variable) is in A.
  bool contains(Ref A, llvm::ArrayRef<uint32_t> Point) const;

  /// One assignment in A (nullopt if A is empty). Where the set allows it, variable v takes
  /// Preferred[v] (when given and in range), so witnesses use defaults rather than arbitrary
  /// values.
  std::optional<std::vector<uint32_t>> pick(Ref A, llvm::ArrayRef<uint32_t> Preferred = {}) const;

  /// The values of Var for which A holds some assignment.
  llvm::BitVector project(Ref A, unsigned Var);

  /// Calls F with disjoint products covering A (per variable a value set, every value when the
  /// path does not test it), stopping when F returns false.
  void forEachCube(Ref A, const std::function<bool(const std::vector<llvm::BitVector> &)> &F) const;

  /// Drops the operation caches (not the nodes), to bound memory between phases.
  void clearCaches();

private:
  /// A computed table as BDD packages keep one: direct-mapped and lossy, so a colliding entry
  /// replaces the old one and a lookup may miss what was computed before. Results never depend
  /// on it (a miss recomputes, and nodes are hash-consed); what it bounds is memory and the time
  /// an unbounded hash map spent growing. It grows with the node store up to 2^MaxBits entries.
  class ComputedTable {
  public:
    static constexpr uint64_t Empty = ~uint64_t(0);
    explicit ComputedTable(unsigned MaxBits) : MaxBits(MaxBits) { resize(std::min(10u, MaxBits)); }
    bool lookup(uint64_t Key, uint32_t &Value) const {
      const Entry &E = Entries[slot(Key)];
      if (E.Key != Key)
        return false;
      Value = E.Value;
      return true;
    }
    void insert(uint64_t Key, uint32_t Value, size_t Nodes) {
      if (Nodes > Entries.size() && Bits < MaxBits)
        resize(Bits + 1);
      Entries[slot(Key)] = {Key, Value};
    }
    void clear() { resize(std::min(10u, MaxBits)); }

  private:
    struct Entry {
      uint64_t Key;
      uint32_t Value;
    };
    size_t slot(uint64_t Key) const { return size_t((Key * 0x9E3779B97F4A7C15ull) >> (64 - Bits)); }
    void resize(unsigned NewBits);
    unsigned MaxBits;
    unsigned Bits = 0;
    std::vector<Entry> Entries;
  };

  enum Op : uint8_t { OpAnd = 0, OpOr = 1, OpDiff = 2 };
  /// Refs below this are the terminals; Ref R >= FirstNode is store node R - FirstNode.
  static constexpr Ref FirstNode = 2;

  Ref apply(Op O, Ref A, Ref B);
  Ref cofactor(Ref R, unsigned Var, uint32_t Value) const {
    return var(R) == Var ? Store.child(R - FirstNode, Value) : R;
  }
  bool cubeWalk(Ref R, unsigned Var, std::vector<llvm::BitVector> &Acc,
                const std::function<bool(const std::vector<llvm::BitVector> &)> &F) const;

  std::vector<uint32_t> Domains;
  NodeStore Store;
  ComputedTable ApplyCache;
  /// subset and intersects, told apart by bit 62 of the key.
  ComputedTable TestCache;
};

} // namespace privet::space

#endif // PRIVET_SPACE_MDD_H
