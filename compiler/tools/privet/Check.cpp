//===- Check.cpp - `privet check`: parse, resolve and type-check policies ---------------===//
#include "Check.h"
#include "Command.h"

#include "privet/Basic/Memory.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Tooling/Sarif.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace privet::driver {

std::vector<CheckExtension> &checkExtensions() {
  static std::vector<CheckExtension> Extensions;
  return Extensions;
}

namespace {

struct CheckOptions {
  std::vector<std::string> Files;
  std::vector<std::string> IncludeDirs;
  std::vector<std::string> AllowImportDirs;
  std::vector<std::string> WarningOptions;
  std::string Format = "text";
  bool DenyWarnings = false;
};

int runCheck(const CheckOptions &Opts) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  for (const auto &W : Opts.WarningOptions) {
    if (!Diags.applyWarningOption(W)) {
      llvm::StringRef Name(W);
      std::string Form = Name.consume_front("no-")      ? "no-"
                         : Name.consume_front("error=") ? "error="
                                                        : "";
      llvm::errs() << "privet check: error: unknown warning option `-W " << W
                   << "` (expected `no-NAME`, `error=NAME` or `NAME` of a warning)";
      std::vector<std::string> Warnings;
      for (const DiagnosticKindInfo &K : allDiagnosticKinds())
        if (K.DefaultSeverity == Severity::Warning)
          Warnings.push_back(K.Name.str());
      if (auto Near = closestName(Name, Warnings))
        llvm::errs() << "; did you mean `-W " << Form << *Near << "`?";
      llvm::errs() << "\n";
      return ExitUsage;
    }
  }
  Diags.setDenyWarnings(Opts.DenyWarnings);

  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  FO.ExtraImportRoots = Opts.AllowImportDirs;
  // Past a syntax error, the declarations that parsed are still checked (one run shows more
  // errors); the file fails either way.
  FO.RecoverSyntaxErrors = true;
  for (const auto &File : Opts.Files) {
    std::optional<Policy> P = loadPolicy(File, FO, Diags);
    if (!P)
      continue;
    releaseFreedMemory(); // the syntax trees are gone
    // The analyses run here, on every policy the front end accepted.
    for (const auto &Ext : checkExtensions())
      if (Ext.Run)
        Ext.Run(*P, Diags);
  }

  if (Opts.Format == "json")
    Diags.renderJson(llvm::outs());
  else if (Opts.Format == "sarif")
    tooling::writeSarif(llvm::outs(), tooling::diagnosticSarifRules(),
                        tooling::diagnosticSarifResults(Diags));
  else
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
  if (Diags.hasIOError())
    return ExitUsage;
  return Diags.hasErrors() ? ExitFindings : ExitSuccess;
}

CommandRegistration Registration("check", [](CLI::App &App) {
  auto Opts = std::make_shared<CheckOptions>();
  CLI::App *Cmd = App.add_subcommand("check", "Parse, resolve and type-check policies and report "
                                              "every problem found");
  Cmd->add_option("files", Opts->Files, ".privet files to check")->required();
  addImportOptions(Cmd, Opts->IncludeDirs, Opts->AllowImportDirs);
  Cmd->add_option("--format", Opts->Format,
                  "Diagnostic output: text (stderr), json or sarif (stdout)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  Cmd->add_option("-W", Opts->WarningOptions,
                  "no-NAME silences warning NAME, error=NAME makes it an error")
      ->allow_extra_args(false);
  Cmd->add_flag("--deny-warnings", Opts->DenyWarnings, "Treat every warning as an error");
  auto &Extensions = checkExtensions();
  std::sort(Extensions.begin(), Extensions.end(),
            [](const CheckExtension &A, const CheckExtension &B) { return A.Name < B.Name; });
  for (auto &Ext : Extensions)
    if (Ext.AddOptions)
      Ext.AddOptions(*Cmd);
  Cmd->callback([Opts] { setExitCode(runCheck(*Opts)); });
});

} // namespace
} // namespace privet::driver
