//===- Batch.cpp - Deciding columns of requests, and dictionary-encoding names -----------===//
//
// The fast path computes each row's classes straight from the id columns and walks the diagram
// once; whatever it cannot answer alone is built as a Request and decided by decide(), so the
// two can never disagree. Decisions are interned by content so that a row's decision id names
// its decision whichever path produced it.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace privet::rt {

namespace {
/// Whether two keys of N words are equal: one pass without branches, inlined (std::equal on
/// words calls memcmp, which cost a third of the batch's time on these short keys).
inline bool sameKey(const uint64_t *A, const uint64_t *B, size_t N) {
  uint64_t Diff = 0;
  for (size_t W = 0; W < N; ++W)
    Diff |= A[W] ^ B[W];
  return Diff == 0;
}
} // namespace

struct BatchDecider::State {
  explicit State(const CompiledPolicy &P, const CompiledPolicy::Impl &I)
      : P(P), I(I), Req(P), TerminalId(I.NumTerminals, InvalidId), AttrValue(I.NumAttributes, 0),
        AttrSet(I.NumAttributes, 0) {}

  const CompiledPolicy &P;
  const CompiledPolicy::Impl &I;
  Request Req;
  Decision Scratch;
  std::vector<Decision> Table;
  /// Per table entry, what each row's results copy.
  std::vector<uint8_t> IdOutcome;
  std::vector<uint32_t> IdRule;
  /// Per terminal, its table entry once met.
  std::vector<uint32_t> TerminalId;
  /// A decision's content (kind, rules, obligations or message) -> its table entry.
  std::unordered_map<std::string, uint32_t> ByContent;
  std::string Key;
  std::vector<int64_t> AttrValue;
  std::vector<uint8_t> AttrSet;

  /// Row key -> decision id: open addressing over MemoSlots slots, cleared when half full. A
  /// slot is its key's words and then the id (EmptySlot when free), side by side, so that the
  /// lookup of a row touches one place of the table rather than an id array and a key array.
  static constexpr size_t MemoSlots = size_t(1) << 14;
  static constexpr uint64_t EmptySlot = ~uint64_t(0);
  size_t MemoKeyWords = 0, MemoStride = 1, MemoUsed = 0;
  std::vector<uint32_t> MemoLayout;
  std::vector<uint64_t> MemoTable;
  void resetMemo(size_t KeyWords) {
    MemoKeyWords = KeyWords;
    MemoStride = KeyWords + 1;
    MemoTable.assign(MemoSlots * MemoStride, 0);
    for (size_t S = 0; S < MemoSlots; ++S)
      MemoTable[S * MemoStride + KeyWords] = EmptySlot;
    MemoUsed = 0;
  }
  size_t memoHome(const uint64_t *Key) const {
    // Independent multiplies (no chain through H), then one mix: cheap for long keys.
    uint64_t H = 0;
    for (size_t W = 0; W < MemoKeyWords; ++W)
      H += (Key[W] ^ (0x9e3779b97f4a7c15ull * (W + 1))) * 0xc2b2ae3d27d4eb4full;
    H ^= H >> 31;
    H *= 0x9e3779b97f4a7c15ull;
    return size_t(H >> 40) & (MemoSlots - 1);
  }
  uint32_t memoFind(const uint64_t *Key) const {
    for (size_t S = memoHome(Key);; S = (S + 1) & (MemoSlots - 1)) {
      const uint64_t *Slot = MemoTable.data() + S * MemoStride;
      if (Slot[MemoKeyWords] == EmptySlot)
        return InvalidId;
      if (sameKey(Key, Slot, MemoKeyWords))
        return uint32_t(Slot[MemoKeyWords]);
    }
  }
  void memoInsert(const uint64_t *Key, uint32_t Id) {
    if (MemoUsed >= MemoSlots / 2)
      resetMemo(MemoKeyWords);
    size_t S = memoHome(Key);
    while (MemoTable[S * MemoStride + MemoKeyWords] != EmptySlot)
      S = (S + 1) & (MemoSlots - 1);
    uint64_t *Slot = MemoTable.data() + S * MemoStride;
    std::copy(Key, Key + MemoKeyWords, Slot);
    Slot[MemoKeyWords] = Id;
    ++MemoUsed;
  }

  uint32_t intern(const Decision &D);
  uint32_t terminal(uint32_t T);
  uint32_t slowRow(const BatchColumns &In, size_t R);
};

