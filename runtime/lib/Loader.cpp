//===- Loader.cpp - Validate an artifact completely before anything reads it ---------===//
//
// The artifact may be truncated, corrupted or hostile. Every size, offset, index, string and
// child reference is checked here, once, so that decide() can run without checks and can never
// read out of bounds or loop. Arithmetic is done in 64 bits on counts capped at 2^31, so it
// cannot overflow.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <cstring>
#include <functional>
#include <string>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the artifact format is little-endian; this host is not"
#endif

namespace privet::rt {
namespace {

using namespace format;

Status bad(std::string Msg) { return Error{"invalid artifact: " + std::move(Msg)}; }

uint32_t expectedElemSize(SectionKind K) {
  switch (K) {
  case SectionKind::Strings:
  case SectionKind::Bytes:
    return 1;
  case SectionKind::StrRefs:
    return sizeof(StrRef);
  case SectionKind::U32s:
    return 4;
  case SectionKind::I64s:
    return 8;
  case SectionKind::Dimensions:
    return sizeof(DimensionRecord);
  case SectionKind::Values:
    return sizeof(ValueRecord);
  case SectionKind::Enums:
    return sizeof(EnumRecord);
  case SectionKind::Attributes:
    return sizeof(AttributeRecord);
  case SectionKind::Obligations:
    return sizeof(ObligationRecord);
  case SectionKind::ObligationInstances:
    return sizeof(ObligationInstanceRecord);
  case SectionKind::Rules:
    return sizeof(RuleRecord);
  case SectionKind::Combinations:
    return sizeof(CombinationRecord);
  case SectionKind::Terminals:
    return sizeof(TerminalRecord);
  case SectionKind::Nodes:
    return 4;
  }
  return 0;
}

class Validator {
public:
  explicit Validator(CompiledPolicy::Impl &I) : I(I) {}

  Status run();

private:
  Status header();
  Status sections();
  Status pools();
  Status vocabularies();
  Status attributesAndObligations();
  Status rulesAndCombinations();
  Status ruleTable(uint32_t N, const RuleRecord &R);
  /// Rearranges the validated rule table for the evaluator (Impl::RuleFactsByRule, ScopeRows).
  void buildRuleIndex();
  Status terminals();
  Status nodes();
  /// How many children the attribute test at word W must have (its kind's outcomes, or its
  /// thresholds plus one); 0 with Err set when the test itself is malformed.
  uint64_t attributeTestChildren(uint64_t W, const std::function<std::string()> &What,
                                 Status &Err) const;

  bool strOk(StrRef R) const {
    // The string and its terminating NUL lie inside the section, with no NUL inside the string
    // (C callers see the string through its NUL).
    if (uint64_t(R.Offset) + R.Size >= I.NumStrings)
      return false;
    if (I.Strings[R.Offset + R.Size] != '\0')
      return false;
    return std::memchr(I.Strings + R.Offset, '\0', R.Size) == nullptr;
  }
  static bool listOk(ListRef L, uint64_t PoolSize) {
    return uint64_t(L.Offset) + L.Size <= PoolSize;
  }
  // What names the checked item; it is a callable so that the description is only built on
  // failure (loading a large artifact checks hundreds of thousands of items).
  template <typename Describe> Status checkStr(StrRef R, Describe &&What) const {
    if (!strOk(R))
      return bad("string of " + std::string(What()) + " is out of bounds or not terminated");
    return Status::success();
  }
  template <typename Describe>
  Status checkList(ListRef L, uint64_t PoolSize, Describe &&What) const {
    if (!listOk(L, PoolSize))
      return bad(std::string(What()) + " is out of bounds");
    return Status::success();
  }

