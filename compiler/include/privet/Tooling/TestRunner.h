//===- TestRunner.h - `privet test`: expectations against the compiled runtime ----*- C++ -*-===//
//
// Each policy is lowered and loaded into the embeddable runtime exactly as a service would load
// it, and every `expect` is decided there: a passing test suite is a statement about what the
// deployed artifact does, not about a separate interpreter. Coverage counts the rules that decided
// at least one expectation.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TOOLING_TESTRUNNER_H
#define PRIVET_TOOLING_TESTRUNNER_H

#include "privet/Sema/Policy.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace privet::tooling {

struct ExpectationResult {
  uint32_t Test = 0;        ///< Index into Policy::Tests.
  uint32_t Expectation = 0; ///< Index into TestCase::Expectations.
  bool Passed = false;
  enum Outcome : uint8_t { Allow, Deny, Error };
  Outcome Actual = Deny;
  std::vector<uint32_t> Rules;            ///< Deciding rules (Policy::Rules indexes).
  std::vector<ObligationRef> Obligations; ///< Carried by an allow.
  std::string ErrorMessage;               ///< When Actual == Error.
  std::string Failure;                    ///< Why it failed, for people; empty when passed.
  /// For an expected allow that was denied: the runtime's "why not" text (CompiledPolicy::
  /// whyNotText) and JSON (whyNotJson); empty otherwise.
  std::string WhyNot;
  std::string WhyNotJson;
};

struct PolicyTestReport {
  std::string File; ///< The file given on the command line.
  const Policy *P = nullptr;
  std::vector<ExpectationResult> Results;
  /// Rules counted for coverage (those of the user's files) and which of them decided something.
  std::vector<uint32_t> CountedRules;
  std::vector<uint32_t> UncoveredRules;
  unsigned passed() const;
  unsigned failed() const;
  double coverage() const; ///< Percent of CountedRules exercised (100 when there are none).
};

/// Compiles P, loads it into the runtime and runs every expectation of every test. Counted(R)
/// says whether rule R counts for coverage (default: every rule).
llvm::Expected<PolicyTestReport>
runPolicyTests(const Policy &P, llvm::StringRef File,
               const std::function<bool(uint32_t Rule)> &Counted = nullptr);

enum class TestFormat { Text, Json, JUnit };

struct TestOutputOptions {
  TestFormat Format = TestFormat::Text;
  bool Coverage = false;
  bool Color = false;
};

/// Writes the reports: text (failures with the expectation's location, the actual decision and
/// the deciding rules with their source lines), JSON, or JUnit XML.
void writeTestReports(llvm::raw_ostream &OS, const std::vector<PolicyTestReport> &Reports,
                      const TestOutputOptions &Opts);

/// "allow", "deny", "error".
llvm::StringRef outcomeName(ExpectationResult::Outcome O);

} // namespace privet::tooling

#endif // PRIVET_TOOLING_TESTRUNNER_H
