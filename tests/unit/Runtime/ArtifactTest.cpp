//===- ArtifactTest.cpp - The binary format: checksum, files, and hostile input -------===//
#include "SamplePolicy.h"

#include "privet/Runtime.h"

#include <llvm/Support/xxhash.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

std::string tempDir() {
  char Buf[] = "/tmp/privet-artifact-test-XXXXXX";
  const char *D = ::mkdtemp(Buf);
  EXPECT_NE(D, nullptr);
  return D ? D : "/tmp";
}

std::vector<std::string> listDir(const std::string &Dir) {
  std::vector<std::string> Out;
  if (DIR *D = ::opendir(Dir.c_str())) {
    while (dirent *E = ::readdir(D))
      if (std::strcmp(E->d_name, ".") && std::strcmp(E->d_name, ".."))
        Out.push_back(E->d_name);
    ::closedir(D);
  }
  return Out;
}

std::string readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::stringstream SS;
  SS << In.rdbuf();
  return SS.str();
}

/// Rewrites the checksum so that only the loader's structural validation can catch a patch.
void fixChecksum(std::string &Bytes) {
  uint64_t Sum =
      xxHash64(Bytes.data() + format::ChecksumStart, Bytes.size() - format::ChecksumStart);
  std::memcpy(Bytes.data() + offsetof(format::FileHeader, Checksum), &Sum, 8);
}

format::FileHeader header(const std::string &Bytes) {
  format::FileHeader H;
  std::memcpy(&H, Bytes.data(), sizeof(H));
  return H;
}

format::SectionEntry section(const std::string &Bytes, format::SectionKind K) {
  format::FileHeader H = header(Bytes);
  for (uint32_t S = 0; S < H.NumSections; ++S) {
    format::SectionEntry E;
    std::memcpy(&E, Bytes.data() + H.HeaderSize + S * sizeof(E), sizeof(E));
    if (E.Kind == uint32_t(K))
      return E;
  }
  ADD_FAILURE() << "no section " << uint32_t(K);
  return {};
}

/// The byte offset in the file of section K's record Index.
size_t recordOffset(const std::string &Bytes, format::SectionKind K, size_t Index) {
  format::SectionEntry E = section(Bytes, K);
  return sizeof(format::FileHeader) + E.Offset + Index * E.ElemSize;
}

template <typename T> void patch(std::string &Bytes, size_t Offset, T Value) {
  std::memcpy(Bytes.data() + Offset, &Value, sizeof(T));
}

std::string loadError(const std::string &Bytes) {
  auto P = CompiledPolicy::fromBytes(Bytes);
  return P ? std::string() : P.error();
}

std::string loadError(const ArtifactContents &C) { return loadError(serializeArtifact(C)); }

TEST(XXHash64, KnownVectors) {
  EXPECT_EQ(xxHash64("", 0), 0xEF46DB3751D8E999ull);
  EXPECT_EQ(xxHash64("a", 1), 0xD24EC4F1A98C6E5Bull);
  EXPECT_EQ(xxHash64("abc", 3), 0x44BC2CF5AD770999ull);
  const char *Long = "Nobody inspects the spammish repetition";
  EXPECT_EQ(xxHash64(Long, std::strlen(Long)), 0xFBCEA83C8A378BF1ull);
}

TEST(XXHash64, MatchesLLVMOnEveryLengthAndAlignment) {
  std::mt19937_64 Rng(42);
  std::string Data(300, '\0');
  for (char &Ch : Data)
    Ch = char(Rng());
  for (size_t Start = 0; Start < 8; ++Start)
    for (size_t Len = 0; Start + Len <= Data.size(); ++Len)
      ASSERT_EQ(xxHash64(Data.data() + Start, Len),
                llvm::xxHash64(llvm::StringRef(Data.data() + Start, Len)))
          << "start " << Start << " length " << Len;
}

TEST(Artifact, HeaderFields) {
  std::string Bytes = serializeArtifact(samplePolicy());
  format::FileHeader H = header(Bytes);
  EXPECT_EQ(std::memcmp(H.Magic, format::Magic, 8), 0);
  EXPECT_EQ(H.FormatVersion, format::Version);
  EXPECT_EQ(H.HeaderSize, sizeof(format::FileHeader));
  EXPECT_EQ(H.HeaderSize + H.BodySize, Bytes.size());
  EXPECT_EQ(H.SourceHash, 0x1234abcd5678ef00ull);
  EXPECT_EQ(Bytes.size() % 8, 0u);
  // Deterministic: the same contents give the same bytes.
  EXPECT_EQ(Bytes, serializeArtifact(samplePolicy()));
}

