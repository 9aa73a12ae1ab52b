//===- Output.cpp - Where the subcommands write their `-o` files ---------------------===//
#include "Output.h"

#include "Command.h"

#include "privet/Artifact.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::driver {

std::string inputNamedBy(llvm::StringRef Output, const llvm::SourceMgr &SM) {
  for (unsigned Id = 1, N = SM.getNumBuffers(); Id <= N; ++Id) {
    llvm::StringRef Input = SM.getMemoryBuffer(Id)->getBufferIdentifier();
    // equivalent() compares device and inode after following links; a path that does not
    // exist (a new output, an in-memory buffer) is not an input.
    bool Same = false;
    if (!llvm::sys::fs::equivalent(Output, Input, Same) && Same)
      return Input.str();
  }
  return "";
}

int writeOutputFile(llvm::StringRef Command, const std::string &Output, std::string_view Bytes,
                    const llvm::SourceMgr &SM) {
  if (Output == "-") {
    llvm::outs() << llvm::StringRef(Bytes.data(), Bytes.size());
    return ExitSuccess;
  }
  if (std::string Input = inputNamedBy(Output, SM); !Input.empty()) {
    llvm::errs() << "privet " << Command << ": error: refusing to write `" << Output
                 << "`: it is the input `" << Input << "`\n";
    return ExitUsage;
  }
  if (rt::Status Written = rt::writeFileAtomically(Output, Bytes); !Written) {
    llvm::errs() << "privet " << Command << ": error: " << Written.error() << "\n";
    return ExitUsage;
  }
  return ExitSuccess;
}

} // namespace privet::driver