uint32_t BatchDecider::State::intern(const Decision &D) {
  Key.clear();
  Key.push_back(char(D.kind()));
  auto AppendIds = [&](Span<uint32_t> Ids) {
    Key.append(reinterpret_cast<const char *>(Ids.data()), Ids.size() * sizeof(uint32_t));
  };
  if (D.isError()) {
    Key += D.error();
  } else {
    AppendIds(D.rules());
    Key.append(4, '\xff'); // never a rule index: separates the two lists
    AppendIds(D.obligations());
  }
  auto [It, Inserted] = ByContent.try_emplace(Key, uint32_t(Table.size()));
  if (!Inserted)
    return It->second;
  Table.push_back(D);
  IdOutcome.push_back(uint8_t(D.kind()));
  IdRule.push_back(D.rules().empty() ? InvalidId : D.rules()[0]);
  return It->second;
}

uint32_t BatchDecider::State::terminal(uint32_t T) {
  if (TerminalId[T] != InvalidId)
    return TerminalId[T];
  const format::TerminalRecord &TR = I.Terminals[T];
  Decision D;
  D.K = TR.Allow ? Decision::Kind::Allow : Decision::Kind::Deny;
  D.RulePtr = I.U32s + TR.Rules.Offset;
  D.NumRules = TR.Rules.Size;
  D.ObligationPtr = I.U32s + TR.Obligations.Offset;
  D.NumObligations = TR.Obligations.Size;
  return TerminalId[T] = intern(D);
}

/// Builds row R as a Request and decides it the general way.
uint32_t BatchDecider::State::slowRow(const BatchColumns &In, size_t R) {
  Req.clear();
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (Dim(D) == Dim::Data && In.DataOffsets)
      continue;
    uint32_t V = In.Values[D] ? In.Values[D][R] : InvalidId;
    if (V != InvalidId)
      Req.set(Dim(D), V);
  }
  if (In.DataOffsets)
    for (uint64_t K = In.DataOffsets[R]; K < In.DataOffsets[R + 1]; ++K)
      Req.addData(In.DataIds[K]);
  for (size_t A = 0; A < In.NumAttributes; ++A) {
    const BatchColumns::Attribute &Col = In.Attributes[A];
    if (Col.Present && !Col.Present[R])
      continue;
    int64_t V = Col.Values[R];
    switch (P.attributeKind(Col.Attr)) {
    case AttrKind::Bool:
      Req.setBool(Col.Attr, V != 0);
      break;
    case AttrKind::Int:
      Req.setInt(Col.Attr, V);
      break;
    case AttrKind::Duration:
      Req.setDuration(Col.Attr, V);
      break;
    case AttrKind::Enum:
      if (V < 0 || V >= int64_t(InvalidId))
        Req.recordError("enum value id " + std::to_string(V) + " is out of range for attribute `" +
                        std::string(P.attributeName(Col.Attr)) + "`");
      else
        Req.setEnum(Col.Attr, uint32_t(V));
      break;
    }
  }
  P.decide(Req, Scratch);
  return intern(Scratch);
}

BatchDecider::BatchDecider(const CompiledPolicy &Policy)
    : S(std::make_unique<State>(Policy, *Policy.I)) {}
BatchDecider::~BatchDecider() = default;
BatchDecider::BatchDecider(BatchDecider &&) noexcept = default;
BatchDecider &BatchDecider::operator=(BatchDecider &&) noexcept = default;

const CompiledPolicy &BatchDecider::policy() const { return S->P; }
size_t BatchDecider::numDecisions() const { return S->Table.size(); }
const Decision &BatchDecider::decision(uint32_t Id) const { return S->Table[Id]; }

