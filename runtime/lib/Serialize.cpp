//===- Serialize.cpp - ArtifactContents to the .pvc binary format ---------------------===//
//
// Builds the pools and record arrays described in Artifact.h. The serializer trusts its input's
// shape only as far as memory safety requires: whatever it writes, the loader re-validates.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Artifact.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

namespace privet::rt {
namespace {

using namespace format;

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the artifact format is little-endian; this host is not"
#endif

/// Where each distinct content was stored in its pool, found by its xxHash64: open addressing,
/// at most half full, a slot holding an entry index plus one. (At 100,000 rules the writer interns
/// over a million lists and strings; node-based hash maps spent about a second on it.)
class ContentIndex {
public:
  /// The place of the entry with hash H whose content Same accepts, or nullptr.
  template <typename Same> const ListRef *find(uint64_t H, Same &&SameContent) const {
    if (Slots.empty())
      return nullptr;
    for (size_t I = H & Mask;; I = (I + 1) & Mask) {
      uint32_t S = Slots[I];
      if (!S)
        return nullptr;
      if (Hashes[S - 1] == H && SameContent(Refs[S - 1]))
        return &Refs[S - 1];
    }
  }
  /// Records content with hash H at R; its content must not be recorded already.
  void insert(uint64_t H, ListRef R) {
    if ((Refs.size() + 1) * 2 > Slots.size())
      grow();
    Refs.push_back(R);
    Hashes.push_back(H);
    place(static_cast<uint32_t>(Refs.size() - 1));
  }

private:
  void place(uint32_t E) {
    size_t I = Hashes[E] & Mask;
    while (Slots[I])
      I = (I + 1) & Mask;
    Slots[I] = E + 1;
  }
  void grow() {
    size_t N = std::max<size_t>(64, Slots.size() * 2);
    Slots.assign(N, 0);
    Mask = N - 1;
    for (uint32_t E = 0; E < Refs.size(); ++E)
      place(E);
  }

  std::vector<uint32_t> Slots;
  size_t Mask = 0;
  std::vector<ListRef> Refs;
  std::vector<uint64_t> Hashes;
};

class Writer {
public:
  /// Equal strings are stored once.
  StrRef str(const std::string &S) {
    uint32_t Size = static_cast<uint32_t>(S.size());
    uint64_t Hash = xxHash64(S.data(), S.size());
    if (const ListRef *R = StrIndex.find(Hash, [&](const ListRef &R) {
          return R.Size == Size && std::memcmp(Strings.data() + R.Offset, S.data(), Size) == 0;
        }))
      return {R->Offset, Size};
    uint32_t Off = static_cast<uint32_t>(Strings.size());
    Strings.append(S);
    Strings.push_back('\0');
    StrIndex.insert(Hash, {Off, Size});
    return {Off, Size};
  }

  ListRef strList(const std::vector<std::string> &L) {
    ListRef R{static_cast<uint32_t>(StrRefs.size()), static_cast<uint32_t>(L.size())};
    for (const std::string &S : L)
      StrRefs.push_back(str(S));
    return R;
  }

  /// Equal lists are stored once: rules share scope bitsets, conditions and obligation lists,
  /// terminals share obligation lists and attribute tests share thresholds, so the pools are
  /// smaller and what a decision reads of them is more often already in cache.
  ListRef u32List(const std::vector<uint32_t> &L) { return interned(U32s, U32Index, L); }
  ListRef i64List(const std::vector<int64_t> &L) { return interned(I64s, I64Index, L); }

  ListRef byteList(const std::vector<uint8_t> &L) {
    ListRef R{static_cast<uint32_t>(Bytes.size()), static_cast<uint32_t>(L.size())};
    Bytes.insert(Bytes.end(), L.begin(), L.end());
    return R;
  }

  std::string Strings;
  std::vector<StrRef> StrRefs;
  std::vector<uint32_t> U32s;
  std::vector<int64_t> I64s;
  std::vector<uint8_t> Bytes;

private:
  template <typename T>
  static ListRef interned(std::vector<T> &Pool, ContentIndex &Index, const std::vector<T> &L) {
    if (L.empty())
      return {static_cast<uint32_t>(Pool.size()), 0};
    uint64_t Hash = xxHash64(L.data(), L.size() * sizeof(T));
    if (const ListRef *R = Index.find(Hash, [&](const ListRef &R) {
          return R.Size == L.size() && std::equal(L.begin(), L.end(), Pool.begin() + R.Offset);
        }))
      return *R;
    ListRef R{static_cast<uint32_t>(Pool.size()), static_cast<uint32_t>(L.size())};
    Pool.insert(Pool.end(), L.begin(), L.end());
    Index.insert(Hash, R);
    return R;
  }