  CompiledPolicy::Impl &I;
  const uint8_t *Body = nullptr;
  uint64_t BodySize = 0;
};

#define PRIVET_TRY(Expr)                                                                           \
  do {                                                                                             \
    Status S_ = (Expr);                                                                            \
    if (!S_)                                                                                       \
      return S_;                                                                                   \
  } while (false)

Status Validator::run() {
  PRIVET_TRY(header());
  PRIVET_TRY(sections());
  PRIVET_TRY(pools());
  PRIVET_TRY(vocabularies());
  PRIVET_TRY(attributesAndObligations());
  PRIVET_TRY(rulesAndCombinations());
  PRIVET_TRY(terminals());
  PRIVET_TRY(nodes());
  buildRuleIndex();
  return Status::success();
}

void Validator::buildRuleIndex() {
  if (!I.HasRuleTable)
    return;
  I.RuleFactsByRule.resize(I.NumRules);
  for (uint32_t R = 0; R < I.NumRules; ++R) {
    const RuleRecord &Rec = I.Rules[R];
    CompiledPolicy::Impl::RuleFacts &F = I.RuleFactsByRule[R];
    F.Parent = Rec.Parent;
    F.IsAllow = Rec.IsAllow != 0;
    F.ConditionSize = Rec.Condition.Size; // validated below 2^31 words
    F.ConditionOffset = Rec.Condition.Offset;
  }
  // The transpose of the rules' scope bitsets, for the dimensions below the lists' nodes. A
  // dimension's rows take NumLeafClasses x NumRules bits; past ScopeRowWordLimit, or once all
  // rows would take more than twice the file (8 MiB at least: a small hostile file must not
  // make the loader allocate much), the evaluator reads each rule's own bitset instead.
  uint64_t RowBudget = std::max<uint64_t>(uint64_t(1) << 20, I.Bytes->size() / 4);
  I.RuleWords = (I.NumRules + 63) / 64;
  std::vector<uint64_t> Every(I.RuleWords); // the rules that do not constrain the dimension
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (I.IndexedDims >> D & 1)
      continue;
    std::fill(Every.begin(), Every.end(), 0);
    bool Constrained = false;
    for (uint32_t R = 0; R < I.NumRules; ++R) {
      bool All = I.U32s[I.Rules[R].Scope.Offset + D] == UINT32_MAX;
      Every[R / 64] |= uint64_t(All) << (R % 64);
      Constrained |= !All;
    }
    if (!Constrained)
      continue;
    uint32_t NumClasses = I.Dims[D].NumLeafClasses;
    uint64_t Words = uint64_t(NumClasses) * I.RuleWords;
    if (Words > ScopeRowWordLimit || Words > RowBudget) {
      I.ScopeByRecord |= 1u << D;
      continue;
    }
    RowBudget -= Words;
    I.ScopeByRow |= 1u << D;
    std::vector<uint64_t> &Rows = I.ScopeRows[D];
    // Written once: each class's row starts as the unconstrained rules (no zero fill first;
    // at 100,000 rules the rows are megabytes per dimension).
    Rows.clear();
    Rows.reserve(size_t(NumClasses) * I.RuleWords);
    for (uint32_t C = 0; C < NumClasses; ++C)
      Rows.insert(Rows.end(), Every.begin(), Every.end());
    for (uint32_t R = 0; R < I.NumRules; ++R) {
      uint32_t Off = I.U32s[I.Rules[R].Scope.Offset + D];
      if (Off == UINT32_MAX)
        continue;
      for (uint32_t W = 0; W < (NumClasses + 31) / 32; ++W)
        for (uint32_t Bits = I.U32s[Off + W]; Bits; Bits &= Bits - 1) {
          uint32_t C = W * 32 + uint32_t(__builtin_ctz(Bits));
          if (C < NumClasses)
            Rows[size_t(C) * I.RuleWords + R / 64] |= uint64_t(1) << (R % 64);
        }
    }
  }
}

Status Validator::header() {
  const uint8_t *Data = I.Bytes->data();
  uint64_t Size = I.Bytes->size();
  if (Size < sizeof(Magic) || std::memcmp(Data, Magic, sizeof(Magic)) != 0)
    return Error{"not a privet artifact (bad magic number)"};
  if (Size < sizeof(FileHeader))
    return Error{"artifact is truncated: " + std::to_string(Size) +
                 " bytes is smaller than the header"};
  I.Header = reinterpret_cast<const FileHeader *>(Data);
  const FileHeader &H = *I.Header;
  if (H.FormatVersion != Version)
    return Error{"unsupported artifact format version " + std::to_string(H.FormatVersion) +
                 " (this runtime reads version " + std::to_string(Version) +
                 "): rebuild the policy with a matching `privet build`"};
  if (H.HeaderSize != sizeof(FileHeader))
    return bad("header size " + std::to_string(H.HeaderSize) + " is not " +
               std::to_string(sizeof(FileHeader)));
  uint64_t Actual = Size - sizeof(FileHeader);
  if (H.BodySize > Actual)
    return Error{"artifact is truncated: the header announces " + std::to_string(H.BodySize) +
                 " body bytes, the file has " + std::to_string(Actual)};
  if (H.BodySize < Actual)
    return Error{"artifact has " + std::to_string(Actual - H.BodySize) +
                 " unexpected bytes after its body"};
  Body = Data + sizeof(FileHeader);
  BodySize = H.BodySize;
  if (xxHash64(Data + ChecksumStart, Size - ChecksumStart) != H.Checksum)
    return Error{"artifact is corrupted: the checksum does not match"};
  return Status::success();
}

Status Validator::sections() {
  const FileHeader &H = *I.Header;
  if (H.NumSections != NumSectionKinds)
    return bad("expected " + std::to_string(NumSectionKinds) + " sections, found " +
               std::to_string(H.NumSections));
  uint64_t TableEnd = uint64_t(H.NumSections) * sizeof(SectionEntry);
  if (TableEnd > BodySize)
    return bad("section table is out of bounds");
  const auto *Table = reinterpret_cast<const SectionEntry *>(Body);
  bool Seen[NumSectionKinds + 1] = {};
  for (uint32_t S = 0; S < H.NumSections; ++S) {
    const SectionEntry &E = Table[S];
    if (E.Kind == 0 || E.Kind > NumSectionKinds)
      return bad("unknown section kind " + std::to_string(E.Kind));
    std::string Name = "section " + std::to_string(E.Kind);
    if (Seen[E.Kind])
      return bad(Name + " appears twice");
    Seen[E.Kind] = true;
    auto K = static_cast<SectionKind>(E.Kind);
    if (E.ElemSize != expectedElemSize(K))
      return bad(Name + " has element size " + std::to_string(E.ElemSize));
    if (E.Offset % 8 != 0 || E.Offset < TableEnd || E.Offset > BodySize)
      return bad(Name + " has a bad offset");
    if (E.Count > MaxCount || E.Count * E.ElemSize > BodySize - E.Offset)
      return bad(Name + " extends past the end of the body");
    const uint8_t *P = Body + E.Offset;
    auto N = static_cast<uint32_t>(E.Count);
    switch (K) {
    case SectionKind::Strings:
      I.Strings = reinterpret_cast<const char *>(P), I.NumStrings = N;
      break;
    case SectionKind::StrRefs:
      I.StrRefs = reinterpret_cast<const StrRef *>(P), I.NumStrRefs = N;
      break;
    case SectionKind::U32s:
      I.U32s = reinterpret_cast<const uint32_t *>(P), I.NumU32s = N;
      break;
    case SectionKind::I64s:
      I.I64s = reinterpret_cast<const int64_t *>(P), I.NumI64s = N;
      break;
    case SectionKind::Bytes:
      I.Flags = P, I.NumFlags = N;
      break;
    case SectionKind::Dimensions:
      if (N != NumDimensions)
        return bad("expected " + std::to_string(NumDimensions) + " dimensions, found " +
                   std::to_string(N));
      I.Dims = reinterpret_cast<const DimensionRecord *>(P);
      break;
    case SectionKind::Values:
      I.Values = reinterpret_cast<const ValueRecord *>(P), I.NumValuesTotal = N;
      break;
    case SectionKind::Enums:
      I.Enums = reinterpret_cast<const EnumRecord *>(P), I.NumEnums = N;
      break;
    case SectionKind::Attributes:
      I.Attributes = reinterpret_cast<const AttributeRecord *>(P), I.NumAttributes = N;
      break;
    case SectionKind::Obligations:
      I.Obligations = reinterpret_cast<const ObligationRecord *>(P), I.NumObligations = N;
      break;
    case SectionKind::ObligationInstances:
      I.Instances = reinterpret_cast<const ObligationInstanceRecord *>(P), I.NumInstances = N;
      break;
    case SectionKind::Rules:
      I.Rules = reinterpret_cast<const RuleRecord *>(P), I.NumRules = N;
      break;
    case SectionKind::Combinations:
      I.Combinations = reinterpret_cast<const CombinationRecord *>(P), I.NumCombinations = N;
      break;
    case SectionKind::Terminals:
      I.Terminals = reinterpret_cast<const TerminalRecord *>(P), I.NumTerminals = N;
      break;
    case SectionKind::Nodes:
      I.Nodes = reinterpret_cast<const uint32_t *>(P), I.NumNodeWords = N;
      break;
    }
  }
  return Status::success();
}

Status Validator::pools() {
  for (uint64_t S = 0; S < I.NumStrRefs; ++S)
    PRIVET_TRY(checkStr(I.StrRefs[S], [&] { return "string list entry " + std::to_string(S); }));
  const FileHeader &H = *I.Header;
  PRIVET_TRY(checkStr(H.PolicyName, [] { return "the policy name"; }));
  PRIVET_TRY(checkStr(H.PolicyTitle, [] { return "the policy title"; }));
  PRIVET_TRY(checkStr(H.PolicyVersion, [] { return "the policy version"; }));
  return Status::success();
}

Status Validator::vocabularies() {
  uint64_t NextValue = 0;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const DimensionRecord &R = I.Dims[D];
    auto What = [&] { return std::string("dimension " + std::to_string(D)); };
    PRIVET_TRY(checkStr(R.Name, What));
    if (R.FirstValue != NextValue || uint64_t(R.FirstValue) + R.NumValues > I.NumValuesTotal)
      return bad(What() + " has a bad value range");
    NextValue += R.NumValues;
    if (R.NumClasses == 0 || R.NumClasses > MaxCount)
      return bad(What() + " has no classes");
    if (R.ValueClass.Size != uint64_t(R.NumValues) + 1)
      return bad(What() + " has " + std::to_string(R.ValueClass.Size) + " value classes for " +
                 std::to_string(R.NumValues) + " values");
    PRIVET_TRY(checkList(R.ValueClass, I.NumU32s, [&] { return "value classes of " + What(); }));
    const uint32_t *Classes = I.U32s + R.ValueClass.Offset;
    for (uint32_t V = 0; V <= R.NumValues; ++V)
      if (Classes[V] >= R.NumClasses)
        return bad(What() + " value " + std::to_string(V) + " has class " +
                   std::to_string(Classes[V]) + " of " + std::to_string(R.NumClasses));
    if (R.NumLeafClasses == 0 || R.NumLeafClasses > R.NumClasses)
      return bad(What() + " has " + std::to_string(R.NumLeafClasses) + " leaf classes of " +
                 std::to_string(R.NumClasses));
    uint32_t NumDerived = R.NumClasses - R.NumLeafClasses;
    if (R.CoverStarts.Size != uint64_t(NumDerived) + 1)
      return bad(What() + " has a bad derived-class table");
    PRIVET_TRY(checkList(R.CoverStarts, I.NumU32s, [&] { return "derived classes of " + What(); }));
    PRIVET_TRY(checkList(R.CoverData, I.NumU32s, [&] { return "derived classes of " + What(); }));
    const uint32_t *Starts = I.U32s + R.CoverStarts.Offset;
    const uint32_t *Covers = I.U32s + R.CoverData.Offset;
    if (Starts[0] != 0 || Starts[NumDerived] != R.CoverData.Size)
      return bad(What() + " has a bad derived-class table");
    for (uint32_t K = 0; K < NumDerived; ++K) {
      // Checked in this order, Starts[K + 1] <= CoverData.Size holds for every K.
      if (Starts[K + 1] < Starts[K] + 2 || Starts[K + 1] > R.CoverData.Size)
        return bad(What() + " derived class " + std::to_string(K) + " covers too few classes");
      for (uint32_t J = Starts[K]; J < Starts[K + 1]; ++J)
        if (Covers[J] >= R.NumLeafClasses || (J > Starts[K] && Covers[J] <= Covers[J - 1]))
          return bad(What() + " derived class " + std::to_string(K) + " has a bad cover");
    }
    I.DimNumValues[D] = R.NumValues;
    I.DimClass[D] = Classes;
    I.DimNumLeafClasses[D] = R.NumLeafClasses;
    I.DimCoverStarts[D] = Starts;
    I.DimCovers[D] = Covers;
    I.DimValues[D] = I.Values + R.FirstValue;
    I.ValueByName[D].reset(R.NumValues);
    I.ValueByName[D].OmittedClass = Classes[R.NumValues];
    for (uint32_t V = 0; V < R.NumValues; ++V) {
      const ValueRecord &VR = I.DimValues[D][V];
      auto VWhat = [&] { return std::string(What() + " value " + std::to_string(V)); };
      PRIVET_TRY(checkStr(VR.Name, VWhat));
      PRIVET_TRY(checkStr(VR.Title, VWhat));
      if (VR.IsLeaf > 1)
        return bad(VWhat() + " has a bad leaf flag");
      PRIVET_TRY(checkList(VR.Parents, I.NumU32s, [&] { return "parents of " + VWhat(); }));
      for (uint32_t P = 0; P < VR.Parents.Size; ++P)
        if (I.U32s[VR.Parents.Offset + P] >= R.NumValues)
          return bad("a parent of " + VWhat() + " is out of range");
      I.ValueByName[D].insert(I.str(VR.Name), V, Classes[V]);
    }
    // Actors: with any, the built-in `us` is a leaf, and an omitted actor is it (its class).
    if (D == unsigned(Dim::Actor) && R.NumValues != 0) {
      uint32_t Us = I.ValueByName[D].find(domain::ControllerActor);
      if (Us == InvalidId)
        return bad(What() + " has actors but not the built-in actor `us`");
      if (!I.DimValues[D][Us].IsLeaf)
        return bad(What() + " has a built-in actor `us` that is not a leaf");
      if (Classes[R.NumValues] != Classes[Us])
        return bad(What() + " does not take an omitted actor as `us`");
    }
  }
  if (NextValue != I.NumValuesTotal)
    return bad("value records do not match the dimensions");

