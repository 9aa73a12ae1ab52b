//===- TestRunner.cpp - `privet test`: expectations against the compiled runtime -------===//
#include "privet/Tooling/TestRunner.h"

#include "privet/Artifact.h"
#include "privet/Basic/Markup.h"
#include "privet/Domain.h"
#include "privet/Json.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>

using namespace privet;
using namespace privet::tooling;

llvm::StringRef privet::tooling::outcomeName(ExpectationResult::Outcome O) {
  switch (O) {
  case ExpectationResult::Allow:
    return "allow";
  case ExpectationResult::Deny:
    return "deny";
  case ExpectationResult::Error:
    return "error";
  }
  return "error";
}

unsigned PolicyTestReport::passed() const {
  return std::count_if(Results.begin(), Results.end(),
                       [](const ExpectationResult &R) { return R.Passed; });
}

unsigned PolicyTestReport::failed() const { return Results.size() - passed(); }

double PolicyTestReport::coverage() const {
  if (CountedRules.empty())
    return 100.0;
  return 100.0 * double(CountedRules.size() - UncoveredRules.size()) / double(CountedRules.size());
}

namespace {

std::string obligationText(const Policy &P, const ObligationRef &O) {
  std::string Name =
      O.Obligation < P.Obligations.Nodes.size() ? P.Obligations.Nodes[O.Obligation].Name : "?";
  if (!O.Arg)
    return Name;
  const VocabNode &N = P.Obligations.Nodes[O.Obligation];
  AttrKind K = N.ParamKind.value_or(AttrKind::Int);
  if (K == AttrKind::Enum && N.ParamEnum < P.Enums.size() && *O.Arg >= 0 &&
      size_t(*O.Arg) < P.Enums[N.ParamEnum].Values.size())
    return Name + "(" + P.Enums[N.ParamEnum].Values[*O.Arg] + ")";
  if (K == AttrKind::Bool)
    return Name + "(" + (*O.Arg ? "true" : "false") + ")";
  if (K == AttrKind::Duration)
    return Name + "(" + domain::formatDuration(*O.Arg) + ")";
  return Name + "(" + std::to_string(*O.Arg) + ")";
}

bool coversObligation(const Policy &P, const ObligationRef &Have, const ObligationRef &Want) {
  if (Want.Arg && Have.Arg != Want.Arg)
    return false;
  if (Have.Obligation == Want.Obligation)
    return true;
  const Vocabulary &V = P.Obligations;
  if (Have.Obligation >= V.Covers.size() || Want.Obligation >= V.Covers.size())
    return false;
  return V.Covers[Have.Obligation].isSubsetOf(V.Covers[Want.Obligation]);
}

} // namespace

