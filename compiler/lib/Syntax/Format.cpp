//===- Format.cpp - Printing a .privet file in its canonical layout --------------------===//
//
// Works on the token stream, not the AST, so that every comment keeps its place: only the
// whitespace between tokens is decided here. Layout: one declaration per line, braces of
// vocabularies, tests and exception blocks open a block indented by two (an empty one stays `{}`),
// a rule, invariant or expectation longer than 100 columns puts each clause (`for`, `to`, ...,
// `when`, `unless`, `with`, `given`, `by`, `except`) on a continuation line, annotations stand on
// their own line, blank lines between declarations are kept (at most one).
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Syntax/Format.h"
#include "SourceMap.h"
#include "privet/Syntax/Parser.h"

#include "PrivetLexer.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <vector>

using namespace llvm;
using privet::gen::PrivetLexer;

namespace privet::syntax {
namespace {

struct Tok {
  size_t Type;
  std::string Text;
  bool Comment = false;        ///< A comment (hidden channel).
  unsigned NewlinesBefore = 0; ///< Newlines in the whitespace before it in the source.
};

std::vector<Tok> lex(StringRef Text) {
  SourceInputStream Input(Text);
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  std::vector<Tok> Out;
  unsigned Newlines = 0;
  for (auto T = Lexer.nextToken(); T->getType() != antlr4::Token::EOF; T = Lexer.nextToken()) {
    std::string S = T->getText();
    if (T->getType() == PrivetLexer::WS) {
      Newlines += llvm::count(S, '\n');
      continue;
    }
    bool Comment =
        T->getType() == PrivetLexer::LINE_COMMENT || T->getType() == PrivetLexer::BLOCK_COMMENT;
    // A line comment's token excludes the line break, a CRLF file leaves a `\r` in it: drop it.
    if (T->getType() == PrivetLexer::LINE_COMMENT && !S.empty() && S.back() == '\r')
      S.pop_back();
    Out.push_back({T->getType(), S, Comment, Newlines});
    Newlines = 0;
  }
  return Out;
}

bool isEffect(size_t T) { return T == PrivetLexer::ALLOW || T == PrivetLexer::DENY; }

bool isVocabKeyword(size_t T) {
  return T == PrivetLexer::ACTION || T == PrivetLexer::CATEGORY || T == PrivetLexer::SUBJECT ||
         T == PrivetLexer::PURPOSE || T == PrivetLexer::BASIS || T == PrivetLexer::RECIPIENT ||
         T == PrivetLexer::REGION || T == PrivetLexer::CONTEXT || T == PrivetLexer::OBLIGATION;
}

class Formatter {
public:
  explicit Formatter(std::vector<Tok> Toks) : Toks(std::move(Toks)) {}

  std::string run() {
    for (I = 0; I < Toks.size(); ++I) {
      const Tok &T = Toks[I];
      if (T.Comment) {
        comment(T);
        continue;
      }
      token(T);
    }
    if (!Out.empty())
      Out += "\n";
    return Out;
  }

private:
  enum class Brace { Block, Inline, EmptyBlock };
  struct Statement {
    size_t First = 0; ///< Type of its first token (after annotations and label).
    bool Started = false;
    bool IsVocab = false;
    bool VocabBlock = false; ///< Inside a vocabulary's braces: members are vocabulary nodes.
    unsigned Indent = 0;     ///< Of its first line.
    bool IsRule = false;
    bool Broken = false; ///< A rule too long for one line: one clause per line.
    unsigned BodyIndent = 0;
    bool ExceptSeen = false;
  };
  static constexpr unsigned MaxWidth = 100;

  // Line breaks are emitted lazily, so a trailing comment can still join the line before.
  void newline() {
    if (!AtLineStart)
      PendingNewline = true;
    AtLineStart = true;
  }

  void blankLine() {
    newline();
    if (!Out.empty())
      PendingBlank = true;
  }

  void write(StringRef S, bool SpaceBefore) {
    if (AtLineStart) {
      if (PendingNewline)
        Out += "\n";
      if (PendingBlank)
        Out += "\n";
      PendingNewline = PendingBlank = false;
      Out.append(Indent, ' ');
      AtLineStart = false;
    } else if (SpaceBefore) {
      Out += " ";
    }
    Out += S;
  }