  I.EnumValueByName.resize(I.NumEnums);
  for (uint32_t E = 0; E < I.NumEnums; ++E) {
    const EnumRecord &R = I.Enums[E];
    auto What = [&] { return std::string("enum " + std::to_string(E)); };
    PRIVET_TRY(checkStr(R.Name, What));
    PRIVET_TRY(checkList(R.Values, I.NumStrRefs, [&] { return "values of " + What(); }));
    if (R.Values.Size == 0) // the language has no empty enums, and the evaluator needs a value
      return bad(What() + " has no values");
    I.EnumValueByName[E].reset(R.Values.Size);
    for (uint32_t V = 0; V < R.Values.Size; ++V)
      I.EnumValueByName[E].insert(I.str(I.StrRefs[R.Values.Offset + V]), V);
  }
  return Status::success();
}

/// Whether V is a valid value of a bool or enum type; ints and durations take any value.
bool valueFits(const CompiledPolicy::Impl &I, uint8_t Kind, uint32_t Enum, int64_t V) {
  switch (static_cast<AttrKind>(Kind)) {
  case AttrKind::Bool:
    return V == 0 || V == 1;
  case AttrKind::Enum:
    return V >= 0 && V < int64_t(I.Enums[Enum].Values.Size);
  case AttrKind::Int:
  case AttrKind::Duration:
    return true;
  }
  return false;
}

