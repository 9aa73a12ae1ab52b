//===- SourceFile.h - Loading source text into a SourceMgr, validated ------------*- C++ -*-===//
//
// All source text enters the compiler here, so later stages may assume valid UTF-8 without NUL
// bytes or a byte-order mark.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_BASIC_SOURCEFILE_H
#define PRIVET_BASIC_SOURCEFILE_H

#include "privet/Basic/Diagnostic.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace privet {

/// Reads Path into the DiagnosticEngine's SourceMgr. An unreadable file is reported as
/// `cannot_read_file` at IncludeRange (the import naming it; invalid for a command-line file).
/// Returns the buffer id, or nullopt after reporting the problem.
std::optional<unsigned> loadSourceFile(DiagnosticEngine &Diags, llvm::StringRef Path,
                                       llvm::SMRange IncludeRange = {});

/// Adds in-memory text (named Name in diagnostics) with the same validation.
std::optional<unsigned> addSourceText(DiagnosticEngine &Diags, llvm::StringRef Text,
                                      llvm::StringRef Name);

/// Adds Buffer after validation: strips a UTF-8 byte-order mark, reports invalid UTF-8 and NUL
/// bytes at the offending byte.
std::optional<unsigned> addSourceBuffer(DiagnosticEngine &Diags,
                                        std::unique_ptr<llvm::MemoryBuffer> Buffer);

} // namespace privet

#endif // PRIVET_BASIC_SOURCEFILE_H