  const Tok *nextCode(size_t From) const {
    for (size_t J = From; J < Toks.size(); ++J)
      if (!Toks[J].Comment)
        return &Toks[J];
    return nullptr;
  }

  void comment(const Tok &T) {
    bool OwnLine = T.NewlinesBefore > 0 || Out.empty();
    if (OwnLine) {
      if (T.NewlinesBefore > 1 && !Out.empty() && Stmt.Started == false)
        blankLine();
      newline();
      Indent = Stmt.Started ? Stmt.Indent + 2 : Stmt.Indent;
      write(T.Text, false);
      newline();
      return;
    }
    if (AtLineStart && PendingNewline && !PendingBlank) {
      // Trails the line just ended.
      Out += " " + T.Text;
      return;
    }
    write(T.Text, true);
    if (T.Type == PrivetLexer::LINE_COMMENT)
      newline();
  }

  void token(const Tok &T) {
    const Tok *Next = nextCode(I + 1);
    if (T.Text == "@" && Parens == 0)
      return annotationStart(T);
    if (InAnnotation)
      return annotationToken(T, Next);
    if (!Stmt.Started && startStatement(T, Next))
      return;
    if (ruleClause(T))
      return;
    if (T.Type == PrivetLexer::EXCEPT)
      Stmt.ExceptSeen = true;
    if (T.Text == "{")
      return openBrace(T, Next);
    if (T.Text == "}" && !Braces.empty())
      return closeBrace(T, Next);
    plainToken(T);
  }

  /// Annotations stand on their own line before what they annotate.
  void annotationStart(const Tok &T) {
    if (!Stmt.Started) {
      if (T.NewlinesBefore > 1 && !Out.empty())
        blankLine();
      newline();
      Indent = Stmt.Indent;
    }
    write(T.Text, !AtLineStart && Stmt.Started);
    Prev = T.Text;
    InAnnotation = true;
    AnnotationParens = 0;
  }

  void annotationToken(const Tok &T, const Tok *Next) {
    StringRef S = T.Text;
    bool SpaceBefore =
        Prev != "@" && Prev != "(" && S != "(" && S != ")" && S != "," && S != "." && Prev != ".";
    write(S, SpaceBefore);
    Prev = S.str();
    if (S == "(")
      ++AnnotationParens;
    else if (S == ")")
      --AnnotationParens;
    bool Ends = AnnotationParens == 0 && (S == ")" || !Next || Next->Text != "(");
    if (Ends) {
      InAnnotation = false;
      if (!Stmt.Started)
        newline();
    }
  }

  /// The first token of a statement: decides what the statement is and whether a rule is too
  /// long for one line. True when it wrote a long rule's `label:` on its own line.
  bool startStatement(const Tok &T, const Tok *Next) {
    if (T.NewlinesBefore > 1 && !Out.empty())
      blankLine();
    newline();
    Indent = Stmt.Indent;
    Stmt.Started = true;
    Stmt.First = T.Type;
    Stmt.IsVocab = isVocabKeyword(T.Type) || Stmt.VocabBlock;
    bool Labelled = false;
    // `label: allow ...`: the statement is a rule.
    if (Next && Next->Text == ":" && !Stmt.IsVocab) {
      const Tok *After = nextCode(static_cast<size_t>(Next - Toks.data()) + 1);
      if (After && (isEffect(After->Type) || After->Type == PrivetLexer::REQUIRE)) {
        Stmt.First = After->Type;
        Labelled = true;
      }
    }
    // A rule, an invariant or a test's expectation: too long for one line, each clause gets its
    // own.
    Stmt.IsRule = isEffect(Stmt.First) || Stmt.First == PrivetLexer::EXPECT ||
                  Stmt.First == PrivetLexer::REQUIRE;
    Stmt.BodyIndent = Stmt.Indent;
    if (!Stmt.IsRule)
      return false;
    Stmt.Broken = Stmt.Indent + flatWidth(I) > MaxWidth;
    if (!Stmt.Broken || !Labelled)
      return false;
    // `label:` on its own line, the rule under it.
    write(T.Text, false);
    ++I;
    write(":", false);
    newline();
    Stmt.BodyIndent = Stmt.Indent + 2;
    Indent = Stmt.BodyIndent;
    // The rule itself may fit on its line once the label has its own.
    if (const Tok *Effect = nextCode(I + 1))
      Stmt.Broken =
          Stmt.BodyIndent + flatWidth(static_cast<size_t>(Effect - Toks.data())) > MaxWidth;
    Prev = ":";
    PrevType = 0;
    return true;
  }