llvm::Expected<PolicyTestReport>
privet::tooling::runPolicyTests(const Policy &P, llvm::StringRef File,
                                const std::function<bool(uint32_t Rule)> &Counted) {
  llvm::Expected<rt::ArtifactContents> Contents = compilePolicy(P);
  if (!Contents)
    return Contents.takeError();
  std::string Bytes = rt::serializeArtifact(*Contents);
  auto Loaded = rt::CompiledPolicy::fromBytes(Bytes);
  if (!Loaded)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the compiled policy does not load: " + Loaded.error());
  const rt::CompiledPolicy &CP = **Loaded;

  PolicyTestReport Report;
  Report.File = File.str();
  Report.P = &P;
  std::vector<bool> Exercised(P.Rules.size(), false);
  for (uint32_t T = 0; T != P.Tests.size(); ++T) {
    const TestCase &TC = P.Tests[T];
    for (uint32_t E = 0; E != TC.Expectations.size(); ++E) {
      const Expectation &Ex = TC.Expectations[E];
      ExpectationResult R;
      R.Test = T;
      R.Expectation = E;
      rt::Request Req = toRuntimeRequest(P, CP, Ex.Req);
      rt::Decision D = CP.decide(Req);
      R.Actual = D.isError()     ? ExpectationResult::Error
                 : D.permitted() ? ExpectationResult::Allow
                                 : ExpectationResult::Deny;
      R.ErrorMessage = D.error();
      for (uint32_t Rl : D.rules()) {
        R.Rules.push_back(Rl);
        if (Rl < Exercised.size())
          Exercised[Rl] = true;
      }
      for (uint32_t I : D.obligations()) {
        rt::ObligationInstance OI = CP.obligationInstance(I);
        ObligationRef O;
        O.Obligation = OI.Obligation;
        if (OI.HasArg)
          O.Arg = OI.Arg;
        R.Obligations.push_back(O);
      }
      auto Want = ExpectationResult::Outcome(Ex.Expect);
      std::vector<std::string> Problems;
      if (R.Actual != Want)
        Problems.push_back(fmt::format("expected {}, got {}", outcomeName(Want).str(),
                                       outcomeName(R.Actual).str()));
      if (R.Actual == Want && Want == ExpectationResult::Allow)
        for (const ObligationRef &O : Ex.Obligations)
          if (std::none_of(R.Obligations.begin(), R.Obligations.end(),
                           [&](const ObligationRef &H) { return coversObligation(P, H, O); }))
            Problems.push_back("the allow does not carry obligation `" + obligationText(P, O) +
                               "`");
      if (Ex.ByRule && R.Actual == Want &&
          std::find(R.Rules.begin(), R.Rules.end(), *Ex.ByRule) == R.Rules.end())
        Problems.push_back("rule `" + P.Rules[*Ex.ByRule].Id + "` is not among the deciding rules");
      R.Passed = Problems.empty();
      if (Want == ExpectationResult::Allow && R.Actual == ExpectationResult::Deny) {
        // Only for this failure: the explanation is work decide() never does.
        rt::Result<rt::WhyNot> Why = CP.whyNot(Req);
        if (Why) {
          R.WhyNot = CP.whyNotText(*Why);
          R.WhyNotJson = rt::whyNotJson(CP, *Why);
        }
      }
      R.Failure = llvm::join(Problems, "; ");
      Report.Results.push_back(std::move(R));
    }
  }
  for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
    if (Counted && !Counted(Rl))
      continue;
    // A retention exception is implied by its rule's `retain_for`; coverage is of written rules.
    if (P.Rules[Rl].RetentionOf)
      continue;
    Report.CountedRules.push_back(Rl);
    if (!Exercised[Rl])
      Report.UncoveredRules.push_back(Rl);
  }
  return Report;
}

//===-- Output --------------------------------------------------------------------------===//

