//===- Runtime.h - Load a compiled policy and answer decisions (C++ API) --------*- C++ -*-===//
//
// The embeddable runtime: CompiledPolicy loads and validates a .pvc artifact and answers requests
// by walking its decision diagram; Request names the processing being asked about; Decision is
// the answer. Everything is fail-closed: an error is never permitted(). See docs/runtime-api.md.
//
// Thread safety: a CompiledPolicy is immutable after load and may be used by any number of threads
// at once. A Request or Decision belongs to one thread at a time. PolicyHandle swaps policies
// atomically while other threads keep deciding.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_RUNTIME_H
#define PRIVET_RUNTIME_H

#include "privet/Artifact.h"
#include "privet/ArtifactContents.h"
#include "privet/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privet::rt {

/// Returned by the name lookups for an unknown name.
constexpr uint32_t InvalidId = UINT32_MAX;

/// "action", "data", "subject", "purpose", "basis", "recipient", "region", "context", "actor".
std::string_view dimensionName(Dim D);
/// The inverse of dimensionName; also accepts "category" for Dim::Data.
std::optional<Dim> dimensionFromName(std::string_view Name);
/// "bool", "int", "duration", "enum".
std::string_view attrKindName(AttrKind K);
/// Parses a duration as the language writes it ("30 days", "1 hour", "2 years"; months are 30
/// days, years 365) into seconds. Returns nothing for anything else, or on overflow.
std::optional<int64_t> parseDuration(std::string_view Text);

/// A read-only view of contiguous elements (std::span is C++20).
template <typename T> class Span {
public:
  constexpr Span() = default;
  constexpr Span(const T *Data, size_t Size) : Ptr(Data), Len(Size) {}
  const T *begin() const { return Ptr; }
  const T *end() const { return Ptr + Len; }
  const T *data() const { return Ptr; }
  size_t size() const { return Len; }
  bool empty() const { return Len == 0; }
  const T &operator[](size_t I) const { return Ptr[I]; }

private:
  const T *Ptr = nullptr;
  size_t Len = 0;
};

/// A rule as the artifact records it, for explanations and tools.
struct RuleInfo {
  std::string_view Id;
  std::string_view File;
  uint32_t Line = 0;
  uint32_t Col = 0;
  bool IsAllow = true;
  uint32_t Parent = UINT32_MAX; ///< The enclosing rule of an exception.
  std::string_view SourceText;
  size_t NumSources = 0; ///< @source texts: CompiledPolicy::ruleSource(rule, i).
};

class CompiledPolicy;

/// Why a request was denied (CompiledPolicy::whyNot): computed only when asked, never by decide().
/// One part of a rule that a denied request does not meet.
struct WhyNotMismatch {
  enum class Kind : uint8_t {
    Dimension, ///< The request's value (or omission) is not within the rule's values for D.
    Condition  ///< The rule's `when` condition is false (or reads an attribute without a value).
  };
  Kind K = Kind::Dimension;
  /// The rule whose scope or condition it is: the nearest rule itself or a rule enclosing it.
  uint32_t Rule = InvalidId;
  Dim D = Dim::Action;
  /// Dimension: the values the rule covers in D (the broadest wholly covered, in id order).
  std::vector<uint32_t> RuleValues;
  /// Dimension: the request's values in D (several for data categories); empty when omitted.
  std::vector<uint32_t> RequestValues;
  /// Condition: the attributes it reads, in id order; per attribute, the value the decision
  /// used (0 when it has none) and where that value came from.
  std::vector<uint32_t> Attributes;
  std::vector<int64_t> AttributeValues;
  enum class Source : uint8_t { Given, Default, None };
  std::vector<Source> AttributeSources;
};

/// Why one denied part of a request is denied, and the allowing rule nearest to it.
struct WhyNotReason {
  /// The deny rules deciding it; empty for deny by default.
  std::vector<uint32_t> DenyRules;
  /// Not empty when the part's decision is an error (a missing attribute): nothing else is set.
  std::string Error;
  /// The allowing rule (an allow or an allowing exception) with the fewest unmet parts; the
  /// first in policy order among those equally near. InvalidId when the policy has none.
  uint32_t Nearest = InvalidId;
  /// How many allowing rules were equally near (1: no tie).
  uint32_t Tied = 0;
  /// What Nearest does not meet. Empty with Nearest set: it applies, but DenyRules override it.
  std::vector<WhyNotMismatch> Mismatches;
};

