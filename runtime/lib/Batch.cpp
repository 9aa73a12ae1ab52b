//===- Batch.cpp - Deciding columns of requests, and dictionary-encoding names -----------===//
//
// The fast path computes each row's classes straight from the id columns and walks the diagram
// once (the walks of a block's rows interleaved, on a diagram too large for the cache);
// whatever it cannot answer alone is built as a Request and decided by decide(), so the two can
// never disagree. Decisions are interned by content so that a row's decision id names its
// decision whichever path produced it.
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

uint64_t InterleavedWalksFromWords = uint64_t(1) << 16; // 256 KiB of nodes

struct BatchDecider::State {
  explicit State(const CompiledPolicy &P, const CompiledPolicy::Impl &I)
      : P(P), I(I), Req(P), TerminalId(I.NumTerminals, InvalidId) {
    uint32_t MaxClass = 0;
    for (unsigned D = 0; D < NumDimensions; ++D)
      for (uint32_t V = 0; V <= I.DimNumValues[D]; ++V)
        MaxClass = std::max(MaxClass, I.DimClass[D][V]);
    ClassBits = MaxClass < (1u << 8) ? 8 : MaxClass < (1u << 16) ? 16 : 32;
  }

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
  uint32_t memoFind(const uint64_t *Key, size_t Home) const {
    for (size_t S = Home;; S = (S + 1) & (MemoSlots - 1)) {
      const uint64_t *Slot = MemoTable.data() + S * MemoStride;
      if (Slot[MemoKeyWords] == EmptySlot)
        return InvalidId;
      if (sameKey(Key, Slot, MemoKeyWords))
        return uint32_t(Slot[MemoKeyWords]);
    }
  }
  void memoInsert(const uint64_t *Key, size_t Home, uint32_t Id) {
    if (MemoUsed >= MemoSlots / 2)
      resetMemo(MemoKeyWords);
    size_t S = Home;
    while (MemoTable[S * MemoStride + MemoKeyWords] != EmptySlot)
      S = (S + 1) & (MemoSlots - 1);
    uint64_t *Slot = MemoTable.data() + S * MemoStride;
    std::copy(Key, Key + MemoKeyWords, Slot);
    Slot[MemoKeyWords] = Id;
    ++MemoUsed;
  }

  /// Blocks left before the memo is asked again (BatchDecider::decide), and how many a block
  /// with too few answers from it turns it off for.
  unsigned MemoOffBlocksLeft = 0;
  static constexpr unsigned MemoOffBlocks = 15;
  BatchDecider::Counts Count;

