//===- OutputFile.h - Reports written whole or not at all --------------------------*- C++ -*-===//
#ifndef PRIVET_ANALYSIS_OUTPUTFILE_H
#define PRIVET_ANALYSIS_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace privet::analysis {

/// Writes Content to Path through a temporary file in the same directory and a rename, so a
/// reader (a CI step, a dashboard) never sees a partial report.
llvm::Error writeOutputFile(llvm::StringRef Path, llvm::StringRef Content);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_OUTPUTFILE_H