Status Validator::attributesAndObligations() {
  I.AttributeByName.reset(I.NumAttributes);
  for (uint32_t A = 0; A < I.NumAttributes; ++A) {
    const AttributeRecord &R = I.Attributes[A];
    auto What = [&] { return std::string("attribute " + std::to_string(A)); };
    PRIVET_TRY(checkStr(R.Name, What));
    if (R.Kind > uint8_t(AttrKind::Enum) || R.HasDefault > 1)
      return bad(What() + " has a bad kind");
    if (R.Kind == uint8_t(AttrKind::Enum) && R.Enum >= I.NumEnums)
      return bad(What() + " has a bad enum");
    if (R.HasDefault && !valueFits(I, R.Kind, R.Enum, R.Default))
      return bad(What() + " has a default outside its type");
    PRIVET_TRY(checkList(R.Domain, I.NumI64s, [&] { return "domain of " + What(); }));
    bool Numeric = R.Kind == uint8_t(AttrKind::Int) || R.Kind == uint8_t(AttrKind::Duration);
    if (!Numeric && R.Domain.Size)
      return bad(What() + " has a threshold domain but is not a number");
    for (uint32_t K = 1; K < R.Domain.Size; ++K)
      if (I.I64s[R.Domain.Offset + K] <= I.I64s[R.Domain.Offset + K - 1])
        return bad(What() + " has a domain out of order");
    I.AttributeByName.insert(I.str(R.Name), A);
  }
  for (uint32_t O = 0; O < I.NumObligations; ++O) {
    const ObligationRecord &R = I.Obligations[O];
    auto What = [&] { return std::string("obligation " + std::to_string(O)); };
    PRIVET_TRY(checkStr(R.Name, What));
    PRIVET_TRY(checkStr(R.Title, What));
    if (R.HasParam > 1 || R.ParamKind > uint8_t(AttrKind::Enum))
      return bad(What() + " has a bad parameter");
    if (R.HasParam && R.ParamKind == uint8_t(AttrKind::Enum) && R.ParamEnum >= I.NumEnums)
      return bad(What() + " has a bad parameter enum");
  }
  for (uint32_t N = 0; N < I.NumInstances; ++N) {
    const ObligationInstanceRecord &R = I.Instances[N];
    auto What = [&] { return std::string("obligation instance " + std::to_string(N)); };
    if (R.Obligation >= I.NumObligations)
      return bad(What() + " names a missing obligation");
    const ObligationRecord &O = I.Obligations[R.Obligation];
    if (R.HasArg != O.HasParam)
      return bad(What() + " has an argument mismatch");
    if (R.HasArg && !valueFits(I, O.ParamKind, O.ParamEnum, R.Arg))
      return bad(What() + " has an argument outside its type");
  }
  return Status::success();
}

