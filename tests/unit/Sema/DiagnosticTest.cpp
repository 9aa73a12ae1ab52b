//===- DiagnosticTest.cpp - The diagnostics engine: options, ordering, rendering --------===//
#include "privet/Basic/Diagnostic.h"
#include "privet/Basic/SourceFile.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <set>

using namespace privet;

namespace {

TEST(Diagnostics, RegistryIsConsistent) {
  std::set<std::string> Codes, Names;
  for (const auto &K : allDiagnosticKinds()) {
    EXPECT_TRUE(Codes.insert(K.Code.str()).second) << K.Code.str();
    EXPECT_TRUE(Names.insert(K.Name.str()).second) << K.Name.str();
    EXPECT_EQ(K.Code[0] == 'W', K.DefaultSeverity == Severity::Warning) << K.Code.str();
    EXPECT_EQ(K.summary().find('{'), std::string::npos);
  }
  EXPECT_EQ(findDiagnosticKind("E0101"), diag::unknown_name);
  EXPECT_EQ(findDiagnosticKind("unknown_name"), diag::unknown_name);
  EXPECT_FALSE(findDiagnosticKind("nope"));
}

// The shape the compile-time checks of report<K>() rely on.
TEST(Diagnostics, FormatShapes) {
  using diag::formatShape;
  static_assert(formatShape("unknown `{0}`").ArgCount == 1);
  static_assert(formatShape("`{1}` before `{0}`").ArgCount == 2);
  static_assert(formatShape("no arguments, {{braces}} escaped").ArgCount == 0);
  static_assert(formatShape("{0} {0}").ArgCount == 1);
  EXPECT_TRUE(formatShape("{1} and {0}").Valid);
  EXPECT_FALSE(formatShape("only {1}").Valid); // index 0 would be dropped
  EXPECT_FALSE(formatShape("{} automatic").Valid);
  EXPECT_FALSE(formatShape("{0:>5} with a spec").Valid);
  EXPECT_FALSE(formatShape("unbalanced }").Valid);
  EXPECT_FALSE(formatShape("unclosed {0").Valid);
  EXPECT_EQ(diag::ArgCount<diag::unknown_name>,
            formatShape(diagnosticKindInfo(diag::unknown_name).Format).ArgCount);
  // A run-time kind with the wrong number of arguments says so instead of dropping one.
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  Diags.reportFormatted(diag::unknown_name, llvm::SMRange(), {});
  EXPECT_NE(Diags.all().front().Message.find("internal error: 0 arguments"), std::string::npos);
}

TEST(Diagnostics, WarningOptionsAndCounts) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  EXPECT_FALSE(Diags.applyWarningOption("no-unknown_name")); // errors cannot be silenced
  EXPECT_FALSE(Diags.applyWarningOption("no-bogus"));
  EXPECT_TRUE(Diags.applyWarningOption("no-redundant_import"));
  Diags.report<diag::redundant_import>(llvm::SMRange(), "m");
  EXPECT_EQ(Diags.warningCount(), 0u);
  EXPECT_TRUE(Diags.sorted().empty());
  EXPECT_TRUE(Diags.applyWarningOption("error=redundant_import"));
  Diags.report<diag::redundant_import>(llvm::SMRange(), "m");
  EXPECT_EQ(Diags.errorCount(), 1u);
  EXPECT_TRUE(Diags.applyWarningOption("redundant_import"));
  Diags.report<diag::redundant_import>(llvm::SMRange(), "m");
  EXPECT_EQ(Diags.warningCount(), 1u);
  Diags.setDenyWarnings(true);
  Diags.report<diag::redundant_import>(llvm::SMRange(), "m");
  EXPECT_EQ(Diags.errorCount(), 2u);
}

TEST(Diagnostics, SortsByLocationAndRendersJson) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  auto Id = addSourceText(Diags, "policy p;\ncategory a;\n", "x.privet");
  ASSERT_TRUE(Id);
  const char *Buf = SM.getMemoryBuffer(*Id)->getBufferStart();
  auto At = [&](unsigned Off, unsigned Len) {
    return llvm::SMRange(llvm::SMLoc::getFromPointer(Buf + Off),
                         llvm::SMLoc::getFromPointer(Buf + Off + Len));
  };
  Diags.report<diag::duplicate_declaration>(At(19, 1), "a").note(At(7, 1), "first here");
  Diags.report<diag::unknown_name>(At(0, 6), "thing", "policy").didYouMean(At(0, 6), "police");
  auto Sorted = Diags.sorted();
  ASSERT_EQ(Sorted.size(), 2u);
  EXPECT_EQ(Sorted[0]->code(), "E0101");
  EXPECT_EQ(Sorted[1]->code(), "E0110");

  std::string Text;
  llvm::raw_string_ostream TOS(Text);
  Diags.renderText(TOS, false);
  EXPECT_NE(
      TOS.str().find("x.privet:1:1: error: unknown thing `policy`; did you mean `police`? [E0101]"),
      std::string::npos)
      << Text;
  EXPECT_NE(Text.find("x.privet:2:10: error: redefinition of `a` [E0110]"), std::string::npos);
  EXPECT_NE(Text.find("2 errors generated."), std::string::npos);

  std::string Json;
  llvm::raw_string_ostream JOS(Json);
  Diags.renderJson(JOS);
  auto Parsed = llvm::json::parse(JOS.str());
  ASSERT_TRUE(bool(Parsed));
  const auto *Root = Parsed->getAsObject();
  EXPECT_EQ(*Root->getInteger("errors"), 2);
  const auto *List = Root->getArray("diagnostics");
  ASSERT_EQ(List->size(), 2u);
  const auto *Second = (*List)[1].getAsObject();
  EXPECT_EQ(*Second->getString("code"), "E0110");
  const auto *Loc = Second->getObject("location");
  EXPECT_EQ(*Loc->getInteger("line"), 2);
  EXPECT_EQ(*Loc->getInteger("column"), 10);
  EXPECT_EQ(*Loc->getInteger("endColumn"), 11);
  EXPECT_EQ(Second->getArray("notes")->size(), 1u);
  EXPECT_EQ(*(*List)[0].getAsObject()->getString("help"), "did you mean `police`?");
}

TEST(Diagnostics, ClosestName) {
  std::vector<std::string> Names{"email", "payment", "name"};
  EXPECT_EQ(closestName("emial", Names), "email");
  EXPECT_EQ(closestName("paymnt", Names), "payment");
  EXPECT_FALSE(closestName("zzzzzz", Names));
  EXPECT_FALSE(closestName("email", Names)); // itself is not a suggestion
}

TEST(SourceFile, ValidatesText) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  auto Bom = addSourceText(Diags, "\xEF\xBB\xBFpolicy p;", "bom");
  ASSERT_TRUE(Bom);
  EXPECT_EQ(SM.getMemoryBuffer(*Bom)->getBuffer(), "policy p;");
  EXPECT_FALSE(addSourceText(Diags, llvm::StringRef("a\0b", 3), "nul"));
  EXPECT_FALSE(addSourceText(Diags, "ok \xC3(", "utf8"));
  EXPECT_EQ(Diags.errorCount(), 2u);
  EXPECT_FALSE(loadSourceFile(Diags, "/nonexistent/file.privet"));
  EXPECT_TRUE(Diags.hasIOError());
}

} // namespace
