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
  };
  Kind K = NowAllowed;
  std::string Obligation; ///< For obligation changes: the obligation as written, `name(arg)`.
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
  std::vector<DiffChange> Changes;   ///< Grouped by kind, then sorted by text.
  std::array<unsigned, 4> Omitted{}; ///< Per kind: regions beyond the limit, not listed.
  unsigned count(DiffChange::Kind K) const;
  bool morePermissive() const; ///< Something newly allowed, or an obligation dropped.
  bool lessPermissive() const; ///< Something newly denied, or an obligation added.
  bool empty() const { return Changes.empty(); }
};

/// Compares Old and New exactly. MaxPerKind bounds the listed regions of each kind.
DiffResult diffPolicies(const Policy &Old, const Policy &New, unsigned MaxPerKind = 100);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_DIFF_H
