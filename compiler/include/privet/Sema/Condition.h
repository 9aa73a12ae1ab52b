//===- Condition.h - A checked condition evaluated under attribute values ---------*- C++ -*-===//
//
// The literal reading of a `when` condition, for code that has concrete attribute values: the
// tests' reference evaluator and the diagram's witness search. Defined in Policy.cpp.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_CONDITION_H
#define PRIVET_SEMA_CONDITION_H

#include "privet/Sema/Policy.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace privet {

/// Whether C holds when attribute A has the value AttrValues[A] (0 for one beyond the array).
bool evaluateCondition(const Cond &C, llvm::ArrayRef<int64_t> AttrValues);

} // namespace privet

#endif // PRIVET_SEMA_CONDITION_H
