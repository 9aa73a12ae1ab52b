//===- Condition.h - A checked condition evaluated under attribute values ---------*- C++ -*-===//
//
// The literal reading of a `when` condition, for code that has concrete attribute values: the one
// evaluator of comparisons and conditions that the request space, the diagram and the tests'
// reference evaluator share. Defined in Policy.cpp.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_CONDITION_H
#define PRIVET_SEMA_CONDITION_H

#include "privet/Sema/Policy.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace privet {

/// `L Op R`.
bool compare(CmpOp Op, int64_t L, int64_t R);

/// Whether the attribute condition C (BoolAttr, Compare or InSet) holds of the value V.
bool attrCondHolds(const Cond &C, int64_t V);

/// Whether C holds when attribute A has the value AttrValues[A] (0 for one beyond the array).
bool evaluateCondition(const Cond &C, llvm::ArrayRef<int64_t> AttrValues);

} // namespace privet

#endif // PRIVET_SEMA_CONDITION_H
