//===- Fmt.cpp - `privet fmt`: print or rewrite a file in the canonical layout ----------===//
#include "Command.h"

#include "privet/Artifact.h"
#include "privet/Basic/SourceFile.h"
#include "privet/Syntax/Format.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::driver {
namespace {

struct FmtOptions {
  std::string File;
  bool InPlace = false;
  bool Check = false;
};

int runFmt(const FmtOptions &Opts) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  auto Id = loadSourceFile(Diags, Opts.File);
  if (!Id) {
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
    return Diags.hasIOError() ? ExitUsage : ExitFindings;
  }
  auto Formatted = syntax::formatBuffer(*Id, Diags);
  if (!Formatted) {
    llvm::errs() << "privet fmt: error: " << llvm::toString(Formatted.takeError()) << " `"
                 << Opts.File << "`; left unchanged\n";
    return ExitUsage;
  }
  if (!*Formatted) {
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
    return ExitFindings;
  }
  const std::string &Text = **Formatted;
  bool Changed = SM.getMemoryBuffer(*Id)->getBuffer() != Text;
  if (Opts.Check) {
    if (Changed)
      llvm::errs() << Opts.File << ": not formatted (run `privet fmt -i " << Opts.File << "`)\n";
    return Changed ? ExitFindings : ExitSuccess;
  }
  if (Opts.InPlace) {
    if (!Changed)
      return ExitSuccess;
    if (rt::Status Written = rt::writeFileAtomically(Opts.File, Text); !Written) {
      llvm::errs() << "privet fmt: error: " << Written.error() << "\n";
      return ExitUsage;
    }
    return ExitSuccess;
  }
  llvm::outs() << Text;
  return ExitSuccess;
}

CommandRegistration Registration("fmt", [](CLI::App &App) {
  auto Opts = std::make_shared<FmtOptions>();
  CLI::App *Cmd = App.add_subcommand("fmt", "Print a .privet file in the canonical layout");
  Cmd->add_option("file", Opts->File, ".privet file to format")->required();
  Cmd->add_flag("-i,--in-place", Opts->InPlace, "Rewrite the file instead of printing it");
  Cmd->add_flag("--check", Opts->Check, "Exit 1 if the file is not in the canonical layout");
  Cmd->callback([Opts] { setExitCode(runFmt(*Opts)); });
});

} // namespace
} // namespace privet::driver
