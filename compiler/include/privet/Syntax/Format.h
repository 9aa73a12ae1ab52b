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

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace privet::syntax {

/// The canonical layout of buffer BufferId. Syntax errors are reported to Diags and give
/// nullopt; an internal inconsistency (the layout would change the token or comment sequence,
/// or formatting is not idempotent) is an llvm::Error and the input must be left alone.
llvm::Expected<std::optional<std::string>> formatBuffer(unsigned BufferId, DiagnosticEngine &Diags);

/// Replace bytes [Begin, End) of the original text by NewText.
struct FormatEdit {
  size_t Begin, End;
  std::string NewText;
};

/// The canonical layout of only the top-level items (header, imports, declarations, each with
/// the comments and blank space before it) that touch bytes [Begin, End] of buffer BufferId, as
/// edits of its text in order (at most one per item); an item outside the range keeps its
/// layout, as clang-format does with lines. An empty range is a cursor: the item it is in.
/// Errors as for formatBuffer.
llvm::Expected<std::optional<std::vector<FormatEdit>>>
formatRange(unsigned BufferId, DiagnosticEngine &Diags, size_t Begin, size_t End);

} // namespace privet::syntax

#endif // PRIVET_SYNTAX_FORMAT_H
