//===- Witness.h - Concrete requests for counterexamples, written as a test would -*- C++ -*-===//
#ifndef PRIVET_ANALYSIS_WITNESS_H
#define PRIVET_ANALYSIS_WITNESS_H

#include "privet/Analysis/Space.h"

#include <string>

namespace privet::analysis {

/// The leaf request at Point, in policy Which's ids, with every attribute supplied.
/// With Free (a flag per variable of the space), the variables flagged are left out: the
/// dimension gets no value, the attribute is not supplied.
Request pointToRequest(const RequestSpace &S, unsigned Which, llvm::ArrayRef<uint32_t> Point,
                       const std::vector<bool> &Free = {});
/// The variables a counterexample does not depend on: greedily (attributes first, then the
/// dimensions from the last: regions before actions), each variable whose every value keeps the
/// point, with the variables already freed, inside Set. Variables flagged in Keep stay fixed. Point
/// must be in Set.
std::vector<bool> freeVariables(const RequestSpace &S, Mdd &M, Mdd::Ref Set,
                                llvm::ArrayRef<uint32_t> Point, const std::vector<bool> &Keep);
/// An attribute value as a test writes it: true, given, 30 days, 17.
std::string formatAttrValue(const Policy &P, uint32_t Attr, int64_t V);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_WITNESS_H
