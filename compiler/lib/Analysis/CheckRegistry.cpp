//===- CheckRegistry.cpp - What each analysis means and what to do about it -------------===//
#include "privet/Analysis/Checks.h"

#include <algorithm>

using namespace privet;
using namespace privet::analysis;

static const CheckInfo Registry[] = {
    {diag::dead_rule, "allow rule that never takes effect",
     "An allow rule (or allowing exception) never decides any request: wherever it applies, deny "
     "rules or its own exceptions take precedence, so deleting it would not change the policy.",
     "Narrow or remove the deny rules named in the notes if the allow is meant to hold, or delete "
     "the allow rule."},
    {diag::unreachable_rule, "rule or exception that can never apply",
     "No leaf request satisfies the rule's scope and condition: an exception whose scope does not "
     "meet its parent's, or a condition that contradicts itself or its parent's.",
     "Fix the exception's scope or condition so that it overlaps its parent, or delete it."},
    {diag::redundant_rule, "rule subsumed by another rule",
     "Another rule with the same effect decides every request this rule applies to, with at "
     "least the same obligations: deleting this rule would change no decision's effect or "
     "obligations.",
     "Delete the redundant rule, or keep it deliberately with @suppress(redundant_rule, \"why\")."},
    {diag::unused_declaration, "vocabulary node no rule, invariant or test mentions",
     "A vocabulary node of the policy file that no rule, invariant, test, combination or "
     "obligation mentions, directly or through a node above or below it. Declarations of "
     "imported modules are not reported.",
     "Write the rules that govern it, or remove the declaration."},
    {diag::unused_attribute, "attribute no condition or test mentions",
     "An attribute of the policy file that no rule condition, invariant condition or test "
     "mentions: services would supply it for nothing.",
     "Use it in a condition or remove it."},
    {diag::unprocessed_data, "data category no request may process",
     "A data category the policy mentions, but for which no action at all is ever allowed: the "
     "notice describes data the policy never lets anyone process.",
     "Add the allow rules that the notice describes for it, or remove the category."},
    {diag::missing_legal_basis, "allow on personal data without a legal basis",
     "An allow rule permits processing of personal data without constraining the legal basis "
     "(no `under` clause, or one naming every basis). Personal data is every category at or "
     "under a category named `personal_data` or `personal_information`; a policy that declares "
     "neither treats every category as personal data. Policies without legal bases are not "
     "checked.",
     "Add `under <basis>` naming the bases the notice gives for this processing."},
    {diag::unknown_suppression, "@suppress names no known check",
     "An @suppress annotation names a check that does not exist, so it suppresses nothing.",
     "Use one of the check names listed in docs/diagnostics.md."},
    {diag::invariant_never, "`require never` invariant violated",
     "Some leaf request inside the invariant's pattern (with its condition holding) is allowed. "
     "The counterexample names a value for every dimension and attribute, and the notes show "
     "the rules that allow it.",
     "Add a deny (or narrow the allow) so the request in the counterexample is denied."},
    {diag::invariant_always, "`require always` invariant violated",
     "Some leaf request inside the invariant's pattern (with its condition holding) is denied. "
     "The counterexample names a value for every dimension and attribute, and the notes show "
     "the rules that deny it (none: denied by default).",
     "Add an allow covering the counterexample, or narrow the deny that decides it."},
    {diag::invariant_obligation, "required obligation missing",
     "Some allowed leaf request inside the invariant's pattern carries no obligation at or "
     "under one the invariant requires. The notes show the rules that allow it.",
     "Add the required obligation with `with` to the allowing rules named in the notes."},
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
  }
}
