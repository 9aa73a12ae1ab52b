//===- Fmt.cpp - `privet fmt`: print or rewrite a file in the canonical layout ----------===//
#include "Command.h"

#include "privet/Artifact.h"
#include "privet/Basic/SourceFile.h"
#include "privet/Syntax/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include "llvm/Support/raw_ostream.h"
#include <algorithm>

namespace privet::driver {
namespace {

struct FmtOptions {
  std::vector<std::string> Paths;
  bool InPlace = false;
  bool Check = false;
};

/// Formats one file: prints it, rewrites it (-i) or checks it (--check). Returns its exit code.
int formatOne(const FmtOptions &Opts, const std::string &File) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  auto Id = loadSourceFile(Diags, File);
  if (!Id) {
    Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
    return Diags.hasIOError() ? ExitUsage : ExitFindings;
  }
  auto Formatted = syntax::formatBuffer(*Id, Diags);
  if (!Formatted) {
    llvm::errs() << "privet fmt: error: " << llvm::toString(Formatted.takeError()) << " `" << File
                 << "`; left unchanged\n";
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
      llvm::errs() << File << ": not formatted (run `privet fmt -i " << File << "`)\n";
    return Changed ? ExitFindings : ExitSuccess;
  }
  if (Opts.InPlace) {
    if (!Changed)
      return ExitSuccess;
    if (rt::Status Written = rt::writeFileAtomically(File, Text); !Written) {
      llvm::errs() << "privet fmt: error: " << Written.error() << "\n";
      return ExitUsage;
    }
    return ExitSuccess;
  }
  llvm::outs() << Text;
  return ExitSuccess;
}

/// The files named: each file as given, each directory's .privet files below it (sorted, hidden
/// directories skipped). False, with a message, for a path that does not exist.
bool collectFiles(const std::vector<std::string> &Paths, std::vector<std::string> &Files) {
  for (const std::string &Path : Paths) {
    if (!llvm::sys::fs::is_directory(Path)) {
      if (!llvm::sys::fs::exists(Path)) {
        llvm::errs() << "privet fmt: error: cannot open `" << Path
                     << "`: no such file or directory\n";
        return false;
      }
      Files.push_back(Path);
      continue;
    }
    std::vector<std::string> Found;
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator It(Path, EC), End; It != End && !EC;
         It.increment(EC)) {
      llvm::StringRef Name = llvm::sys::path::filename(It->path());
      if (Name.startswith(".") && It->type() == llvm::sys::fs::file_type::directory_file) {
        It.no_push();
        continue;
      }
      if (It->type() == llvm::sys::fs::file_type::regular_file && Name.endswith(".privet"))
        Found.push_back(It->path());
    }
    if (EC) {
      llvm::errs() << "privet fmt: error: cannot read `" << Path << "`: " << EC.message() << "\n";
      return false;
    }
    llvm::sort(Found);
    Files.insert(Files.end(), Found.begin(), Found.end());
  }
  return true;
}

int runFmt(const FmtOptions &Opts) {
  std::vector<std::string> Files;
  if (!collectFiles(Opts.Paths, Files))
    return ExitUsage;
  bool Several = Files.size() != 1 || llvm::sys::fs::is_directory(Opts.Paths.front());
  if (Several && !Opts.InPlace && !Opts.Check) {
    llvm::errs() << "privet fmt: error: printing formats one file: give -i or --check to format "
                    "several files or a directory\n";
    return ExitUsage;
  }
  // The worst result wins: an unreadable file (2) over an unformatted or unparsable one (1).
  int Exit = ExitSuccess;
  for (const std::string &File : Files)
    Exit = std::max(Exit, formatOne(Opts, File));
  return Exit;
}

CommandRegistration Registration("fmt", [](CLI::App &App) {
  auto Opts = std::make_shared<FmtOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "fmt", "Print a .privet file in the canonical layout, or rewrite or check many");
  Cmd->add_option("paths", Opts->Paths,
                  ".privet files, or directories whose .privet files are formatted")
      ->required();
  Cmd->add_flag("-i,--in-place", Opts->InPlace, "Rewrite the file instead of printing it");
  Cmd->add_flag("--check", Opts->Check, "Exit 1 if the file is not in the canonical layout");
  Cmd->callback([Opts] { setExitCode(runFmt(*Opts)); });
});

} // namespace
} // namespace privet::driver
