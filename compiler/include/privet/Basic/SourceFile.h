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

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace privet {

/// The largest source file read by default (16 MiB): far above any hand-written policy, and it
/// keeps `privet check /dev/zero`-like inputs from exhausting memory. See docs/cli.md, Limits.
constexpr uint64_t DefaultMaxSourceBytes = uint64_t(16) << 20;

/// DefaultMaxSourceBytes, or $PRIVET_MAX_SOURCE_BYTES when it is a positive integer.
uint64_t defaultMaxSourceBytes();

/// Reads Path into the DiagnosticEngine's SourceMgr. An unreadable file is reported as
/// `cannot_read_file` at IncludeRange (the import naming it; invalid for a command-line file),
/// a path that is not a regular file (a FIFO, a device, a directory) as `not_a_regular_file`
/// without blocking on it, and a file over MaxBytes as `file_too_large`.
/// Returns the buffer id, or nullopt after reporting the problem.
std::optional<unsigned> loadSourceFile(DiagnosticEngine &Diags, llvm::StringRef Path,
                                       llvm::SMRange IncludeRange = {},
                                       uint64_t MaxBytes = defaultMaxSourceBytes());

/// The 1-based line and byte column of Loc in buffer BufferId. Unlike
/// SourceMgr::getLineAndColumn, which scans back to the start of the line for the column, both
/// come from SourceMgr's cached line table: a lookup is logarithmic even when a generated file
/// puts 80,000 declarations on one line.
std::pair<unsigned, unsigned> lineAndColumn(llvm::SourceMgr &SM, llvm::SMLoc Loc,
                                            unsigned BufferId);

/// Adds in-memory text (named Name in diagnostics) with the same validation.
std::optional<unsigned> addSourceText(DiagnosticEngine &Diags, llvm::StringRef Text,
                                      llvm::StringRef Name);

/// Adds Buffer after validation: strips a UTF-8 byte-order mark, turns lone CRs into line
/// feeds (same length, so offsets stay), reports invalid UTF-8 and NUL
/// bytes at the offending byte.
std::optional<unsigned> addSourceBuffer(DiagnosticEngine &Diags,
                                        std::unique_ptr<llvm::MemoryBuffer> Buffer);

} // namespace privet

#endif // PRIVET_BASIC_SOURCEFILE_H