  ContentIndex StrIndex, U32Index, I64Index;
};

template <typename T> const T &at(const std::vector<T> &V, size_t I, const T &Fallback) {
  return I < V.size() ? V[I] : Fallback;
}

/// New index of every node such that children come before parents. Returns the identity when the
/// graph has a cycle or a dangling reference: the loader will then name the problem.
std::vector<uint32_t> childrenFirstOrder(const std::vector<Node> &Nodes) {
  const size_t N = Nodes.size();
  std::vector<uint32_t> NewIndex(N, UINT32_MAX);
  std::vector<uint8_t> State(N, 0);                 // 0 new, 1 on the stack, 2 placed
  std::vector<std::pair<uint32_t, uint32_t>> Stack; // (node, next child)
  uint32_t Next = 0;
  auto Identity = [N] {
    std::vector<uint32_t> Id(N);
    for (size_t I = 0; I < N; ++I)
      Id[I] = static_cast<uint32_t>(I);
    return Id;
  };
  for (uint32_t Start = 0; Start < N; ++Start) {
    if (State[Start])
      continue;
    Stack.push_back({Start, 0});
    State[Start] = 1;
    while (!Stack.empty()) {
      auto &[Cur, ChildPos] = Stack.back();
      static const std::vector<uint32_t> NoChildren;
      // A rule list's entries are rule indexes, not references.
      const std::vector<uint32_t> &Children =
          Nodes[Cur].K == Node::RuleList ? NoChildren : Nodes[Cur].Children;
      if (ChildPos == Children.size()) {
        NewIndex[Cur] = Next++;
        State[Cur] = 2;
        Stack.pop_back();
        continue;
      }
      uint32_t C = Children[ChildPos++];
      if (C & TerminalBit)
        continue;
      if (C >= N || State[C] == 1)
        return Identity();
      if (State[C] == 0) {
        State[C] = 1;
        Stack.push_back({C, 0});
      }
    }
  }
  return NewIndex;
}

/// The node word of a node's kind and variable (format::nodeCode); 15 is never valid.
uint32_t codeOf(const Node &N) {
  if (N.K == Node::DimensionTest)
    return N.Var < NumDimensions ? N.Var : 15;
  if (N.K == Node::RuleList)
    return format::RuleListCode;
  return N.K == Node::AttributeTest ? format::AttributeCode : 15;
}

/// The record arrays of an artifact, built stage by stage from ArtifactContents, then laid out.
class Serializer {
public:
  explicit Serializer(const ArtifactContents &C) : C(C) {}

  std::string run() {
    vocabularies();
    declarations();
    rules();
    decisions();
    nodes();
    return layOut();
  }

private:
  void vocabularies();
  void declarations();
  void rules();
  void decisions();
  void nodes();
  std::string layOut();