Status BatchDecider::decide(const BatchColumns &In, const BatchResults &Out) {
  State &St = *S;
  const CompiledPolicy::Impl &I = St.I;
  // The columns' shape is checked once, so that the loop below trusts it.
  if (In.DataOffsets && !In.DataIds && In.DataOffsets[In.NumRows] != In.DataOffsets[0])
    return Error{"data offsets are given without data ids"};
  if (In.DataOffsets)
    for (size_t R = 0; R < In.NumRows; ++R)
      if (In.DataOffsets[R + 1] < In.DataOffsets[R])
        return Error{"data offsets decrease at row " + std::to_string(R)};
  if (In.NumAttributes && !In.Attributes)
    return Error{"attribute columns are counted but not given"};
  std::vector<uint8_t> Seen(I.NumAttributes, 0);
  for (size_t A = 0; A < In.NumAttributes; ++A) {
    uint32_t Attr = In.Attributes[A].Attr;
    if (Attr >= I.NumAttributes)
      return Error{"attribute id " + std::to_string(Attr) + " is out of range (the policy has " +
                   std::to_string(I.NumAttributes) + ")"};
    if (Seen[Attr]++)
      return Error{"attribute `" + std::string(St.P.attributeName(Attr)) + "` has two columns"};
    if (!In.Attributes[A].Values && In.NumRows)
      return Error{"attribute `" + std::string(St.P.attributeName(Attr)) + "` has no values"};
  }

  const bool DataCsr = In.DataOffsets != nullptr;
  int64_t *AttrValue = St.AttrValue.data();
  uint8_t *AttrSet = St.AttrSet.data();
  // Attributes without a column are unset, whatever an earlier call's columns set.
  std::fill(St.AttrSet.begin(), St.AttrSet.end(), 0);
  // A row's key: its classes, which attributes are set, and their values. Rows with one data
  // category are answered from the memo when their key was met before (a log repeats its
  // tuples); the memo holds what one walk or decide() answered, which depends on nothing else.
  const bool UseMemo = In.NumAttributes <= 64;
  // The memo key: the dimensions' classes two to a word, the attributes' presence bits, the
  // boolean attributes' values as bits, then one word per other attribute's value. Keys are
  // kept short because the memo's key array is read at a random slot per row: 6 words for a
  // policy whose attributes are all booleans fit the core's cache where one word per attribute
  // (15 words for Outpost24's nine) did not.
  constexpr size_t ClassWords = (NumDimensions + 1) / 2;
  std::vector<uint8_t> ColBool(In.NumAttributes);
  std::vector<int64_t> ColLimit(In.NumAttributes, INT64_MAX);
  // Per attribute column, the key word of its value (0: a bit of the booleans' word).
  std::vector<uint32_t> ColWord(In.NumAttributes, 0);
  size_t KeyWords = ClassWords + 2;
  for (size_t A = 0; A < In.NumAttributes; ++A) {
    const format::AttributeRecord &AR = I.Attributes[In.Attributes[A].Attr];
    ColBool[A] = AttrKind(AR.Kind) == AttrKind::Bool;
    if (AttrKind(AR.Kind) == AttrKind::Enum)
      ColLimit[A] = int64_t(I.Enums[AR.Enum].Values.Size);
    if (!ColBool[A])
      ColWord[A] = uint32_t(KeyWords++);
  }
  // Keys name attributes by column: a call with other columns starts another memo.
  std::vector<uint32_t> Layout;
  for (size_t A = 0; A < In.NumAttributes; ++A)
    Layout.push_back(In.Attributes[A].Attr);
  if (UseMemo && (St.MemoKeyWords != KeyWords || St.MemoLayout != Layout)) {
    St.resetMemo(KeyWords);
    St.MemoLayout = std::move(Layout);
  }
  std::vector<uint64_t> Key(KeyWords), PrevKey(KeyWords);
  uint32_t PrevId = InvalidId;
  uint32_t Classes[NumDimensions];

  for (size_t R = 0; R < In.NumRows; ++R) {
    bool Fast = true;
    for (unsigned D = 0; D < NumDimensions; ++D) {
      uint32_t V;
      if (Dim(D) == Dim::Data && DataCsr) {
        uint64_t Begin = In.DataOffsets[R], End = In.DataOffsets[R + 1];
        if (End - Begin > 1) {
          Fast = false;
          break;
        }
        V = End == Begin ? InvalidId : In.DataIds[Begin];
      } else {
        V = In.Values[D] ? In.Values[D][R] : InvalidId;
      }
      if (V == InvalidId) {
        V = I.DimNumValues[D];
      } else if (V >= I.DimNumValues[D]) {
        Fast = false;
        break;
      }
      Classes[D] = I.DimClass[D][V];
    }
    uint64_t SetBits = 0, BoolBits = 0;
    for (size_t A = 0; Fast && A < In.NumAttributes; ++A) {
      const BatchColumns::Attribute &Col = In.Attributes[A];
      uint8_t Set = Col.Present ? Col.Present[R] != 0 : 1;
      int64_t V = Set ? Col.Values[R] : 0;
      if (ColBool[A])
        V = V != 0;
      else if (Set && (V < 0 || V >= ColLimit[A]))
        Fast = false;
      AttrSet[Col.Attr] = Set;
      AttrValue[Col.Attr] = V;
      if (UseMemo) {
        SetBits |= uint64_t(Set) << A;
        if (ColBool[A])
          BoolBits |= uint64_t(V) << A;
        else
          Key[ColWord[A]] = uint64_t(V);
      }
    }
    uint32_t Id = InvalidId;
    if (!Fast) {
      Id = St.slowRow(In, R); // a mistake, or several data categories: never memoized
    } else {
      if (UseMemo) {
        for (unsigned W = 0; W < ClassWords; ++W)
          Key[W] = uint64_t(Classes[2 * W]) |
                   (2 * W + 1 < NumDimensions ? uint64_t(Classes[2 * W + 1]) << 32 : 0);
        Key[ClassWords] = SetBits;
        Key[ClassWords + 1] = BoolBits;
        if (PrevId != InvalidId && sameKey(Key.data(), PrevKey.data(), KeyWords))
          Id = PrevId;
        else
          Id = St.memoFind(Key.data());
      }
      if (Id == InvalidId) {
        uint32_t T = walkToTerminal(I, Classes, AttrValue, AttrSet);
        Id = T != InvalidId ? St.terminal(T) : St.slowRow(In, R);
        if (UseMemo)
          St.memoInsert(Key.data(), Id);
      }
      if (UseMemo) {
        PrevId = Id;
        std::swap(Key, PrevKey);
      }
    }
    if (Out.Outcome)
      Out.Outcome[R] = St.IdOutcome[Id];
    if (Out.DecisionId)
      Out.DecisionId[R] = Id;
    if (Out.Rule)
      Out.Rule[R] = St.IdRule[Id];
  }
  return Status::success();
}

