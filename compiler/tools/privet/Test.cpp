//===- Test.cpp - `privet test`: run the test blocks of policies against the runtime ----===//
#include "Command.h"
#include "Output.h"

#include "privet/Frontend/Frontend.h"
#include "privet/Tooling/TestRunner.h"

#include "fmt/format.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

namespace privet::driver {
namespace {

struct TestOptions {
  std::vector<std::string> Files;
  std::vector<std::string> IncludeDirs;
  std::vector<std::string> AllowImportDirs;
  std::string Format = "text";
  std::string Output;
  bool Coverage = false;
  std::optional<double> MinCoverage;
};

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  llvm::sys::fs::make_absolute(P);
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return P.str().str();
}

int runTest(const TestOptions &Opts) {
  if (Opts.MinCoverage && (*Opts.MinCoverage < 0 || *Opts.MinCoverage > 100)) {
    llvm::errs() << "privet test: error: `--min-coverage` must be between 0 and 100\n";
    return ExitUsage;
  }
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  FO.ExtraImportRoots = Opts.AllowImportDirs;
  std::vector<std::string> LibraryDirs;
  for (const std::string &Dir : FO.StdlibDirs)
    LibraryDirs.push_back(absolute(Dir));

  std::deque<Policy> Policies;
  std::vector<std::string> Names;
  for (const std::string &File : Opts.Files)
    if (std::optional<Policy> P = loadPolicy(File, FO, Diags)) {
      Policies.push_back(std::move(*P));
      Names.push_back(File);
    }
  if (Diags.errorCount() || Diags.warningCount())
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
  if (Diags.hasIOError())
    return ExitUsage;
  if (Diags.hasErrors())
    return ExitFindings;

  std::vector<tooling::PolicyTestReport> Reports;
  for (size_t I = 0; I != Policies.size(); ++I) {
    const Policy &P = Policies[I];
    // Coverage is about the rules the user wrote, not those of the standard library.
    auto Counted = [&](uint32_t Rule) {
      uint32_t F = P.Rules[Rule].Location.File;
      if (F >= P.Files.size())
        return true;
      std::string Abs = absolute(P.Files[F]);
      for (const std::string &Dir : LibraryDirs)
        if (llvm::StringRef(Abs).startswith(Dir + "/"))
          return false;
      return true;
    };
    llvm::Expected<tooling::PolicyTestReport> R = tooling::runPolicyTests(P, Names[I], Counted);
    if (!R) {
      llvm::errs() << "privet test: error: " << Names[I] << ": " << llvm::toString(R.takeError())
                   << "\n";
      return ExitUsage;
    }
    Reports.push_back(std::move(*R));
  }

  tooling::TestOutputOptions Out;
  Out.Format = Opts.Format == "json"    ? tooling::TestFormat::Json
               : Opts.Format == "junit" ? tooling::TestFormat::JUnit
                                        : tooling::TestFormat::Text;
  Out.Coverage = Opts.Coverage || Opts.MinCoverage.has_value();
  Out.Color = Opts.Output.empty() && llvm::outs().has_colors() && !getenv("NO_COLOR");
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  tooling::writeTestReports(OS, Reports, Out);
  OS.flush();
  if (Opts.Output.empty())
    llvm::outs() << Text;
  else if (int Code = writeOutputFile("test", Opts.Output, Text, SM))
    return Code;

  int Code = ExitSuccess;
  for (const tooling::PolicyTestReport &R : Reports) {
    if (R.failed())
      Code = ExitFindings;
    if (Opts.MinCoverage && R.coverage() + 1e-9 < *Opts.MinCoverage) {
      llvm::errs() << fmt::format("privet test: error: coverage of {} is {:.1f}%, below the "
                                  "required {}%\n",
                                  R.File, R.coverage(), *Opts.MinCoverage);
      Code = ExitFindings;
    }
  }
  return Code;
}

CommandRegistration Registration("test", [](CLI::App &App) {
  auto Opts = std::make_shared<TestOptions>();
  CLI::App *Cmd =
      App.add_subcommand("test", "Run the test blocks of policies against the compiled runtime");
  Cmd->add_option("files", Opts->Files, ".privet files whose tests to run")->required();
  addImportOptions(Cmd, Opts->IncludeDirs, Opts->AllowImportDirs);
  Cmd->add_option("--format", Opts->Format, "Report: text, json or junit (stdout)")
      ->check(CLI::IsMember({"text", "json", "junit"}));
  Cmd->add_flag("--coverage", Opts->Coverage, "List the rules no expectation exercised");
  Cmd->add_option("--min-coverage", Opts->MinCoverage,
                  "Fail when less than N% of the rules decide some expectation");
  Cmd->add_option("-o,--output", Opts->Output, "Write the report to this file (atomically)");
  Cmd->callback([Opts] { setExitCode(runTest(*Opts)); });
});

} // namespace
} // namespace privet::driver