  /// A long rule puts each clause on its own line; `except` lines up with the effect. True when
  /// T started such a line.
  bool ruleClause(const Tok &T) {
    if (!Stmt.IsRule || !Stmt.Broken || Stmt.ExceptSeen || Parens != 0 || Braces.size() != Depth)
      return false;
    size_t Type = T.Type;
    bool Clause = Type == PrivetLexer::ABOUT || Type == PrivetLexer::FOR ||
                  Type == PrivetLexer::UNDER || Type == PrivetLexer::TO ||
                  Type == PrivetLexer::IN || Type == PrivetLexer::FROM || Type == PrivetLexer::AS ||
                  Type == PrivetLexer::WHEN || Type == PrivetLexer::UNLESS ||
                  Type == PrivetLexer::WITH || Type == PrivetLexer::GIVEN ||
                  Type == PrivetLexer::BY || Type == PrivetLexer::WITHIN;
    if (!Clause && Type != PrivetLexer::EXCEPT)
      return false;
    // A keyword right after an operator is a value (`given consent_status = given`), not a
    // clause.
    if (Prev == "=" || Prev == "==" || Prev == "!=" || Prev == "<" || Prev == "<=" || Prev == ">" ||
        Prev == ">=" || Prev == "(" || Prev == "." || Prev == "not")
      return false;
    newline();
    Indent = Type == PrivetLexer::EXCEPT ? Stmt.BodyIndent : Stmt.BodyIndent + 2;
    write(T.Text, false);
    Prev = T.Text;
    PrevType = Type;
    if (Type == PrivetLexer::EXCEPT)
      Stmt.ExceptSeen = true;
    return true;
  }

  void openBrace(const Tok &T, const Tok *Next) {
    bool Inline = Prev == "in" || Stmt.First == PrivetLexer::ENUM;
    if (Inline || (Next && Next->Text == "}")) {
      // An empty block (`region canada "Canada" {}`) is written inline but still ends its
      // declaration like a block.
      Braces.push_back({Inline ? Brace::Inline : Brace::EmptyBlock, Stmt, 0, Depth});
      write(T.Text, true);
      Prev = T.Text;
      return;
    }
    write(T.Text, true);
    unsigned OpenIndent = currentLineIndent();
    Braces.push_back({Brace::Block, Stmt, OpenIndent, Depth});
    bool Vocab = Stmt.IsVocab;
    Stmt = Statement();
    Stmt.Indent = OpenIndent + 2;
    Stmt.VocabBlock = Vocab;
    Depth = Braces.size();
    newline();
    Prev = T.Text;
  }

  void closeBrace(const Tok &T, const Tok *Next) {
    auto [Kind, Outer, OpenIndent, OuterDepth] = Braces.back();
    Braces.pop_back();
    if (Kind == Brace::EmptyBlock) {
      write(T.Text, false);
      Prev = T.Text;
      if (Parens == 0 && (!Next || Next->Text != ";"))
        endStatementIfDone();
      return;
    }
    if (Kind == Brace::Inline) {
      write(T.Text, Prev != "{");
      Prev = T.Text;
      // An enum ends with its `}` (the `;` is optional).
      if (Stmt.First == PrivetLexer::ENUM && Parens == 0 && (!Next || Next->Text != ";"))
        endStatement();
      return;
    }
    newline();
    Stmt = Outer;
    Depth = OuterDepth;
    Indent = OpenIndent;
    write(T.Text, false);
    Prev = T.Text;
    // `}` ends the statement unless a `;` follows (or more of a rule, after an except block).
    if (!Next || Next->Text != ";")
      endStatementIfDone();
  }