/// A dimension whose value in the request (a group value, several data categories, or omitted)
/// covers both allowed and denied values.
struct WhyNotSplit {
  Dim D = Dim::Action;
  /// The request's values in D (several for data categories); empty when omitted.
  std::vector<uint32_t> RequestValues;
  /// Values of D (leaf values, or for several data categories each category after combination
  /// rules) for which the request, with D set to that value alone, is allowed.
  std::vector<uint32_t> Allowed;
  /// The others, grouped by identical reasons, in id order of their first value.
  struct Part {
    std::vector<uint32_t> Values;
    WhyNotReason Reason;
  };
  std::vector<Part> Denied;
};

struct WhyNot {
  /// False for an allowed request (nothing is denied) and for an error.
  bool Denied = false;
  /// Dimensions whose values split into allowed and denied ones, in dimension order.
  std::vector<WhyNotSplit> Splits;
  /// The request taken whole, when no dimension splits (a fully named request, or one whose
  /// every narrower value is denied too).
  std::optional<WhyNotReason> Whole;
};

/// A request: one value (or a set of data categories) per dimension, any of which may be omitted,
/// and attribute values. Built for one policy: ids and names are resolved against it. Setting an
/// unknown name, an id out of range or a value of the wrong type records an error (the first one is
/// kept) and deciding the request then yields that error.
class Request {
public:
  explicit Request(const CompiledPolicy &Policy);

  /// Sets dimension D to a value id; for Dim::Data this replaces the data set with {Value}.
  Request &set(Dim D, uint32_t Value);
  Request &set(Dim D, std::string_view Name);
  /// Adds a data category to the data set.
  Request &addData(uint32_t Value);
  Request &addData(std::string_view Name);
  /// Omits dimension D: the request then stands for every value of D.
  Request &omit(Dim D);

  Request &setBool(uint32_t Attr, bool V);
  Request &setBool(std::string_view Attr, bool V);
  Request &setInt(uint32_t Attr, int64_t V);
  Request &setInt(std::string_view Attr, int64_t V);
  Request &setDuration(uint32_t Attr, int64_t Seconds);
  Request &setDuration(std::string_view Attr, int64_t Seconds);
  Request &setEnum(uint32_t Attr, uint32_t EnumValue);
  Request &setEnum(uint32_t Attr, std::string_view EnumValue);
  Request &setEnum(std::string_view Attr, std::string_view EnumValue);
  /// Forgets an attribute's value (it takes its default again).
  Request &unset(uint32_t Attr);

  /// Back to the empty request (every dimension omitted, no attributes, no error).
  void clear();

  /// Records a mistake found while building the request elsewhere (a bad JSON field, say), so
  /// that deciding it yields that error. Only the first mistake is kept.
  void recordError(std::string Message);
  bool hasError() const { return !Err.empty(); }
  const std::string &error() const { return Err; }
  const CompiledPolicy &policy() const { return *Policy; }

  /// The value of D, or InvalidId when omitted. For Dim::Data, the first data category.
  uint32_t value(Dim D) const;
  /// The data categories as given (before combination rules).
  Span<uint32_t> data() const;
  bool hasAttribute(uint32_t Attr) const { return AttrSet[Attr] != 0; }
  int64_t attribute(uint32_t Attr) const { return AttrValue[Attr]; }

private:
  friend class CompiledPolicy;
  bool checkAttr(uint32_t Attr, AttrKind Want);
  void setValue(Dim D, uint32_t Value);
  uint32_t lookupAttr(std::string_view Name);

  const CompiledPolicy *Policy;
  /// Value id per dimension; the dimension's value count means omitted. Values[Data] is unused:
  /// the data set is DataValues (empty means omitted).
  uint32_t Values[NumDimensions];
  /// The diagram class of each Values entry, kept up to date so decide() need not look it up.
  uint32_t Classes[NumDimensions];
  std::vector<uint32_t> DataValues;
  std::vector<int64_t> AttrValue;
  std::vector<uint8_t> AttrSet;
  std::string Err;
};

