//===- Diff.cpp - `privet diff` against an earlier version, as part of the findings ----------===//
#include "privet/Analysis/Diff.h"
#include "privet/Report/Report.h"

#include "llvm/Support/Path.h"

namespace privet::report {

void attachDiff(Report &R, const Policy &Old, const Policy &New, llvm::StringRef OldFile,
                unsigned MaxPerKind) {
  analysis::DiffResult D = analysis::diffPolicies(Old, New, MaxPerKind);
  ReportDiff Out;
  Out.Against = llvm::sys::path::filename(OldFile).str();
  for (unsigned N : D.Omitted)
    Out.Omitted += N;
  for (const analysis::DiffChange &C : D.Changes) {
    ReportChange X;
    X.Kind = analysis::changeKindName(C.K).str();
    X.Title = analysis::changeKindTitle(C.K).str();
    // A changed obligation reads "old → new" wherever the report shows the obligation.
    X.Obligation = C.To.empty() ? C.Obligation : C.Obligation + " → " + C.To;
    X.Text = C.Text;
    for (auto [Version, Rule] : C.Rules) {
      if (Version == 1 && Rule < New.Rules.size())
        X.Rules.push_back(Rule);
      else if (Version == 0 && Rule < Old.Rules.size())
        X.OldRules.push_back(Old.Rules[Rule].Id);
    }
    Out.Changes.push_back(std::move(X));
  }
  R.Diff = std::move(Out);
}

} // namespace privet::report