TEST(Artifact, EmptyPolicyIsAConstantDeny) {
  ArtifactContents C;
  for (DimensionTable &D : C.Dims)
    D.ValueClass = {0};
  C.Terminals = {Terminal{}};
  C.Root = TerminalBit | 0;
  auto P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P) << P.error();
  Request R(**P);
  Decision D = (*P)->decide(R);
  EXPECT_EQ(D.kind(), Decision::Kind::Deny);
  EXPECT_TRUE(D.rules().empty());
}

TEST(Artifact, WriteAndLoadFile) {
  std::string Dir = tempDir();
  std::string Path = Dir + "/sample.pvc";
  std::string Bytes = serializeArtifact(samplePolicy());
  ASSERT_TRUE(writeFileAtomically(Path, Bytes));
  EXPECT_EQ(readFile(Path), Bytes);
  EXPECT_EQ(listDir(Dir), std::vector<std::string>{"sample.pvc"});
  struct stat St;
  ASSERT_EQ(::stat(Path.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 0777, 0644u);

  auto P = CompiledPolicy::load(Path);
  ASSERT_TRUE(P) << P.error();
  EXPECT_EQ((*P)->byteSize(), Bytes.size());
  Request R(**P);
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  EXPECT_TRUE((*P)->decide(R).permitted());

  // Replacing the file does not disturb the loaded policy (it keeps the old inode mapped).
  ASSERT_TRUE(writeFileAtomically(Path, "garbage"));
  EXPECT_TRUE((*P)->decide(R).permitted());
  EXPECT_EQ(listDir(Dir), std::vector<std::string>{"sample.pvc"});
  auto Bad = CompiledPolicy::load(Path);
  ASSERT_FALSE(Bad);
  EXPECT_EQ(Bad.error(), "`" + Path + "`: not a privet artifact (bad magic number)");
  ::unlink(Path.c_str());
  ::rmdir(Dir.c_str());
}

TEST(Artifact, LargeArtifactsLoadLikeSmallOnes) {
  // From 8 MiB on, fromBytes() keeps its copy in anonymous (huge-page) memory, while load() maps
  // the file as it does for small ones: the same checks, the same answers, and a truncated large
  // file is still rejected.
  ArtifactContents C = samplePolicy();
  C.Rules[0].SourceText = std::string(9 << 20, 'x');
  std::string Bytes = serializeArtifact(C);
  ASSERT_GT(Bytes.size(), size_t(8) << 20);
  std::string Dir = tempDir();
  std::string Path = Dir + "/large.pvc";
  ASSERT_TRUE(writeFileAtomically(Path, Bytes));
  auto FromFile = CompiledPolicy::load(Path);
  auto FromBytes = CompiledPolicy::fromBytes(Bytes);
  for (auto *P : {&FromFile, &FromBytes}) {
    ASSERT_TRUE(*P) << P->error();
    const CompiledPolicy &Policy = ***P;
    EXPECT_EQ(Policy.byteSize(), Bytes.size());
    EXPECT_EQ(Policy.rule(0).SourceText.size(), size_t(9) << 20);
    Request R(Policy);
    R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
    EXPECT_TRUE(Policy.decide(R).permitted());
  }
  ASSERT_TRUE(writeFileAtomically(Path, Bytes.substr(0, Bytes.size() - 1)));
  auto Truncated = CompiledPolicy::load(Path);
  ASSERT_FALSE(Truncated);
  EXPECT_NE(Truncated.error().find("truncated"), std::string::npos) << Truncated.error();
  ::unlink(Path.c_str());
  ::rmdir(Dir.c_str());
}

TEST(Artifact, WriteFailuresLeaveNothingBehind) {
  std::string Dir = tempDir();
  Status S = writeFileAtomically(Dir + "/missing/sample.pvc", "x");
  ASSERT_FALSE(S);
  EXPECT_NE(S.error().find("cannot create a temporary file next to"), std::string::npos);
  // A directory (like a FIFO or a device) is refused before anything is written: renaming over
  // it would replace the node. No temporary file is left behind.
  std::string Target = Dir + "/target";
  ASSERT_EQ(::mkdir(Target.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((Target + "/child").c_str(), 0755), 0);
  S = writeFileAtomically(Target, "x");
  ASSERT_FALSE(S);
  EXPECT_NE(S.error().find("not a regular file"), std::string::npos) << S.error();
  EXPECT_EQ(listDir(Dir), std::vector<std::string>{"target"});
  ::rmdir((Target + "/child").c_str());
  ::rmdir(Target.c_str());
  ::rmdir(Dir.c_str());
  EXPECT_FALSE(writeFileAtomically("", "x"));
}

TEST(Artifact, LoadErrors) {
  auto Missing = CompiledPolicy::load("/nonexistent/policy.pvc");
  ASSERT_FALSE(Missing);
  EXPECT_EQ(Missing.error(), "cannot open `/nonexistent/policy.pvc`: No such file or directory");
  auto Dir = CompiledPolicy::load("/tmp");
  ASSERT_FALSE(Dir);
  EXPECT_EQ(Dir.error(), "`/tmp` is not a regular file");
  EXPECT_EQ(loadError(std::string()), "not a privet artifact (bad magic number)");
}

TEST(Artifact, EveryTruncationIsRejected) {
  std::string Bytes = serializeArtifact(samplePolicy());
  for (size_t Len = 0; Len < Bytes.size(); ++Len) {
    std::string Err = loadError(Bytes.substr(0, Len));
    ASSERT_FALSE(Err.empty()) << "accepted a truncation to " << Len << " bytes";
    if (Len >= sizeof(format::FileHeader)) {
      ASSERT_EQ(Err.rfind("artifact is truncated", 0), 0u) << Err;
    }
  }
  EXPECT_EQ(loadError(Bytes + "x"), "artifact has 1 unexpected bytes after its body");
}

TEST(Artifact, EveryByteFlipIsRejected) {
  std::string Bytes = serializeArtifact(samplePolicy());
  for (size_t Off = 0; Off < Bytes.size(); ++Off) {
    for (unsigned char Mask : {0x01, 0x80}) {
      std::string Copy = Bytes;
      Copy[Off] = char(Copy[Off] ^ Mask);
      ASSERT_FALSE(loadError(Copy).empty()) << "accepted a flip at byte " << Off;
    }
  }
  std::string Copy = Bytes;
  Copy.back() ^= 1;
  EXPECT_EQ(loadError(Copy), "artifact is corrupted: the checksum does not match");
}

TEST(Artifact, WrongVersionAndMagic) {
  std::string Bytes = serializeArtifact(samplePolicy());
  std::string Next = Bytes;
  patch<uint32_t>(Next, offsetof(format::FileHeader, FormatVersion), format::Version + 1);
  EXPECT_EQ(loadError(Next), "unsupported artifact format version " +
                                 std::to_string(format::Version + 1) +
                                 " (this runtime reads version " + std::to_string(format::Version) +
                                 "): rebuild the policy with a matching `privet build`");
  // Version 3 had no combination kinds and version 4 no actor dimension: both are refused, not
  // misread.
  for (uint32_t Old : {3u, 4u}) {
    std::string V = Bytes;
    patch<uint32_t>(V, offsetof(format::FileHeader, FormatVersion), Old);
    EXPECT_EQ(loadError(V), "unsupported artifact format version " + std::to_string(Old) +
                                " (this runtime reads version " + std::to_string(format::Version) +
                                "): rebuild the policy with a matching `privet build`");
  }
  std::string Text = "policy sample;\n";
  EXPECT_EQ(loadError(Text), "not a privet artifact (bad magic number)");
  std::string Short = Bytes.substr(0, 20);
  EXPECT_EQ(loadError(Short), "artifact is truncated: 20 bytes is smaller than the header");
}

TEST(Artifact, RandomGarbageNeverCrashes) {
  std::string Bytes = serializeArtifact(samplePolicy());
  std::mt19937 Rng(7);
  for (int Iter = 0; Iter < 2000; ++Iter) {
    std::string Copy = Bytes;
    int Flips = 1 + Rng() % 8;
    for (int F = 0; F < Flips; ++F)
      Copy[sizeof(format::FileHeader) + Rng() % (Copy.size() - sizeof(format::FileHeader))] =
          char(Rng());
    fixChecksum(Copy);
    auto P = CompiledPolicy::fromBytes(Copy);
    if (!P)
      continue;
    // Whatever validated must be safe to use.
    Request R(**P);
    for (uint32_t V = 0; V < (*P)->numValues(Dim::Data); ++V)
      R.addData(V);
    for (uint32_t A = 0; A < (*P)->numAttributes(); ++A)
      if ((*P)->attributeKind(A) == AttrKind::Int)
        R.setInt(A, 5);
    (void)(*P)->decide(R);
    (void)(*P)->explain(R);
  }
}

// Structural problems, each with a valid checksum, so only validation can catch them.

TEST(Validation, DiagramReferences) {
  ArtifactContents C = samplePolicy();
  C.Nodes[5].Children[1] = TerminalBit | 10;
  EXPECT_NE(loadError(C).find("child reference out of order or out of range"), std::string::npos);

  C = samplePolicy();
  C.Nodes[5].Children[0] = 99;
  EXPECT_NE(loadError(C).find("child reference out of order or out of range"), std::string::npos);

  C = samplePolicy();
  C.Nodes[11].Children[0] = 0; // a cycle back to the root
  EXPECT_NE(loadError(C).find("child reference out of order or out of range"), std::string::npos);

  C = samplePolicy();
  C.Root = 12;
  EXPECT_EQ(loadError(C), "invalid artifact: the root reference is out of range");
  C.Root = TerminalBit | 10;
  EXPECT_EQ(loadError(C), "invalid artifact: the root reference is out of range");

  // A dimension node may leave out derived classes (a prefix is kept), never a leaf class.
  C = samplePolicy();
  C.Nodes[2].Children.resize(5);
  EXPECT_EQ(loadError(C), "");
  C.Nodes[2].Children.resize(3);
  EXPECT_NE(loadError(C).find("has 3 children, expected 4"), std::string::npos);
  C = samplePolicy();
  C.Nodes[2].Children.push_back(TerminalBit);
  EXPECT_NE(loadError(C).find("has 7 children, expected 4"), std::string::npos);

  // The derived classes' covers.
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].NumLeafClasses = 7;
  EXPECT_NE(loadError(C).find("has 7 leaf classes of 6"), std::string::npos);
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].DerivedCovers.pop_back();
  EXPECT_NE(loadError(C).find("has a bad derived-class table"), std::string::npos);
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].DerivedCovers[0] = {2};
  EXPECT_NE(loadError(C).find("covers too few classes"), std::string::npos);
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].DerivedCovers[0] = {0, 4};
  EXPECT_NE(loadError(C).find("has a bad cover"), std::string::npos);
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].DerivedCovers[1] = {0, 2, 1};
  EXPECT_NE(loadError(C).find("has a bad cover"), std::string::npos);
  C = samplePolicy();
  C.Attributes[2].Domain = {16, 16};
  EXPECT_NE(loadError(C).find("has a domain out of order"), std::string::npos);
  C = samplePolicy();
  C.Attributes[0].Domain = {1};
  EXPECT_NE(loadError(C).find("has a threshold domain but is not a number"), std::string::npos);

  C = samplePolicy();
  C.Nodes[5].Children.push_back(TerminalBit);
  EXPECT_NE(loadError(C).find("has 3 children, expected 2"), std::string::npos);

  C = samplePolicy();
  C.Nodes[0].Var = NumDimensions; // a dimension that does not exist has no code
  EXPECT_NE(loadError(C).find("has a bad kind"), std::string::npos);

  C = samplePolicy();
  C.Nodes[5].Var = 4;
  EXPECT_NE(loadError(C).find("tests a missing attribute"), std::string::npos);

  C = samplePolicy();
  C.Nodes[9].Thresholds = {5, 5};
  C.Nodes[9].Children = {11, TerminalBit, TerminalBit};
  EXPECT_NE(loadError(C).find("thresholds out of order"), std::string::npos);

  C = samplePolicy();
  C.Nodes[5].Thresholds = {1};
  EXPECT_NE(loadError(C).find("has thresholds on a bool test"), std::string::npos);

  C = samplePolicy();
  C.Nodes[0].K = Node::Kind(3);
  EXPECT_NE(loadError(C).find("has a bad kind"), std::string::npos);

  // Rule lists (the indexed rule evaluator) need the rule table, and list rules in order.
  C = samplePolicy();
  C.Nodes[5] = Node{Node::RuleList, 0, {}, {0, 1}};
  EXPECT_NE(loadError(C).find("is a bad rule list"), std::string::npos);
  C.RuleTable = true;
  EXPECT_EQ(loadError(C), "");
  C.Nodes[5].Children = {1, 0};
  EXPECT_NE(loadError(C).find("is a bad rule list"), std::string::npos);
  C.Nodes[5].Children = {0, 6};
  EXPECT_NE(loadError(C).find("is a bad rule list"), std::string::npos);

  // The rule table: conditions that would misuse the stack or name a missing attribute, an
  // obligation on a deny, a scope past the pool.
  C = samplePolicy();
  C.RuleTable = true;
  C.Rules[0].Condition = {uint32_t(CondOp::Bool), MarketingOptOut};
  EXPECT_EQ(loadError(C), "");
  for (std::vector<uint32_t> Bad : {std::vector<uint32_t>{uint32_t(CondOp::And), 2},
                                    {uint32_t(CondOp::Bool), 9},
                                    {uint32_t(CondOp::True), uint32_t(CondOp::True)},
                                    {uint32_t(CondOp::Compare), Age, 6, 16, 0},
                                    {uint32_t(CondOp::InSet), ConsentStatus, 5, 0, 0},
                                    {uint32_t(CondOp::Not)},
                                    {42}}) {
    C.Rules[0].Condition = Bad;
    EXPECT_NE(loadError(C).find("rule 0 has a bad condition"), std::string::npos) << Bad[0];
  }
  C = samplePolicy();
  C.RuleTable = true;
  C.Rules[1].Obligations = {0};
  EXPECT_NE(loadError(C).find("rule 1 has a bad obligation list"), std::string::npos);
}

