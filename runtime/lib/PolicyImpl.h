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
#include "privet/Runtime.h"

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace privet::rt {

using NameMap = std::unordered_map<std::string_view, uint32_t>;

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

  NameMap ValueByName[NumDimensions];
  NameMap AttributeByName;
  std::vector<NameMap> EnumValueByName;

  std::string_view str(format::StrRef R) const { return {Strings + R.Offset, R.Size}; }

  /// A node by its reference (not a terminal), decoded.
  struct NodeView {
    bool IsList;      ///< A rule list: Children are rule indexes.
    bool IsDimension;
    uint32_t Var;         ///< Dimension or attribute index.
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

/// Validates Bytes as an artifact and fills Impl; on failure returns the reason.
Status validateArtifact(CompiledPolicy::Impl &I);

} // namespace privet::rt

#endif // PRIVET_RUNTIME_LIB_POLICYIMPL_H