namespace {

std::string locText(const Policy &P, const Loc &L) {
  std::string File = L.File < P.Files.size() ? P.Files[L.File] : "<unknown>";
  return L.Line ? fmt::format("{}:{}:{}", File, L.Line, L.Col) : File;
}

/// The first line of a rule or expectation as written, for one-line quotes. A label the
/// formatter put on its own line (`telemetry_collect:`) is quoted with the line after it.
std::string firstLine(llvm::StringRef S) {
  auto [First, Rest] = S.split('\n');
  std::string Line = First.trim().str();
  if (llvm::StringRef(Line).endswith(":") && !Rest.trim().empty())
    Line += " " + Rest.split('\n').first.trim().str();
  return Line;
}

std::string decisionText(const Policy &P, const ExpectationResult &R) {
  std::string Out = outcomeName(R.Actual).str();
  if (R.Actual == ExpectationResult::Error)
    return Out + " (" + R.ErrorMessage + ")";
  if (!R.Obligations.empty()) {
    std::vector<std::string> Obls;
    for (const ObligationRef &O : R.Obligations)
      Obls.push_back(obligationText(P, O));
    Out += " with " + llvm::join(Obls, ", ");
  }
  return Out;
}

void writeText(llvm::raw_ostream &OS, const std::vector<PolicyTestReport> &Reports,
               const TestOutputOptions &Opts) {
  unsigned Passed = 0, Failed = 0;
  for (const PolicyTestReport &Rep : Reports) {
    const Policy &P = *Rep.P;
    for (const ExpectationResult &R : Rep.Results) {
      if (R.Passed) {
        ++Passed;
        continue;
      }
      ++Failed;
      const TestCase &TC = P.Tests[R.Test];
      const Expectation &Ex = TC.Expectations[R.Expectation];
      llvm::WithColor(OS, llvm::raw_ostream::RED, true, false,
                      Opts.Color ? llvm::ColorMode::Enable : llvm::ColorMode::Disable)
          << "FAIL";
      OS << " " << locText(P, Ex.Location) << ": test \"" << TC.Name << "\": " << R.Failure << "\n";
      OS << "  expected: " << firstLine(Ex.SourceText) << "\n";
      OS << "  actual:   " << decisionText(P, R) << "\n";
      if (R.Rules.empty() && R.Actual == ExpectationResult::Deny)
        OS << "  decided by: no rule applies (denied by default)\n";
      for (uint32_t Rl : R.Rules) {
        const Rule &X = P.Rules[Rl];
        OS << "  decided by: rule `" << X.Id << "` at " << locText(P, X.Location) << "\n";
        OS << "    " << firstLine(X.SourceText) << "\n";
      }
      // "why not:" and its lines, indented under the failure.
      for (llvm::StringRef Line : llvm::split(llvm::StringRef(R.WhyNot).rtrim('\n'), '\n'))
        if (!Line.empty())
          OS << "  " << Line << "\n";
    }
  }
  for (const PolicyTestReport &Rep : Reports) {
    if (!Opts.Coverage)
      break;
    const Policy &P = *Rep.P;
    OS << fmt::format("coverage of {}: {:.1f}% of rules ({} of {}) decided an expectation\n",
                      Rep.File, Rep.coverage(), Rep.CountedRules.size() - Rep.UncoveredRules.size(),
                      Rep.CountedRules.size());
    for (uint32_t Rl : Rep.UncoveredRules)
      OS << "  not exercised: rule `" << P.Rules[Rl].Id << "` at "
         << locText(P, P.Rules[Rl].Location) << "\n";
  }
  llvm::WithColor(OS, Failed ? llvm::raw_ostream::RED : llvm::raw_ostream::GREEN, true, false,
                  Opts.Color ? llvm::ColorMode::Enable : llvm::ColorMode::Disable)
      << (Failed ? "FAILED" : "PASSED");
  OS << ": " << Passed << " passed, " << Failed << " failed\n";
}

llvm::json::Array ruleArray(const Policy &P, llvm::ArrayRef<uint32_t> Rules) {
  llvm::json::Array Out;
  for (uint32_t Rl : Rules) {
    const Rule &X = P.Rules[Rl];
    Out.push_back(llvm::json::Object{
        {"id", X.Id},
        {"file", X.Location.File < P.Files.size() ? P.Files[X.Location.File] : ""},
        {"line", X.Location.Line},
        {"column", X.Location.Col},
        {"source", firstLine(X.SourceText)}});
  }
  return Out;
}

void writeJson(llvm::raw_ostream &OS, const std::vector<PolicyTestReport> &Reports,
               const TestOutputOptions &Opts) {
  llvm::json::Array Files;
  unsigned Passed = 0, Failed = 0;
  for (const PolicyTestReport &Rep : Reports) {
    const Policy &P = *Rep.P;
    llvm::json::Array Results;
    for (const ExpectationResult &R : Rep.Results) {
      const TestCase &TC = P.Tests[R.Test];
      const Expectation &Ex = TC.Expectations[R.Expectation];
      (R.Passed ? Passed : Failed)++;
      llvm::json::Array Obls;
      for (const ObligationRef &O : R.Obligations)
        Obls.push_back(obligationText(P, O));
      llvm::json::Object O{
          {"test", TC.Name},
          {"expectation", firstLine(Ex.SourceText)},
          {"file", Ex.Location.File < P.Files.size() ? P.Files[Ex.Location.File] : ""},
          {"line", Ex.Location.Line},
          {"column", Ex.Location.Col},
          {"passed", R.Passed},
          {"expected", outcomeName(ExpectationResult::Outcome(Ex.Expect))},
          {"actual", outcomeName(R.Actual)},
          {"obligations", std::move(Obls)},
          {"rules", ruleArray(P, R.Rules)}};
      if (!R.Passed)
        O["failure"] = R.Failure;
      if (R.Actual == ExpectationResult::Error)
        O["error"] = R.ErrorMessage;
      if (!R.WhyNotJson.empty()) {
        llvm::Expected<llvm::json::Value> Why = llvm::json::parse(R.WhyNotJson);
        if (Why)
          O["why_not"] = std::move(*Why);
        else
          llvm::consumeError(Why.takeError());
      }
      Results.push_back(std::move(O));
    }
    llvm::json::Object F{{"file", Rep.File},
                         {"passed", Rep.passed()},
                         {"failed", Rep.failed()},
                         {"results", std::move(Results)}};
    if (Opts.Coverage)
      F["coverage"] = llvm::json::Object{{"percent", Rep.coverage()},
                                         {"rules", Rep.CountedRules.size()},
                                         {"uncovered", ruleArray(P, Rep.UncoveredRules)}};
    Files.push_back(std::move(F));
  }
  llvm::json::Object Root{
      {"version", 1}, {"passed", Passed}, {"failed", Failed}, {"files", std::move(Files)}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
}

void writeJUnit(llvm::raw_ostream &OS, const std::vector<PolicyTestReport> &Reports) {
  unsigned Total = 0, Failed = 0;
  for (const PolicyTestReport &Rep : Reports) {
    Total += Rep.Results.size();
    Failed += Rep.failed();
  }
  OS << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  OS << "<testsuites name=\"privet\" tests=\"" << Total << "\" failures=\"" << Failed
     << "\" errors=\"0\">\n";
  for (const PolicyTestReport &Rep : Reports) {
    const Policy &P = *Rep.P;
    std::string Suite = P.Modules.empty() ? Rep.File : P.Modules[0].Name;
    OS << "  <testsuite name=\"" << escapeMarkup(Suite) << "\" file=\"" << escapeMarkup(Rep.File)
       << "\" tests=\"" << Rep.Results.size() << "\" failures=\"" << Rep.failed()
       << "\" errors=\"0\" skipped=\"0\">\n";
    for (const ExpectationResult &R : Rep.Results) {
      const TestCase &TC = P.Tests[R.Test];
      const Expectation &Ex = TC.Expectations[R.Expectation];
      std::string File = Ex.Location.File < P.Files.size() ? P.Files[Ex.Location.File] : "";
      OS << "    <testcase classname=\"" << escapeMarkup(Suite + "." + TC.Name) << "\" name=\""
         << escapeMarkup(fmt::format("line {}: {}", Ex.Location.Line, firstLine(Ex.SourceText)))
         << "\" file=\"" << escapeMarkup(File) << "\" line=\"" << Ex.Location.Line << "\"";
      if (R.Passed) {
        OS << "/>\n";
        continue;
      }
      std::string Details = fmt::format("{}:{}:{}: {}\nactual: {}", File, Ex.Location.Line,
                                        Ex.Location.Col, R.Failure, decisionText(P, R));
      for (uint32_t Rl : R.Rules)
        Details += fmt::format("\ndecided by rule `{}` at {}: {}", P.Rules[Rl].Id,
                               locText(P, P.Rules[Rl].Location), firstLine(P.Rules[Rl].SourceText));
      if (!R.WhyNot.empty())
        Details += "\n" + llvm::StringRef(R.WhyNot).rtrim('\n').str();
      OS << ">\n      <failure message=\"" << escapeMarkup(R.Failure) << "\" type=\"expectation\">"
         << escapeMarkup(Details) << "</failure>\n    </testcase>\n";
    }
    OS << "  </testsuite>\n";
  }
  OS << "</testsuites>\n";
}

} // namespace

void privet::tooling::writeTestReports(llvm::raw_ostream &OS,
                                       const std::vector<PolicyTestReport> &Reports,
                                       const TestOutputOptions &Opts) {
  switch (Opts.Format) {
  case TestFormat::Text:
    writeText(OS, Reports, Opts);
    break;
  case TestFormat::Json:
    writeJson(OS, Reports, Opts);
    break;
  case TestFormat::JUnit:
    writeJUnit(OS, Reports);
    break;
  }
}