TEST(Validation, TerminalsAndRules) {
  ArtifactContents C = samplePolicy();
  C.Terminals[1].Rules = {6};
  EXPECT_EQ(loadError(C), "invalid artifact: terminal 1 has a bad rule list");
  C = samplePolicy();
  C.Terminals[9].Rules = {2, 1};
  EXPECT_EQ(loadError(C), "invalid artifact: terminal 9 has a bad rule list");
  C = samplePolicy();
  C.Terminals[1].Obligations = {2};
  EXPECT_EQ(loadError(C), "invalid artifact: terminal 1 has a bad obligation list");
  C = samplePolicy();
  C.Terminals[2].Obligations = {0};
  EXPECT_EQ(loadError(C), "invalid artifact: terminal 2 denies with obligations");
  C = samplePolicy();
  C.Rules[0].Parent = 0;
  EXPECT_EQ(loadError(C), "invalid artifact: rule 0 has a bad parent");
  C.Rules[0].Parent = 6;
  EXPECT_EQ(loadError(C), "invalid artifact: rule 0 has a bad parent");
}

TEST(Validation, VocabulariesAttributesObligations) {
  ArtifactContents C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].ValueClass[3] = 6;
  EXPECT_EQ(loadError(C), "invalid artifact: dimension 1 value 3 has class 6 of 6");
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].ValueClass.pop_back();
  EXPECT_EQ(loadError(C), "invalid artifact: dimension 1 has 7 value classes for 7 values");
  C = samplePolicy();
  C.Dims[unsigned(Dim::Region)].NumClasses = 0;
  EXPECT_EQ(loadError(C), "invalid artifact: dimension 6 has no classes");
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].Parents[2] = {7};
  EXPECT_EQ(loadError(C), "invalid artifact: a parent of dimension 1 value 2 is out of range");
  C = samplePolicy();
  C.Dims[unsigned(Dim::Data)].IsLeaf[2] = 2;
  EXPECT_EQ(loadError(C), "invalid artifact: dimension 1 value 2 has a bad leaf flag");
  C = samplePolicy();
  C.Attributes[1].Enum = 1;
  EXPECT_EQ(loadError(C), "invalid artifact: attribute 1 has a bad enum");
  C = samplePolicy();
  C.Attributes[1].HasDefault = true;
  C.Attributes[1].Default = 3;
  EXPECT_EQ(loadError(C), "invalid artifact: attribute 1 has a default outside its type");
  C = samplePolicy();
  C.Attributes[0].Default = 2;
  EXPECT_EQ(loadError(C), "invalid artifact: attribute 0 has a default outside its type");
  C = samplePolicy();
  C.Attributes[0].Kind = AttrKind(7);
  EXPECT_EQ(loadError(C), "invalid artifact: attribute 0 has a bad kind");
  C = samplePolicy();
  C.ObligationInstances[0].Obligation = 2;
  EXPECT_EQ(loadError(C), "invalid artifact: obligation instance 0 names a missing obligation");
  C = samplePolicy();
  C.ObligationInstances[1].HasArg = false;
  EXPECT_EQ(loadError(C), "invalid artifact: obligation instance 1 has an argument mismatch");
  C = samplePolicy();
  C.Combinations[0].Result = 7;
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 has a bad result category");
  C = samplePolicy();
  C.Combinations[0].UnderSecond.pop_back();
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 does not cover every data category");
  C = samplePolicy();
  C.Combinations[0].UnderFirst[0] = 2;
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 has a bad membership flag");
  C = samplePolicy();
  C.Combinations[0].UnderResult.pop_back();
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 does not cover every data category");
  C = samplePolicy();
  C.Combinations[0].UnderResult[6] = 0;
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 does not place its result under itself");
  C = samplePolicy();
  C.Combinations[0].TreatedAs = true; // email_address is not under profile
  EXPECT_EQ(loadError(C), "invalid artifact: combination 0 treats data as a category its second "
                          "part is not under");
  C = samplePolicy();
  C.Enums[0].Values = {};
  EXPECT_EQ(loadError(C), "invalid artifact: enum 0 has no values");
}