/// A rule's entry in the rule table of the indexed rule evaluator: all rules have one or none.
Status Validator::ruleTable(uint32_t N, const RuleRecord &R) {
  auto What = [&] { return std::string("rule " + std::to_string(N)); };
  bool Has = R.Scope.Size != 0;
  if (N == 0)
    I.HasRuleTable = Has;
  if (Has != I.HasRuleTable || (Has && R.Scope.Size != NumDimensions))
    return bad(What() + " has a bad rule table entry");
  if (!Has)
    return R.Condition.Size || R.Obligations.Size ? bad(What() + " has a bad rule table entry")
                                                  : Status::success();
  // The evaluator follows exceptions from parent to child: parents come first.
  if (R.Parent != UINT32_MAX && R.Parent >= N)
    return bad(What() + " has a bad parent");
  PRIVET_TRY(checkList(R.Scope, I.NumU32s, [&] { return "scope of " + What(); }));
  for (unsigned D = 0; D < NumDimensions; ++D) {
    uint32_t Off = I.U32s[R.Scope.Offset + D];
    if (Off != UINT32_MAX && uint64_t(Off) + (I.Dims[D].NumLeafClasses + 31) / 32 > I.NumU32s)
      return bad("scope of " + What() + " is out of bounds");
  }
  PRIVET_TRY(checkList(R.Obligations, I.NumU32s, [&] { return "obligations of " + What(); }));
  const uint32_t *Obls = I.U32s + R.Obligations.Offset;
  for (uint32_t K = 0; K < R.Obligations.Size; ++K)
    if (Obls[K] >= I.NumInstances || (K && Obls[K] <= Obls[K - 1]) || !R.IsAllow)
      return bad(What() + " has a bad obligation list");
  // The condition: every operand in bounds, and the stack it uses ends with one value.
  PRIVET_TRY(checkList(R.Condition, I.NumU32s, [&] { return "condition of " + What(); }));
  const uint32_t *Code = I.U32s + R.Condition.Offset;
  if (R.Condition.Size >= (1u << 31))
    return bad(What() + " has a bad condition");
  uint64_t Size = R.Condition.Size, Depth = 0;
  auto Bad = [&] { return bad(What() + " has a bad condition"); };
  for (uint64_t Pc = 0; Pc < Size;) {
    switch (CondOp(Code[Pc])) {
    case CondOp::True:
    case CondOp::False:
      ++Depth, ++Pc;
      break;
    case CondOp::Not:
      if (Depth < 1)
        return Bad();
      ++Pc;
      break;
    case CondOp::And:
    case CondOp::Or:
      if (Pc + 1 >= Size || Code[Pc + 1] < 2 || Code[Pc + 1] > Depth)
        return Bad();
      Depth -= Code[Pc + 1] - 1;
      Pc += 2;
      break;
    case CondOp::Bool:
    case CondOp::Compare:
    case CondOp::InSet: {
      CondOp Op = CondOp(Code[Pc]);
      uint64_t Len = Op == CondOp::Bool ? 2 : Op == CondOp::Compare ? 5 : 3;
      if (Pc + Len > Size || Code[Pc + 1] >= I.NumAttributes)
        return Bad();
      if (Op == CondOp::Compare && Code[Pc + 2] > 5)
        return Bad();
      if (Op == CondOp::InSet)
        Len += 2 * uint64_t(Code[Pc + 2]);
      if (Pc + Len > Size)
        return Bad();
      ++Depth;
      Pc += Len;
      break;
    }
    default:
      return Bad();
    }
  }
  if (Size && Depth != 1)
    return Bad();
  return Status::success();
}

