//===- RandomPolicy.h - Random small policies and requests for property tests ---*- C++ -*-===//
#ifndef PRIVET_TESTS_LOWER_RANDOMPOLICY_H
#define PRIVET_TESTS_LOWER_RANDOMPOLICY_H

#include "privet/Sema/Policy.h"

#include <random>
#include <string>

namespace privet::testing {

/// Recomputes Leaves, LeafOf and Covers of a vocabulary from its Parents/Children.
void closeVocabulary(Vocabulary &V);

/// A random policy: small DAG hierarchies (some dimensions empty), bool/enum/int/duration
/// attributes with and without defaults, rules with negated scope items, conditions, obligations
/// with arguments, exceptions nested up to three deep, and combinations.
Policy randomPolicy(std::mt19937_64 &Rng);

/// A random request against P: leaves, non-leaf values, omitted dimensions, several data
/// categories, missing attributes.
Request randomRequest(const Policy &P, std::mt19937_64 &Rng);

/// Removes rule R and its exceptions, renumbering the others.
void removeRule(Policy &P, uint32_t R);

/// A readable rendering of a policy and a request, for failure messages.
std::string describePolicy(const Policy &P);
std::string describeRequest(const Policy &P, const Request &R);

} // namespace privet::testing

#endif // PRIVET_TESTS_LOWER_RANDOMPOLICY_H
