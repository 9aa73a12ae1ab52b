//===- Format.h - The canonical layout of a .privet file --------------------------*- C++ -*-===//
//
// `privet fmt` rewrites whitespace only: tokens and comments stay exactly as written, in order.
// The result is checked before it is returned, so a formatting bug can never change a policy.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SYNTAX_FORMAT_H
#define PRIVET_SYNTAX_FORMAT_H

#include "privet/Basic/Diagnostic.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace privet::syntax {

/// The canonical layout of buffer BufferId. Syntax errors are reported to Diags and give
/// nullopt; an internal inconsistency (the layout would change the token or comment sequence,
/// or formatting is not idempotent) is an llvm::Error and the input must be left alone.
llvm::Expected<std::optional<std::string>> formatBuffer(unsigned BufferId, DiagnosticEngine &Diags);

} // namespace privet::syntax

#endif // PRIVET_SYNTAX_FORMAT_H
