//===- RandomPolicy.h - Random policies and requests for the tests and the benchmarks -*- C++
//-*-===//
//
// The one random-policy generator: small random policies for the property tests, and the draws
// and scope items the benchmark workload (bench/workload) builds its realistic policies from.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TESTS_SUPPORT_RANDOMPOLICY_H
#define PRIVET_TESTS_SUPPORT_RANDOMPOLICY_H

#include "privet/Sema/Policy.h"

#include <random>
#include <string>

namespace privet::testing {

/// Uniform draws from a generator.
struct Draw {
  std::mt19937_64 &Rng;
  /// 0 .. N-1.
  unsigned below(unsigned N) { return std::uniform_int_distribution<unsigned>(0, N - 1)(Rng); }
  /// True with probability P.
  bool chance(double P) { return std::uniform_real_distribution<double>(0, 1)(Rng) < P; }
};

/// A node of V: a leaf with probability PLeaf, otherwise any node.
NodeId pickNode(Draw &G, const Vocabulary &V, double PLeaf);

/// Adds the item `N` (or `not N`) to dimension D of S: as written, and to the leaves it covers.
void addScopeItem(Scope &S, const Vocabulary &V, unsigned D, NodeId N, bool Negated);

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

#endif // PRIVET_TESTS_SUPPORT_RANDOMPOLICY_H
