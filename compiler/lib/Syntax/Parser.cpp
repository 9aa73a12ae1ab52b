//===- Parser.cpp - Driving the generated ANTLR lexer and parser -----------------------===//
//
// Three steps per file: lex everything and scan the tokens (bad characters, nesting depth),
// parse (fast SLL first, one top-level item at a time, each built and freed; full LL with error
// recovery over the whole file only if that fails), then walk the parse tree into privet::ast
// (ASTBuilder.cpp). Syntax errors become diagnostics with
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

#include <set>

using namespace llvm;
using privet::gen::PrivetLexer;
using privet::gen::PrivetParser;

namespace privet::syntax {
namespace {

/// Reports bad characters, unterminated strings and comments, and nesting beyond the limit.
/// Returns false when the file must not be handed to the (recursive) parser.
bool scanTokens(antlr4::CommonTokenStream &Tokens, const SourceMap &Map, DiagnosticEngine &Diags,
                unsigned MaxNesting, std::set<size_t> &LexErrorLines, size_t Semicolon) {
  unsigned Brackets = 0, NotRun = 0, ExceptRun = 0;
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
    if (Type == PrivetLexer::NOT) {
      ++NotRun;
    } else {
      NotRun = 0;
    }
    if (Type == PrivetLexer::EXCEPT)
      ++ExceptRun;
    else if (Type == Semicolon) // `;` ends a chain of unbraced exceptions
      ExceptRun = 0;
    std::string Text = Type == antlr4::Token::EOF ? std::string() : T->getText();
    if (Text == "(" || Text == "{")
      ++Brackets;
    else if ((Text == ")" || Text == "}") && Brackets)
      --Brackets;
    if (Brackets + NotRun + ExceptRun > MaxNesting) {
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
class DefaultChannelOnly : public antlr4::TokenSource {
public:
  explicit DefaultChannelOnly(PrivetLexer &Lexer) : Lexer(Lexer) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    while (true) {
      std::unique_ptr<antlr4::Token> T = Lexer.nextToken();
      if (T->getChannel() == antlr4::Token::DEFAULT_CHANNEL || T->getType() == antlr4::Token::EOF)
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
};

/// The fast path: SLL prediction, the header and then one top-level item at a time, each built
/// into the AST and its parse tree freed before the next (a whole-file tree is several times
/// the size of the AST). Null when SLL fails anywhere; the caller then parses the whole file
/// again with full LL and error recovery, which also produces the messages. Nothing is reported
/// here in that case (StreamingBuilder keeps its diagnostics until finish()).
std::unique_ptr<ast::File> parseStreaming(PrivetParser &Parser, antlr4::CommonTokenStream &Tokens,
                                          unsigned BufferId, const SourceMap &Map,
                                          DiagnosticEngine &Diags, bool &Failed) {
  Failed = false;
  StreamingBuilder Builder(BufferId, Map, Diags);
  try {
    Builder.header(Parser.header());
    Parser.getTreeTracker().reset();
    while (Tokens.LA(1) != antlr4::Token::EOF) {
      Builder.item(Parser.item());
      Parser.getTreeTracker().reset();
    }
  } catch (const antlr4::ParseCancellationException &) {
    Failed = true;
    return nullptr;
  }
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

  antlr4::ANTLRInputStream Input(Text.data(), Text.size());
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  DefaultChannelOnly Source(Lexer);
  antlr4::CommonTokenStream Tokens(&Source);
  Tokens.fill();

  unsigned ErrorsBefore = Diags.errorCount();
  std::set<size_t> LexErrorLines;
  size_t Semicolon = literalType(Lexer.getVocabulary(), ";");
  if (!scanTokens(Tokens, Map, Diags, Options.MaxNesting, LexErrorLines, Semicolon))
    return nullptr;

  PrivetParser Parser(&Tokens);
  Parser.removeErrorListeners();
  PrivetParser::FileContext *Tree = nullptr;
  // SLL is much faster and right for nearly every input; only on failure re-parse with full
  // LL and error recovery, which is also what produces good messages.
  Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  // A file that is only white space and comments has no header to stream from; the whole-file
  // parse below says it is empty or lacks its header.
  if (Tokens.LA(1) != antlr4::Token::EOF && Diags.errorCount() == ErrorsBefore) {
    bool SllFailed = false;
    auto File = parseStreaming(Parser, Tokens, BufferId, Map, Diags, SllFailed);
    if (!SllFailed)
      return File;
    Tokens.seek(0);
    Parser.reset();
  }
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
