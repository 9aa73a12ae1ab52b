//===- Lsp.cpp - `privet lsp`: the language server over stdin/stdout -------------------===//
#include "Command.h"

#include "privet/Lsp/Server.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdio>

namespace privet::driver {
namespace {

struct LspOptions {
  std::vector<std::string> IncludeDirs;
  unsigned DebounceMs = 150;
};

CommandRegistration Registration("lsp", [](CLI::App &App) {
  auto Opts = std::make_shared<LspOptions>();
  CLI::App *Cmd = App.add_subcommand("lsp", "Run the language server (LSP 3.17) on stdin/stdout");
  Cmd->add_option("-I", Opts->IncludeDirs, "Directory searched for imported modules");
  Cmd->add_option("--debounce-ms", Opts->DebounceMs,
                  "Re-check a changed document after this many idle milliseconds (0: at once)");
  Cmd->callback([Opts] {
    FrontendOptions Options;
    Options.IncludeDirs = Opts->IncludeDirs;
    lsp::Server S(std::move(Options), Opts->DebounceMs);
    // stdout carries the protocol only; diagnostics go to the client as messages.
    llvm::raw_fd_ostream Out(/*fd=*/1, /*shouldClose=*/false, /*unbuffered=*/false);
    setExitCode(S.run(stdin, Out));
  });
});

} // namespace
} // namespace privet::driver
