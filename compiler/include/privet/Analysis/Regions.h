//===- Regions.h - Where each rule applies, decides, and what the policy allows -*- C++ -*-===//
//
// The semantics of docs/language.md as sets of leaf requests. For every rule r:
//   applies(r)   its scope and condition, intersected with its parent's (exceptions);
//   excAny(r)    where one of its exceptions applies (and so decides r's outcome);
//   denyOut(r) / allowOut(r)   where r's outcome is deny / allow;
//   own(r)       applies(r) minus excAny(r): where r's own effect is its outcome.
// A deny rule *originates* a deny decision on own(r); an allow rule originates an allow decision
// on own(r) minus the places where a sibling deny exception overrides one of its ancestors, and
// only where the policy allows. Deciding rules are the originating rules, so the analyses, the
// witness printer and the test runner all agree on which rules decide a request.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_REGIONS_H
#define PRIVET_ANALYSIS_REGIONS_H

#include "privet/Analysis/Space.h"

#include <array>
#include <vector>

namespace privet::analysis {

/// The decision for one leaf request.
struct PointDecision {
  bool Allow = false;
  std::vector<uint32_t> Rules;            ///< Deciding rules, ascending.
  std::vector<ObligationRef> Obligations; ///< Sorted, unique; allow only.
};

class PolicyRegions {
public:
  /// Computes the regions of every rule of policy Which in S.
  PolicyRegions(RequestSpace &S, unsigned Which);

  RequestSpace &space() { return S; }
  const Policy &policy() const { return P; }
  unsigned which() const { return Which; }

  Mdd::Ref applies(uint32_t R) const { return Applies[R]; }
  /// The conditions of R and of every rule enclosing it, conjoined (True without any): a set
  /// over the attribute variables only. applies(R) is exactly the product of this and the cube
  /// of effectiveDims(R), since every scope is a cube over the dimensions.
  Mdd::Ref guard(uint32_t R) const { return Guards[R]; }
  Mdd::Ref excAny(uint32_t R) const { return ExcAny[R]; }
  Mdd::Ref excDeny(uint32_t R) const { return ExcDeny[R]; }
  Mdd::Ref denyOut(uint32_t R) const { return DenyOut[R]; }
  Mdd::Ref allowOut(uint32_t R) const { return AllowOut[R]; }
  Mdd::Ref own(uint32_t R) const { return Own[R]; }
  /// Where a sibling deny exception of one of R's ancestors overrides R's allow.
  Mdd::Ref blocked(uint32_t R) const { return Blocked[R]; }
  /// Where R is among the deciding rules.
  Mdd::Ref origin(uint32_t R);

  Mdd::Ref denied() const { return Denied; }
  Mdd::Ref allowed() const { return Allowed; }

  /// The obligations R's allow carries: its own and those of its enclosing allow rules.
  const std::vector<ObligationRef> &effectiveObligations(uint32_t R) const {
    return EffObligations[R];
  }
  /// Per dimension the shared values of R's effective scope: its own scope's values within
  /// those of the rules enclosing it. With guard(R), exactly applies(R); on their own a
  /// superset of applies(R)'s projection, for cheap pre-filtering before exact set operations.
  const std::array<llvm::BitVector, NumDimensions> &effectiveDims(uint32_t R) const {
    return EffDims[R];
  }
  /// Where the decision is allow and carries an obligation satisfying Pred.
  Mdd::Ref carrying(const std::function<bool(const ObligationRef &)> &Pred);

  /// The decision for a leaf request given as a full point of the space.
  PointDecision decide(llvm::ArrayRef<uint32_t> Point) const;

private:
  void computeOutcome(uint32_t R, std::vector<uint8_t> &State);

  RequestSpace &S;
  const Policy &P;
  unsigned Which;
  std::vector<Mdd::Ref> Applies, Guards, ExcAny, ExcDeny, DenyOut, AllowOut, Own, Blocked;
  std::vector<Mdd::Ref> Origins; ///< Lazily built; NoIndex until then.
  std::vector<std::vector<ObligationRef>> EffObligations;
  std::vector<std::array<llvm::BitVector, NumDimensions>> EffDims;
  Mdd::Ref Denied = Mdd::False, Allowed = Mdd::False;
};

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_REGIONS_H
