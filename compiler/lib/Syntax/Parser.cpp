//===- Parser.cpp - Driving the generated ANTLR lexer and parser -----------------------===//
//
// The fast path lexes on demand, checks each token as it is made (bad characters, nesting
// depth), and parses with SLL one top-level item at a time, each built into privet::ast
// (ASTBuilder.cpp) and its tree and tokens freed before the next. Anything wrong sends the file
// to the slow path: lex everything and scan the tokens, parse the whole file (SLL, then full LL
// with error recovery), walk the tree into the AST. Syntax errors become diagnostics with
// plain-language messages (ErrorListener.cpp).
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Syntax/Parser.h"
#include "ASTBuilder.h"
#include "ErrorListener.h"

#include "PrivetLexer.h"
#include "PrivetParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <set>

using namespace llvm;
using privet::gen::PrivetLexer;
using privet::gen::PrivetParser;

namespace privet::syntax {
namespace {

/// How deeply the recursive parser will nest at each token: open brackets, plus the current run
/// of `not`s, plus the current chain of unbraced `except`s (ended by `;`).
class NestingDepth {
public:
  explicit NestingDepth(const antlr4::dfa::Vocabulary &V)
      : Semicolon(literalType(V, ";")), Open{literalType(V, "("), literalType(V, "{")},
        Close{literalType(V, ")"), literalType(V, "}")} {}

