//===- Witness.h - Concrete requests for counterexamples, written as a test would -*- C++ -*-===//
#ifndef PRIVET_ANALYSIS_WITNESS_H
#define PRIVET_ANALYSIS_WITNESS_H

#include "privet/Analysis/Space.h"

#include <string>

namespace privet::analysis {

/// The leaf request at Point, in policy Which's ids, with every attribute supplied.
Request pointToRequest(const RequestSpace &S, unsigned Which, llvm::ArrayRef<uint32_t> Point);
/// An attribute value as a test writes it: true, given, 30 days, 17.
std::string formatAttrValue(const Policy &P, uint32_t Attr, int64_t V);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_WITNESS_H
