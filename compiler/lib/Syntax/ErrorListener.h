//===- ErrorListener.h - ANTLR syntax errors as plain-language diagnostics -*- C++ -*-===//
//
// Private to compiler/lib/Syntax. The parser reports through this BaseErrorListener (as
// google/cel-cpp's parser does); it turns ANTLR's expected-token sets into messages such as
// "expected `;` after rule, found `deny`" and recognises misspelt keywords.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LIB_SYNTAX_ERRORLISTENER_H
#define PRIVET_LIB_SYNTAX_ERRORLISTENER_H

#include "PrivetParser.h"
#include "SourceMap.h"
#include "privet/Basic/Diagnostic.h"

#include "antlr4-runtime.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace privet::syntax {

/// The token type of a literal such as `;`, looked up so that grammar edits cannot silently
/// renumber it.
size_t literalType(const antlr4::dfa::Vocabulary &Vocab, StringRef Literal);

/// Turns ANTLR's syntax errors into diagnostics.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(DiagnosticEngine &Diags, const SourceMap &Map, antlr4::CommonTokenStream &Tokens,
                const std::set<size_t> &LexErrorLines, unsigned MaxErrors, size_t Semicolon)
      : Diags(Diags), Map(Map), Tokens(Tokens), LexErrorLines(LexErrorLines), MaxErrors(MaxErrors),
        Semicolon(Semicolon) {}

  void syntaxError(antlr4::Recognizer *Recognizer, antlr4::Token *Offending, size_t Line, size_t,
                   const std::string &, std::exception_ptr) override;

  unsigned Count = 0;

private:
  /// What the parser wanted where it stopped: token types and the rule it was in.
  struct Expectation {
    std::vector<size_t> Types;
    StringRef Context;
    std::vector<std::string> Names; ///< Plain-language, soft keywords dropped when a name fits.
    bool Semicolon = false;
  };

  Expectation expectation(gen::PrivetParser *P);
  /// A misspelt keyword at the start of a statement parses as a name, and after a rule's label
  /// a name close to `allow` or `deny` is that keyword misspelt: say so.
  bool reportMisspeltKeyword(antlr4::Token *Offending, const Expectation &E);
  bool reportAssignment(antlr4::Token *Offending, const Expectation &E);
  /// Like clang, a missing `;` is reported just past the previous token: that is where it
  /// belongs.
  SMRange afterPrevious(antlr4::Token *Offending);
  void reportExpected(antlr4::Token *Offending, const Expectation &E);
  /// If the token before Offending is a plain name starting a statement and close to a keyword
  /// that starts one, that name and the keyword.
  std::optional<std::pair<antlr4::Token *, std::string>> misspeltKeyword(antlr4::Token *Offending);
  antlr4::Token *previous(size_t Index);

  DiagnosticEngine &Diags;
  const SourceMap &Map;
  antlr4::CommonTokenStream &Tokens;
  const std::set<size_t> &LexErrorLines;
  unsigned MaxErrors;
  unsigned Reported = 0;
  size_t Semicolon;
  size_t LastTokenIndex = ~size_t(0);
};

} // namespace privet::syntax

#endif // PRIVET_LIB_SYNTAX_ERRORLISTENER_H