/// The answer to a request. A single-category decision points into the policy (no allocation);
/// it is valid as long as the CompiledPolicy that produced it.
class Decision {
public:
  enum class Kind : uint8_t { Deny = 0, Allow = 1, Error = 2 };

  Kind kind() const { return K; }
  /// True only for an allow; false for deny and for every error.
  bool permitted() const { return K == Kind::Allow; }
  bool isError() const { return K == Kind::Error; }
  /// The error message (empty unless isError()).
  const std::string &error() const { return Message; }
  /// Deciding rules (rule indexes, ascending): the allowing rules on allow, the denying rules on
  /// deny (empty for deny by default).
  Span<uint32_t> rules() const;
  /// Obligation instances (indexes, ascending) the allow carries; empty on deny and error.
  Span<uint32_t> obligations() const;

private:
  friend class CompiledPolicy;
  friend class BatchDecider;
  void setError(std::string Msg);

  Kind K = Kind::Deny;
  bool Owned = false;
  uint32_t NumRules = 0;
  uint32_t NumObligations = 0;
  const uint32_t *RulePtr = nullptr;
  const uint32_t *ObligationPtr = nullptr;
  /// Multi-category decisions: the rules, then the obligations.
  std::vector<uint32_t> Storage;
  std::string Message;
};

/// A loaded, validated artifact. Immutable; safe for concurrent use.
class CompiledPolicy {
public:
  /// Maps (or reads) the file and validates it.
  static Result<std::shared_ptr<const CompiledPolicy>> load(const std::string &Path);
  /// Validates a copy of Bytes.
  static Result<std::shared_ptr<const CompiledPolicy>> fromBytes(std::string_view Bytes);

  ~CompiledPolicy();
  CompiledPolicy(const CompiledPolicy &) = delete;
  CompiledPolicy &operator=(const CompiledPolicy &) = delete;

  std::string_view name() const;
  std::string_view title() const;
  std::string_view version() const;
  uint64_t sourceHash() const;
  /// The artifact's content hash: XXH64 of its bytes after the checksum field, as its header
  /// records it (the loader has checked it). Decision JSON carries it, in hex, as "policy.hash".
  uint64_t contentHash() const;
  /// Size of the artifact in bytes.
  size_t byteSize() const { return Size; }

  // Vocabularies. Value ids are per dimension, 0 .. numValues(D)-1.
  uint32_t numValues(Dim D) const;
  uint32_t valueId(Dim D, std::string_view Name) const;
  std::string_view valueName(Dim D, uint32_t Value) const;
  std::string_view valueTitle(Dim D, uint32_t Value) const;
  /// For error messages about an unknown name: "; did you mean `taxonomy.use`?" when exactly one
  /// qualified name ends with `.Name`, otherwise empty.
  std::string suggestValue(Dim D, std::string_view Name) const;
  std::string suggestAttribute(std::string_view Name) const;
  bool isLeaf(Dim D, uint32_t Value) const;
  Span<uint32_t> parents(Dim D, uint32_t Value) const;

  // Attributes and enums.
  uint32_t numAttributes() const;
  uint32_t attributeId(std::string_view Name) const;
  std::string_view attributeName(uint32_t Attr) const;
  AttrKind attributeKind(uint32_t Attr) const;
  /// The attribute's enum (Kind == Enum only).
  uint32_t attributeEnum(uint32_t Attr) const;
  bool attributeHasDefault(uint32_t Attr) const;
  int64_t attributeDefault(uint32_t Attr) const;
  uint32_t numEnums() const;
  std::string_view enumName(uint32_t Enum) const;
  uint32_t numEnumValues(uint32_t Enum) const;
  std::string_view enumValueName(uint32_t Enum, uint32_t Value) const;
  uint32_t enumValueId(uint32_t Enum, std::string_view Name) const;

  // Obligations.
  uint32_t numObligations() const;
  std::string_view obligationName(uint32_t Obligation) const;
  std::string_view obligationTitle(uint32_t Obligation) const;
  bool obligationHasParam(uint32_t Obligation) const;
  AttrKind obligationParamKind(uint32_t Obligation) const;
  uint32_t obligationParamEnum(uint32_t Obligation) const;
  uint32_t numObligationInstances() const;
  ObligationInstance obligationInstance(uint32_t Instance) const;
  /// "retain_for(30 days)", "unsubscribe_link".
  std::string describeObligationInstance(uint32_t Instance) const;