  void plainToken(const Tok &T) {
    StringRef S = T.Text;
    bool SpaceBefore = true;
    if (S == ";" || S == "," || S == ")" || S == "." || Prev == "(" || Prev == ".")
      SpaceBefore = false;
    if (S == ":" && !Stmt.IsVocab)
      SpaceBefore = false;
    if (S == "(" && (Prev.empty() || isNameLike(PrevType)) && PrevType != PrivetLexer::WHERE)
      SpaceBefore = false;
    write(S, SpaceBefore);
    Prev = S.str();
    PrevType = T.Type;
    if (S == "(")
      ++Parens;
    else if (S == ")" && Parens)
      --Parens;
    if (S == ";" && Parens == 0)
      endStatement();
  }

  /// After a block `}`: a vocabulary or test declaration is complete; a rule whose except block
  /// closed is complete too.
  void endStatementIfDone() { endStatement(); }

  void endStatement() {
    unsigned Base = Stmt.Indent;
    bool Vocab = Stmt.VocabBlock;
    Stmt = Statement();
    Stmt.Indent = Base;
    Stmt.VocabBlock = Vocab;
    newline();
  }

  unsigned currentLineIndent() const {
    size_t LineStart = Out.rfind('\n');
    LineStart = LineStart == std::string::npos ? 0 : LineStart + 1;
    unsigned N = 0;
    while (LineStart + N < Out.size() && Out[LineStart + N] == ' ')
      ++N;
    return N;
  }

  /// The width of the statement starting at token From, printed on one line, up to its `;` or
  /// the `{` of an exception block.
  unsigned flatWidth(size_t From) const {
    unsigned Width = 0;
    int Nesting = 0;
    for (size_t J = From; J < Toks.size(); ++J) {
      const Tok &T = Toks[J];
      if (T.Comment) {
        if (T.Type == PrivetLexer::LINE_COMMENT)
          return MaxWidth + 1; // a comment inside forces the broken layout
        continue;
      }
      Width += T.Text.size() + 1;
      if (T.Text == "(")
        ++Nesting;
      else if (T.Text == ")")
        --Nesting;
      else if (T.Text == "{" && J > 0 && Toks[J - 1].Type != PrivetLexer::IN)
        break;
      else if (T.Text == ";" && Nesting <= 0)
        break;
    }
    return Width;
  }

  static bool isNameLike(size_t Type) {
    return Type == PrivetLexer::IDENT || (Type >= PrivetLexer::POLICY && Type <= PrivetLexer::BY);
  }