struct DictionaryEncoder::State {
  const CompiledPolicy *P;
  Dim D = Dim::Action;
  /// Set for an enum attribute's values: the attribute's enum (InvalidId for a non-enum one).
  bool IsEnum = false;
  uint32_t Enum = InvalidId;
  /// Keys point into Names, whose elements never move.
  std::unordered_map<std::string_view, uint32_t> Ids;
  std::deque<std::string> Names;
  /// Logs repeat the same name in runs: the last one is checked before the map.
  std::string_view LastName;
  uint32_t LastId = InvalidId;
  bool HasLast = false;

  uint32_t lookup(std::string_view Name) const {
    if (!IsEnum)
      return P->valueId(D, Name);
    return Enum == InvalidId ? InvalidId : P->enumValueId(Enum, Name);
  }
};

DictionaryEncoder::DictionaryEncoder(std::unique_ptr<State> S) : S(std::move(S)) {}
DictionaryEncoder::~DictionaryEncoder() = default;
DictionaryEncoder::DictionaryEncoder(DictionaryEncoder &&) noexcept = default;
DictionaryEncoder &DictionaryEncoder::operator=(DictionaryEncoder &&) noexcept = default;

DictionaryEncoder DictionaryEncoder::forDimension(const CompiledPolicy &Policy, Dim D) {
  auto S = std::make_unique<State>();
  S->P = &Policy;
  S->D = D;
  return DictionaryEncoder(std::move(S));
}

DictionaryEncoder DictionaryEncoder::forEnumAttribute(const CompiledPolicy &Policy, uint32_t Attr) {
  auto S = std::make_unique<State>();
  S->P = &Policy;
  S->IsEnum = true;
  if (Attr < Policy.numAttributes() && Policy.attributeKind(Attr) == AttrKind::Enum)
    S->Enum = Policy.attributeEnum(Attr);
  return DictionaryEncoder(std::move(S));
}

uint32_t DictionaryEncoder::encode(std::string_view Name) {
  State &St = *S;
  if (St.HasLast && Name == St.LastName)
    return St.LastId;
  auto It = St.Ids.find(Name);
  if (It == St.Ids.end()) {
    St.Names.emplace_back(Name);
    It = St.Ids.emplace(St.Names.back(), St.lookup(Name)).first;
  }
  St.HasLast = true;
  St.LastName = It->first;
  St.LastId = It->second;
  return It->second;
}

void DictionaryEncoder::encode(const std::string_view *Names, size_t N, uint32_t *Out) {
  for (size_t K = 0; K < N; ++K)
    Out[K] = encode(Names[K]);
}

size_t DictionaryEncoder::numDistinct() const { return S->Names.size(); }

} // namespace privet::rt
