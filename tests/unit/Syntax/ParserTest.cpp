//===- ParserTest.cpp - The AST the parser builds, its ranges and its error handling ---===//
#include "privet/Syntax/Parser.h"
#include "privet/AST/AST.h"
#include "privet/Basic/Diagnostic.h"
#include "privet/Basic/SourceFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace privet;

namespace {

struct Parsed {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM};
  std::unique_ptr<ast::File> File;

  explicit Parsed(llvm::StringRef Text, syntax::ParseOptions Options = {}) {
    auto Id = addSourceText(Diags, Text, "test.privet");
    if (Id)
      File = syntax::parseBuffer(*Id, Diags, Options);
  }
  std::string dump() const {
    std::string Out;
    llvm::raw_string_ostream OS(Out);
    ast::dump(*File, OS);
    return OS.str();
  }
  std::string codes() const {
    std::string Out;
    for (const auto *D : Diags.sorted())
      Out += D->code().str() + " ";
    return Out;
  }
};

TEST(Parser, BuildsTheTree) {
  Parsed P(R"(policy p "Title" version "1" effective "2020-01-01";
import gdpr;
import "x/y.privet" as y;
@source("§1")
category personal { contact { email; } payment; }
recipient hosting role gdpr.processor located in eea under contract : vendors;
obligation retain_for(duration);
enum st { a, b }
attribute on: bool = false;
attribute age: int;
combine a with b as c;
r1: allow use, share contact for marketing, not ads under consent to hosting
  when on and not (age >= 18 or 18 < age) unless st in { a, b }
  with retain_for(30 days), notify
  except { deny about kids; deny in us; }
require never share payment to ads when age != 3;
test "t" { expect allow use email given on = true with notify by r1; }
)");
  ASSERT_TRUE(P.File) << P.codes();
  EXPECT_EQ(P.dump(), R"(policy p title="Title" version="1" effective="2020-01-01"
import gdpr
import "x/y.privet" as y
@source("§1")
category
  personal
    contact
      email
    payment
recipient
  hosting : vendors role gdpr.processor located in eea under contract
obligation
  retain_for(duration)
enum st {a, b}
attribute on: bool = false
attribute age: int
combine a with b as c
r1: allow actions[use, share] data[contact] for[marketing, not ads] under[consent] to[hosting] when (on and (not ((age >= 18) or (18 < age)))) unless (st in {a, b}) with retain_for(30 days), notify
  except
    deny about[kids]
  except
    deny in[us]
require never actions[share] data[payment] to[ads] when (age != 3)
test "t"
  expect allow actions[use] data[email] given on = true with notify by r1
)");
}

TEST(Parser, KeepsExactSourceTextAndRanges) {
  Parsed P("policy p;\n// comment\nlbl: allow use data  /* inner */ for x;\ndeny any data;\n");
  ASSERT_TRUE(P.File);
  ASSERT_EQ(P.File->Decls.size(), 2u);
  const auto *R = llvm::dyn_cast<ast::RuleDecl>(P.File->Decls[0].get());
  ASSERT_TRUE(R);
  EXPECT_EQ(R->SourceText, "lbl: allow use data  /* inner */ for x;");
  EXPECT_EQ(R->Label, "lbl");
  auto LC = P.SM.getLineAndColumn(R->Pat.Clauses[1].Items[0].Name.Range.Start);
  EXPECT_EQ(LC, std::make_pair(3u, 16u));
  const auto *D = llvm::dyn_cast<ast::RuleDecl>(P.File->Decls[1].get());
  ASSERT_TRUE(D);
  EXPECT_FALSE(D->IsAllow);
  EXPECT_TRUE(D->Pat.AnyAction);
}

TEST(Parser, MapsColumnsPastNonAsciiText) {
  // ANTLR counts code points; diagnostics must count bytes of the real buffer.
  Parsed P("policy p \"café ünïcode\"; category $;\n");
  EXPECT_FALSE(P.File);
  auto Sorted = P.Diags.sorted();
  ASSERT_EQ(Sorted.size(), 1u);
  EXPECT_EQ(Sorted[0]->code(), "E0001");
  auto LC = P.SM.getLineAndColumn(Sorted[0]->Range.Start);
  EXPECT_EQ(LC.second, 38u); // byte column of `$`
}

TEST(Parser, RecoversAndReportsSeveralErrors) {
  Parsed P("policy p;\nallow use a for\ndeny x y z;\ncategory ;\nallow use b;\n");
  EXPECT_FALSE(P.File);
  EXPECT_GE(P.Diags.errorCount(), 2u) << P.codes();
}

