//===- CheckRegistry.cpp - The analyses in the diagnostics registry, looked up by name ---===//
//
// Their texts live with their codes in privet/Basic/DiagnosticKinds.def (DIAG_CHECK).
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Analysis/Checks.h"

#include <algorithm>

using namespace privet;
using namespace privet::analysis;

// The analyses' rows of the one registry, in registry order.
static const CheckInfo Registry[] = {
#define DIAG(Name, Severity, Code, Format)
#define DIAG_CHECK(Name, Severity, Code, Format, Title, Description, Help)                         \
  {diag::Name, Title, Description, Help},
#include "privet/Basic/DiagnosticKinds.def"
};

llvm::ArrayRef<CheckInfo> privet::analysis::checkRegistry() { return Registry; }

static std::string normaliseName(llvm::StringRef Name) {
  std::string S = Name.trim().str();
  std::replace(S.begin(), S.end(), '-', '_');
  return S;
}

const CheckInfo *privet::analysis::findCheck(llvm::StringRef NameOrCode) {
  std::string N = normaliseName(NameOrCode);
  for (const CheckInfo &C : Registry)
    if (N == C.name() || llvm::StringRef(N).equals_insensitive(C.code()))
      return &C;
  return nullptr;
}

std::optional<std::string> privet::analysis::closestCheckName(llvm::StringRef Name) {
  std::vector<std::string> Names;
  for (const CheckInfo &C : Registry)
    Names.push_back(C.name().str());
  return closestName(normaliseName(Name), Names);
}

const CheckInfo *privet::analysis::checkFor(diag::Kind K) {
  for (const CheckInfo &C : Registry)
    if (C.Kind == K)
      return &C;
  return nullptr;
}

std::string Finding::message() const {
  return detail::formatDiagnostic(diagnosticKindInfo(Kind).Format, Args);
}

void privet::analysis::reportFindings(const std::vector<Finding> &Findings,
                                      DiagnosticEngine &Diags) {
  for (const Finding &F : Findings) {
    DiagnosticBuilder B = Diags.reportFormatted(F.Kind, F.Location.Range, F.Args);
    for (const FindingNote &N : F.Notes)
      B.note(N.Location.Range, N.Message);
    if (!F.Help.empty())
      B.help(F.Help);
  }
}
