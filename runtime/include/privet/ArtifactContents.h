//===- ArtifactContents.h - The logical content of a compiled policy (.pvc) ------*- C++ -*-===//
//
// This is the one contract between the compiler and the runtime. The compiler's lowering fills an
// ArtifactContents; privet::rt::serializeArtifact (runtime/include/privet/Artifact.h) turns it into
// the versioned, checksummed binary format, and the runtime loads that format. Plain standard C++
// only: the runtime must not depend on the compiler.
//
// Decision diagram. Variables are the request dimensions (a multi-valued test indexed by the
// requested value's class) and attributes (a test on the attribute's value). A child reference
// with TerminalBit set names a terminal; otherwise a node. Walking from Root with one value per
// dimension and every attribute known reaches exactly one terminal: the decision for that request
// and one data category (see docs/language.md). Non-leaf values, and "omitted" (the extra last
// value of every dimension), have their own *derived* classes. A dimension node has a child for
// every leaf class and, where the compiler precomputed them, for the derived classes after those
// (a prefix of them); then such a request is one walk too. A derived class beyond a node's
// children is decided as the meet (docs/language.md, "Requests that are not leaves") of the
// node's children for the leaf classes it covers.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ARTIFACTCONTENTS_H
#define PRIVET_ARTIFACTCONTENTS_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace privet::rt {

constexpr unsigned NumDimensions = 9;
/// Dimension order everywhere in the artifact and the runtime API.
enum class Dim : uint8_t {
  Action,
  Data,
  Subject,
  Purpose,
  Basis,
  Recipient,
  Region,
  Context,
  Actor
};

enum class AttrKind : uint8_t { Bool = 0, Int = 1, Duration = 2, Enum = 3 };

/// Marks a child reference as a terminal index.
constexpr uint32_t TerminalBit = 0x80000000u;

struct DimensionTable {
  /// "action", "data", "subject", "purpose", "basis", "recipient", "region", "context", "actor".
  std::string Name;
  /// Every declared node of this vocabulary, indexed by value id (the compiler's NodeId).
  std::vector<std::string> ValueNames;
  std::vector<std::string> ValueTitles;
  std::vector<uint8_t> IsLeaf;
  /// Direct parents of each value (for explanations and permitted_values).
  std::vector<std::vector<uint32_t>> Parents;
  /// ValueNames.size() + 1 entries: the class of each value, then of "omitted" (every value). The
  /// diagram's dimension nodes have one child per class. A dimension with no declared values has
  /// one class (the omitted value).
  std::vector<uint32_t> ValueClass;
  uint32_t NumClasses = 1;
  /// Classes 0 .. NumLeafClasses-1 are leaf classes; the others are derived.
  uint32_t NumLeafClasses = 1;
  /// For each derived class (NumClasses - NumLeafClasses of them, in class order): the leaf
  /// classes it covers, ascending, at least two.
  std::vector<std::vector<uint32_t>> DerivedCovers;
};

struct EnumEntry {
  std::string Name;
  std::vector<std::string> Values;
};

struct AttributeEntry {
  std::string Name;
  AttrKind Kind = AttrKind::Bool;
  uint32_t Enum = 0; ///< With Kind == Enum: index into Enums.
  bool HasDefault = false;
  int64_t Default = 0; ///< bool 0/1, enum index, integer, duration in seconds.
  /// Int/duration: every threshold any test of this attribute may use, ascending. Values between
  /// two neighbours decide alike, which lets the runtime try each interval of a missing attribute.
  std::vector<int64_t> Domain;
};

struct ObligationEntry {
  std::string Name;
  std::string Title;
  bool HasParam = false;
  AttrKind ParamKind = AttrKind::Bool;
  uint32_t ParamEnum = 0;
};

/// An obligation as returned with a decision: which one, and its argument if it takes one.
struct ObligationInstance {
  uint32_t Obligation = 0;
  bool HasArg = false;
  int64_t Arg = 0;
};