TEST(Validation, RawRecordsAndSections) {
  const std::string Good = serializeArtifact(samplePolicy());
  using format::SectionKind;

  // A string reference past the string table.
  std::string B = Good;
  size_t Rule0 = recordOffset(B, SectionKind::Rules, 0);
  patch<uint32_t>(B, Rule0 + offsetof(format::RuleRecord, Id), 0xfffffff0u);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: string of rule 0 is out of bounds or not terminated");

  // A string whose terminator is not a NUL (its size reaches into the next string).
  B = Good;
  format::RuleRecord RR;
  std::memcpy(&RR, B.data() + Rule0, sizeof(RR));
  patch<uint32_t>(B, Rule0 + offsetof(format::RuleRecord, Id) + 4, RR.Id.Size - 1);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: string of rule 0 is out of bounds or not terminated");

  // A node word claiming more children than the section holds, and a child reference with a
  // huge offset: neither may read out of bounds.
  B = Good;
  size_t Node0 = recordOffset(B, SectionKind::Nodes, 0);
  uint32_t Header0;
  std::memcpy(&Header0, B.data() + Node0, 4);
  patch<uint32_t>(B, Node0, 0xfffffff0u | (Header0 & 15));
  fixChecksum(B);
  EXPECT_NE(loadError(B).find("invalid artifact: node 0 (word 0) has 268435455 children"),
            std::string::npos)
      << loadError(B);
  B = Good;
  patch<uint32_t>(B, Node0 + 4 * ((Header0 & 15) == format::AttributeCode ? 3 : 1), 0x7ffffff7u);
  fixChecksum(B);
  EXPECT_EQ(loadError(B),
            "invalid artifact: node 0 (word 0) has a child reference out of order or out of range");

  // Section table problems.
  size_t Table = sizeof(format::FileHeader);
  B = Good;
  patch<uint64_t>(B, Table + offsetof(format::SectionEntry, Offset), 4);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: section 1 has a bad offset");
  B = Good;
  patch<uint64_t>(B, Table + offsetof(format::SectionEntry, Count), uint64_t(1) << 40);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: section 1 extends past the end of the body");
  B = Good;
  patch<uint32_t>(B, Table + sizeof(format::SectionEntry), 1);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: section 1 appears twice");
  B = Good;
  patch<uint32_t>(B, Table, 99);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: unknown section kind 99");
  B = Good;
  patch<uint32_t>(B, Table + offsetof(format::SectionEntry, ElemSize), 2);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: section 1 has element size 2");
  B = Good;
  patch<uint32_t>(B, offsetof(format::FileHeader, NumSections), 14);
  fixChecksum(B);
  EXPECT_EQ(loadError(B), "invalid artifact: expected 15 sections, found 14");
  B = Good;
  patch<uint32_t>(B, offsetof(format::FileHeader, HeaderSize), 64);
  EXPECT_EQ(loadError(B), "invalid artifact: header size 64 is not 72");
  B = Good;
  patch<uint32_t>(B, offsetof(format::FileHeader, PolicyName), uint32_t(B.size()));
  fixChecksum(B);
  EXPECT_EQ(loadError(B),
            "invalid artifact: string of the policy name is out of bounds or not terminated");
}