  const ArtifactContents &C;
  Writer W;
  std::vector<DimensionRecord> Dims;
  std::vector<ValueRecord> Values;
  std::vector<EnumRecord> Enums;
  std::vector<AttributeRecord> Attributes;
  std::vector<ObligationRecord> Obligations;
  std::vector<ObligationInstanceRecord> Instances;
  std::vector<RuleRecord> Rules;
  std::vector<CombinationRecord> Combinations;
  std::vector<TerminalRecord> Terminals;
  std::vector<uint32_t> Nodes;
  uint32_t Root = 0;
};

/// Each dimension's record and its values' records.
void Serializer::vocabularies() {
  static const std::string EmptyStr;
  static const std::vector<uint32_t> EmptyU32;
  for (const DimensionTable &T : C.Dims) {
    DimensionRecord D{};
    D.Name = W.str(T.Name);
    D.FirstValue = static_cast<uint32_t>(Values.size());
    D.NumValues = static_cast<uint32_t>(T.ValueNames.size());
    D.ValueClass = W.u32List(T.ValueClass);
    D.NumClasses = T.NumClasses;
    D.NumLeafClasses = T.NumLeafClasses;
    std::vector<uint32_t> Starts{0}, Covers;
    for (const std::vector<uint32_t> &Cover : T.DerivedCovers) {
      Covers.insert(Covers.end(), Cover.begin(), Cover.end());
      Starts.push_back(static_cast<uint32_t>(Covers.size()));
    }
    D.CoverStarts = W.u32List(Starts);
    D.CoverData = W.u32List(Covers);
    for (size_t V = 0; V < T.ValueNames.size(); ++V) {
      ValueRecord R{};
      R.Name = W.str(T.ValueNames[V]);
      R.Title = W.str(at(T.ValueTitles, V, EmptyStr));
      R.Parents = W.u32List(at(T.Parents, V, EmptyU32));
      R.IsLeaf = at(T.IsLeaf, V, uint8_t(1));
      Values.push_back(R);
    }
    Dims.push_back(D);
  }
}

/// Enums, attributes, obligations and obligation instances.
void Serializer::declarations() {
  for (const EnumEntry &E : C.Enums)
    Enums.push_back({W.str(E.Name), W.strList(E.Values)});
  for (const AttributeEntry &A : C.Attributes) {
    AttributeRecord R{};
    R.Name = W.str(A.Name);
    R.Kind = static_cast<uint8_t>(A.Kind);
    R.HasDefault = A.HasDefault;
    R.Enum = A.Kind == AttrKind::Enum ? A.Enum : 0;
    R.Default = A.HasDefault ? A.Default : 0;
    R.Domain = W.i64List(A.Domain);
    Attributes.push_back(R);
  }
  for (const ObligationEntry &O : C.Obligations) {
    ObligationRecord R{};
    R.Name = W.str(O.Name);
    R.Title = W.str(O.Title);
    R.HasParam = O.HasParam;
    R.ParamKind = O.HasParam ? static_cast<uint8_t>(O.ParamKind) : 0;
    R.ParamEnum = O.HasParam && O.ParamKind == AttrKind::Enum ? O.ParamEnum : 0;
    Obligations.push_back(R);
  }
  for (const ObligationInstance &I : C.ObligationInstances)
    Instances.push_back({I.Obligation, I.HasArg ? 1u : 0u, I.HasArg ? I.Arg : 0});
}

/// Rule records; with a rule table, each rule's scope as one leaf-class bitset per constrained
/// dimension (UINT32_MAX for an unconstrained one), its condition and its obligations.
void Serializer::rules() {
  for (const RuleEntry &R : C.Rules) {
    RuleRecord Rec{};
    Rec.Id = W.str(R.Id);
    Rec.File = W.str(R.File);
    Rec.SourceText = W.str(R.SourceText);
    Rec.Sources = W.strList(R.Sources);
    Rec.Line = R.Line;
    Rec.Col = R.Col;
    Rec.Parent = R.Parent;
    Rec.IsAllow = R.IsAllow;
    if (C.RuleTable) {
      std::vector<uint32_t> Scope(NumDimensions, UINT32_MAX);
      for (unsigned D = 0; D < NumDimensions; ++D) {
        if (!(R.Constrained & (1u << D)))
          continue;
        std::vector<uint32_t> Bits((C.Dims[D].NumLeafClasses + 31) / 32, 0);
        for (uint32_t K : R.Scope[D])
          if (K / 32 < Bits.size())
            Bits[K / 32] |= 1u << (K % 32);
        Scope[D] = W.u32List(Bits).Offset;
      }
      Rec.Scope = W.u32List(Scope);
      Rec.Condition = W.u32List(R.Condition);
      Rec.Obligations = W.u32List(R.Obligations);
    }
    Rules.push_back(Rec);
  }
}

/// Combination tables and the diagram's terminals.
void Serializer::decisions() {
  for (const CombinationEntry &E : C.Combinations) {
    CombinationRecord R{};
    R.Result = E.Result;
    R.Kind = E.TreatedAs ? 1 : 0;
    R.UnderFirst = W.byteList(E.UnderFirst);
    R.UnderSecond = W.byteList(E.UnderSecond);
    R.UnderResult = W.byteList(E.UnderResult);
    Combinations.push_back(R);
  }
  for (const Terminal &T : C.Terminals) {
    TerminalRecord R{};
    R.Allow = T.Allow;
    R.Rules = W.u32List(T.Rules);
    R.Obligations = W.u32List(T.Obligations);
    Terminals.push_back(R);
  }
}

/// Nodes inline in one word array, children first, so that the loader's "children lie before
/// their parent" check holds; a reference is the node's word offset tagged with its code.
void Serializer::nodes() {
  std::vector<uint32_t> NewIndex = childrenFirstOrder(C.Nodes);
  std::vector<uint32_t> ByNewIndex(C.Nodes.size());
  for (size_t Old = 0; Old < C.Nodes.size(); ++Old)
    ByNewIndex[NewIndex[Old]] = static_cast<uint32_t>(Old);
  std::vector<uint64_t> Offset(C.Nodes.size());
  uint64_t Words = 0;
  for (uint32_t Old : ByNewIndex) {
    Offset[Old] = Words;
    Words += (C.Nodes[Old].K == Node::AttributeTest ? 3 : 1) + C.Nodes[Old].Children.size();
  }
  auto Remap = [&](uint32_t Ref) -> uint32_t {
    if (Ref & TerminalBit)
      return Ref;
    if (Ref >= C.Nodes.size())
      return 0x7ffffff0u; // dangling: far past the end, for the loader to reject
    return static_cast<uint32_t>(Offset[Ref] << 4) | codeOf(C.Nodes[Ref]);
  };
  Nodes.reserve(Words);
  for (uint32_t Old : ByNewIndex) {
    const Node &N = C.Nodes[Old];
    Nodes.push_back(static_cast<uint32_t>(N.Children.size() << 4) | codeOf(N));
    if (N.K == Node::AttributeTest) {
      Nodes.push_back(N.Var);
      Nodes.push_back(N.Thresholds.empty() ? 0 : W.i64List(N.Thresholds).Offset);
    } else if (!N.Thresholds.empty()) {
      Nodes.back() = 15; // thresholds on a dimension test cannot be encoded: invalid
    }
    for (uint32_t Ch : N.Children)
      Nodes.push_back(N.K == Node::RuleList ? Ch : Remap(Ch));
  }
  Root = Remap(C.Root);
}

/// The header, the section table, then each section 8-byte aligned; the checksum last.
std::string Serializer::layOut() {
  // Header strings go in the string table like every other string.
  FileHeader H{};
  std::memcpy(H.Magic, Magic, sizeof(Magic));
  H.FormatVersion = Version;
  H.HeaderSize = sizeof(FileHeader);
  H.SourceHash = C.SourceHash;
  H.PolicyName = W.str(C.PolicyName);
  H.PolicyTitle = W.str(C.PolicyTitle);
  H.PolicyVersion = W.str(C.PolicyVersion);
  H.Root = Root;
  H.NumSections = NumSectionKinds;

  // The body is written straight after the header, into the one string returned: at 100,000
  // rules it is 47 MB, and a body built apart and then appended was the build's peak.
  auto ForEachSection = [&](auto &&Do) {
    Do(SectionKind::Strings, 1, W.Strings.size(), W.Strings.data());
    Do(SectionKind::StrRefs, sizeof(StrRef), W.StrRefs.size(), W.StrRefs.data());
    Do(SectionKind::U32s, 4, W.U32s.size(), W.U32s.data());
    Do(SectionKind::I64s, 8, W.I64s.size(), W.I64s.data());
    Do(SectionKind::Bytes, 1, W.Bytes.size(), W.Bytes.data());
    Do(SectionKind::Dimensions, sizeof(DimensionRecord), Dims.size(), Dims.data());
    Do(SectionKind::Values, sizeof(ValueRecord), Values.size(), Values.data());
    Do(SectionKind::Enums, sizeof(EnumRecord), Enums.size(), Enums.data());
    Do(SectionKind::Attributes, sizeof(AttributeRecord), Attributes.size(), Attributes.data());
    Do(SectionKind::Obligations, sizeof(ObligationRecord), Obligations.size(), Obligations.data());
    Do(SectionKind::ObligationInstances, sizeof(ObligationInstanceRecord), Instances.size(),
       Instances.data());
    Do(SectionKind::Rules, sizeof(RuleRecord), Rules.size(), Rules.data());
    Do(SectionKind::Combinations, sizeof(CombinationRecord), Combinations.size(),
       Combinations.data());
    Do(SectionKind::Terminals, sizeof(TerminalRecord), Terminals.size(), Terminals.data());
    Do(SectionKind::Nodes, 4, Nodes.size(), Nodes.data());
  };
  auto Align = [](uint64_t N) { return (N + 7) & ~uint64_t(7); };
  // Pads the body (after the header) to a multiple of 8 bytes.
  auto PadBody = [&](std::string &Out) {
    Out.resize(sizeof(H) + Align(Out.size() - sizeof(H)), '\0');
  };
  uint64_t BodySize = NumSectionKinds * sizeof(SectionEntry);
  ForEachSection([&](SectionKind, uint32_t ElemSize, uint64_t Count, const void *) {
    BodySize = Align(BodySize) + ElemSize * Count;
  });

  std::string Out;
  Out.reserve(sizeof(H) + Align(BodySize));
  Out.append(sizeof(H) + NumSectionKinds * sizeof(SectionEntry), '\0');
  std::vector<SectionEntry> Table;
  ForEachSection([&](SectionKind K, uint32_t ElemSize, uint64_t Count, const void *Data) {
    PadBody(Out);
    Table.push_back({static_cast<uint32_t>(K), ElemSize, Out.size() - sizeof(H), Count});
    if (Count)
      Out.append(static_cast<const char *>(Data), ElemSize * Count);
  });
  PadBody(Out);
  std::memcpy(Out.data() + sizeof(H), Table.data(), Table.size() * sizeof(SectionEntry));

  H.BodySize = Out.size() - sizeof(H);
  std::memcpy(Out.data(), &H, sizeof(H));
  uint64_t Sum = xxHash64(Out.data() + ChecksumStart, Out.size() - ChecksumStart);
  std::memcpy(Out.data() + offsetof(FileHeader, Checksum), &Sum, sizeof(Sum));
  return Out;
}

} // namespace

std::string serializeArtifact(const ArtifactContents &C) { return Serializer(C).run(); }

} // namespace privet::rt