struct RuleEntry {
  std::string Id;
  bool IsAllow = true;
  uint32_t Parent = UINT32_MAX; ///< For an exception, its parent rule; UINT32_MAX otherwise.
  std::string File;
  uint32_t Line = 0;
  uint32_t Col = 0;
  std::string SourceText;           ///< The rule as written.
  std::vector<std::string> Sources; ///< @source annotations: the notice text it encodes.

  // What the runtime needs to evaluate the rule itself (ArtifactContents::RuleTable): the
  // compiler always fills the scope and condition (explanations read them); the obligations
  // only when the diagram has rule-list nodes, the one reader of them.
  /// Per dimension: the leaf classes the rule's scope holds, ascending, unless the bit of the
  /// dimension is clear in Constrained (every value).
  std::array<std::vector<uint32_t>, NumDimensions> Scope;
  uint32_t Constrained = 0;
  /// The condition in postfix (CondOp); empty: always true.
  std::vector<uint32_t> Condition;
  /// For an allow: obligation instances it carries, its own and its enclosing allows'.
  std::vector<uint32_t> Obligations;
};

/// Condition bytecode, postfix over a stack of truth values. Operands follow the opcode word.
enum class CondOp : uint32_t {
  True = 0,    ///< push true
  False = 1,   ///< push false
  Not = 2,     ///< pop a, push !a
  And = 3,     ///< n: pop n (>= 2), push their conjunction
  Or = 4,      ///< n: pop n (>= 2), push their disjunction
  Bool = 5,    ///< attr: push attr's value != 0
  Compare = 6, ///< attr, op (== != < <= > >=), value low word, value high word
  InSet = 7,   ///< attr, n, then n values as (low, high) word pairs
};

struct Terminal {
  bool Allow = false;
  std::vector<uint32_t>
      Rules; ///< Deciding rules (indexes into Rules), sorted; empty: default deny.
  std::vector<uint32_t> Obligations; ///< Indexes into ObligationInstances, sorted; allow only.
};

struct Node {
  /// RuleList: a leaf of the indexed rule evaluator. Children are rule indexes (ascending) that
  /// can apply to requests reaching it; the runtime evaluates them (docs/language.md semantics).
  enum Kind : uint8_t { DimensionTest = 0, AttributeTest = 1, RuleList = 2 };
  Kind K = DimensionTest;
  uint32_t Var = 0; ///< Dimension index, or attribute index.
  /// Attribute tests on int/duration attributes: ascending thresholds; child i covers the values v
  /// with Thresholds[i-1] <= v < Thresholds[i]. Empty for other tests.
  std::vector<int64_t> Thresholds;
  /// Dimension test: one per leaf class, then one for each of a prefix of the derived classes.
  /// Bool: {false, true}. Enum: one per enum value. Int/duration: Thresholds.size() + 1.
  std::vector<uint32_t> Children;
};

/// `combine First with Second as Result`, over data value ids. UnderFirst/UnderSecond have one
/// entry per data value: whether that value is at or under First / Second.
/// TreatedAs: `combine First with Second treated as Result`; UnderResult: whether each data value
/// is at or under Result.
struct CombinationEntry {
  uint32_t Result = 0;
  bool TreatedAs = false;
  std::vector<uint8_t> UnderFirst;
  std::vector<uint8_t> UnderSecond;
  std::vector<uint8_t> UnderResult;
};

struct ArtifactContents {
  std::string PolicyName;
  std::string PolicyTitle;
  std::string PolicyVersion;
  uint64_t SourceHash = 0;

  std::array<DimensionTable, NumDimensions> Dims;
  std::vector<EnumEntry> Enums;
  std::vector<AttributeEntry> Attributes;
  std::vector<ObligationEntry> Obligations;
  std::vector<ObligationInstance> ObligationInstances;
  std::vector<RuleEntry> Rules;
  std::vector<CombinationEntry> Combinations;

  std::vector<Terminal> Terminals;
  std::vector<Node> Nodes;
  /// Whether rules carry Scope/Condition/Obligations: always, from the compiler; an artifact
  /// without them still loads, but its explanations cannot name the nearest allowing rule.
  bool RuleTable = false;
  uint32_t Root = TerminalBit; ///< A node, or a terminal for a constant policy.
};

} // namespace privet::rt

#endif // PRIVET_ARTIFACTCONTENTS_H
