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

/// Walks a parse tree without syntax errors into the AST; null after reporting what the grammar
/// accepts but the language does not (an unknown escape sequence).
std::unique_ptr<ast::File> buildFile(gen::PrivetParser::FileContext *Tree, unsigned BufferId,
                                     const SourceMap &Map, DiagnosticEngine &Diags);

} // namespace privet::syntax

#endif // PRIVET_LIB_SYNTAX_ASTBUILDER_H
