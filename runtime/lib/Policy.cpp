//===- Policy.cpp - Loading a CompiledPolicy and reading its tables ------------------===//
#include "PolicyImpl.h"

namespace privet::rt {

static_assert(NumDimensions == domain::NumDimensions);

std::string_view dimensionName(Dim D) { return domain::DimensionKeys[unsigned(D)]; }

std::optional<Dim> dimensionFromName(std::string_view Name) {
  // Called for every key of every JSONL request: lengths and first letters rule out most names
  // before any comparison of the text.
  for (unsigned D = 0; D < NumDimensions; ++D) {
    std::string_view Key = domain::DimensionKeys[D];
    if (Name.size() == Key.size() && !Name.empty() && Name[0] == Key[0] && Name == Key)
      return Dim(D);
  }
  if (Name == domain::DimensionKeywords[unsigned(Dim::Data)])
    return Dim::Data;
  return std::nullopt;
}

std::string_view attrKindName(AttrKind K) {
  return unsigned(K) < domain::NumAttrKinds ? domain::AttrKindNames[unsigned(K)] : "unknown";
}

std::optional<int64_t> parseDuration(std::string_view Text) { return domain::parseDuration(Text); }

namespace {

/// A name further than this from its home slot makes the table rebuild with another seed. With
/// a good spread and the table at most half full, displacements stay in single digits.
constexpr size_t MaxDisplacement = 32;
constexpr unsigned MaxReseeds = 4;

} // namespace

void NameTable::reset(size_t Count) {
  Slots.clear();
  Pool.clear();
  NumNames = 0;
  Seed = 0;
  Reseeds = 0;
  size_t HomeCount = 2; // so that Shift < 64
  while (HomeCount < 2 * Count)
    HomeCount *= 2;
  rebuild(HomeCount);
}

size_t NameTable::home(std::string_view Name) const {
  if (Name.size() > InlineSize)
    return size_t(hashLong(Name.data(), Name.size()) >> Shift);
  uint64_t A, B;
  pack(Name, A, B);
  return home(A, B);
}

std::string_view NameTable::pooled(uint64_t Offset) const {
  uint32_t Size;
  std::memcpy(&Size, Pool.data() + Offset, sizeof Size);
  return {Pool.data() + Offset + sizeof Size, Size};
}

const NameTable::Slot *NameTable::lookupLong(std::string_view Name) const {
  const char *Q = Name.data();
  const size_t N = Name.size();
  const uint64_t H = hashLong(Q, N);
  const uint64_t Tag = H | LongBits;
  for (const Slot *S = Slots.data() + (H >> Shift);; ++S) {
    if (S->Id == InvalidId)
      return nullptr;
    if (S->B != Tag)
      continue;
    // A 62-bit tag match is all but certain to be the name; confirm it a word at a time.
    const char *Kept = Pool.data() + S->A;
    if (load32(Kept) != N)
      continue;
    Kept += sizeof(uint32_t);
    bool Same = load64(Kept + N - 8) == load64(Q + N - 8);
    for (size_t I = 0; Same && I + 8 < N; I += 8)
      Same = load64(Kept + I) == load64(Q + I);
    if (Same)
      return S;
  }
}

size_t NameTable::homeOf(const Slot &S) const {
  if ((S.B & LongBits) != LongBits)
    return home(S.A, S.B);
  std::string_view Name = pooled(S.A);
  return size_t(hashLong(Name.data(), Name.size()) >> Shift);
}

size_t NameTable::place(const Slot &S, size_t Home) {
  size_t P = Home;
  while (Slots[P].Id != InvalidId)
    ++P;
  Slots[P] = S;
  if (P + 1 == Slots.size())
    Slots.emplace_back();
  return P - Home;
}

void NameTable::rebuild(size_t HomeCount) {
  std::vector<Slot> Old;
  Old.swap(Slots);
  HomeSlots = HomeCount;
  Shift = 64;
  for (size_t C = HomeCount; C > 1; C /= 2)
    --Shift;
  Slots.assign(HomeCount + 1, Slot());
  for (;;) {
    bool Spread = true;
    for (Slot S : Old) {
      if (S.Id == InvalidId)
        continue;
      if ((S.B & LongBits) == LongBits) {
        std::string_view Name = pooled(S.A);
        S.B = hashLong(Name.data(), Name.size()) | LongBits;
      }
      if (place(S, homeOf(S)) > MaxDisplacement && Reseeds < MaxReseeds) {
        Spread = false;
        break;
      }
    }
    if (Spread)
      return;
    ++Reseeds;
    Seed = (Seed + 1) * K2;
    Slots.assign(HomeCount + 1, Slot());
  }
}

void NameTable::insert(std::string_view Name, uint32_t Id, uint32_t Data) {
  if (find(Name) != InvalidId)
    return;
  if (2 * (NumNames + 1) > HomeSlots)
    rebuild(2 * HomeSlots);
  Slot S;
  S.Id = Id;
  S.Data = Data;
  if (Name.size() > InlineSize) {
    S.A = Pool.size();
    uint32_t Size = uint32_t(Name.size());
    Pool.append(reinterpret_cast<const char *>(&Size), sizeof Size);
    Pool.append(Name);
    S.B = hashLong(Name.data(), Name.size()) | LongBits;
  } else {
    pack(Name, S.A, S.B);
  }
  ++NumNames;
  if (place(S, homeOf(S)) > MaxDisplacement && Reseeds < MaxReseeds) {
    ++Reseeds;
    Seed = (Seed + 1) * K2;
    rebuild(HomeSlots);
  }
}

CompiledPolicy::CompiledPolicy() : I(std::make_unique<Impl>()) {}
CompiledPolicy::~CompiledPolicy() = default;

Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::load(const std::string &Path) {
  auto Bytes = FileBytes::open(Path);
  if (!Bytes)
    return Error{Bytes.error()};
  std::shared_ptr<CompiledPolicy> P(new CompiledPolicy());
  P->Base = (*Bytes)->data();
  P->Size = (*Bytes)->size();
  P->I->Bytes = Bytes.take();
  Status S = validateArtifact(*P->I);
  if (!S)
    return Error{"`" + Path + "`: " + S.error()};
  return std::shared_ptr<const CompiledPolicy>(std::move(P));
}

Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::fromBytes(std::string_view Bytes) {
  std::shared_ptr<CompiledPolicy> P(new CompiledPolicy());
  P->I->Bytes = FileBytes::copyOf(Bytes);
  P->Base = P->I->Bytes->data();
  P->Size = P->I->Bytes->size();
  Status S = validateArtifact(*P->I);
  if (!S)
    return Error{S.error()};
  return std::shared_ptr<const CompiledPolicy>(std::move(P));
}

std::string_view CompiledPolicy::name() const { return I->str(I->Header->PolicyName); }
std::string_view CompiledPolicy::title() const { return I->str(I->Header->PolicyTitle); }
std::string_view CompiledPolicy::version() const { return I->str(I->Header->PolicyVersion); }
uint64_t CompiledPolicy::sourceHash() const { return I->Header->SourceHash; }
uint64_t CompiledPolicy::contentHash() const { return I->Header->Checksum; }

uint32_t CompiledPolicy::numValues(Dim D) const { return I->DimNumValues[unsigned(D)]; }

uint32_t CompiledPolicy::valueId(Dim D, std::string_view Name) const {
  return I->ValueByName[unsigned(D)].find(Name);
}

std::string_view CompiledPolicy::valueName(Dim D, uint32_t Value) const {
  if (Value >= numValues(D))
    return {};
  return I->str(I->DimValues[unsigned(D)][Value].Name);
}

std::string_view CompiledPolicy::valueTitle(Dim D, uint32_t Value) const {
  if (Value >= numValues(D))
    return {};
  return I->str(I->DimValues[unsigned(D)][Value].Title);
}

bool CompiledPolicy::isLeaf(Dim D, uint32_t Value) const {
  return Value < numValues(D) && I->DimValues[unsigned(D)][Value].IsLeaf;
}

Span<uint32_t> CompiledPolicy::parents(Dim D, uint32_t Value) const {
  if (Value >= numValues(D))
    return {};
  format::ListRef L = I->DimValues[unsigned(D)][Value].Parents;
  return {I->U32s + L.Offset, L.Size};
}

uint32_t CompiledPolicy::numAttributes() const { return I->NumAttributes; }

uint32_t CompiledPolicy::attributeId(std::string_view Name) const {
  return I->AttributeByName.find(Name);
}

std::string_view CompiledPolicy::attributeName(uint32_t A) const {
  return A < I->NumAttributes ? I->str(I->Attributes[A].Name) : std::string_view();
}
AttrKind CompiledPolicy::attributeKind(uint32_t A) const {
  return A < I->NumAttributes ? AttrKind(I->Attributes[A].Kind) : AttrKind::Bool;
}
uint32_t CompiledPolicy::attributeEnum(uint32_t A) const {
  return A < I->NumAttributes ? I->Attributes[A].Enum : 0;
}
bool CompiledPolicy::attributeHasDefault(uint32_t A) const {
  return A < I->NumAttributes && I->Attributes[A].HasDefault;
}
int64_t CompiledPolicy::attributeDefault(uint32_t A) const {
  return A < I->NumAttributes ? I->Attributes[A].Default : 0;
}

uint32_t CompiledPolicy::numEnums() const { return I->NumEnums; }
std::string_view CompiledPolicy::enumName(uint32_t E) const {
  return E < I->NumEnums ? I->str(I->Enums[E].Name) : std::string_view();
}
uint32_t CompiledPolicy::numEnumValues(uint32_t E) const {
  return E < I->NumEnums ? I->Enums[E].Values.Size : 0;
}
std::string_view CompiledPolicy::enumValueName(uint32_t E, uint32_t V) const {
  if (E >= I->NumEnums || V >= I->Enums[E].Values.Size)
    return {};
  return I->str(I->StrRefs[I->Enums[E].Values.Offset + V]);
}
uint32_t CompiledPolicy::enumValueId(uint32_t E, std::string_view Name) const {
  if (E >= I->NumEnums)
    return InvalidId;
  return I->EnumValueByName[E].find(Name);
}

uint32_t CompiledPolicy::numObligations() const { return I->NumObligations; }
std::string_view CompiledPolicy::obligationName(uint32_t O) const {
  return O < I->NumObligations ? I->str(I->Obligations[O].Name) : std::string_view();
}
std::string_view CompiledPolicy::obligationTitle(uint32_t O) const {
  return O < I->NumObligations ? I->str(I->Obligations[O].Title) : std::string_view();
}
bool CompiledPolicy::obligationHasParam(uint32_t O) const {
  return O < I->NumObligations && I->Obligations[O].HasParam;
}
AttrKind CompiledPolicy::obligationParamKind(uint32_t O) const {
  return O < I->NumObligations ? AttrKind(I->Obligations[O].ParamKind) : AttrKind::Bool;
}
uint32_t CompiledPolicy::obligationParamEnum(uint32_t O) const {
  return O < I->NumObligations ? I->Obligations[O].ParamEnum : 0;
}
uint32_t CompiledPolicy::numObligationInstances() const { return I->NumInstances; }
ObligationInstance CompiledPolicy::obligationInstance(uint32_t N) const {
  ObligationInstance Out;
  if (N >= I->NumInstances)
    return Out;
  const format::ObligationInstanceRecord &R = I->Instances[N];
  Out.Obligation = R.Obligation;
  Out.HasArg = R.HasArg;
  Out.Arg = R.Arg;
  return Out;
}

std::string CompiledPolicy::describeObligationInstance(uint32_t N) const {
  if (N >= I->NumInstances)
    return {};
  ObligationInstance OI = obligationInstance(N);
  std::string Out(obligationName(OI.Obligation));
  if (OI.HasArg)
    Out += "(" +
           formatValue(obligationParamKind(OI.Obligation), obligationParamEnum(OI.Obligation),
                       OI.Arg) +
           ")";
  return Out;
}

uint32_t CompiledPolicy::numRules() const { return I->NumRules; }

RuleInfo CompiledPolicy::rule(uint32_t N) const {
  RuleInfo Out;
  if (N >= I->NumRules)
    return Out;
  const format::RuleRecord &R = I->Rules[N];
  Out.Id = I->str(R.Id);
  Out.File = I->str(R.File);
  Out.Line = R.Line;
  Out.Col = R.Col;
  Out.IsAllow = R.IsAllow;
  Out.Parent = R.Parent;
  Out.SourceText = I->str(R.SourceText);
  Out.NumSources = R.Sources.Size;
  return Out;
}

std::string_view CompiledPolicy::ruleSource(uint32_t N, size_t K) const {
  if (N >= I->NumRules || K >= I->Rules[N].Sources.Size)
    return {};
  return I->str(I->StrRefs[I->Rules[N].Sources.Offset + K]);
}

uint32_t CompiledPolicy::ruleIndex(std::string_view Id) const {
  for (uint32_t N = 0; N < I->NumRules; ++N)
    if (I->str(I->Rules[N].Id) == Id)
      return N;
  return InvalidId;
}

uint32_t CompiledPolicy::numNodes() const { return I->NumNodes; }
uint32_t CompiledPolicy::numTerminals() const { return I->NumTerminals; }

std::string CompiledPolicy::formatValue(AttrKind Kind, uint32_t Enum, int64_t V) const {
  switch (Kind) {
  case AttrKind::Bool:
    return V ? "true" : "false";
  case AttrKind::Int:
    return std::to_string(V);
  case AttrKind::Duration:
    return domain::formatDuration(V);
  case AttrKind::Enum: {
    std::string_view Name =
        enumValueName(Enum, V >= 0 && V <= UINT32_MAX ? uint32_t(V) : InvalidId);
    return Name.empty() ? std::to_string(V) : std::string(Name);
  }
  }
  return std::to_string(V);
}

} // namespace privet::rt
