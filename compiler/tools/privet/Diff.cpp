//===- Diff.cpp - `privet diff`: what a change to a policy changes in what it permits ---===//
#include "Command.h"
#include "Output.h"

#include "privet/Analysis/Diff.h"
#include "privet/Analysis/Space.h"
#include "privet/Domain.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Tooling/Sarif.h"

#include "fmt/format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <iterator>

namespace privet::driver {
namespace {

using analysis::DiffChange;
using analysis::DiffResult;

struct DiffOptions {
  std::string Old, New;
  std::vector<std::string> IncludeDirs;
  std::vector<std::string> AllowImportDirs;
  std::string Format = "text";
  std::string FailOn;
  std::string Output;
  unsigned MaxRegions = 100;
};

std::string ruleLocation(const Policy &P, uint32_t R) {
  const Loc &L = P.Rules[R].Location;
  return fmt::format("{}:{}", L.File < P.Files.size() ? P.Files[L.File] : "", L.Line);
}

/// "now allowed", "obligation removed `x`", "obligation changed from `a` to `b`".
std::string heading(const DiffChange &C) {
  std::string Heading = analysis::changeKindTitle(C.K).str();
  if (C.K == DiffChange::ObligationChanged)
    Heading += " from `" + C.Obligation + "` to `" + C.To + "`";
  else if (!C.Obligation.empty())
    Heading += " `" + C.Obligation + "`";
  return Heading;
}

void writeText(llvm::raw_ostream &OS, const DiffResult &R, const Policy *Ps[2],
               const DiffOptions &Opts, bool Color) {
  if (R.empty()) {
    OS << "no change in what is permitted between " << Opts.Old << " and " << Opts.New << "\n";
    return;
  }
  for (unsigned K = 0; K != DiffChange::NumKinds; ++K) {
    auto Kind = DiffChange::Kind(K);
    unsigned N = R.count(Kind);
    if (!N)
      continue;
    std::string Last;
    for (const DiffChange &C : R.Changes) {
      if (C.K != Kind)
        continue;
      std::string Heading = heading(C);
      if (Heading != Last) {
        llvm::WithColor(
            OS, K == 0 || K == 3 || K == 5 ? llvm::raw_ostream::RED : llvm::raw_ostream::GREEN,
            true, false, Color ? llvm::ColorMode::Enable : llvm::ColorMode::Disable)
            << Heading << ":";
        OS << "\n";
        Last = Heading;
      }
      OS << "  " << C.Text;
      if (!C.Rules.empty() && C.K != DiffChange::NewValueCovered) {
        auto [Which, Rule] = C.Rules.front();
        OS << "  (" << (Which ? "new" : "old") << " rule `" << Ps[Which]->Rules[Rule].Id << "` at "
           << ruleLocation(*Ps[Which], Rule) << ")";
      }
      OS << "\n";
    }
    if (R.Omitted[K])
      OS << "  ... and " << R.Omitted[K] << " more regions\n";
  }
  OS << "summary: " << R.count(DiffChange::NowAllowed) << " now allowed, "
     << R.count(DiffChange::NowDenied) << " now denied, " << R.count(DiffChange::ObligationAdded)
     << " obligations added, " << R.count(DiffChange::ObligationRemoved) << " obligations removed, "
     << R.count(DiffChange::ObligationChanged) << " obligations changed, "
     << R.count(DiffChange::NewValueCovered) << " new values covered\n";
}

/// A pull-request comment: a summary table, then each kind of change with the rules to look at.
void writeMarkdown(llvm::raw_ostream &OS, const DiffResult &R, const Policy *Ps[2],
                   const DiffOptions &Opts) {
  OS << "### Policy diff: `" << Opts.Old << "` → `" << Opts.New << "`\n\n";
  if (R.empty()) {
    OS << "No change in what is permitted.\n";
    return;
  }
  OS << "| change | count |\n| --- | ---: |\n";
  for (unsigned K = 0; K != DiffChange::NumKinds; ++K)
    if (unsigned N = R.count(DiffChange::Kind(K)))
      OS << "| " << analysis::changeKindTitle(DiffChange::Kind(K)) << " | " << N << " |\n";
  OS << "\n**More permissive:** " << (R.morePermissive() ? "yes" : "no")
     << " · **Less permissive:** " << (R.lessPermissive() ? "yes" : "no") << "\n";
  std::string Last;
  for (const DiffChange &C : R.Changes) {
    std::string Heading = heading(C);
    if (Heading != Last) {
      OS << "\n#### " << Heading << "\n\n";
      Last = Heading;
    }
    OS << "- " << C.Text;
    if (!C.Rules.empty() && C.K != DiffChange::NewValueCovered) {
      auto [Which, Rule] = C.Rules.front();
      OS << " — " << (Which ? "new" : "old") << " rule `" << Ps[Which]->Rules[Rule].Id << "` at `"
         << ruleLocation(*Ps[Which], Rule) << "`";
    }
    OS << "\n";
  }
  for (unsigned K = 0; K != DiffChange::NumKinds; ++K)
    if (R.Omitted[K])
      OS << "\n_… and " << R.Omitted[K] << " more "
         << analysis::changeKindTitle(DiffChange::Kind(K)) << " regions (see `--max-regions`)._\n";
}

void writeJson(llvm::raw_ostream &OS, const DiffResult &R, const Policy *Ps[2],
               const DiffOptions &Opts) {
  llvm::json::Array Changes;
  for (const DiffChange &C : R.Changes) {
    llvm::json::Object Dims;
    for (unsigned D = 0; D != NumDimensions; ++D) {
      if (C.Values[D].empty())
        continue;
      llvm::json::Array Names;
      for (const std::string &N : C.Values[D])
        Names.push_back(N);
      Dims[std::string(domain::DimensionKeys[D])] =
          llvm::json::Object{{C.Negated[D] ? "except" : "values", std::move(Names)}};
    }
    llvm::json::Array Conds;
    for (const std::string &Cond : C.Conditions)
      Conds.push_back(Cond);
    llvm::json::Array Rules;
    for (auto [Which, Rule] : C.Rules)
      Rules.push_back(llvm::json::Object{{"policy", Which ? "new" : "old"},
                                         {"id", Ps[Which]->Rules[Rule].Id},
                                         {"location", ruleLocation(*Ps[Which], Rule)}});
    llvm::json::Object O{{"kind", analysis::changeKindName(C.K)},
                         {"text", C.Text},
                         {"dimensions", std::move(Dims)},
                         {"conditions", std::move(Conds)},
                         {"rules", std::move(Rules)}};
    if (!C.Obligation.empty())
      O["obligation"] = C.Obligation;
    if (!C.To.empty())
      O["to"] = C.To;
    if (!C.Value.empty())
      O["value"] = C.Value;
    Changes.push_back(std::move(O));
  }
  llvm::json::Object Summary;
  llvm::json::Object Omitted;
  for (unsigned K = 0; K != DiffChange::NumKinds; ++K) {
    Summary[analysis::changeKindName(DiffChange::Kind(K))] = R.count(DiffChange::Kind(K));
    Omitted[analysis::changeKindName(DiffChange::Kind(K))] = R.Omitted[K];
  }
  llvm::json::Object Root{{"version", 1},
                          {"old", Opts.Old},
                          {"new", Opts.New},
                          {"morePermissive", R.morePermissive()},
                          {"lessPermissive", R.lessPermissive()},
                          {"summary", std::move(Summary)},
                          {"omitted", std::move(Omitted)},
                          {"changes", std::move(Changes)}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
}

void writeSarif(llvm::raw_ostream &OS, const DiffResult &R, const Policy *Ps[2]) {
  static const char *const Help[] = {
      "Requests the old policy denied that the new one allows: check the notice permits them.",
      "Requests the old policy allowed that the new one denies: check services relying on them.",
      "Allowed requests that now carry an extra obligation services must honour.",
      "Allowed requests that no longer carry an obligation: check the notice still holds.",
      "Allowed requests whose obligation now takes another argument (a retention period, say).",
      "A newly declared value that existing rules without a clause for its dimension now allow."};
  static_assert(std::size(Help) == DiffChange::NumKinds, "one help text per kind of change");
  std::vector<tooling::SarifRule> Rules;
  for (unsigned K = 0; K != DiffChange::NumKinds; ++K) {
    tooling::SarifRule Rule;
    Rule.Id = analysis::changeKindName(DiffChange::Kind(K)).str();
    Rule.Name = Rule.Id;
    Rule.Short = analysis::changeKindTitle(DiffChange::Kind(K)).str();
    Rule.Full = Help[K];
    Rule.Help = Help[K];
    Rule.Level = K == DiffChange::NowAllowed || K == DiffChange::ObligationRemoved ||
                         K == DiffChange::NewValueCovered
                     ? Severity::Warning
                     : Severity::Note;
    Rules.push_back(std::move(Rule));
  }
  std::vector<tooling::SarifResult> Results;
  for (const DiffChange &C : R.Changes) {
    tooling::SarifResult Res;
    Res.RuleId = analysis::changeKindName(C.K).str();
    Res.Level = Rules[C.K].Level;
    Res.Message = heading(C) + ": " + C.Text;
    for (auto [Which, Rule] : C.Rules) {
      const Policy &P = *Ps[Which];
      const Loc &L = P.Rules[Rule].Location;
      if (!L.Line || L.File >= P.Files.size())
        continue;
      tooling::SarifLocation SL;
      SL.File = P.Files[L.File];
      SL.Line = SL.EndLine = L.Line;
      SL.Column = std::max(1u, L.Col);
      SL.Message = "decided by rule `" + P.Rules[Rule].Id + "`";
      if (!Res.Location)
        Res.Location = SL;
      else
        Res.Related.push_back(SL);
    }
    Results.push_back(std::move(Res));
  }
  tooling::writeSarif(OS, Rules, Results);
}

int runDiff(const DiffOptions &Opts) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  FO.ExtraImportRoots = Opts.AllowImportDirs;
  std::optional<Policy> Old = loadPolicy(Opts.Old, FO, Diags);
  std::optional<Policy> New = loadPolicy(Opts.New, FO, Diags);
  if (!Old || !New || Diags.errorCount()) {
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
    return Diags.hasIOError() ? ExitUsage : ExitFindings;
  }
  DiffResult R = analysis::diffPolicies(*Old, *New, Opts.MaxRegions);
  const Policy *Ps[2] = {&*Old, &*New};
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  bool Color = Opts.Output.empty() && llvm::outs().has_colors() && !getenv("NO_COLOR");
  if (Opts.Format == "json")
    writeJson(OS, R, Ps, Opts);
  else if (Opts.Format == "sarif")
    writeSarif(OS, R, Ps);
  else if (Opts.Format == "markdown")
    writeMarkdown(OS, R, Ps, Opts);
  else
    writeText(OS, R, Ps, Opts, Color);
  OS.flush();
  if (Opts.Output.empty())
    llvm::outs() << Text;
  else if (int Code = writeOutputFile("diff", Opts.Output, Text, SM))
    return Code;
  bool Fail = (Opts.FailOn == "more-permissive" && R.morePermissive()) ||
              (Opts.FailOn == "less-permissive" && R.lessPermissive()) ||
              (Opts.FailOn == "any" && !R.empty());
  return Fail ? ExitFindings : ExitSuccess;
}

CommandRegistration Registration("diff", [](CLI::App &App) {
  auto Opts = std::make_shared<DiffOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "diff", "Show what changes in what is permitted between two versions of a policy");
  Cmd->add_option("old", Opts->Old, "The policy before the change")->required();
  Cmd->add_option("new", Opts->New, "The policy after the change")->required();
  addImportOptions(Cmd, Opts->IncludeDirs, Opts->AllowImportDirs);
  Cmd->add_option("--format", Opts->Format,
                  "Output: text, json, sarif, or markdown for a pull-request comment (stdout)")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}));
  Cmd->add_option("--fail-on", Opts->FailOn,
                  "Exit 1 when the change is more-permissive, less-permissive, or any change")
      ->check(CLI::IsMember({"more-permissive", "less-permissive", "any"}));
  Cmd->add_option("--max-regions", Opts->MaxRegions,
                  "List at most this many regions per kind of change (default 100)");
  Cmd->add_option("-o,--output", Opts->Output, "Write the report to this file (atomically)");
  Cmd->callback([Opts] { setExitCode(runDiff(*Opts)); });
});

} // namespace
} // namespace privet::driver
