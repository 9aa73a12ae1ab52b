//===- Sarif.h - SARIF 2.1.0 logs that GitHub code scanning accepts ---------------*- C++ -*-===//
//
// `privet check --format sarif` and `privet diff --format sarif` write one run whose tool driver
// publishes every diagnostic kind as a rule (id = stable code) and whose results point at the
// source with physical locations relative to the working directory, notes becoming related
// locations. tests/lit/Sarif validates the output against the official schema.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TOOLING_SARIF_H
#define PRIVET_TOOLING_SARIF_H

#include "privet/Basic/Diagnostic.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace privet::tooling {

struct SarifRule {
  std::string Id;   ///< The stable code.
  std::string Name; ///< The check name.
  std::string Short, Full, Help;
  std::string HelpUri; ///< Its section of diagnostics.md under docsBaseUrl(); empty: none.
  Severity Level = Severity::Warning;
};

struct SarifLocation {
  std::string File; ///< As the tool was given it; made relative to the working directory.
  unsigned Line = 0, Column = 0, EndLine = 0, EndColumn = 0; ///< 1-based; EndColumn exclusive.
  std::string Message;                                       ///< For related locations.
};

struct SarifResult {
  std::string RuleId;
  Severity Level = Severity::Warning;
  std::string Message;
  std::optional<SarifLocation> Location;
  std::vector<SarifLocation> Related;
};

/// Where the published documentation lives, ending in `/`: $PRIVET_DOCS_URL when set (the
/// GitHub action points it at its own repository's docs/), else the build's PRIVET_DOCS_URL
/// (by default the installed docs directory, file:///usr/share/doc/privet/ for the .deb).
std::string docsBaseUrl();

/// The rules array for every diagnostic kind (analyses with their full texts and help), each
/// with a helpUri to its section of diagnostics.md.
std::vector<SarifRule> diagnosticSarifRules();
/// The engine's reported diagnostics (ignored ones excluded), in location order. (An invariant
/// of the standard library that a rule breaks is already reported at that rule by the analyses.)
std::vector<SarifResult> diagnosticSarifResults(const DiagnosticEngine &Diags);

/// A file path as a SARIF URI: relative to the working directory when under it (so GitHub maps
/// it onto the repository), otherwise an absolute file:// URI; percent-encoded.
std::string sarifUri(llvm::StringRef File);

/// Writes a complete SARIF 2.1.0 log with one run.
void writeSarif(llvm::raw_ostream &OS, const std::vector<SarifRule> &Rules,
                const std::vector<SarifResult> &Results);

} // namespace privet::tooling

#endif // PRIVET_TOOLING_SARIF_H
