//===- ErrorListener.cpp - ANTLR syntax errors as plain-language diagnostics ------------===//
#include "ErrorListener.h"
#include "PrivetLexer.h"

#include "llvm/ADT/STLExtras.h"

using namespace llvm;
using privet::gen::PrivetLexer;
using privet::gen::PrivetParser;

namespace privet::syntax {

static std::string tokenDisplay(const antlr4::Token *T) {
  if (!T || T->getType() == antlr4::Token::EOF)
    return "end of file";
  std::string Text = T->getText();
  if (T->getType() == PrivetLexer::STRING)
    return "a string";
  if (Text.size() > 24)
    Text = Text.substr(0, 24) + "…";
  return "`" + Text + "`";
}

/// Plain-language phrases for token types in "expected ..." messages.
static std::string expectedDisplay(const antlr4::dfa::Vocabulary &Vocab, size_t Type) {
  switch (Type) {
  case antlr4::Token::EOF:
    return "end of file";
  case PrivetLexer::IDENT:
    return "a name";
  case PrivetLexer::STRING:
    return "a string";
  case PrivetLexer::INT:
    return "a number";
  default:
    break;
  }
  std::string Literal = Vocab.getLiteralName(Type);
  if (Literal.size() >= 2 && Literal.front() == '\'')
    return "`" + Literal.substr(1, Literal.size() - 2) + "`";
  return Vocab.getDisplayName(Type);
}

size_t literalType(const antlr4::dfa::Vocabulary &Vocab, StringRef Literal) {
  std::string Quoted = "'" + Literal.str() + "'";
  for (size_t T = 1; T <= Vocab.getMaxTokenType(); ++T)
    if (Vocab.getLiteralName(T) == Quoted)
      return T;
  return antlr4::Token::INVALID_TYPE;
}

static bool isSoftKeyword(size_t Type) {
  return Type >= PrivetLexer::POLICY && Type <= PrivetLexer::BY;
}

/// What the innermost interesting rule being parsed is called in messages.
static StringRef contextPhrase(antlr4::ParserRuleContext *Ctx) {
  for (; Ctx; Ctx = dynamic_cast<antlr4::ParserRuleContext *>(Ctx->parent)) {
    switch (Ctx->getRuleIndex()) {
    case PrivetParser::RuleRuleDecl:
      return "rule";
    case PrivetParser::RuleRequireDecl:
      return "invariant";
    case PrivetParser::RuleWithinDecl:
      return "`within` block";
    case PrivetParser::RuleExpectation:
      return "expectation";
    case PrivetParser::RuleTestDecl:
      return "test";
    case PrivetParser::RuleControllerDecl:
      return "`controller` block";
    case PrivetParser::RuleImportDecl:
      return "import";
    case PrivetParser::RuleHeader:
      return "header";
    case PrivetParser::RuleVocabDecl:
      return "declaration";
    case PrivetParser::RuleEnumDecl:
      return "enum";
    case PrivetParser::RuleAttributeDecl:
      return "attribute";
    case PrivetParser::RuleCombineDecl:
      return "combination";
    case PrivetParser::RuleAnnotation:
      return "annotation";
    default:
      break;
    }
  }
  return "";
}

void ErrorListener::syntaxError(antlr4::Recognizer *Recognizer, antlr4::Token *Offending,
                                size_t Line, size_t, const std::string &, std::exception_ptr) {
  ++Count;
  // A bad character was already reported, and whatever the parser makes of its line is noise.
  if (LexErrorLines.count(Line))
    return;
  if (Offending && Offending->getTokenIndex() == LastTokenIndex)
    return;
  if (Reported >= MaxErrors)
    return;
  ++Reported;
  if (Offending)
    LastTokenIndex = Offending->getTokenIndex();
  Expectation E = expectation(dynamic_cast<PrivetParser *>(Recognizer));
  if (reportMisspeltKeyword(Offending, E) || reportAssignment(Offending, E))
    return;
  reportExpected(Offending, E);
}

ErrorListener::Expectation ErrorListener::expectation(PrivetParser *P) {
  Expectation E;
  if (!P)
    return E;
  try {
    for (ssize_t T : P->getExpectedTokens().toList())
      E.Types.push_back(static_cast<size_t>(T));
  } catch (...) {
    E.Types.clear();
  }
  E.Context = contextPhrase(P->getContext());
  bool HasName = llvm::is_contained(E.Types, size_t(PrivetLexer::IDENT));
  for (size_t T : E.Types) {
    if (HasName && isSoftKeyword(T))
      continue;
    if (T == Semicolon)
      E.Semicolon = true;
    E.Names.push_back(expectedDisplay(P->getVocabulary(), T));
  }
  // The tokens that can start a value are one idea to the reader.
  static const size_t ValueStarts[] = {PrivetLexer::TRUE, PrivetLexer::FALSE, PrivetLexer::INT,
                                       PrivetLexer::STRING, PrivetLexer::IDENT};
  if (E.Names.size() == 5 &&
      llvm::all_of(ValueStarts, [&](size_t T) { return llvm::is_contained(E.Types, T); }))
    E.Names = {"a value"};
  return E;
}

/// A misspelt keyword at the start of a statement parses as a name, and after a rule's label
/// a name close to `allow` or `deny` is that keyword misspelt: say so.
bool ErrorListener::reportMisspeltKeyword(antlr4::Token *Offending, const Expectation &E) {
  if (auto Typo = misspeltKeyword(Offending)) {
    SMRange Where = Map.range(Typo->first);
    Diags.report<diag::unknown_keyword>(Where, Typo->first->getText())
        .didYouMean(Where, Typo->second);
    return true;
  }
  if (!Offending || Offending->getType() != PrivetLexer::IDENT ||
      !(llvm::is_contained(E.Types, size_t(PrivetLexer::ALLOW)) ||
        llvm::is_contained(E.Types, size_t(PrivetLexer::DENY))))
    return false;
  static const std::vector<std::string> Effects{"allow", "deny"};
  auto Near = closestName(Offending->getText(), Effects);
  if (!Near)
    return false;
  SMRange Where = Map.range(Offending);
  Diags.report<diag::unknown_keyword>(Where, Offending->getText()).didYouMean(Where, *Near);
  return true;
}

bool ErrorListener::reportAssignment(antlr4::Token *Offending, const Expectation &E) {
  if (!Offending || Offending->getText() != "=" ||
      (E.Context != "rule" && E.Context != "invariant"))
    return false;
  SMRange Where = Map.range(Offending);
  Diags.report<diag::assignment_in_condition>(Where).fixIt(Where, "==");
  return true;
}

/// Like clang, a missing `;` is reported just past the previous token: that is where it
/// belongs.
SMRange ErrorListener::afterPrevious(antlr4::Token *Offending) {
  if (Offending)
    if (antlr4::Token *Prev = previous(Offending->getTokenIndex())) {
      SMLoc After = Map.range(Prev).End;
      return SMRange(After, After);
    }
  return Map.range(Offending);
}

void ErrorListener::reportExpected(antlr4::Token *Offending, const Expectation &E) {
  std::string Found = tokenDisplay(Offending);
  std::string In = E.Context.empty() ? "" : " in " + E.Context.str();
  if (E.Semicolon && !E.Context.empty() && E.Context != "annotation") {
    auto B = Diags.report<diag::missing_semicolon>(afterPrevious(Offending), E.Context, Found);
    // `allow tx.collect and tx.store ...`: the writer meant a list.
    if (Offending && (Offending->getText() == "and" || Offending->getText() == "or") &&
        (E.Context == "rule" || E.Context == "invariant" || E.Context == "expectation"))
      B.help("a list of values is written with `,` (`a, b`); `" + Offending->getText() +
             "` joins conditions after `when` or `unless`");
    return;
  }
  if (E.Names.empty() || E.Names.size() > 5) {
    Diags.report<diag::unexpected_token>(Map.range(Offending), Found, In);
    return;
  }
  std::string Names;
  for (size_t I = 0; I < E.Names.size(); ++I) {
    if (I)
      Names += I + 1 == E.Names.size() ? " or " : ", ";
    Names += E.Names[I];
  }
  Diags.report<diag::syntax_error>(Map.range(Offending), Names, In, Found);
}

/// If the token before Offending is a plain name starting a statement and close to a keyword
/// that starts one, that name and the keyword.
std::optional<std::pair<antlr4::Token *, std::string>>
ErrorListener::misspeltKeyword(antlr4::Token *Offending) {
  static const std::vector<std::string> Keywords{
      "allow",  "deny",    "category", "action",     "purpose", "subject",   "basis",   "recipient",
      "region", "context", "actor",    "obligation", "enum",    "attribute", "combine", "require",
      "test",   "import",  "policy",   "module",     "expect",  "within"};
  if (!Offending)
    return std::nullopt;
  antlr4::Token *Prev = previous(Offending->getTokenIndex());
  if (!Prev || Prev->getType() != PrivetLexer::IDENT)
    return std::nullopt;
  antlr4::Token *Before = previous(Prev->getTokenIndex());
  if (Before && Before->getText() != ";" && Before->getText() != "}" && Before->getText() != "{" &&
      Before->getText() != ")")
    return std::nullopt;
  auto Near = closestName(Prev->getText(), Keywords);
  if (!Near)
    return std::nullopt;
  return std::make_pair(Prev, *Near);
}

antlr4::Token *ErrorListener::previous(size_t Index) {
  while (Index-- > 0) {
    antlr4::Token *T = Tokens.get(Index);
    if (T->getChannel() == antlr4::Token::DEFAULT_CHANNEL)
      return T;
  }
  return nullptr;
}

} // namespace privet::syntax
