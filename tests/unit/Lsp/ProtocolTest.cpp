//===- ProtocolTest.cpp - UTF-16 positions, completion context and framing of `privet lsp` ---===//
#include "privet/Lsp/Protocol.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace privet::lsp;

namespace {

TEST(PositionTest, AsciiRoundTrips) {
  llvm::StringRef Text = "ab\ncde\n";
  EXPECT_EQ(offsetOf(Text, {1, 2}), 5u);
  EXPECT_EQ(positionOf(Text, 5), (Position{1, 2}));
  EXPECT_EQ(positionOf(Text, 3), (Position{1, 0}));
}

TEST(PositionTest, CountsUtf16CodeUnits) {
  // "§" is two UTF-8 bytes and one UTF-16 unit; U+1F600 is four bytes and two units.
  llvm::StringRef Text = "// \xC2\xA7x \xF0\x9F\x98\x80y\n";
  EXPECT_EQ(offsetOf(Text, {0, 4}), 5u); // at `x`
  EXPECT_EQ(positionOf(Text, 5), (Position{0, 4}));
  EXPECT_EQ(offsetOf(Text, {0, 8}), 11u); // at `y`, after the surrogate pair
  EXPECT_EQ(positionOf(Text, 11), (Position{0, 8}));
}

TEST(PositionTest, ClampsPastTheEnd) {
  llvm::StringRef Text = "ab\ncd";
  EXPECT_EQ(offsetOf(Text, {0, 99}), 2u); // end of line 0, not into line 1
  EXPECT_EQ(offsetOf(Text, {7, 0}), 5u);  // past the last line
  EXPECT_EQ(positionOf(Text, 99), (Position{1, 2}));
}

TEST(CompletionContextTest, KeywordBeforeTheName) {
  llvm::StringRef Text = "allow use of email for mark under con with ";
  EXPECT_EQ(completionContextAt(Text, Text.find("mark") + 4).K, CompletionContext::Purpose);
  EXPECT_EQ(completionContextAt(Text, Text.find("mark") + 4).Prefix, "mark");
  EXPECT_EQ(completionContextAt(Text, Text.find("con") + 3).K, CompletionContext::Basis);
  EXPECT_EQ(completionContextAt(Text, Text.size()).K, CompletionContext::Obligation);
  EXPECT_EQ(completionContextAt(Text, Text.find("email") + 2).K, CompletionContext::Any);
}

TEST(CompletionContextTest, ListsAndQualifiedNames) {
  llvm::StringRef List = "allow use of email for marketing, ana";
  EXPECT_EQ(completionContextAt(List, List.size()).K, CompletionContext::Purpose);
  llvm::StringRef Q = "under gdpr.con";
  CompletionContext C = completionContextAt(Q, Q.size());
  EXPECT_EQ(C.K, CompletionContext::Qualified);
  EXPECT_EQ(C.Qualifier, "gdpr");
  EXPECT_EQ(C.Prefix, "con");
}

TEST(IdentifierTest, IncludesQualifier) {
  llvm::StringRef Text = "under gdpr.consent;";
  size_t Start;
  EXPECT_EQ(identifierAt(Text, Text.find("sent"), Start), "gdpr.consent");
  EXPECT_EQ(Start, Text.find("gdpr"));
  EXPECT_EQ(identifierAt(Text, Text.size(), Start), "");
}

TEST(UriTest, DecodesAndEncodes) {
  EXPECT_EQ(uriToPath("file:///tmp/a%20b.privet"), std::optional<std::string>("/tmp/a b.privet"));
  EXPECT_EQ(uriToPath("untitled:1"), std::nullopt);
  EXPECT_EQ(pathToUri("/tmp/a b.privet"), "file:///tmp/a%20b.privet");
}

TEST(FramingTest, ReadsAndRejects) {
  std::string Input = "Content-Length: 2\r\n\r\n{}Content-Type: x\r\n\r\n";
  std::FILE *F = fmemopen(Input.data(), Input.size(), "r");
  ASSERT_NE(F, nullptr);
  std::string Error;
  EXPECT_EQ(readMessage(F, Error), std::optional<std::string>("{}"));
  EXPECT_EQ(Error, "");
  EXPECT_EQ(readMessage(F, Error), std::nullopt);
  EXPECT_EQ(Error, "message without a Content-Length header");
  std::fclose(F);
}

} // namespace

TEST(CompletionContextTest, RecipientFacts) {
  llvm::StringRef Text = "policy p;\ndeny share to recipients where role proc and not under con";
  auto At = [&](llvm::StringRef Needle, size_t Delta = 0) {
    return completionContextAt(Text, Text.find(Needle) + Delta);
  };
  EXPECT_EQ(At("recipients").K, CompletionContext::Recipient);
  EXPECT_EQ(At("recipients").Keyword, "to");
  EXPECT_EQ(At("role").K, CompletionContext::RecipientFact);
  EXPECT_EQ(At("proc", 4).K, CompletionContext::Recipient);
  EXPECT_EQ(At("proc", 4).Prefix, "proc");
  EXPECT_EQ(At("not").K, CompletionContext::RecipientFact);
  EXPECT_EQ(At("under").K, CompletionContext::RecipientFact);
  EXPECT_EQ(At("con", 3).K, CompletionContext::Contract);
  llvm::StringRef Located = "allow share to recipients where located in ee";
  EXPECT_EQ(completionContextAt(Located, Located.size()).K, CompletionContext::Region);
  // A rule's `under` outside the set still expects a legal basis, and a condition's `and` is
  // not a fact position.
  llvm::StringRef Basis = "allow share to recipients where role p under gdpr";
  EXPECT_EQ(completionContextAt(Basis, Basis.size()).K, CompletionContext::Basis);
  llvm::StringRef Cond = "allow share when a and b";
  EXPECT_EQ(completionContextAt(Cond, Cond.size()).K, CompletionContext::Any);
  llvm::StringRef Decl = "recipient host role processor under con";
  EXPECT_EQ(completionContextAt(Decl, Decl.size()).K, CompletionContext::Contract);
}