Status Validator::rulesAndCombinations() {
  for (uint32_t N = 0; N < I.NumRules; ++N) {
    const RuleRecord &R = I.Rules[N];
    auto What = [&] { return std::string("rule " + std::to_string(N)); };
    PRIVET_TRY(checkStr(R.Id, What));
    PRIVET_TRY(checkStr(R.File, What));
    PRIVET_TRY(checkStr(R.SourceText, What));
    PRIVET_TRY(checkList(R.Sources, I.NumStrRefs, [&] { return "sources of " + What(); }));
    if (R.IsAllow > 1)
      return bad(What() + " has a bad effect");
    if (R.Parent != UINT32_MAX && (R.Parent >= I.NumRules || R.Parent == N))
      return bad(What() + " has a bad parent");
    PRIVET_TRY(ruleTable(N, R));
  }
  uint32_t NumData = I.DimNumValues[unsigned(Dim::Data)];
  for (uint32_t N = 0; N < I.NumCombinations; ++N) {
    const CombinationRecord &R = I.Combinations[N];
    auto What = [&] { return std::string("combination " + std::to_string(N)); };
    if (R.Result >= NumData)
      return bad(What() + " has a bad result category");
    if (R.Kind > 1)
      return bad(What() + " has a bad kind");
    for (ListRef L : {R.UnderFirst, R.UnderSecond, R.UnderResult}) {
      if (L.Size != NumData)
        return bad(What() + " does not cover every data category");
      PRIVET_TRY(checkList(L, I.NumFlags, What));
      for (uint32_t V = 0; V < L.Size; ++V)
        if (I.Flags[L.Offset + V] > 1)
          return bad(What() + " has a bad membership flag");
    }
    // Sema guarantees the second category is at or under the result of a `treated as`, and that
    // the result is at or under itself; the evaluator relies on neither, but a file that breaks
    // them was not written by the compiler.
    if (!I.Flags[R.UnderResult.Offset + R.Result])
      return bad(What() + " does not place its result under itself");
    if (R.Kind == 1)
      for (uint32_t V = 0; V < NumData; ++V)
        if (I.Flags[R.UnderSecond.Offset + V] && !I.Flags[R.UnderResult.Offset + V])
          return bad(What() + " treats data as a category its second part is not under");
  }
  return Status::success();
}