  std::vector<Tok> Toks;
  size_t I = 0;
  std::string Out;
  bool AtLineStart = true;
  bool PendingNewline = false;
  bool PendingBlank = false;
  unsigned Indent = 0;
  unsigned Parens = 0;
  bool InAnnotation = false;
  unsigned AnnotationParens = 0;
  std::string Prev;
  size_t PrevType = 0;
  Statement Stmt;
  struct OpenBrace {
    Brace Kind;
    Statement Outer;
    unsigned OpenIndent;
    size_t OuterDepth;
  };
  std::vector<OpenBrace> Braces;
  size_t Depth = 0; ///< Braces open when the current statement started.
};

/// The code tokens and the comments, each in order: what formatting must preserve.
std::pair<std::vector<std::string>, std::vector<std::string>> essence(const std::vector<Tok> &Ts) {
  std::vector<std::string> Code, Comments;
  for (const auto &T : Ts)
    (T.Comment ? Comments : Code).push_back(T.Comment ? StringRef(T.Text).rtrim().str() : T.Text);
  return {Code, Comments};
}

/// A token or comment of Text with its byte range.
struct Placed {
  size_t Begin, End;
  bool Comment;
  std::string Text;
};

std::vector<Placed> lexPlaced(StringRef Text) {
  SourceMap Map(Text);
  SourceInputStream Input(Text);
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  std::vector<Placed> Out;
  for (auto T = Lexer.nextToken(); T->getType() != antlr4::Token::EOF; T = Lexer.nextToken()) {
    if (T->getType() == PrivetLexer::WS)
      continue;
    SMRange R = Map.range(T.get());
    bool Comment =
        T->getType() == PrivetLexer::LINE_COMMENT || T->getType() == PrivetLexer::BLOCK_COMMENT;
    Out.push_back({size_t(R.Start.getPointer() - Text.data()),
                   size_t(R.End.getPointer() - Text.data()), Comment, T->getText()});
  }
  return Out;
}

/// The index one past the last token of each top-level item of Ts: an item ends with a `;` or
/// a `}` outside braces (with the `;` that may follow a `}`).
std::vector<size_t> itemEnds(const std::vector<Placed> &Ts) {
  std::vector<size_t> Ends;
  size_t Depth = 0;
  for (size_t I = 0; I < Ts.size(); ++I) {
    if (Ts[I].Comment)
      continue;
    if (Ts[I].Text == "{") {
      ++Depth;
      continue;
    }
    if (Ts[I].Text == "}" && Depth && --Depth == 0) {
      size_t Next = I + 1;
      while (Next < Ts.size() && Ts[Next].Comment)
        ++Next;
      if (Next < Ts.size() && Ts[Next].Text == ";")
        I = Next;
      Ends.push_back(I + 1);
      continue;
    }
    if (Ts[I].Text == ";" && Depth == 0)
      Ends.push_back(I + 1);
  }
  if (Ends.empty() || Ends.back() != Ts.size())
    Ends.push_back(Ts.size());
  return Ends;
}

} // namespace

Expected<std::optional<std::vector<FormatEdit>>>
formatRange(unsigned BufferId, DiagnosticEngine &Diags, size_t Begin, size_t End) {
  auto Whole = formatBuffer(BufferId, Diags);
  if (!Whole)
    return Whole.takeError();
  if (!*Whole)
    return std::optional<std::vector<FormatEdit>>();
  StringRef Text = Diags.getSourceMgr().getMemoryBuffer(BufferId)->getBuffer();
  StringRef Formatted = **Whole;
  std::vector<Placed> Old = lexPlaced(Text), New = lexPlaced(Formatted);
  // formatBuffer checked the tokens and the comments; the edits also need them interleaved
  // alike, token for token.
  bool Aligned = Old.size() == New.size();
  for (size_t I = 0; Aligned && I < Old.size(); ++I)
    Aligned = Old[I].Comment == New[I].Comment;
  if (!Aligned)
    return createStringError(inconvertibleErrorCode(),
                             "formatting moved a comment; format the whole file instead");
  std::vector<FormatEdit> Edits;
  size_t First = 0;
  for (size_t Stop : itemEnds(Old)) {
    if (Stop == First)
      continue;
    // An item owns the blank space before it; the last one also the end of the file.
    size_t OldFrom = First ? Old[First - 1].End : 0, NewFrom = First ? New[First - 1].End : 0;
    bool Last = Stop == Old.size();
    size_t OldTo = Last ? Text.size() : Old[Stop - 1].End;
    size_t NewTo = Last ? Formatted.size() : New[Stop - 1].End;
    // It owns the bytes after the previous item's last token through its own last one, so a
    // cursor in its indentation formats it and one just after a `;` the item that `;` ends.
    bool Touches = (First == 0 || End > OldFrom) && Begin <= OldTo;
    StringRef Replacement = Formatted.slice(NewFrom, NewTo);
    if (Touches && Text.slice(OldFrom, OldTo) != Replacement)
      Edits.push_back({OldFrom, OldTo, Replacement.str()});
    First = Stop;
  }
  return std::optional<std::vector<FormatEdit>>(std::move(Edits));
}

Expected<std::optional<std::string>> formatBuffer(unsigned BufferId, DiagnosticEngine &Diags) {
  if (!parseBuffer(BufferId, Diags))
    return std::optional<std::string>();
  StringRef Text = Diags.getSourceMgr().getMemoryBuffer(BufferId)->getBuffer();
  std::vector<Tok> Toks = lex(Text);
  std::string Result = Formatter(Toks).run();

  std::vector<Tok> Again = lex(Result);
  if (essence(Again) != essence(Toks))
    return createStringError(inconvertibleErrorCode(),
                             "formatting would change the tokens or comments of the file");
  if (Formatter(Again).run() != Result)
    return createStringError(inconvertibleErrorCode(), "formatting is not stable on this file");
  return std::optional<std::string>(std::move(Result));
}

} // namespace privet::syntax