// With Recover, the items without errors are kept (in order), the broken ones dropped with
// their words noted; the errors are the same as without it.
TEST(Parser, RecoveryKeepsTheItemsThatParsed) {
  llvm::StringRef Text = "policy p;\nimport gdpr\naction use;\npurpose ads \"Ads\" \"x\";\n"
                         "category a;\nallow use a for ads when (;\ndeny use a;\n";
  syntax::ParseOptions Options;
  Options.Recover = true;
  Parsed R(Text, Options);
  Parsed Plain(Text);
  ASSERT_TRUE(R.File) << R.codes();
  EXPECT_FALSE(Plain.File);
  EXPECT_EQ(R.codes(), Plain.codes());
  EXPECT_EQ(R.codes(), "E0012 E0012 E0013 ");
  EXPECT_TRUE(R.File->HasSyntaxErrors);
  EXPECT_TRUE(R.File->Imports.empty());
  ASSERT_EQ(R.File->Decls.size(), 3u); // action use, category a, deny use a
  for (llvm::StringRef W : {"gdpr", "ads", "when", "use", "a"})
    EXPECT_TRUE(R.File->BrokenNames.count(W)) << W.str();
  EXPECT_FALSE(R.File->BrokenNames.count("deny"));
  // A header with an error leaves nothing to check.
  Parsed Header("policy p \"t\" x;\naction use;\n", Options);
  EXPECT_FALSE(Header.File);
  // Without errors, Recover changes nothing.
  Parsed Clean("policy p;\naction use;\n", Options);
  ASSERT_TRUE(Clean.File);
  EXPECT_FALSE(Clean.File->HasSyntaxErrors);
  EXPECT_TRUE(Clean.File->BrokenNames.empty());
}

// The streamed parse (one item at a time, tokens on demand) and the whole-file parse agree on
// every policy, module and broken file in the repository: the same tree, the same diagnostics.
TEST(Parser, StreamedParseAgreesWithWholeFileParse) {
  unsigned Files = 0, Trees = 0;
  for (const char *Dir : {"examples", "stdlib", "tests/lit"}) {
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator
             It(std::string(PRIVET_SOURCE_DIR) + "/" + Dir, EC),
         End;
         It != End && !EC; It.increment(EC)) {
      if (!llvm::StringRef(It->path()).endswith(".privet"))
        continue;
      auto Buffer = llvm::MemoryBuffer::getFile(It->path());
      ASSERT_TRUE(bool(Buffer)) << It->path();
      for (bool Recover : {false, true}) {
        syntax::ParseOptions Whole, Streamed;
        Whole.Stream = false;
        Whole.Recover = Streamed.Recover = Recover;
        Parsed A((*Buffer)->getBuffer(), Whole), B((*Buffer)->getBuffer(), Streamed);
        EXPECT_EQ(A.codes(), B.codes()) << It->path();
        ASSERT_EQ(bool(A.File), bool(B.File)) << It->path();
        if (A.File) {
          EXPECT_EQ(A.dump(), B.dump()) << It->path();
          ++Trees;
        }
      }
      ++Files;
    }
  }
  EXPECT_GT(Files, 40u);
  EXPECT_GT(Trees, 60u);
}

// A streamed parse that fails half-way (a syntax error after a bad escape) is redone whole:
// the escape is reported once, when the recovering parse builds the items that parsed.
TEST(Parser, StreamedParseFallsBackWithoutRepeatingDiagnostics) {
  const char *Text = "policy p \"a\\q\";\ncategory c;\nr: allow c\nq: allow c;\n";
  EXPECT_EQ(Parsed(Text).codes(), "E0012 ");
  syntax::ParseOptions Recover;
  Recover.Recover = true;
  EXPECT_EQ(Parsed(Text, Recover).codes(), "E0014 E0012 ");
  Parsed Deep("policy p;\nr: allow c when " + std::string(300, '(') + "x" + std::string(300, ')') +
              ";\n");
  EXPECT_FALSE(Deep.File);
  EXPECT_EQ(Deep.codes(), "E0004 ");
}

TEST(Parser, RejectsDeepNestingBeforeRecursing) {
  syntax::ParseOptions Options;
  Options.MaxNesting = 3;
  Parsed Shallow("policy p; allow when ((a));", Options);
  EXPECT_TRUE(Shallow.File) << Shallow.codes();
  Parsed Deep("policy p; allow when ((((a))));", Options);
  EXPECT_FALSE(Deep.File);
  EXPECT_EQ(Deep.codes(), "E0004 ");
}

TEST(Parser, EmptyAndHeaderless) {
  EXPECT_EQ(Parsed("").codes(), "E0007 ");
  EXPECT_EQ(Parsed("  \n\n").codes(), "E0007 ");
  EXPECT_EQ(Parsed("category a;").codes(), "E0007 ");
}

TEST(Parser, SoftKeywordsAreNames) {
  Parsed P("module m; category policy { test; module; } purpose version;");
  ASSERT_TRUE(P.File) << P.codes();
  EXPECT_FALSE(P.File->Head->IsPolicy);
  EXPECT_EQ(P.File->Decls.size(), 2u);
}

} // namespace
