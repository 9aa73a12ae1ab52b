//===- Output.h - Where the subcommands write their `-o` files ---------------------*- C++ -*-===//
//
// One place decides whether an output path may be written: never over a file the command read
// (`privet build x.privet -o x.privet` would replace the source with the binary), `-` for
// standard output, anything else through the runtime's atomic writer (which refuses FIFOs and
// devices and follows symbolic links to the file they name).
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TOOLS_OUTPUT_H
#define PRIVET_TOOLS_OUTPUT_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <string_view>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace privet::driver {

/// The file among SM's buffers (every file the command read) that Output names, or "" when
/// none does. Links are followed: a link to the input is the input.
std::string inputNamedBy(llvm::StringRef Output, const llvm::SourceMgr &SM);

/// Writes Bytes to Output (`-`: standard output) for the subcommand Command, refusing an
/// output that is one of the inputs in SM. Returns the exit code: success, or ExitUsage after
/// printing `privet <Command>: error: ...`.
int writeOutputFile(llvm::StringRef Command, const std::string &Output, std::string_view Bytes,
                    const llvm::SourceMgr &SM);

} // namespace privet::driver

#endif // PRIVET_TOOLS_OUTPUT_H
