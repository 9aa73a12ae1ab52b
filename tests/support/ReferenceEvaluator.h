//===- ReferenceEvaluator.h - Direct interpreter of the policy semantics -------*- C++ -*-===//
//
// A deliberately simple evaluator that applies docs/language.md to a Policy rule by rule, with
// no precomputation beyond what the semantics name. It is slow (it enumerates leaves and attribute
// values) and exists to be obviously right: it is the one oracle of the tests, which compare the
// decision diagram, the compiled runtime and the analyses' rule regions with it. Test-only.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TESTS_SUPPORT_REFERENCEEVALUATOR_H
#define PRIVET_TESTS_SUPPORT_REFERENCEEVALUATOR_H

#include "privet/Sema/Condition.h"
#include "privet/Sema/Policy.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace privet {

struct RefDecision {
  enum Kind : uint8_t { Allow, Deny, Error };
  Kind K = Deny;
  std::vector<uint32_t> Rules;            ///< Deciding rules (Policy::Rules indexes), sorted.
  std::vector<ObligationRef> Obligations; ///< Sorted, unique; allow only.
  std::string Message;                    ///< Why the request is an error.

  friend bool operator==(const RefDecision &A, const RefDecision &B) {
    if (A.K != B.K)
      return false;
    return A.K == Error || (A.Rules == B.Rules && A.Obligations == B.Obligations);
  }
};

class ReferenceEvaluator {
public:
  explicit ReferenceEvaluator(const Policy &P);

  /// The decision for a leaf request: a leaf per dimension (NoIndex for a dimension without a
  /// vocabulary) and a value for every attribute. Never an error.
  RefDecision decideLeaf(const std::array<LeafIndex, NumDimensions> &Leaves,
                         llvm::ArrayRef<int64_t> AttrValues) const;

  /// The decision for any request: non-leaf and omitted values, several data categories
  /// (combinations applied), omitted attributes (defaults, or an error when the decision depends
  /// on a missing one), malformed requests (an error).
  RefDecision decide(const Request &R) const;

  /// The values worth trying for an attribute: one per region its conditions can tell apart.
  std::vector<int64_t> relevantValues(uint32_t Attr) const;

  /// The data categories a request's categories expand to under the combination rules.
  std::vector<NodeId> combinedCategories(llvm::ArrayRef<NodeId> Data) const;

private:
  const Policy &P;
  std::vector<std::vector<int64_t>> Relevant;
};

} // namespace privet

#endif // PRIVET_TESTS_SUPPORT_REFERENCEEVALUATOR_H