  // Rules.
  uint32_t numRules() const;
  RuleInfo rule(uint32_t Rule) const;
  std::string_view ruleSource(uint32_t Rule, size_t I) const;
  /// Linear search by rule id (for tools, not the hot path).
  uint32_t ruleIndex(std::string_view Id) const;

  // The diagram, for statistics.
  uint32_t numNodes() const;
  uint32_t numTerminals() const;

  /// A value of the given type as the language writes it: true, 42, 30 days, given.
  std::string formatValue(AttrKind Kind, uint32_t Enum, int64_t V) const;

  /// Decides Req, reusing Out's storage. Out is overwritten.
  void decide(const Request &Req, Decision &Out) const;
  Decision decide(const Request &Req) const {
    Decision D;
    decide(Req, D);
    return D;
  }
  /// Readable text: the decision, each deciding rule with file:line:col, its source text and
  /// @source notice texts, and the obligations with their titles.
  std::string explain(const Request &Req) const;
  /// Why Req is denied: for each dimension whose group value or omission covers allowed and
  /// denied values, which values are which and, for the denied ones, the deny rules or the
  /// default and the nearest allowing rule with the parts of it the request does not meet.
  /// Work done only when asked (decide() never does it). An error in Req is returned as an
  /// error; an allowed request gives Denied == false.
  Result<WhyNot> whyNot(const Request &Req) const;
  /// WhyNot as the text explain() ends with ("why not:" and indented lines); empty when
  /// nothing is denied.
  std::string whyNotText(const WhyNot &W) const;
  /// The values of D (every declared value, in id order) for which Req with D set to that value is
  /// allowed. An error in Req itself is returned as an error; values whose decision is an error
  /// (a missing attribute that matters for them) are not permitted and so not listed.
  Result<std::vector<uint32_t>> permittedValues(const Request &Req, Dim D) const;

  struct Impl;

private:
  CompiledPolicy();
  friend class Request;
  friend class BatchDecider;
  friend class DictionaryEncoder;
  const uint8_t *Base = nullptr;
  size_t Size = 0;
  std::unique_ptr<Impl> I;
};

// Decisions as JSON and JSON requests: privet/Json.h.

/// Requests as columns, for BatchDecider: row R of every column is request R. Ids are the policy's
/// (valueId, attributeId, enumValueId; DictionaryEncoder maps a column of names to them).
struct BatchColumns {
  /// One attribute column: Values[R] is row R's value (bool 0 or 1, int, duration in seconds,
  /// enum value id); Present, if not null, says per row whether the value is given (0: unset).
  struct Attribute {
    uint32_t Attr = InvalidId;
    const int64_t *Values = nullptr;
    const uint8_t *Present = nullptr;
    /// For a bool attribute, instead of Values: one byte per row (0 false, any other true), as
    /// numpy and Arrow hold booleans, an eighth of the memory an int64 column reads.
    const uint8_t *Bools = nullptr;
  };

  size_t NumRows = 0;
  /// Per dimension, a value id per row (InvalidId: omitted in that row), or null: omitted in
  /// every row. For Dim::Data, one category per row unless DataOffsets is set.
  const uint32_t *Values[NumDimensions] = {};
  /// Several data categories per row: row R's are DataIds[DataOffsets[R] .. DataOffsets[R+1])
  /// (NumRows + 1 offsets; an empty range omits data). Overrides Values[Dim::Data].
  const uint64_t *DataOffsets = nullptr;
  const uint32_t *DataIds = nullptr;
  const Attribute *Attributes = nullptr;
  size_t NumAttributes = 0;
};

/// Where BatchDecider writes its answers: one element per row in each array that is not null.
struct BatchResults {
  /// Decision::Kind per row: 0 deny, 1 allow, 2 error.
  uint8_t *Outcome = nullptr;
  /// The row's decision in the decider's table (BatchDecider::decision).
  uint32_t *DecisionId = nullptr;
  /// The first deciding rule, or InvalidId (deny by default, error).
  uint32_t *Rule = nullptr;
};

