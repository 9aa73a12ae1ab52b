//===- PolicyImpl.h - The validated view of an artifact that decide() reads -----*- C++ -*-===//
//
// After validation every pointer here points into the artifact bytes and every index stored in
// them is known to be in bounds, so the accessors and the diagram walk do no further checks.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_RUNTIME_LIB_POLICYIMPL_H
#define PRIVET_RUNTIME_LIB_POLICYIMPL_H

#include "FileIO.h"

#include "privet/Artifact.h"
#include "privet/Domain.h"
#include "privet/Runtime.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace privet::rt {

/// Name -> id for one vocabulary (a dimension's values, the attributes, an enum's values), built
/// once at load and probed on every request built by names, so it is laid out for the lookup:
/// open addressing with linear probing, at most half full, no wrap-around (probes run on into a
/// tail that always ends with an empty slot). Vocabularies are small (a few hundred names), so
/// the slots stay in cache. Each name can carry 32 bits of data besides its id (a value's
/// diagram class), which the lookup hands back from the slot it has already read.
///
/// A name of up to 15 bytes is kept in its slot as two words that hold its bytes and its length,
/// so a lookup compares two words and never touches a string. A longer name is kept, with its
/// length, in the table's own pool, and compared byte for byte only when its hash matches.
///
/// The hash is cheap rather than strong, and an artifact may be hostile: if a name lands far
/// from its home slot, the table is rebuilt with another seed (a few times at most), so that
/// names crafted to collide under one seed cannot make loading quadratic. The first id inserted
/// for a name is kept.
class NameTable {
public:
  static constexpr size_t InlineSize = 15;

  NameTable() { reset(0); }

  /// Sizes the table for Count names, dropping any it held.
  void reset(size_t Count);
  /// Adds Name with Id (< InvalidId) and Data unless the name is already present.
  void insert(std::string_view Name, uint32_t Id, uint32_t Data = 0);
  size_t size() const { return NumNames; }

  /// The id of Name, or InvalidId.
  uint32_t find(std::string_view Name) const {
    const Slot *S = lookup(Name);
    return S ? S->Id : InvalidId;
  }
  /// The id of Name, or InvalidId; on success also sets Data.
  uint32_t find(std::string_view Name, uint32_t &Data) const {
    const Slot *S = lookup(Name);
    if (!S)
      return InvalidId;
    Data = S->Data;
    return S->Id;
  }

  // For tests that need names which collide.
  /// The number of home slots (a power of two).
  size_t homeSlots() const { return HomeSlots; }
  /// The slot where Name's probe starts.
  size_t home(std::string_view Name) const;

private:
  struct Slot {
    uint64_t A = 0;          ///< Short name: bytes 0..7. Long name: its offset in Pool.
    uint64_t B = EmptyB;     ///< Short name: bytes 8..14 and the length. Long name: a hash tag.
    uint32_t Id = InvalidId; ///< InvalidId marks an empty slot.
    uint32_t Data = 0;
  };
  // B's top byte tells the kinds of slot apart: a short name's length (0..15), a long name's tag
  // (top two bits set) or empty; so a short name can only match a short name's slot.
  static constexpr uint64_t EmptyB = uint64_t(1) << 62;
  static constexpr uint64_t LongBits = uint64_t(3) << 62;