  /// Counts the default-channel token of type Type; returns the depth after it.
  unsigned add(size_t Type) {
    NotRun = Type == PrivetLexer::NOT ? NotRun + 1 : 0;
    if (Type == PrivetLexer::EXCEPT)
      ++ExceptRun;
    else if (Type == Semicolon)
      ExceptRun = 0;
    if (Type == Open[0] || Type == Open[1])
      ++Brackets;
    else if ((Type == Close[0] || Type == Close[1]) && Brackets)
      --Brackets;
    return Brackets + NotRun + ExceptRun;
  }

private:
  size_t Semicolon;
  size_t Open[2], Close[2];
  unsigned Brackets = 0, NotRun = 0, ExceptRun = 0;
};

/// Reports bad characters, unterminated strings and comments, and nesting beyond the limit.
/// Returns false when the file must not be handed to the (recursive) parser.
bool scanTokens(antlr4::CommonTokenStream &Tokens, const SourceMap &Map, DiagnosticEngine &Diags,
                unsigned MaxNesting, std::set<size_t> &LexErrorLines,
                const antlr4::dfa::Vocabulary &Vocab) {
  NestingDepth Depth(Vocab);
  const auto &All = Tokens.getTokens();
  for (size_t I = 0; I < All.size(); ++I) {
    antlr4::Token *T = All[I];
    if (T->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
      continue;
    size_t Type = T->getType();
    if (Type == PrivetLexer::UNEXPECTED_CHAR) {
      LexErrorLines.insert(T->getLine());
      std::string Text = T->getText();
      SMRange R = Map.range(T);
      if (Text == "\"") {
        // Runs to the end of the line: strings are single-line.
        const char *End = R.Start.getPointer();
        const char *BufEnd = Map.Text.data() + Map.Text.size();
        while (End != BufEnd && *End != '\n' && *End != '\r')
          ++End;
        Diags.report<diag::unterminated_string>(SMRange(R.Start, SMLoc::getFromPointer(End)));
        // The rest of the line was lexed as other tokens; skip them.
        while (I + 1 < All.size() && All[I + 1]->getLine() == T->getLine() &&
               All[I + 1]->getType() != antlr4::Token::EOF)
          ++I;
        continue;
      }
      if (Text == "/" && I + 1 < All.size() && All[I + 1]->getText() == "*" &&
          All[I + 1]->getStartIndex() == T->getStopIndex() + 1) {
        Diags.report<diag::unterminated_comment>(SMRange(R.Start, Map.range(All[I + 1]).End));
        // Everything after an unterminated comment is comment: nothing more to parse.
        for (size_t J = I; J < All.size(); ++J)
          LexErrorLines.insert(All[J]->getLine());
        return true;
      }
      Diags.report<diag::unexpected_character>(R, Text);
      continue;
    }
    if (Depth.add(Type) > MaxNesting) {
      Diags.report<diag::nesting_too_deep>(Map.range(T), MaxNesting);
      return false;
    }
  }
  return true;
}

/// Whether Text, after white space and comments, starts the way every policy and module does:
/// `policy`, `module` or an annotation on the header. Anything else is not a policy at all.
bool startsLikeHeader(StringRef Text) {
  while (true) {
    Text = Text.ltrim(" \t\r\n\f");
    if (Text.startswith("//") || Text.startswith("#")) {
      size_t Eol = Text.find_first_of("\r\n");
      Text = Eol == StringRef::npos ? StringRef() : Text.drop_front(Eol);
    } else if (Text.startswith("/*")) {
      size_t End = Text.find("*/", 2);
      if (End == StringRef::npos)
        return false;
      Text = Text.drop_front(End + 2);
    } else {
      break;
    }
  }
  auto Keyword = [&](StringRef K) {
    return Text.startswith(K) &&
           (Text.size() == K.size() || !(isAlnum(Text[K.size()]) || Text[K.size()] == '_'));
  };
  return Text.startswith("@") || Keyword("policy") || Keyword("module");
}

/// The lexer's tokens without its hidden channel (white space and comments). Nothing after the
/// lexer looks at those (the formatter lexes on its own), and they are half of all tokens: each
/// one kept is about a hundred bytes for the whole parse.
///
/// Checking (the fast path), each token is also checked as it is made for what scanTokens
/// reports: a bad character, nesting beyond the limit (before the recursive parser sees it). On
/// either it throws ParseCancellationException, as the bailing error strategy does, and the
/// file takes the slow path, which reports it.
class DefaultChannelSource : public antlr4::TokenSource {
public:
  DefaultChannelSource(PrivetLexer &Lexer, std::optional<unsigned> CheckNesting)
      : Lexer(Lexer), CheckNesting(CheckNesting), Depth(Lexer.getVocabulary()) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    while (true) {
      std::unique_ptr<antlr4::Token> T = Lexer.nextToken();
      size_t Type = T->getType();
      if (Type == antlr4::Token::EOF)
        return T;
      if (T->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
        continue;
      if (CheckNesting && (Type == PrivetLexer::UNEXPECTED_CHAR || Depth.add(Type) > *CheckNesting))
        throw antlr4::ParseCancellationException();
      return T;
    }
  }
  size_t getLine() const override { return Lexer.getLine(); }
  size_t getCharPositionInLine() override { return Lexer.getCharPositionInLine(); }
  antlr4::CharStream *getInputStream() override { return Lexer.getInputStream(); }
  std::string getSourceName() override { return Lexer.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken> *getTokenFactory() override {
    return Lexer.getTokenFactory();
  }

private:
  PrivetLexer &Lexer;
  std::optional<unsigned> CheckNesting;
  NestingDepth Depth;
};

/// A token stream that frees the tokens the parse has moved past. Tokens are fetched as the
/// parser asks for them, so at any time only the current item's (and the prediction's
/// lookahead) are alive; each is about 120 bytes and a large policy has millions.
class ReleasingTokenStream : public antlr4::CommonTokenStream {
public:
  using CommonTokenStream::CommonTokenStream;

  /// Frees every token before the current one but the last (the parser reads it back as the
  /// stop token of a rule that ends where the next begins). Their slots stay, so token indexes
  /// do not move.
  void releaseConsumed() {
    size_t Keep = index() == 0 ? 0 : index() - 1;
    for (; Released < Keep && Released < _tokens.size(); ++Released)
      _tokens[Released].reset();
  }

private:
  size_t Released = 0;
};

/// The fast path: tokens made on demand and released behind the parse, SLL prediction, the
/// header and then one top-level item at a time, each built into the AST and its parse tree
/// freed before the next (a whole-file tree is several times the size of the AST). Null with
/// Failed set when anything is wrong (a bad character, deep nesting, an SLL failure): the caller
/// then lexes and parses the whole file again, with full LL and error recovery, which produces
/// the messages. Nothing is reported here in that case (StreamingBuilder keeps its diagnostics
/// until finish()).
std::unique_ptr<ast::File> parseStreaming(antlr4::CharStream &Input, unsigned BufferId,
                                          const SourceMap &Map, DiagnosticEngine &Diags,
                                          unsigned MaxNesting, bool &Failed) {
  Failed = true;
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  DefaultChannelSource Source(Lexer, MaxNesting);
  ReleasingTokenStream Tokens(&Source);
  PrivetParser Parser(&Tokens);
  Parser.removeErrorListeners();
  Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  StreamingBuilder Builder(BufferId, Map, Diags);
  try {
    // A file of only white space and comments has no header to stream from; the whole-file
    // parse says it is empty or lacks its header.
    if (Tokens.LA(1) == antlr4::Token::EOF)
      return nullptr;
    Builder.header(Parser.header());
    Parser.getTreeTracker().reset();
    while (Tokens.LA(1) != antlr4::Token::EOF) {
      Builder.item(Parser.item());
      Parser.getTreeTracker().reset();
      Tokens.releaseConsumed();
    }
  } catch (const antlr4::ParseCancellationException &) {
    return nullptr;
  }
  Failed = false;
  return Builder.finish();
}

} // namespace

std::unique_ptr<ast::File> parseBuffer(unsigned BufferId, DiagnosticEngine &Diags,
                                       const ParseOptions &Options) {
  const MemoryBuffer *Buffer = Diags.getSourceMgr().getMemoryBuffer(BufferId);
  StringRef Text = Buffer->getBuffer();
  // A file that does not start like a policy is reported before it is lexed, and without its
  // lines: lexing `/etc/shadow` would quote its entries in `unexpected character` errors.
  if (!Text.trim().empty() && !startsLikeHeader(Text)) {
    Diags.doNotQuote(BufferId);
    SMLoc Start = SMLoc::getFromPointer(Text.data());
    Diags.report<diag::missing_header>(SMRange(Start, Start), "missing header");
    return nullptr;
  }
  SourceMap Map(Text);

  SourceInputStream Input(Text);
  if (Options.Stream) {
    bool Failed = false;
    auto File = parseStreaming(Input, BufferId, Map, Diags, Options.MaxNesting, Failed);
    if (!Failed)
      return File;
    Input.reset();
  }

  // The slow path, for a file the fast one refused: every token kept, the whole file's tree,
  // SLL once more and then full LL with error recovery.
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  DefaultChannelSource Source(Lexer, std::nullopt);
  antlr4::CommonTokenStream Tokens(&Source);
  Tokens.fill();

  unsigned ErrorsBefore = Diags.errorCount();
  std::set<size_t> LexErrorLines;
  size_t Semicolon = literalType(Lexer.getVocabulary(), ";");
  if (!scanTokens(Tokens, Map, Diags, Options.MaxNesting, LexErrorLines, Lexer.getVocabulary()))
    return nullptr;

  PrivetParser Parser(&Tokens);
  Parser.removeErrorListeners();
  PrivetParser::FileContext *Tree = nullptr;
  // SLL is much faster and right for nearly every input; only on failure re-parse with full
  // LL and error recovery, which is also what produces good messages.
  Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    Tree = Parser.file();
  } catch (const antlr4::ParseCancellationException &) {
    Tree = nullptr;
  }
  ErrorListener Listener(Diags, Map, Tokens, LexErrorLines, Options.MaxErrors, Semicolon);
  if (!Tree) {
    Tokens.seek(0);
    Parser.reset();
    Parser.addErrorListener(&Listener);
    Parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    try {
      Tree = Parser.file();
    } catch (const antlr4::RuntimeException &) {
      Tree = nullptr;
    }
    Parser.removeErrorListeners();
    // SLL can fail on input only full LL parses; that is not an error. A parse that failed
    // without any message must still not pass silently.
    if (!Tree && !Listener.Count && Diags.errorCount() == ErrorsBefore)
      Diags.report<diag::syntax_error>(SMRange(), "a `policy` or `module` file", "",
                                       "input the parser could not recover from");
  }
  if (Diags.errorCount() != ErrorsBefore || !Tree) {
    // Recovery keeps the declarations that parsed; without a clean header there is no module
    // to put them in.
    if (!Options.Recover || !Tree || !Tree->header() || hasSyntaxError(Tree->header()))
      return nullptr;
    return buildFile(Tree, BufferId, Map, Diags, &Tokens);
  }

  if (!Tree->header()) {
    bool Empty = Text.trim().empty();
    SMLoc Start = SMLoc::getFromPointer(Text.data());
    Diags.report<diag::missing_header>(SMRange(Start, Start),
                                       Empty ? "file is empty" : "missing header");
    return nullptr;
  }

  return buildFile(Tree, BufferId, Map, Diags);
}

} // namespace privet::syntax