/// Decides columns of requests without a Request or an allocation per row. Distinct decisions
/// are kept once in a table that grows as new ones appear (a log has few), and rows point into
/// it, so callers count per decision rather than per row. A row equal to the one before it reuses
/// its answer. Rows a single diagram walk answers take a fast path, on which (for a diagram too
/// large for the cache) the walks of many rows advance together so that their cache misses
/// overlap; the memo of rows met before is left out while it answers too few. The others (several
/// data categories, group values, rule lists, mistakes) are decided exactly as decide() would. One
/// decider belongs to one thread at a time; the policy must outlive it.
class BatchDecider {
public:
  explicit BatchDecider(const CompiledPolicy &Policy);
  ~BatchDecider();
  BatchDecider(BatchDecider &&) noexcept;
  BatchDecider &operator=(BatchDecider &&) noexcept;

  /// Decides every row of In into Out. Fails, writing nothing, only when the columns themselves
  /// are unusable (an attribute id out of range or given twice, data offsets without ids); a
  /// mistake in one row (an id out of range, an enum value out of range) is that row's error.
  Status decide(const BatchColumns &In, const BatchResults &Out);

  const CompiledPolicy &policy() const;
  /// The distinct decisions met so far; ids are stable for the decider's lifetime.
  size_t numDecisions() const;
  const Decision &decision(uint32_t Id) const;

  /// How the rows decided so far were answered, for tuning a caller's batches. Every row is
  /// counted once among RunRows, MemoRows, WalkedRows and GeneralRows.
  struct Counts {
    uint64_t Rows = 0;
    uint64_t RunRows = 0;         ///< equal to the row before it: its answer reused
    uint64_t MemoRows = 0;        ///< answered by the memo of rows met before
    uint64_t WalkedRows = 0;      ///< answered by one diagram walk
    uint64_t InterleavedRows = 0; ///< of those, walked together with others of their block
    uint64_t GeneralRows = 0;     ///< decided as decide() would (see above)
    /// Blocks of 256 rows decided without the memo, which had answered too few rows before.
    uint64_t MemoOffBlocks = 0;
  };
  const Counts &counts() const;

  struct State;

private:
  std::unique_ptr<State> S;
};

/// Maps names to a dimension's value ids (or an enum attribute's value ids), each distinct name
/// looked up in the policy once: for columns of names that repeat, as logs' do.
class DictionaryEncoder {
public:
  static DictionaryEncoder forDimension(const CompiledPolicy &Policy, Dim D);
  /// Attr must be an enum attribute; any other gives InvalidId for every name.
  static DictionaryEncoder forEnumAttribute(const CompiledPolicy &Policy, uint32_t Attr);
  ~DictionaryEncoder();
  DictionaryEncoder(DictionaryEncoder &&) noexcept;
  DictionaryEncoder &operator=(DictionaryEncoder &&) noexcept;

  /// The id of Name, or InvalidId when the policy has no such name.
  uint32_t encode(std::string_view Name);
  /// Encodes Names[0 .. N) into Out[0 .. N).
  void encode(const std::string_view *Names, size_t N, uint32_t *Out);
  /// The distinct names seen so far.
  size_t numDistinct() const;

  struct State;

private:
  explicit DictionaryEncoder(std::unique_ptr<State> S);
  std::unique_ptr<State> S;
};

/// A policy that can be replaced while other threads decide with it: readers take a snapshot with
/// get() (a shared_ptr that keeps that version alive) and use it for a request; reload() swaps in
/// a new version atomically, or keeps the current one if the new file fails to load.
class PolicyHandle {
public:
  explicit PolicyHandle(std::shared_ptr<const CompiledPolicy> Initial);
  static Result<std::unique_ptr<PolicyHandle>> open(const std::string &Path);

  std::shared_ptr<const CompiledPolicy> get() const;
  void set(std::shared_ptr<const CompiledPolicy> Next);
  /// Loads Path and swaps it in; on failure returns the error and keeps serving the old policy.
  Status reload(const std::string &Path);

private:
  std::shared_ptr<const CompiledPolicy> Current;
};

} // namespace privet::rt

#endif // PRIVET_RUNTIME_H
