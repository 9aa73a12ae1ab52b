//===- CheckAnalyses.cpp - Runs the exact analyses as part of `privet check` ------------===//
//
// Registered as a check extension so `privet check` stays one command: after sema accepts a
// policy, dead/unreachable/redundant rules, unused and unprocessed declarations, missing legal
// bases and invariant violations are reported through the same diagnostics engine, so -W,
// --deny-warnings and every output format apply to them too.
//
//===----------------------------------------------------------------------------------------===//
#include "Check.h"

#include "privet/Analysis/Checks.h"
#include "privet/Frontend/Frontend.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace privet::driver {
namespace {

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> P(Path);
  llvm::sys::fs::make_absolute(P);
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return P.str().str();
}

/// Findings inside the standard library are not the user's to fix (invariants excepted).
bool isLibraryFile(llvm::StringRef File, const std::vector<std::string> &LibraryDirs) {
  std::string Abs = absolute(File);
  for (const std::string &Dir : LibraryDirs)
    if (llvm::StringRef(Abs).startswith(Dir + "/"))
      return true;
  return false;
}

auto NoAnalyses = std::make_shared<bool>(false);
auto NodeBudget = std::make_shared<uint64_t>(space::Budget().Nodes);

CheckExtensionRegistration Registration({
    "analysis",
    [](CLI::App &Cmd) {
      Cmd.add_flag("--no-analyses", *NoAnalyses,
                   "Only parse and type-check: skip the dead-rule, redundancy, unused, legal "
                   "basis and invariant analyses");
      Cmd.add_option("--analysis-node-budget", *NodeBudget,
                     "Most nodes the analyses' set diagrams may hold; over it they stop with "
                     "E0504 instead of reporting findings (default 2^31 - 1)")
          ->check(CLI::PositiveNumber);
    },
    [](const Policy &P, DiagnosticEngine &Diags) {
      if (*NoAnalyses)
        return;
      std::vector<std::string> LibraryDirs;
      for (const std::string &Dir : defaultStdlibDirs())
        LibraryDirs.push_back(absolute(Dir));
      analysis::AnalysisOptions Opts;
      Opts.SetBudget.Nodes = *NodeBudget;
      Opts.Reportable = [&](uint32_t File) {
        return File >= P.Files.size() || !isLibraryFile(P.Files[File], LibraryDirs);
      };
      analysis::reportFindings(analysis::runAnalyses(P, Opts), Diags);
    },
});

} // namespace
} // namespace privet::driver