/// Terminals: an effect, strictly ascending rule and obligation lists, no obligations on a deny.
Status Validator::terminals() {
  for (uint32_t N = 0; N < I.NumTerminals; ++N) {
    const TerminalRecord &T = I.Terminals[N];
    auto What = [&] { return std::string("terminal " + std::to_string(N)); };
    if (T.Allow > 1)
      return bad(What() + " has a bad effect");
    PRIVET_TRY(checkList(T.Rules, I.NumU32s, [&] { return "rules of " + What(); }));
    PRIVET_TRY(checkList(T.Obligations, I.NumU32s, [&] { return "obligations of " + What(); }));
    if (!T.Allow && T.Obligations.Size)
      return bad(What() + " denies with obligations");
    // Strictly ascending lists let decide() merge them without sorting.
    const uint32_t *Rules = I.U32s + T.Rules.Offset;
    for (uint32_t K = 0; K < T.Rules.Size; ++K)
      if (Rules[K] >= I.NumRules || (K && Rules[K] <= Rules[K - 1]))
        return bad(What() + " has a bad rule list");
    const uint32_t *Obls = I.U32s + T.Obligations.Offset;
    for (uint32_t K = 0; K < T.Obligations.Size; ++K)
      if (Obls[K] >= I.NumInstances || (K && Obls[K] <= Obls[K - 1]))
        return bad(What() + " has a bad obligation list");
  }
  return Status::success();
}

uint64_t Validator::attributeTestChildren(uint64_t W, const std::function<std::string()> &What,
                                          Status &Err) const {
  const uint32_t *N = I.Nodes + W;
  uint32_t NumChildren = N[0] >> 4, Attr = N[1], Th = N[2];
  if (Attr >= I.NumAttributes) {
    Err = bad(What() + " tests a missing attribute");
    return 0;
  }
  const AttributeRecord &A = I.Attributes[Attr];
  uint64_t Want = 0;
  switch (static_cast<AttrKind>(A.Kind)) {
  case AttrKind::Bool:
    Want = 2;
    break;
  case AttrKind::Enum:
    Want = I.Enums[A.Enum].Values.Size;
    break;
  case AttrKind::Int:
  case AttrKind::Duration:
    Want = NumChildren ? NumChildren : 1;
    if (uint64_t(Th) + Want - 1 > I.NumI64s) {
      Err = bad(What() + " has thresholds out of range");
      return 0;
    }
    for (uint32_t K = 1; K + 1 < Want; ++K)
      if (I.I64s[Th + K] <= I.I64s[Th + K - 1]) {
        Err = bad(What() + " has thresholds out of order");
        return 0;
      }
    break;
  }
  bool Numeric = A.Kind == uint8_t(AttrKind::Int) || A.Kind == uint8_t(AttrKind::Duration);
  if (!Numeric && Th) {
    Err = bad(What() + " has thresholds on a " + std::string(attrKindName(AttrKind(A.Kind))) +
              " test");
    return 0;
  }
  return Want;
}

