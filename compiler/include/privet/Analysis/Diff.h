//===- Diff.h - What changed in what two policies permit, summarised for people -*- C++ -*-===//
//
// Both policies are placed in one request space (values and attributes matched by qualified
// name), their allowed regions compared exactly, and each changed region cut into products that
// are then named at the highest hierarchy nodes they fully cover, per dimension: a pull request
// that lets `share` reach `ad_tech_providers` reads as one line, not as every leaf tuple.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_DIFF_H
#define PRIVET_ANALYSIS_DIFF_H

#include "privet/Sema/Policy.h"

#include <array>
#include <string>
#include <vector>

namespace privet::analysis {

struct DiffChange {
  enum Kind : uint8_t {
    NowAllowed,        ///< denied (or unknown) before, allowed now
    NowDenied,         ///< allowed before, denied now
    ObligationAdded,   ///< allowed in both, now also carries Obligation
    ObligationRemoved, ///< allowed in both, no longer carries Obligation
    /// Allowed in both, the obligation's argument changed: Obligation is the old form, To the new
    /// (an added `retain_for(360 days)` paired with a removed `retain_for(390 days)` of the same
    /// region reads as one change).
    ObligationChanged,
    /// A value only the new policy declares, allowed by rules the old policy already had (rules
    /// with no clause for its dimension inherit it): one finding per value, not a region per rule.
    NewValueCovered,
  };
  static constexpr unsigned NumKinds = 6;
  Kind K = NowAllowed;
  std::string Obligation; ///< For obligation changes: the obligation as written, `name(arg)`.
  std::string To;         ///< ObligationChanged: the new form of Obligation.
  std::string Value;      ///< NewValueCovered: the new value's name.
  /// Per dimension the nodes the region covers; empty: every value. Negated: "every value except
  /// these" (chosen when it is the shorter way to say it).
  std::array<std::vector<std::string>, NumDimensions> Values;
  std::array<bool, NumDimensions> Negated{};
  /// Attribute restrictions, rendered: "age < 18", "consent_status in {given, withdrawn}".
  std::vector<std::string> Conditions;
  /// Rules that decide a request of the region: (0 = old, 1 = new, rule index). For what is now
  /// allowed or obliged differently, the new policy's; for what is now denied, the new policy's
  /// denies, or the old allow that no longer holds when the new policy denies by default.
  std::vector<std::pair<unsigned, uint32_t>> Rules;
  /// The whole change as one line: "share `email` to `ad_tech` for `ads` under `consent`".
  std::string Text;
};

llvm::StringRef changeKindName(DiffChange::Kind K);  ///< "now-allowed", "now-denied", ...
llvm::StringRef changeKindTitle(DiffChange::Kind K); ///< "now allowed", "now denied", ...

struct DiffResult {
  std::vector<DiffChange> Changes; ///< Grouped by kind, then sorted by text.
  std::array<unsigned, DiffChange::NumKinds>
      Omitted{}; ///< Per kind: regions beyond the limit, not listed.
  unsigned count(DiffChange::Kind K) const;
  /// Something newly allowed, an obligation dropped or changed, or a new value covered.
  bool morePermissive() const;
  /// Something newly denied, or an obligation added or changed. A changed argument counts both
  /// ways: whether 360 days is stricter than 390 depends on the obligation, which Privet does not
  /// know.
  bool lessPermissive() const;
  bool empty() const { return Changes.empty(); }
};

/// Compares Old and New exactly. MaxPerKind bounds the listed regions of each kind.
DiffResult diffPolicies(const Policy &Old, const Policy &New, unsigned MaxPerKind = 100);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_DIFF_H
