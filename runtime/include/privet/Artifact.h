//===- Artifact.h - The compiled policy (.pvc) binary format, defined once ------*- C++ -*-===//
//
// This header is the single definition of the artifact format. The compiler fills an
// ArtifactContents and calls serializeArtifact + writeFileAtomically; the runtime's loader
// (CompiledPolicy::load) validates every byte of it before use and then reads it in place.
//
// Layout (all integers little-endian; the runtime refuses to build on big-endian hosts):
//
//   FileHeader                        72 bytes, at offset 0
//   body                              BodySize bytes, at offset HeaderSize
//
// Checksum is XXH64 (seed 0) of every byte after it: the rest of the header and the body, so
// that any corruption past the fixed fields is caught before anything is interpreted.
//     SectionEntry[NumSections]       at body offset 0
//     section data                    each section at an 8-byte aligned body offset
//
// Every section is a flat array of fixed-size records (ElemSize bytes each). Records refer to
// other data by index or by (Offset, Size) into a pool section, never by pointer:
//   Strings   bytes; every string is followed by a NUL so the C API can hand out const char*
//   StrRefs   StrRef[]   lists of strings (enum values, a rule's @source texts)
//   U32s      uint32_t[] lists (value parents, value classes, node children, terminal
//   rules/obligations) I64s      int64_t[]  thresholds Bytes     uint8_t[]  combination membership
//   flags
//
// Diagram nodes are stored inline in the Nodes section, a uint32_t array, children first (see
// "Nodes" below): a child reference names a terminal (TerminalBit set) or a node that starts at
// a strictly smaller word offset. The loader checks this, so every walk terminates.
//
// Format version history: 1 = initial. 2 = dimension nodes may omit derived-class children
// (DimensionRecord gains NumLeafClasses and the derived classes' covers); attributes record their
// threshold domain. 3 = nodes inline in one word array, referenced by tagged word offsets;
// rule-list nodes and the rule table of the indexed rule evaluator.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ARTIFACT_H
#define PRIVET_ARTIFACT_H

#include "privet/ArtifactContents.h"
#include "privet/Result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace privet::rt {