  /// The bits a class number takes in a memo key: 8, 16 or 32, the fewest that hold every class
  /// of every dimension (the unset value's included).
  unsigned ClassBits = 32;
  /// One block of rows' keys (BatchDecider::decide).
  std::vector<uint64_t> Keys, KeyCols;
  /// Row R's attribute values as the walks read them (only on a memo miss), into one row of
  /// NumAttributes values and set flags: attributes without a column are unset.
  /// ColBool[A] says whether column A is a bool attribute's.
  void loadAttributes(const BatchColumns &In, const uint8_t *ColBool, size_t R, int64_t *Value,
                      uint8_t *Set) const {
    std::fill(Set, Set + I.NumAttributes, 0);
    for (size_t A = 0; A < In.NumAttributes; ++A) {
      const BatchColumns::Attribute &Col = In.Attributes[A];
      const uint8_t IsSet = Col.Present ? Col.Present[R] != 0 : 1;
      int64_t V = !IsSet ? 0 : Col.Bools ? int64_t(Col.Bools[R]) : Col.Values[R];
      if (ColBool[A])
        V = V != 0;
      Set[Col.Attr] = IsSet;
      Value[Col.Attr] = V;
    }
  }
  /// One block's walks (BatchDecider::decide): per walk its classes, its attributes and the
  /// terminal reached.
  std::vector<uint32_t> WalkClasses, WalkOut;
  std::vector<int64_t> WalkValues;
  std::vector<uint8_t> WalkSet;

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
  ++Count.GeneralRows;
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
    int64_t V = Col.Bools ? int64_t(Col.Bools[R]) : Col.Values[R];
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
const BatchDecider::Counts &BatchDecider::counts() const { return S->Count; }

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
    if (In.Attributes[A].Bools && St.P.attributeKind(Attr) != AttrKind::Bool)
      return Error{"attribute `" + std::string(St.P.attributeName(Attr)) +
                   "` is not a bool: its values cannot be given as bytes"};
    if (!In.Attributes[A].Values && !In.Attributes[A].Bools && In.NumRows)
      return Error{"attribute `" + std::string(St.P.attributeName(Attr)) + "` has no values"};
  }

  const bool DataCsr = In.DataOffsets != nullptr;
  const size_t NA = In.NumAttributes;
  // A row's key: its classes, which attributes are set, and their values. Rows with at most one
  // data category are answered from the memo when their key was met before (a log repeats its
  // tuples); the memo holds what one walk or decide() answered, which depends on nothing else.
  const bool UseMemo = NA <= 64;
  // The memo key: the dimensions' classes packed ClassBits to a word part (8 bits when every
  // class number fits, as in notice-sized policies), the attributes' presence bits and the
  // boolean attributes' values as bits (one word for up to 32 attributes), then one word per
  // other attribute's value. Keys are kept short because the memo is read at a random slot per
  // row: 3 words for Outpost24 (its nine dimensions and nine booleans) make a 32-byte slot.
  const unsigned ClassBits = St.ClassBits;
  const unsigned PerWord = 64 / ClassBits;
  const size_t ClassWords = (NumDimensions + PerWord - 1) / PerWord;
  const bool OneAttrWord = NA <= 32;
  const size_t AttrWord = ClassWords;
  size_t KeyWords = ClassWords + (OneAttrWord ? 1 : 2);
  std::vector<uint8_t> ColBool(NA);
  std::vector<int64_t> ColLimit(NA, INT64_MAX);
  // Per attribute column, the key word of its value (0: a bit of the booleans' word).
  std::vector<uint32_t> ColWord(NA, 0);
  for (size_t A = 0; A < NA; ++A) {
    const format::AttributeRecord &AR = I.Attributes[In.Attributes[A].Attr];
    ColBool[A] = AttrKind(AR.Kind) == AttrKind::Bool;
    if (AttrKind(AR.Kind) == AttrKind::Enum)
      ColLimit[A] = int64_t(I.Enums[AR.Enum].Values.Size);
    if (!ColBool[A])
      ColWord[A] = uint32_t(KeyWords++);
  }
  if (!UseMemo)
    KeyWords = ClassWords; // the classes only: rows are walked one by one
  // Keys name attributes by column: a call with other columns starts another memo.
  std::vector<uint32_t> Layout;
  for (size_t A = 0; A < NA; ++A)
    Layout.push_back(In.Attributes[A].Attr);
  if (UseMemo && (St.MemoKeyWords != KeyWords || St.MemoLayout != Layout)) {
    St.resetMemo(KeyWords);
    St.MemoLayout = std::move(Layout);
    St.MemoOffBlocksLeft = 0;
  }

  // Rows are keyed a block at a time, column by column: each pass reads one input column in
  // order into one word of every row's key, the words laid out word by word (contiguous, so
  // the passes vectorise and never wait on each other's stores), then the keys are put row by
  // row for the memo. A row a time read 18 columns per row and branched on each value. A row
  // the fast path cannot take (a value out of range, several data categories) is marked Slow
  // and built as a Request instead.
  constexpr size_t Block = 256;
  St.Keys.resize(Block * KeyWords);
  St.KeyCols.resize(Block * KeyWords);
  uint64_t *Keys = St.Keys.data();
  uint64_t *Cols = St.KeyCols.data();
  uint8_t Slow[Block];
  size_t Home[Block];
  const bool Interleave = I.NumNodeWords >= InterleavedWalksFromWords;
  // A block's rows that wait for their walk or for decide(): the row, and its walk's index or
  // what else it waits for.
  constexpr uint32_t PendingSlow = InvalidId, PendingCopy = InvalidId - 1;
  struct PendingRow {
    uint32_t Row, What;
  } Pending[Block];
  St.WalkClasses.resize(Block * NumDimensions);
  St.WalkOut.resize(Block);
  St.WalkValues.resize(Block * I.NumAttributes);
  St.WalkSet.resize(Block * I.NumAttributes);
  const uint64_t ClassMask = ClassBits == 64 ? ~uint64_t(0) : (uint64_t(1) << ClassBits) - 1;
  // Where each dimension's class sits in a key, worked out once: dividing by PerWord per row
  // and dimension was a third of a walked row's own time.
  unsigned ClassWord[NumDimensions], ClassShift[NumDimensions];
  for (unsigned D = 0; D < NumDimensions; ++D) {
    ClassWord[D] = D / PerWord;
    ClassShift[D] = (D % PerWord) * ClassBits;
  }
  uint32_t PrevId = InvalidId;
  const uint64_t *PrevKey = nullptr;
  std::vector<uint64_t> PrevKeyCopy(KeyWords);

  BatchDecider::Counts &Count = St.Count;
  for (size_t Base = 0; Base < In.NumRows; Base += Block) {
    const size_t N = std::min(Block, In.NumRows - Base);
    Count.Rows += N;
    // The memo pays only where rows repeat. After a block in which it answered fewer than one
    // row in eight of those it was asked, it is left out for the next MemoOffBlocks blocks
    // (neither read nor filled: a row costs its walk alone), then asked again. A log of
    // repeating tuples keeps it; one whose every row differs (a duration attribute in seconds,
    // say) does not pay for it. The run check stays either way.
    const bool MemoOn = UseMemo && St.MemoOffBlocksLeft == 0;
    if (UseMemo && !MemoOn) {
      --St.MemoOffBlocksLeft;
      ++Count.MemoOffBlocks;
    }
    size_t Lookups = 0, Hits = 0;
    std::fill(Cols, Cols + Block * KeyWords, 0);
    std::fill(Slow, Slow + N, 0);
    for (unsigned D = 0; D < NumDimensions; ++D) {
      const uint32_t *Class = I.DimClass[D];
      const uint32_t NV = I.DimNumValues[D];
      uint64_t *KeyWord = Cols + (D / PerWord) * Block;
      const unsigned Shift = (D % PerWord) * ClassBits;
      if (Dim(D) == Dim::Data && DataCsr) {
        const uint64_t *Off = In.DataOffsets + Base;
        const uint32_t *Ids = In.DataIds;
        for (size_t R = 0; R < N; ++R) {
          const uint64_t Count = Off[R + 1] - Off[R];
          uint32_t V = Count == 0 ? NV : Ids[Off[R]];
          const bool Bad = Count > 1 || V > NV || (Count == 1 && V == NV);
          V = Bad ? NV : V;
          Slow[R] |= Bad;
          KeyWord[R] |= uint64_t(Class[V]) << Shift;
        }
        continue;
      }
      if (!In.Values[D]) {
        const uint64_t Bits = uint64_t(Class[NV]) << Shift;
        for (size_t R = 0; R < N; ++R)
          KeyWord[R] |= Bits;
        continue;
      }
      const uint32_t *Col = In.Values[D] + Base;
      for (size_t R = 0; R < N; ++R) {
        const uint32_t Raw = Col[R];
        const bool Bad = Raw != InvalidId && Raw >= NV;
        const uint32_t V = Raw == InvalidId || Bad ? NV : Raw;
        Slow[R] |= Bad;
        KeyWord[R] |= uint64_t(Class[V]) << Shift;
      }
    }
    // Presence in the low half and value in the high half of one word (up to 32 attributes),
    // else presence in one word and values in the next.
    uint64_t *SetWord = Cols + AttrWord * Block;
    uint64_t *BoolWord = Cols + (AttrWord + (OneAttrWord ? 0 : 1)) * Block;
    for (size_t A = 0; A < NA; ++A) {
      const BatchColumns::Attribute &Col = In.Attributes[A];
      const int64_t *Values = Col.Bools ? nullptr : Col.Values + Base;
      const uint8_t *Present = Col.Present ? Col.Present + Base : nullptr;
      if (!ColBool[A]) {
        const int64_t Limit = ColLimit[A];
        uint64_t *ValueWord = Cols + ColWord[A] * Block;
        for (size_t R = 0; R < N; ++R) {
          const bool Set = !Present || Present[R];
          const int64_t V = Set ? Values[R] : 0;
          Slow[R] |= Set && (V < 0 || V >= Limit);
          if (UseMemo) {
            ValueWord[R] = uint64_t(V);
            SetWord[R] |= uint64_t(Set) << A;
          }
        }
        continue;
      }
      if (!UseMemo)
        continue;
      const unsigned SetShift = unsigned(A), BoolShift = unsigned(A) + (OneAttrWord ? 32 : 0);
      if (Col.Bools) {
        const uint8_t *Bytes = Col.Bools + Base;
        const uint64_t SetBit = uint64_t(1) << SetShift;
        if (!Present)
          for (size_t R = 0; R < N; ++R) {
            SetWord[R] |= SetBit;
            BoolWord[R] |= uint64_t(Bytes[R] != 0) << BoolShift;
          }
        else
          for (size_t R = 0; R < N; ++R) {
            const uint64_t Set = Present[R] != 0;
            SetWord[R] |= Set << SetShift;
            BoolWord[R] |= (Set & uint64_t(Bytes[R] != 0)) << BoolShift;
          }
        continue;
      }
      if (!Present) {
        const uint64_t SetBit = uint64_t(1) << SetShift;
        for (size_t R = 0; R < N; ++R) {
          SetWord[R] |= SetBit;
          BoolWord[R] |= uint64_t(Values[R] != 0) << BoolShift;
        }
        continue;
      }
      for (size_t R = 0; R < N; ++R) {
        const uint64_t Set = Present[R] != 0;
        SetWord[R] |= Set << SetShift;
        BoolWord[R] |= (Set & uint64_t(Values[R] != 0)) << BoolShift;
      }
    }
    for (size_t R = 0; R < N; ++R)
      for (size_t W = 0; W < KeyWords; ++W)
        Keys[R * KeyWords + W] = Cols[W * Block + R];
    if (MemoOn)
      for (size_t R = 0; R < N; ++R) {
        Home[R] = St.memoHome(Keys + R * KeyWords);
        __builtin_prefetch(St.MemoTable.data() + Home[R] * St.MemoStride);
      }

    // One pass answers the rows the memo or the run check can. On a diagram too large for the
    // cache (Interleave) the others wait in Pending, in row order: the rows to walk, the rows
    // equal to a waiting row before them (Copy), and the rows only decide() can answer. The
    // waiting rows' walks then run together, interleaved (walkToTerminals), and the waiting
    // rows are resolved in order, as one row at a time would be: a new decision takes its id at
    // its first row, and the memo fills in row order. On a smaller diagram each row is walked
    // and resolved at once, which costs less where walks do not miss.
    auto Emit = [&](size_t Row, uint32_t Id) {
      if (Out.Outcome)
        Out.Outcome[Row] = St.IdOutcome[Id];
      if (Out.DecisionId)
        Out.DecisionId[Row] = Id;
      if (Out.Rule)
        Out.Rule[Row] = St.IdRule[Id];
    };
    // A walked row's id: its terminal's, or decide()'s for a walk that stopped (InvalidId).
    auto Resolve = [&](size_t R, uint32_t T) {
      Count.WalkedRows += T != InvalidId;
      const uint32_t Id = T != InvalidId ? St.terminal(T) : St.slowRow(In, Base + R);
      if (MemoOn)
        St.memoInsert(Keys + R * KeyWords, Home[R], Id);
      return Id;
    };
    size_t NumPending = 0, NumWalks = 0;
    bool PrevPending = false; // PrevKey's row waits, so PrevId is not known yet
    for (size_t R = 0; R < N; ++R) {
      const uint64_t *Key = Keys + R * KeyWords;
      if (Slow[R]) { // a mistake, or several data categories: never memoized
        if (Interleave)
          Pending[NumPending++] = {uint32_t(R), PendingSlow};
        else
          Emit(Base + R, St.slowRow(In, Base + R));
        continue;
      }
      if (UseMemo) {
        if (PrevKey && sameKey(Key, PrevKey, KeyWords)) {
          ++Count.RunRows;
          if (PrevPending)
            Pending[NumPending++] = {uint32_t(R), PendingCopy};
          else
            Emit(Base + R, PrevId);
          continue;
        }
        PrevKey = Key;
        PrevPending = true;
        if (MemoOn) {
          ++Lookups;
          const uint32_t Id = St.memoFind(Key, Home[R]);
          if (Id != InvalidId) {
            ++Hits;
            PrevPending = false;
            PrevId = Id;
            Emit(Base + R, Id);
            continue;
          }
        }
      }
      uint32_t *C = St.WalkClasses.data() + NumWalks * NumDimensions;
      for (unsigned D = 0; D < NumDimensions; ++D)
        C[D] = uint32_t((Key[ClassWord[D]] >> ClassShift[D]) & ClassMask);
      int64_t *Values = St.WalkValues.data() + NumWalks * I.NumAttributes;
      uint8_t *Set = St.WalkSet.data() + NumWalks * I.NumAttributes;
      St.loadAttributes(In, ColBool.data(), Base + R, Values, Set);
      if (!Interleave) { // walked and resolved now
        PrevId = Resolve(R, walkToTerminal(I, C, Values, Set));
        PrevPending = false;
        Emit(Base + R, PrevId);
        continue;
      }
      Pending[NumPending++] = {uint32_t(R), uint32_t(NumWalks++)};
    }
    walkToTerminals(I, NumWalks, St.WalkClasses.data(), St.WalkValues.data(), St.WalkSet.data(),
                    St.WalkOut.data());
    uint32_t LastWalkId = InvalidId; // the id of the last walked row: a Copy row's
    for (size_t K = 0; K < NumPending; ++K) {
      const auto [R, What] = Pending[K];
      const size_t Row = Base + R;
      uint32_t Id;
      if (What == PendingSlow) {
        Id = St.slowRow(In, Row);
      } else if (What == PendingCopy) {
        Id = LastWalkId;
      } else {
        // An earlier row of this block may have had the same key.
        Id = MemoOn ? St.memoFind(Keys + R * KeyWords, Home[R]) : InvalidId;
        Hits += Id != InvalidId;
        if (Id == InvalidId) {
          Count.InterleavedRows += St.WalkOut[What] != InvalidId;
          Id = Resolve(R, St.WalkOut[What]);
        }
        LastWalkId = Id;
      }
      Emit(Row, Id);
    }
    if (PrevPending)
      PrevId = LastWalkId;
    Count.MemoRows += Hits;
    if (MemoOn && Lookups >= 64 && Hits * 8 < Lookups)
      St.MemoOffBlocksLeft = State::MemoOffBlocks;
    // The next block overwrites Keys: the run check keeps a copy of the block's last key.
    if (PrevKey) {
      std::copy(PrevKey, PrevKey + KeyWords, PrevKeyCopy.begin());
      PrevKey = PrevKeyCopy.data();
    }
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