  static uint64_t load64(const char *P) {
    uint64_t V;
    std::memcpy(&V, P, sizeof V);
    return V;
  }
  static uint64_t load32(const char *P) {
    uint32_t V;
    std::memcpy(&V, P, sizeof V);
    return V;
  }
  /// The two words that stand for a name of at most InlineSize bytes: its bytes zero-extended,
  /// then the length in the top byte. Reads only the name's own bytes.
  static void pack(std::string_view Name, uint64_t &A, uint64_t &B) {
    const char *P = Name.data();
    const size_t N = Name.size();
    B = uint64_t(N) << 56;
    if (N >= 8) {
      A = load64(P);
      if (N > 8)
        B |= load64(P + N - 8) >> (8 * (16 - N)); // bytes 8..N-1
    } else if (N >= 4) {
      A = load32(P) | load32(P + N - 4) << (8 * (N - 4)); // the overlap ORs equal bytes
    } else if (N > 0) {
      A = uint64_t(uint8_t(P[0])) | uint64_t(uint8_t(P[N / 2])) << (8 * (N / 2)) |
          uint64_t(uint8_t(P[N - 1])) << (8 * (N - 1));
    } else {
      A = 0;
    }
  }
  // Multiplicative hashing: bit k of a product depends only on bits 0..k of its factors, so the
  // table is indexed by the top bits, which depend on every bit of the name. Two multiplies for
  // a short name keep the lookup's dependency chain short.
  static constexpr uint64_t K1 = 0x9e3779b97f4a7c15ull, K2 = 0xc2b2ae3d27d4eb4full;
  size_t home(uint64_t A, uint64_t B) const { return size_t(((A ^ Seed) * K1 ^ B) * K2 >> Shift); }
  uint64_t hashLong(const char *P, size_t N) const {
    uint64_t H = Seed ^ N;
    for (size_t I = 0; I + 8 < N; I += 8)
      H = (H ^ load64(P + I)) * K1;
    return (H ^ load64(P + N - 8)) * K2;
  }
  const Slot *lookup(std::string_view Name) const {
    if (Name.size() > InlineSize)
      return lookupLong(Name);
    uint64_t A, B;
    pack(Name, A, B);
    for (const Slot *S = Slots.data() + home(A, B);; ++S) {
      if (S->A == A && S->B == B)
        return S;
      if (S->Id == InvalidId)
        return nullptr;
    }
  }
  /// Kept out of line so that the short-name path stays small enough to inline.
  const Slot *lookupLong(std::string_view Name) const;
  std::string_view pooled(uint64_t Offset) const;
  /// Puts S in the first free slot from Home on; returns how far from Home that is.
  size_t place(const Slot &S, size_t Home);
  /// Places every name again in HomeCount home slots, hashed with Seed.
  void rebuild(size_t HomeCount);
  size_t homeOf(const Slot &S) const;

  /// HomeSlots home slots, then the tail that displaced names run on into; the last slot is
  /// always empty, so that every probe ends.
  std::vector<Slot> Slots;
  /// Long names, each as a 32-bit length and its bytes.
  std::string Pool;
  size_t HomeSlots = 0;
  unsigned Shift = 64;
  uint64_t Seed = 0;
  unsigned Reseeds = 0;
  size_t NumNames = 0;
};

/// A dimension's value names, and the class of its "omitted" value, which Request::clear() needs
/// for every request: here it shares the cache lines that every lookup in the dimension reads.
struct ValueNameTable : NameTable {
  uint32_t OmittedClass = 0;
};

/// The most 64-bit words a dimension's scope rows (Impl::ScopeRows) may take; a dimension
/// beyond it is checked through the rule records. Tests lower it to cover that path.
extern uint64_t ScopeRowWordLimit;

struct CompiledPolicy::Impl {
  std::unique_ptr<FileBytes> Bytes;
  const format::FileHeader *Header = nullptr;

  const char *Strings = nullptr;
  const format::StrRef *StrRefs = nullptr;
  const uint32_t *U32s = nullptr;
  const int64_t *I64s = nullptr;
  const uint8_t *Flags = nullptr; ///< The Bytes section.
  const format::DimensionRecord *Dims = nullptr;
  const format::ValueRecord *Values = nullptr;
  const format::EnumRecord *Enums = nullptr;
  const format::AttributeRecord *Attributes = nullptr;
  const format::ObligationRecord *Obligations = nullptr;
  const format::ObligationInstanceRecord *Instances = nullptr;
  const format::RuleRecord *Rules = nullptr;
  const format::CombinationRecord *Combinations = nullptr;
  const format::TerminalRecord *Terminals = nullptr;
  const uint32_t *Nodes = nullptr; ///< The Nodes section's words (format::AttributeCode).
  /// Rules carry the rule table, for rule-list nodes (the indexed rule evaluator).
  bool HasRuleTable = false;
  /// Dimensions some node tests. With rule lists these are the ones above the lists: a list's
  /// rules all hold the values the walk took there, so the evaluator checks only the others.
  uint32_t IndexedDims = 0;
  uint64_t NumNodeWords = 0;

  // The rule table rearranged at load for the indexed rule evaluator (buildRuleIndex), so that
  // scanning a rule list reads a few compact arrays instead of two scattered records per rule.
  /// Per rule, what the scan reads: the parent, the effect and the condition.
  struct RuleFacts {
    uint32_t Parent;
    uint32_t IsAllow : 1;
    uint32_t ConditionSize : 31;
    uint32_t ConditionOffset;
  };
  std::vector<RuleFacts> RuleFactsByRule;
  /// Per dimension the walk leaves to the lists, that some rule constrains: for each leaf class
  /// a row of RuleWords words, bit R set when rule R's scope holds the class. Empty for a
  /// dimension no rule constrains, and for one whose rows would be too large (ScopeByRecord),
  /// which is checked against each rule's own scope bitset instead.
  std::vector<uint64_t> ScopeRows[NumDimensions];
  uint32_t RuleWords = 0;
  /// Dimensions checked through ScopeRows, and those checked through the rule records.
  uint32_t ScopeByRow = 0, ScopeByRecord = 0;