namespace format {

/// PNG-style: a non-ASCII first byte, and CR LF / ^Z / LF to detect text-mode mangling.
constexpr char Magic[8] = {'\x89', 'P', 'V', 'C', '\r', '\n', '\x1a', '\n'};
/// 4: combinations carry a kind (`treated as`). 5: a ninth dimension, the actor (node code 8;
/// attribute tests are now 9, rule lists 10); its omitted class is the built-in actor `us`.
constexpr uint32_t Version = 5;
/// Upper bound on any count, so sizes computed from counts cannot overflow 64 bits.
constexpr uint64_t MaxCount = 0x7fffffffu;

/// A string in the Strings section: Strings[Offset .. Offset+Size) then a NUL byte.
struct StrRef {
  uint32_t Offset;
  uint32_t Size;
};

/// A list in a pool section: elements [Offset, Offset+Size).
struct ListRef {
  uint32_t Offset;
  uint32_t Size;
};

struct FileHeader {
  char Magic[8];
  uint32_t FormatVersion;
  uint32_t HeaderSize; ///< sizeof(FileHeader); the body starts here.
  uint64_t BodySize;   ///< The file is exactly HeaderSize + BodySize bytes.
  uint64_t Checksum;   ///< XXH64 (seed 0) of bytes [ChecksumStart, end of file).
  uint64_t SourceHash; ///< Hash of the policy sources, from the compiler.
  StrRef PolicyName;
  StrRef PolicyTitle;
  StrRef PolicyVersion;
  uint32_t Root; ///< A node index, or TerminalBit | terminal index.
  uint32_t NumSections;
};
static_assert(sizeof(FileHeader) == 72, "FileHeader layout is part of the format");
/// The checksum covers the file from here (just past the Checksum field) to its end.
constexpr size_t ChecksumStart = 32;
static_assert(offsetof(FileHeader, Checksum) + sizeof(uint64_t) == ChecksumStart, "");

enum class SectionKind : uint32_t {
  Strings = 1,
  StrRefs = 2,
  U32s = 3,
  I64s = 4,
  Bytes = 5,
  Dimensions = 6, ///< Exactly NumDimensions records, in Dim order.
  Values = 7,     ///< Every dimension's values, dimension after dimension.
  Enums = 8,
  Attributes = 9,
  Obligations = 10,
  ObligationInstances = 11,
  Rules = 12,
  Combinations = 13,
  Terminals = 14,
  Nodes = 15, ///< uint32_t words; see "Nodes" below.
};
constexpr uint32_t NumSectionKinds = 15;

struct SectionEntry {
  uint32_t Kind;     ///< A SectionKind; each kind appears exactly once.
  uint32_t ElemSize; ///< Must equal the record size below.
  uint64_t Offset;   ///< From the start of the body; a multiple of 8.
  uint64_t Count;    ///< Number of records.
};
static_assert(sizeof(SectionEntry) == 24, "SectionEntry layout is part of the format");

struct DimensionRecord {
  StrRef Name;
  uint32_t FirstValue; ///< Index of this dimension's first record in Values.
  uint32_t NumValues;
  ListRef ValueClass;  ///< U32s; NumValues + 1 entries (the last is "omitted"), each < NumClasses.
  uint32_t NumClasses; ///< >= 1.
  uint32_t NumLeafClasses; ///< 1 .. NumClasses; the classes below it are leaf classes.
  /// U32s; NumClasses - NumLeafClasses + 1 ascending offsets into CoverData, the first 0 and the
  /// last CoverData.Size: derived class NumLeafClasses + k covers CoverData[Starts[k],
  /// Starts[k+1]), strictly ascending leaf classes, at least two.
  ListRef CoverStarts;
  ListRef CoverData; ///< U32s.
};
static_assert(sizeof(DimensionRecord) == 48, "");

struct ValueRecord {
  StrRef Name;
  StrRef Title;
  ListRef Parents; ///< U32s; value ids within the same dimension.
  uint32_t IsLeaf; ///< 0 or 1.
  uint32_t Reserved;
};
static_assert(sizeof(ValueRecord) == 32, "");

struct EnumRecord {
  StrRef Name;
  ListRef Values; ///< StrRefs; at least one.
};
static_assert(sizeof(EnumRecord) == 16, "");

struct AttributeRecord {
  StrRef Name;
  uint8_t Kind;       ///< AttrKind.
  uint8_t HasDefault; ///< 0 or 1.
  uint16_t Reserved;
  uint32_t Enum;   ///< With Kind == Enum: index into Enums; 0 otherwise.
  int64_t Default; ///< Bool 0/1, enum value index, integer, or duration in seconds.
  ListRef Domain;  ///< I64s; int/duration only: strictly ascending thresholds of every test.
};
static_assert(sizeof(AttributeRecord) == 32, "");

struct ObligationRecord {
  StrRef Name;
  StrRef Title;
  uint8_t HasParam;  ///< 0 or 1.
  uint8_t ParamKind; ///< AttrKind.
  uint16_t Reserved;
  uint32_t ParamEnum;
};
static_assert(sizeof(ObligationRecord) == 24, "");

struct ObligationInstanceRecord {
  uint32_t Obligation;
  uint32_t HasArg; ///< 0 or 1; 1 exactly when the obligation takes a parameter.
  int64_t Arg;
};
static_assert(sizeof(ObligationInstanceRecord) == 16, "");

struct RuleRecord {
  StrRef Id;
  StrRef File;
  StrRef SourceText;
  ListRef Sources; ///< StrRefs: the @source notice texts.
  uint32_t Line;
  uint32_t Col;
  uint32_t Parent; ///< A rule index, or UINT32_MAX for a top-level rule.
  uint32_t IsAllow;
  // The rule table, on every rule or none: required by rule-list nodes, read by explanations
  // (CompiledPolicy::whyNot); the compiler always writes it, obligations only with rule lists:
  ListRef Scope;       ///< U32s; NumDimensions entries: the U32s offset of a bitset over the
                       ///< dimension's leaf classes, or UINT32_MAX for every value.
  ListRef Condition;   ///< U32s; CondOp postfix code, empty for no condition.
  ListRef Obligations; ///< U32s; obligation instances an allow carries, strictly ascending.
};
static_assert(sizeof(RuleRecord) == 72, "");

struct CombinationRecord {
  uint32_t Result; ///< A data value id.
  uint32_t Kind;   ///< 0: `as` (adds Result); 1: `treated as` (drops the First-parts not under it).
  ListRef UnderFirst;  ///< Bytes; one 0/1 flag per data value.
  ListRef UnderSecond; ///< Bytes; one 0/1 flag per data value.
  ListRef UnderResult; ///< Bytes; one 0/1 flag per data value.
};
static_assert(sizeof(CombinationRecord) == 32, "");

struct TerminalRecord {
  uint32_t Allow; ///< 0 or 1.
  uint32_t Reserved;
  ListRef Rules;       ///< U32s; rule indexes, strictly ascending.
  ListRef Obligations; ///< U32s; obligation instance indexes, strictly ascending; empty on deny.
};
static_assert(sizeof(TerminalRecord) == 24, "");

// Nodes. Every node starts with a word (NumChildren << 4) | Code. Code 0..8 is a test of that
// dimension: the children follow, one per leaf class and then for a prefix of the derived classes.
// Code AttributeCode is an attribute test: the attribute index, the offset in I64s of its
// thresholds (int/duration: NumChildren - 1 of them, strictly ascending; otherwise 0), then the
// children. A reference to a node (the header's Root, a child) is (WordOffset << 4) | Code of
// that node, so a walk knows the dimension a node tests without reading its first word: one
// dependent load per dimension on the way to a terminal. Offsets are below 2^27.
constexpr uint32_t AttributeCode = 9;
/// A rule-list node (indexed rule evaluator): the header, then NumChildren rule indexes,
/// strictly ascending, each rule a top-level rule or an exception whose parent is listed.
constexpr uint32_t RuleListCode = 10;
constexpr uint64_t MaxNodeWords = uint64_t(1) << 27;

} // namespace format

/// XXH64 (the reference algorithm by Yann Collet), implemented here because the runtime depends on
/// the C++ standard library only. Matches llvm::xxHash64 for Seed 0.
uint64_t xxHash64(const void *Data, size_t Size, uint64_t Seed = 0);

/// Encodes Contents in the format above. Diagram nodes are renumbered children-first (Root and all
/// child references are remapped accordingly). Contents that violate ArtifactContents' documented
/// invariants still serialize, but CompiledPolicy::fromBytes rejects the result with a message
/// saying what is wrong: the compiler can check its output by loading it.
std::string serializeArtifact(const ArtifactContents &Contents);

/// Writes Bytes to Path atomically: a temporary file in the same directory, fsync, rename. On any
/// failure the temporary file is removed and Path is left as it was. A symbolic link is followed
/// and its target rewritten; an existing target keeps its mode (and owner, where allowed); a
/// target that is not a regular file (a FIFO, a device, a directory) or that the caller may not
/// write is refused. The one atomic file write of the project: artifacts, reports
/// (`privet test -o`, `privet diff -o`) and `privet fmt -i` use it.
Status writeFileAtomically(const std::string &Path, std::string_view Bytes);

} // namespace privet::rt

#endif // PRIVET_ARTIFACT_H
