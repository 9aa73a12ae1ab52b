//===- FormatRangeTest.cpp - Range formatting agrees with formatting the whole file ------===//
//
// Over every policy and module the repository ships, each with its layout spoiled: formatting
// the whole range gives `privet fmt`'s text, and (on the smaller files) formatting one item at
// a time, the item under a cursor, converges to it with at most one edit per request.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Basic/Diagnostic.h"
#include "privet/Syntax/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace privet;

namespace {

std::vector<std::string> shippedFiles() {
  std::vector<std::string> Out;
  for (const char *Dir : {"stdlib", "examples"}) {
    std::error_code EC;
    std::string Root = std::string(PRIVET_SOURCE_DIR) + "/" + Dir;
    for (llvm::sys::fs::recursive_directory_iterator It(Root, EC), End; It != End && !EC;
         It.increment(EC))
      if (llvm::sys::path::extension(It->path()) == ".privet")
        Out.push_back(It->path());
  }
  return Out;
}

/// Every line indented by three more spaces, and `;` followed by two spaces: a layout fmt
/// changes everywhere. Lines inside block comments are left alone (their text is the comment's).
std::string spoil(llvm::StringRef Text) {
  std::string Out;
  bool InBlock = false;
  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    bool Starts = !InBlock;
    bool Simple = Line.find('"') == llvm::StringRef::npos && !Line.contains("//") &&
                  !Line.contains("/*") && !Line.contains("*/") && !Line.contains("#");
    if (Line.contains("/*"))
      InBlock = true;
    if (Line.contains("*/"))
      InBlock = false;
    if (Starts && !InBlock && !Line.trim().empty())
      Out += "   ";
    for (char C : Line) {
      Out += C;
      if (C == ';' && Simple && !InBlock)
        Out += "  ";
    }
    if (Text.contains('\n'))
      Out += '\n';
    Text = Rest;
  }
  return Out;
}

struct Formatted {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM};
  unsigned Id;
  explicit Formatted(llvm::StringRef Text) {
    Id = SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(Text, "t.privet"), {});
  }
};

std::string applyEdits(llvm::StringRef Text, const std::vector<syntax::FormatEdit> &Edits) {
  std::string Out;
  size_t At = 0;
  for (const syntax::FormatEdit &E : Edits) {
    EXPECT_LE(At, E.Begin);
    Out += Text.slice(At, E.Begin).str() + E.NewText;
    At = E.End;
  }
  return Out + Text.drop_front(At).str();
}

TEST(FormatRange, AgreesWithTheWholeFile) {
  std::vector<std::string> Files = shippedFiles();
  ASSERT_GE(Files.size(), 5u);
  unsigned Walked = 0;
  for (const std::string &Path : Files) {
    SCOPED_TRACE(Path);
    auto Buffer = llvm::MemoryBuffer::getFile(Path);
    ASSERT_TRUE(Buffer);
    std::string Text = spoil((*Buffer)->getBuffer());
    Formatted Whole(Text);
    auto Want = syntax::formatBuffer(Whole.Id, Whole.Diags);
    ASSERT_TRUE(Want && *Want) << "the spoiled file still formats";
    ASSERT_NE(**Want, Text);

    Formatted All(Text);
    auto Edits = syntax::formatRange(All.Id, All.Diags, 0, Text.size());
    ASSERT_TRUE(Edits && *Edits);
    EXPECT_EQ(applyEdits(Text, **Edits), **Want);

    // The item under a cursor, again and again, from the top: each request edits one item,
    // and once every line has been visited the file is formatted. (Each request formats the
    // whole file, so the walk is made over the smaller files only, to keep the test quick.)
    if (llvm::count(Text, '\n') > 160)
      continue;
    ++Walked;
    std::string Current = Text;
    for (size_t Line = 0;; ++Line) {
      size_t Offset = 0;
      for (size_t L = 0; L < Line && Offset != std::string::npos; ++L) {
        Offset = Current.find('\n', Offset);
        if (Offset != std::string::npos)
          ++Offset;
      }
      if (Offset == std::string::npos || Offset >= Current.size())
        break;
      Formatted One(Current);
      auto E = syntax::formatRange(One.Id, One.Diags, Offset, Offset);
      ASSERT_TRUE(E && *E);
      ASSERT_LE((*E)->size(), 1u) << "line " << Line;
      Current = applyEdits(Current, **E);
    }
    EXPECT_EQ(Current, **Want);
  }
  EXPECT_GE(Walked, 3u);
}

} // namespace
