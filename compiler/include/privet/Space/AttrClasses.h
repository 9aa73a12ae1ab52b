//===- AttrClasses.h - Attribute value classes: cuts, representatives, descriptions -*- C++ -*-===//
//
// Attribute values matter only up to the comparisons written in conditions: each int or duration
// attribute is cut into intervals at those constants, so every `attribute OP constant` is constant
// on an interval; bool and enum attributes keep their values. The analyses' space and Lower's
// decision diagram both test attributes by these classes, built here once, and decide a condition
// on a class with the one comparison evaluator (privet/Sema/Condition.h).
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SPACE_ATTRCLASSES_H
#define PRIVET_SPACE_ATTRCLASSES_H

#include "privet/Sema/Policy.h"

#include "privet/Sema/Condition.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace privet::space {

// The one evaluator of comparisons (privet/Sema/Condition.h), under the space's names.
using privet::attrCondHolds;
using privet::compare;

/// Per attribute of P (Policy::Attributes index), the cut points the comparisons of its rules and
/// invariants need, ascending and unique; empty for bool and enum attributes.
std::vector<std::vector<int64_t>> collectCuts(const Policy &P);

/// The value classes of one attribute.
struct AttrClasses {
  AttrKind Kind = AttrKind::Bool;
  uint32_t Size = 2;         ///< Number of classes.
  std::vector<int64_t> Cuts; ///< Int/duration only: class I is [Cuts[I-1], Cuts[I]).

  /// Bool: {false, true}; enum: one class per value (at least one); int and duration: the
  /// intervals between Cuts (ascending, unique).
  static AttrClasses make(AttrKind K, std::vector<int64_t> Cuts, uint32_t NumEnumValues);

  uint32_t size() const { return Size; }
  /// The class holding value V (a bool or enum value out of range is clamped into it).
  uint32_t indexOf(int64_t V) const;
  /// A value inside class I: Preferred when the class holds it, else the interval's lower bound
  /// (for the unbounded first interval 0 when inside it, as for durations and ages, else just
  /// below the first cut).
  int64_t representative(uint32_t I, std::optional<int64_t> Preferred = std::nullopt) const;
  /// Class I for people: "true", an enum value's name, "< 18", "== 18", ">= 18 and < 65";
  /// durations in domain::formatDuration's form.
  std::string describe(uint32_t I, llvm::ArrayRef<std::string> EnumValues = {}) const;
};

/// The classes of every attribute of P, as its rules and invariants cut them.
std::vector<AttrClasses> attributeClasses(const Policy &P);

/// An int as written ("17"), a duration in domain::formatDuration's form ("30 days").
std::string formatNumber(AttrKind K, int64_t V);

} // namespace privet::space

#endif // PRIVET_SPACE_ATTRCLASSES_H
