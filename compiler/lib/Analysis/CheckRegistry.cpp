//===- CheckRegistry.cpp - The analyses' codes, names, descriptions and -W switches -----===//
#include "privet/Analysis/Checks.h"

#include <algorithm>

using namespace privet::analysis;

llvm::StringRef privet::analysis::levelName(Level L) {
  switch (L) {
  case Level::None:
    return "none";
  case Level::Note:
    return "note";
  case Level::Warning:
    return "warning";
  case Level::Error:
    return "error";
  }
  return "none";
}

static const CheckInfo Registry[] = {
    {"W0401", "dead_rule", Level::Warning, "allow rule that never takes effect",
     "An allow rule (or allowing exception) never decides any request: wherever it applies, deny "
     "rules or its own exceptions take precedence, so deleting it would not change the policy.",
     "Narrow or remove the deny rules named in the notes if the allow is meant to hold, or delete "
     "the allow rule."},
    {"W0402", "unreachable_rule", Level::Warning, "rule or exception that can never apply",
     "No leaf request satisfies the rule's scope and condition: an exception whose scope does not "
     "meet its parent's, or a condition that contradicts itself or its parent's.",
     "Fix the exception's scope or condition so that it overlaps its parent, or delete it."},
    {"W0403", "redundant_rule", Level::Warning, "rule subsumed by another rule",
     "Another rule with the same effect decides every request this rule applies to, with at "
     "least the same obligations: deleting this rule would change no decision's effect or "
     "obligations.",
     "Delete the redundant rule, or keep it deliberately with @suppress(redundant_rule, \"why\")."},
    {"W0404", "unused_declaration", Level::Warning, "vocabulary node no rule, invariant or test mentions",
     "A vocabulary node of the policy file that no rule, invariant, test, combination or "
     "obligation mentions, directly or through a node above or below it. Declarations of "
     "imported modules are not reported.",
     "Write the rules that govern it, or remove the declaration."},
    {"W0405", "unused_attribute", Level::Warning, "attribute no condition or test mentions",
     "An attribute of the policy file that no rule condition, invariant condition or test "
     "mentions: services would supply it for nothing.",
     "Use it in a condition or remove it."},
    {"W0406", "unprocessed_data", Level::Warning, "data category no request may process",
     "A data category the policy mentions, but for which no action at all is ever allowed: the "
     "notice describes data the policy never lets anyone process.",
     "Add the allow rules that the notice describes for it, or remove the category."},
    {"W0407", "missing_legal_basis", Level::Warning, "allow on personal data without a legal basis",
     "An allow rule permits processing of personal data without constraining the legal basis "
     "(no `under` clause, or one naming every basis). Personal data is every category at or "
     "under a category named `personal_data` or `personal_information`; a policy that declares "
     "neither treats every category as personal data. Policies without legal bases are not "
     "checked.",
     "Add `under <basis>` naming the bases the notice gives for this processing."},
    {"W0408", "unknown_suppression", Level::Warning, "@suppress names no known check",
     "An @suppress annotation names a check that does not exist, so it suppresses nothing.",
     "Use one of the check names listed in docs/diagnostics.md."},
    {"E0501", "invariant_never", Level::Error, "`require never` invariant violated",
     "Some leaf request inside the invariant's pattern (with its condition holding) is allowed. "
     "The counterexample names a value for every dimension and attribute, and the notes show "
     "the rules that allow it.",
     "Add a deny (or narrow the allow) so the request in the counterexample is denied."},
    {"E0502", "invariant_always", Level::Error, "`require always` invariant violated",
     "Some leaf request inside the invariant's pattern (with its condition holding) is denied. "
     "The counterexample names a value for every dimension and attribute, and the notes show "
     "the rules that deny it (none: denied by default).",
     "Add an allow covering the counterexample, or narrow the deny that decides it."},
    {"E0503", "invariant_obligation", Level::Error, "required obligation missing",
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
    if (N == C.Name || llvm::StringRef(N).equals_insensitive(C.Code))
      return &C;
  return nullptr;
}

std::optional<std::string> WarningOptions::parse(llvm::StringRef Arg) {
  Arg = Arg.trim();
  if (Arg == "error") {
    DenyWarnings = true;
    return std::nullopt;
  }
  Level L = Level::None;
  llvm::StringRef Name = Arg;
  if (Arg.consume_front("no-")) {
    Name = Arg;
    L = Level::None;
  } else if (Arg.consume_front("error=")) {
    Name = Arg;
    L = Level::Error;
  } else if (Arg.consume_front("warning=")) {
    Name = Arg;
    L = Level::Warning;
  } else {
    // `-W dead-rule` turns a check back on at its default level.
    const CheckInfo *C = findCheck(Arg);
    if (!C)
      return "unknown check `" + Arg.str() + "` in `-W`; expected `no-<check>`, `error=<check>` "
             "or `<check>`";
    Overrides[C->Name] = C->Default;
    return std::nullopt;
  }
  const CheckInfo *C = findCheck(Name);
  if (!C)
    return "unknown check `" + Name.str() + "` in `-W`";
  Overrides[C->Name] = L;
  return std::nullopt;
}

Level WarningOptions::levelFor(const CheckInfo &C) const {
  auto It = Overrides.find(C.Name);
  Level L = It == Overrides.end() ? C.Default : It->second;
  if (DenyWarnings && L == Level::Warning)
    L = Level::Error;
  return L;
}

void WarningOptions::apply(std::vector<Finding> &Findings) const {
  std::vector<Finding> Out;
  for (Finding &F : Findings) {
    if (!F.CheckName.empty()) {
      if (const CheckInfo *C = findCheck(F.CheckName))
        F.Severity = levelFor(*C);
    } else if (DenyWarnings && F.Severity == Level::Warning) {
      F.Severity = Level::Error;
    }
    if (F.Severity != Level::None)
      Out.push_back(std::move(F));
  }
  Findings = std::move(Out);
}
