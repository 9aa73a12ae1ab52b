//===- ScopeIndex.h - Rules indexed by the values of their effective scopes -----*- C++ -*-===//
//
// The rule analyses compare a rule with the rules whose scopes can overlap or contain it. Testing
// every pair is quadratic (at 100,000 rules the dead-rule notes alone did 4 billion tests), so
// the rules are indexed dimension by dimension: per value, the rules whose effective scope
// (PolicyRegions::effectiveDims) holds it without holding every value, and apart the rules that
// hold every value. A query reads the lists of the one dimension that offers the fewest
// candidates and tests each candidate on a copy of the scopes kept together, rule after rule:
// the bit words of each dimension of up to MaxInlineValues values, and for a larger dimension
// its words OR-ed into one (a subset's fold is a subset of the fold, disjoint folds mean
// disjoint sets), confirmed on the bit vectors themselves. The answers are exactly the rules the
// pairwise tests accept, in ascending order.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_SCOPEINDEX_H
#define PRIVET_ANALYSIS_SCOPEINDEX_H

#include "privet/Analysis/Regions.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <array>
#include <cstdint>
#include <vector>

namespace privet::analysis {

class ScopeIndex {
public:
  /// Dimensions with more values are kept folded into one word per rule.
  static constexpr unsigned MaxInlineValues = 512;

  explicit ScopeIndex(const PolicyRegions &R);

  /// Indexes rule Rl. Rules must be added in ascending order.
  void add(uint32_t Rl);
  size_t size() const { return Members.size(); }

  /// Whether the effective scopes of A and B share a value in every dimension.
  bool overlap(uint32_t A, uint32_t B) const;
  /// Whether the effective scope of B holds that of A in every dimension.
  bool contains(uint32_t B, uint32_t A) const;

  /// The indexed rules, ascending, that overlap Rl (Rl itself included when indexed).
  void overlapping(uint32_t Rl, std::vector<uint32_t> &Out);
  /// Calls F with the indexed rules, ascending, that contain Rl (Rl itself included when
  /// indexed), until F returns false.
  void containing(uint32_t Rl, llvm::function_ref<bool(uint32_t)> F);

private:
  struct DimLayout {
    uint32_t Offset = 0; ///< First word of the dimension in a rule's row.
    uint32_t Words = 0;  ///< Inline: the bit vector's words; folded: 1.
    bool Folded = false;
  };
  /// Rl's effective scope in the row layout.
  void writeRow(uint32_t Rl, uint64_t *Row) const;
  /// Rl's scope in the row layout, into Query.
  void loadQuery(uint32_t Rl);
  bool rowOverlaps(uint32_t Member) const;
  bool rowContains(uint32_t Member) const;

  const PolicyRegions &R;
  std::array<DimLayout, NumDimensions> Layout;
  uint32_t Stride = 0;
  std::vector<uint32_t> Members; ///< Indexed rules, ascending.
  std::vector<uint64_t> Rows;    ///< Stride words per member.
  /// Per dimension and value, the members (positions in Members) holding the value but not
  /// every value; per dimension, those holding every value.
  std::array<std::vector<std::vector<uint32_t>>, NumDimensions> Post;
  std::array<std::vector<uint32_t>, NumDimensions> Full;
  std::vector<uint64_t> Query; ///< The rule being asked about, in the row layout.
  uint32_t QueryRule = 0;
  std::vector<uint32_t> Seen; ///< Per member, the query that last collected it.
  uint32_t Epoch = 0;
  std::vector<uint32_t> Found;
};

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_SCOPEINDEX_H
