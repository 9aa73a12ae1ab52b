//===- Parser.h - Parsing .privet text into the AST ------------------------------*- C++ -*-===//
//
// The only entry into the generated ANTLR parser. Nothing else in the compiler sees ANTLR.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SYNTAX_PARSER_H
#define PRIVET_SYNTAX_PARSER_H

#include "privet/AST/AST.h"
#include "privet/Basic/Diagnostic.h"

#include <memory>

namespace privet::syntax {

struct ParseOptions {
  /// Deepest nesting of `(`, `{`, `not` and `except` accepted; deeper input is rejected (E0004)
  /// before the recursive-descent parser could overflow the stack.
  unsigned MaxNesting = 256;
  /// Syntax errors reported per file; recovery goes on past them silently.
  unsigned MaxErrors = 20;
  /// After syntax errors, still return the declarations that parsed cleanly (the header must
  /// have): each top-level item containing an error is dropped and the names written in it go
  /// to ast::File::BrokenNames, so sema can check the rest without a cascade of unknown names.
  /// The errors are reported either way; a caller must not treat such a tree as a success.
  bool Recover = false;
  /// Parse one top-level item at a time with tokens made on demand, freeing each item's tree
  /// and tokens once it is built (the whole file again, kept whole, if that fails). False
  /// parses the whole file at once: the same AST and diagnostics, for tests that compare them.
  bool Stream = true;
};

/// Parses buffer BufferId of the engine's SourceMgr (added through privet/Basic/SourceFile.h).
/// Every syntax error is reported (several per file, with recovery); the tree is returned only
/// for a file without any, unless Options.Recover asks for the parts that parsed.
std::unique_ptr<ast::File> parseBuffer(unsigned BufferId, DiagnosticEngine &Diags,
                                       const ParseOptions &Options = {});

} // namespace privet::syntax

#endif // PRIVET_SYNTAX_PARSER_H
