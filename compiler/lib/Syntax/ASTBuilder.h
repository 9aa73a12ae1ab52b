//===- ASTBuilder.h - From an ANTLR parse tree to privet::ast --------------------*- C++ -*-===//
//
// Private to compiler/lib/Syntax.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LIB_SYNTAX_ASTBUILDER_H
#define PRIVET_LIB_SYNTAX_ASTBUILDER_H

#include "PrivetParser.h"
#include "SourceMap.h"
#include "privet/AST/AST.h"
#include "privet/Basic/Diagnostic.h"

#include <memory>

namespace privet::syntax {

/// Whether the subtree holds a syntax error: a token the parser skipped or made up (both become
/// error nodes) or a rule it left on an error.
bool hasSyntaxError(antlr4::tree::ParseTree *Tree);

/// Walks a parse tree without syntax errors into the AST; null after reporting what the grammar
/// accepts but the language does not (an unknown escape sequence). RecoveringFrom, the tree's
/// token stream, is given for a tree with syntax errors (but a clean header): the top-level
/// items holding errors are left out and their words go to ast::File::BrokenNames.
std::unique_ptr<ast::File> buildFile(gen::PrivetParser::FileContext *Tree, unsigned BufferId,
                                     const SourceMap &Map, DiagnosticEngine &Diags,
                                     antlr4::TokenStream *RecoveringFrom = nullptr);

/// Builds a file one top-level item at a time, so that a parser can free each item's parse tree
/// once it is built: the whole tree of a large policy is several times the size of its AST.
/// Its diagnostics are reported only by finish(); a builder dropped before that (the parse
/// failed half-way and is redone from the start) reports nothing.
class StreamingBuilder {
public:
  StreamingBuilder(unsigned BufferId, const SourceMap &Map, DiagnosticEngine &Diags);
  ~StreamingBuilder();
  void header(gen::PrivetParser::HeaderContext *Ctx);
  void item(gen::PrivetParser::ItemContext *Ctx);
  /// The file, or null after reporting what the grammar accepts but the language does not.
  std::unique_ptr<ast::File> finish();

private:
  struct Impl;
  std::unique_ptr<Impl> I;
};

} // namespace privet::syntax

#endif // PRIVET_LIB_SYNTAX_ASTBUILDER_H