TEST(Serializer, RenumbersNodesChildrenFirst) {
  // Root-first input comes out children-first, with the root remapped, and decides the same.
  ArtifactContents C = samplePolicy();
  ASSERT_EQ(C.Root, 0u);
  auto P = CompiledPolicy::fromBytes(serializeArtifact(C));
  ASSERT_TRUE(P) << P.error();
  std::string Bytes = serializeArtifact(C);
  // The root (an action test of 3 children, 4 words) is the last node of the 65 words, and its
  // reference carries its code.
  EXPECT_EQ(header(Bytes).Root, (61u << 4) | unsigned(Dim::Action));
}

// Equal strings are stored once, and different ones of the same length (hashed apart) are kept
// apart: 2,000 rules quoting one of seven sentences cost a few hundred bytes of strings, not 2,000
// copies, and every rule reads back its own.
TEST(Serializer, EqualStringsAreStoredOnce) {
  auto Sentence = [](unsigned K) {
    return "We share this data with processor number " + std::to_string(100 + K) +
           " under contract.";
  };
  auto WithRules = [&](unsigned Distinct) {
    ArtifactContents C = samplePolicy();
    for (unsigned R = 0; R < 2000; ++R) {
      RuleEntry E;
      E.Id = "r" + std::to_string(R);
      E.File = "notice.privet";
      E.Line = R + 1;
      E.SourceText = Sentence(R % Distinct);
      E.Sources = {Sentence((R + 1) % Distinct)};
      C.Rules.push_back(std::move(E));
    }
    return C;
  };
  std::string Shared = serializeArtifact(WithRules(7));
  std::string Distinct = serializeArtifact(WithRules(2000));
  size_t SentenceSize = Sentence(0).size() + 1;
  EXPECT_GE(Distinct.size(), Shared.size() + (2000 - 7) * SentenceSize);
  auto P = CompiledPolicy::fromBytes(Shared);
  ASSERT_TRUE(P) << P.error();
  size_t First = samplePolicy().Rules.size();
  for (unsigned R = 0; R < 2000; ++R) {
    RuleInfo Info = (*P)->rule(First + R);
    EXPECT_EQ(Info.Id, "r" + std::to_string(R));
    EXPECT_EQ(Info.SourceText, Sentence(R % 7));
    ASSERT_EQ(Info.NumSources, 1u);
    EXPECT_EQ((*P)->ruleSource(First + R, 0), Sentence((R + 1) % 7));
  }
}

} // namespace