/// The node words: every node well-formed, with as many children as its test has outcomes, each
/// naming a terminal or a node that starts before it (so the diagram has no cycle).
Status Validator::nodes() {
  // One pass over the node words in order. Children lie before their parent, so every node a
  // reference may name has been parsed already: CodeAt records, four bits per word, where nodes
  // begin and with which code (0: no node starts there, else the code plus one). A reference is
  // then checked with one read of this table, which is an eighth of the node words' size, rather
  // than a read of a start bitmap and of the named node's own first word: at 10,000 rules the
  // node words are 13 MB, and those scattered reads were most of the load's time.
  if (I.NumNodeWords >= MaxNodeWords)
    return bad("the diagram is too large");
  static_assert(RuleListCode + 1 < 16, "codes plus one fit in four bits");
  std::vector<uint8_t> CodeAt(I.NumNodeWords / 2 + 1, 0);
  auto CodeOf = [&](uint64_t W) { return uint32_t(CodeAt[W / 2] >> (W % 2 * 4)) & 15; };
  auto Start = [&](uint64_t W, uint32_t Code) {
    CodeAt[W / 2] |= uint8_t((Code + 1) << (W % 2 * 4));
  };
  // A reference is valid if it names a terminal, or a node starting before Limit whose code it
  // carries.
  auto RefOk = [&](uint32_t Ref, uint64_t Limit) {
    if (Ref & TerminalBit)
      return (Ref & ~TerminalBit) < I.NumTerminals;
    uint64_t W = Ref >> 4;
    return W < Limit && CodeOf(W) == (Ref & 15) + 1;
  };
  uint32_t Count = 0;
  for (uint64_t W = 0; W < I.NumNodeWords; ++Count) {
    const uint32_t *N = I.Nodes + W;
    uint32_t Code = N[0] & 15, NumChildren = N[0] >> 4;
    auto What = [&] {
      return "node " + std::to_string(Count) + " (word " + std::to_string(W) + ")";
    };
    uint64_t First = W + 1; // first child
    uint64_t Want = 0;
    if (Code == RuleListCode) {
      // Rule indexes, strictly ascending, of rules in the rule table.
      if (!I.HasRuleTable || NumChildren == 0 || W + 1 + NumChildren > I.NumNodeWords)
        return bad(What() + " is a bad rule list");
      for (uint64_t K = W + 1; K < W + 1 + NumChildren; ++K)
        if (I.Nodes[K] >= I.NumRules || (K > W + 1 && I.Nodes[K] <= I.Nodes[K - 1]))
          return bad(What() + " is a bad rule list");
      Start(W, Code);
      W += 1 + NumChildren;
      continue;
    }
    if (Code < NumDimensions) {
      I.IndexedDims |= 1u << Code;
      // Children for every leaf class, and for some prefix of the derived classes.
      const DimensionRecord &D = I.Dims[Code];
      Want = NumChildren >= D.NumLeafClasses && NumChildren <= D.NumClasses ? NumChildren
                                                                            : D.NumLeafClasses;
    } else if (Code == AttributeCode) {
      if (W + 3 > I.NumNodeWords)
        return bad(What() + " is truncated");
      First = W + 3;
      Status Err = Status::success();
      Want = attributeTestChildren(W, What, Err);
      if (!Err)
        return Err;
    } else {
      return bad(What() + " has a bad kind");
    }
    if (NumChildren != Want || Want == 0)
      return bad(What() + " has " + std::to_string(NumChildren) + " children, expected " +
                 std::to_string(Want));
    if (First + NumChildren > I.NumNodeWords)
      return bad(What() + " is truncated");
    // Most of a dimension test's children are the same few subdiagrams (every class a rule
    // does not name goes one way): a run of equal references is checked once.
    // (NumChildren >= 1 here, so the first child exists and is always checked.)
    uint32_t Checked = I.Nodes[First];
    if (!RefOk(Checked, W))
      return bad(What() + " has a child reference out of order or out of range");
    for (uint64_t K = First + 1; K < First + NumChildren; ++K) {
      uint32_t Ref = I.Nodes[K];
      if (Ref == Checked)
        continue;
      if (!RefOk(Ref, W))
        return bad(What() + " has a child reference out of order or out of range");
      Checked = Ref;
    }
    Start(W, Code);
    W = First + NumChildren;
  }
  I.NumNodes = Count;
  I.Root = I.Header->Root;
  if (!RefOk(I.Root, I.NumNodeWords))
    return bad("the root reference is out of range");
  return Status::success();
}

} // namespace

uint64_t ScopeRowWordLimit = uint64_t(1) << 22; // 32 MiB per dimension

Status validateArtifact(CompiledPolicy::Impl &I) {
  Validator V(I);
  return V.run();
}

} // namespace privet::rt