  uint64_t NumStrings = 0, NumStrRefs = 0, NumU32s = 0, NumI64s = 0, NumFlags = 0;
  uint32_t NumValuesTotal = 0, NumEnums = 0, NumAttributes = 0, NumObligations = 0,
           NumInstances = 0, NumRules = 0, NumCombinations = 0, NumTerminals = 0, NumNodes = 0;
  uint32_t Root = 0;

  // Per dimension, for the walk: the value count (= the "omitted" id), the class of each value,
  // and the dimension's first value record.
  uint32_t DimNumValues[NumDimensions] = {};
  const uint32_t *DimClass[NumDimensions] = {};
  const format::ValueRecord *DimValues[NumDimensions] = {};
  // Per dimension, for meeting a derived class a node has no child for: the number of leaf
  // classes, and the covers (format::DimensionRecord::CoverStarts / CoverData).
  uint32_t DimNumLeafClasses[NumDimensions] = {};
  const uint32_t *DimCoverStarts[NumDimensions] = {};
  const uint32_t *DimCovers[NumDimensions] = {};

  ValueNameTable ValueByName[NumDimensions];
  NameTable AttributeByName;
  std::vector<NameTable> EnumValueByName;

  std::string_view str(format::StrRef R) const { return {Strings + R.Offset, R.Size}; }

  /// A node by its reference (not a terminal), decoded.
  struct NodeView {
    bool IsList; ///< A rule list: Children are rule indexes.
    bool IsDimension;
    uint32_t Var; ///< Dimension or attribute index.
    uint32_t NumChildren;
    const uint32_t *Children;
    const int64_t *Thresholds; ///< NumChildren - 1 of them on int/duration tests.
  };
  NodeView node(uint32_t Ref) const {
    const uint32_t *W = Nodes + (Ref >> 4);
    uint32_t Code = Ref & 15;
    if (Code == format::RuleListCode)
      return {true, false, 0, W[0] >> 4, W + 1, nullptr};
    if (Code != format::AttributeCode)
      return {false, true, Code, W[0] >> 4, W + 1, nullptr};
    return {false, false, W[1], W[0] >> 4, W + 3, I64s + W[2]};
  }
  const char *cstr(format::StrRef R) const { return Strings + R.Offset; }
};

/// The terminal one diagram walk reaches with Classes (one per dimension, data included) and the
/// attributes, or InvalidId when the decision needs decide()'s general path (a rule list, a group
/// value to meet, an attribute without a value that matters). The batch API's fast path.
uint32_t walkToTerminal(const CompiledPolicy::Impl &I, const uint32_t *Classes,
                        const int64_t *AttrValue, const uint8_t *AttrSet);
/// walkToTerminal for N requests at once, their walks interleaved so that their cache misses
/// overlap: walk R reads Classes[R * NumDimensions ..], AttrValues[R * NumAttributes ..] and
/// AttrSets likewise, and writes Out[R].
void walkToTerminals(const CompiledPolicy::Impl &I, size_t N, const uint32_t *Classes,
                     const int64_t *AttrValues, const uint8_t *AttrSets, uint32_t *Out);
/// The node words from which BatchDecider interleaves its walks; below, a diagram stays in cache
/// and it walks one row at a time. Tests set it to 0 to cover the interleaved walks on small
/// policies.
extern uint64_t InterleavedWalksFromWords;

/// Rule's condition (the rule table's) on attribute values: 1 true, 0 false, -1 with NeedAttr set
/// when it reads an attribute that Known says has no value. For explanations (WhyNot.cpp).
int evaluateRuleCondition(const CompiledPolicy::Impl &I, uint32_t Rule, const int64_t *Values,
                          const uint8_t *Known, uint32_t &NeedAttr);
/// The data set after applying combination rules until nothing changes (sorted, unique).
void combineData(const CompiledPolicy::Impl &I, std::vector<uint32_t> &Set);

/// Validates Bytes as an artifact and fills Impl; on failure returns the reason.
Status validateArtifact(CompiledPolicy::Impl &I);

} // namespace privet::rt

#endif // PRIVET_RUNTIME_LIB_POLICYIMPL_H
