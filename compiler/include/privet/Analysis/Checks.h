//===- Checks.h - The analyses of `privet check`: findings, their registry, their switches -*- C++ -*-===//
//
// Every analysis finding has a stable code (W04xx warnings, E05xx errors), a check name used by
// `-W no-<name>`, `-W error=<name>` and `@suppress(<name>, "reason")`, a location and notes at the
// other declarations involved. The registry below is also what the SARIF writer publishes as the
// tool's rules, and each entry is documented in docs/diagnostics.md.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_ANALYSIS_CHECKS_H
#define PRIVET_ANALYSIS_CHECKS_H

#include "privet/Sema/Policy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace privet::analysis {

enum class Level : uint8_t { None, Note, Warning, Error };
llvm::StringRef levelName(Level L); ///< "none", "note", "warning", "error".

/// One analysis, as published in the registry.
struct CheckInfo {
  const char *Code;        ///< "W0401".
  const char *Name;        ///< "dead_rule": for -W and @suppress (dashes accepted too).
  Level Default;
  const char *Short;       ///< One line.
  const char *Full;        ///< What it means.
  const char *Help;        ///< What to do about it.
};

llvm::ArrayRef<CheckInfo> checkRegistry();
/// By name ("dead_rule" or "dead-rule") or code ("W0401"); nullptr when unknown.
const CheckInfo *findCheck(llvm::StringRef NameOrCode);

/// A related location: the other rule, the deny that covers, the rule deciding a counterexample.
struct FindingNote {
  Loc Location;
  std::string Message;
};

/// A diagnostic record independent of how it is rendered (text, JSON, SARIF). Front-end
/// diagnostics are converted into these for the machine-readable formats too.
struct Finding {
  std::string Code;
  std::string CheckName; ///< Empty for front-end diagnostics.
  Level Severity = Level::Warning;
  Loc Location;
  std::string Message;
  std::vector<FindingNote> Notes;
};

/// `-W no-<name>`, `-W error=<name>`, `--deny-warnings`.
class WarningOptions {
public:
  /// Parses one -W argument; returns an error message for an unknown name or form.
  std::optional<std::string> parse(llvm::StringRef Arg);
  bool DenyWarnings = false;
  /// The level a finding of this check is reported at (None: switched off).
  Level levelFor(const CheckInfo &C) const;
  /// Applies the switches to findings: drops disabled ones, raises the promoted ones.
  void apply(std::vector<Finding> &Findings) const;

private:
  std::map<std::string, Level> Overrides; ///< By check name.
};

struct AnalysisOptions {
  /// Whether findings located in file F (Policy::Files index) are reported. Rules of imported
  /// library modules (the standard library) are analysed as part of the policy but their own
  /// findings are not the user's to fix. Default: every file.
  std::function<bool(uint32_t File)> Reportable;
  /// How many related notes to attach at most (the rest are counted in the message).
  unsigned MaxNotes = 8;
};

/// Runs every analysis on P. Findings are sorted by location; suppressed ones are removed.
/// Severity is each check's default: apply WarningOptions afterwards.
std::vector<Finding> runAnalyses(const Policy &P, const AnalysisOptions &Opts = {});

/// Renders a request (a value per dimension, the attributes) the way a test would write it:
/// "share email_address about customers ... given age = 17, consent_status = given".
std::string describeRequest(const Policy &P, const Request &R);

} // namespace privet::analysis

#endif // PRIVET_ANALYSIS_CHECKS_H
