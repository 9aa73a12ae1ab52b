//===- OutputFile.cpp - Reports written whole or not at all -----------------------------===//
#include "privet/Analysis/OutputFile.h"

#include "llvm/Support/FileUtilities.h"

llvm::Error privet::analysis::writeOutputFile(llvm::StringRef Path, llvm::StringRef Content) {
  std::string Model = (Path + ".tmp-%%%%%%%%").str();
  if (llvm::Error E = llvm::writeFileAtomically(Model, Path, Content))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write `" + Path.str() +
                                       "`: " + llvm::toString(std::move(E)));
  return llvm::Error::success();
}
