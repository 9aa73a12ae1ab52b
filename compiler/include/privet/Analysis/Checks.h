//===- Checks.h - The analyses of `privet check`: findings, their registry, their switches -*- C++
//-*-===//
//
// Every analysis finding has a stable code (W04xx warnings, E05xx errors), a check name used by
// `-W no-<name>`, `-W error=<name>` and `@suppress(<name>, "reason")`, a location and notes at the
// other declarations involved. The registry below is also what the SARIF writer publishes as the
// tool's rules, and each entry is documented in docs/diagnostics.md.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_CHECKS_H
#define PRIVET_ANALYSIS_CHECKS_H

#include "privet/Basic/Diagnostic.h"
#include "privet/Sema/Policy.h"
#include "privet/Space/NodeStore.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace privet::analysis {

/// One analysis: its diagnostic kind (code, name, format and default severity live in
/// privet/Basic/DiagnosticKinds.def) and the longer texts SARIF and the docs publish.
struct CheckInfo {
  diag::Kind Kind;
  const char *Short; ///< One line.
  const char *Full;  ///< What it means.
  const char *Help;  ///< What to do about it.

  llvm::StringRef name() const { return diagnosticKindInfo(Kind).Name; }
  llvm::StringRef code() const { return diagnosticKindInfo(Kind).Code; }
};

llvm::ArrayRef<CheckInfo> checkRegistry();
/// By name ("dead_rule" or "dead-rule") or code ("W0401"); nullptr when unknown.
const CheckInfo *findCheck(llvm::StringRef NameOrCode);
/// The check whose name is nearest to Name (a misspelt `@suppress` or `-W` name), if any is near.
std::optional<std::string> closestCheckName(llvm::StringRef Name);
/// The analysis behind a diagnostic kind; nullptr for front-end kinds.
const CheckInfo *checkFor(diag::Kind K);

/// A related location: the other rule, the deny that covers, the rule deciding a counterexample.
struct FindingNote {
  Loc Location;
  std::string Message;
};

struct Finding {
  diag::Kind Kind;
  std::vector<std::string> Args; ///< For the kind's format.
  Loc Location;
  std::vector<FindingNote> Notes;
  std::string Help; ///< E.g. "did you mean `dead_rule`?"; empty if none.

  std::string message() const;
};

struct AnalysisOptions {
  /// Whether findings located in file F (Policy::Files index) are reported. Rules of imported
  /// library modules (the standard library) are analysed as part of the policy but their own
  /// findings are not the user's to fix. Invariant violations are always reported: importing
  /// an invariant module is asking for them. Default: every file.
  std::function<bool(uint32_t File)> Reportable;
  /// How many related notes to attach at most (the rest are counted in the last one).
  unsigned MaxNotes = 8;
  /// Candidate tests the whole check may spend finding which denies cover each dead rule (its
  /// notes). Indexed, this is far below the limit on real policies; a policy built so that
  /// every dead rule overlaps every deny would make it quadratic. Past the limit dead rules
  /// are still reported, exactly, with a note that their covering rules were not listed.
  uint64_t MaxNoteTests = 50'000'000;
  /// How large the analyses' set diagrams may grow. Over it no finding can be trusted, so the
  /// analyses report one E0504 error instead of their findings.
  space::Budget SetBudget;
};

/// Runs every analysis on P. Findings are sorted by location; ones suppressed inline with
/// `@suppress(<check>, "reason")` are dropped. Severities (and -W switches) are the
/// DiagnosticEngine's business when the findings are reported.
std::vector<Finding> runAnalyses(const Policy &P, const AnalysisOptions &Opts = {});

/// Reports findings through Diags, with notes at their related locations.
void reportFindings(const std::vector<Finding> &Findings, DiagnosticEngine &Diags);

/// Renders a request (a value per dimension, the attributes) the way a test would write it:
/// "share email_address about customers ... given age = 17, consent_status = given".
std::string describeRequest(const Policy &P, const Request &R);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_CHECKS_H