namespace {

/// The sample with two actors, `mailer` and the built-in `us`, in their own leaf classes, and the
/// omitted actor in class OmittedClass (1 is `us`'s).
ArtifactContents withActors(std::vector<std::string> Names, uint32_t OmittedClass) {
  ArtifactContents C = samplePolicy();
  DimensionTable &Actor = C.Dims[unsigned(Dim::Actor)];
  Actor.ValueNames = std::move(Names);
  Actor.ValueTitles = {"", ""};
  Actor.IsLeaf = {1, 1};
  Actor.Parents = {{}, {}};
  Actor.ValueClass = {0, 1, OmittedClass};
  Actor.NumClasses = 3;
  Actor.NumLeafClasses = 2;
  Actor.DerivedCovers = {{0, 1}};
  return C;
}

} // namespace

TEST(Artifact, TheOmittedActorIsTheController) {
  auto P = CompiledPolicy::fromBytes(serializeArtifact(withActors({"mailer", "us"}, 1)));
  ASSERT_TRUE(P) << P.error();
  const CompiledPolicy &Policy = **P;
  Request R(Policy);
  R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
  EXPECT_EQ(R.value(Dim::Actor), InvalidId); // omitted, and decided as `us`
  EXPECT_TRUE(Policy.decide(R).permitted());
  // The loader refuses an actor table without `us`, or whose omitted actor is not `us`.
  EXPECT_EQ(loadError(withActors({"mailer", "host"}, 1)),
            "invalid artifact: dimension 8 has actors but not the built-in actor `us`");
  EXPECT_EQ(loadError(withActors({"mailer", "us"}, 2)),
            "invalid artifact: dimension 8 does not take an omitted actor as `us`");
}
