//===- Serve.cpp - `privet serve`: the decision sidecar over HTTP ---------------------------===//
#include "Command.h"

#include "privet/Serve.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::driver {
namespace {

struct ServeCli {
  serve::ServerOptions Opts;
  std::string Listen = "127.0.0.1:8181";
  bool ListenGiven = false;
  std::string AdminTokenFile;
  bool NoWatch = false;
};

bool parseListen(llvm::StringRef Listen, serve::ServerOptions &Opts) {
  auto [Host, Port] = Listen.rsplit(':');
  if (Host.startswith("[") && Host.endswith("]"))
    Host = Host.drop_front().drop_back();
  unsigned PortNumber;
  if (Host.empty() || Port.getAsInteger(10, PortNumber) || PortNumber > 65535)
    return false;
  Opts.Host = Host.str();
  Opts.Port = int(PortNumber);
  return true;
}

int runServe(ServeCli &Cli) {
  serve::ServerOptions &Opts = Cli.Opts;
  if (!Opts.UnixPath.empty() && !Cli.ListenGiven) {
    // --unix alone: only the Unix socket, no TCP port at all.
    Opts.Port = -1;
  } else if (!parseListen(Cli.Listen, Opts)) {
    llvm::errs() << "privet serve: error: --listen expects HOST:PORT (for example "
                    "127.0.0.1:8181, or port 0 for any free port), got `"
                 << Cli.Listen << "`\n";
    return ExitUsage;
  }
  if (!Cli.AdminTokenFile.empty()) {
    // From a file, not the command line, which other users can read in the process list.
    auto Token = llvm::MemoryBuffer::getFile(Cli.AdminTokenFile);
    if (!Token) {
      llvm::errs() << "privet serve: error: cannot read `" << Cli.AdminTokenFile
                   << "`: " << Token.getError().message() << "\n";
      return ExitUsage;
    }
    Opts.AdminToken = (*Token)->getBuffer().trim().str();
    if (Opts.AdminToken.empty()) {
      llvm::errs() << "privet serve: error: `" << Cli.AdminTokenFile << "` holds no token\n";
      return ExitUsage;
    }
  }
  auto Server = serve::Server::create(Opts);
  if (!Server) {
    llvm::errs() << "privet serve: error: " << Server.error() << "\n";
    return ExitUsage;
  }
  // The first line on standard output, so that a supervisor or a test can find the port.
  if ((*Server)->port() >= 0)
    llvm::outs() << "privet serve: listening on http://" << Opts.Host << ":" << (*Server)->port()
                 << "\n";
  if (!Opts.UnixPath.empty())
    llvm::outs() << "privet serve: listening on unix:" << Opts.UnixPath << "\n";
  llvm::outs().flush();
  return (*Server)->runUntilSignalled() ? ExitSuccess : ExitUsage;
}

CommandRegistration Registration("serve", [](CLI::App &App) {
  auto Cli = std::make_shared<ServeCli>();
  serve::ServerOptions &O = Cli->Opts;
  CLI::App *Cmd = App.add_subcommand(
      "serve", "Answer decisions over HTTP: the decision sidecar (docs/serve.md)");
  Cmd->add_option("--policy", O.PolicyPath, "The compiled .pvc artifact to serve")->required();
  Cmd->add_option("--public-key", O.PublicKeyPath,
                  "Serve only artifacts signed by this key (ARTIFACT.sig), on start and reload");
  Cmd->add_option("--listen", Cli->Listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8181; port 0: any free port)")
      ->each([Cli](const std::string &) { Cli->ListenGiven = true; });
  Cmd->add_option(
      "--unix", O.UnixPath,
      "Listen on a Unix domain socket at PATH (mode 0660; with --listen as well, both)");
  Cmd->add_option("--threads", O.Threads, "I/O threads (default: one per core)");
  Cmd->add_option("--max-connections", O.MaxConnections,
                  "Open connections beyond this are answered 503 (default 1024)");
  Cmd->add_option("--max-body-bytes", O.MaxBodyBytes,
                  "Larger request bodies are answered 413 (default 1048576)");
  Cmd->add_option("--max-headers", O.MaxHeaders,
                  "Header lines in one request; beyond it 431 (default 100)");
  Cmd->add_option("--max-header-bytes", O.MaxHeaderBytes,
                  "All header lines of one request together; beyond it 431 (default 32768)");
  Cmd->add_option("--max-batch", O.MaxBatch, "Requests in one batch (default 10000)");
  Cmd->add_option("--max-json-depth", O.MaxJsonDepth, "JSON nesting in a body (default 32)");
  Cmd->add_option("--read-timeout-ms", O.ReadTimeoutMs,
                  "The whole request head, and each read of a body, must arrive within this "
                  "(default 5000)");
  Cmd->add_option("--write-timeout-ms", O.WriteTimeoutMs,
                  "Drop a client that reads nothing for this long (default 5000)");
  Cmd->add_option("--idle-timeout-ms", O.IdleTimeoutMs,
                  "Close a keep-alive connection idle this long (default 5000)");
  Cmd->add_option("--keep-alive-requests", O.KeepAliveRequests,
                  "Requests on one connection before it is closed (default 10000)");
  Cmd->add_option("--admin-token-file", Cli->AdminTokenFile,
                  "Require `Authorization: Bearer TOKEN` (TOKEN from this file) on /metrics, "
                  "/v1/policy and /v1/reload");
  Cmd->add_option("--decision-log", O.DecisionLogPath,
                  "Write one JSON line per decision to FILE (- for standard output)");
  Cmd->add_option("--log-clear", O.LogClearAttributes,
                  "An attribute whose value is logged in clear (repeatable; others are masked)")
      ->allow_extra_args(false);
  Cmd->add_option("--log-queue", O.LogQueueLines,
                  "Decision log lines waiting to be written before new ones are dropped "
                  "(default 65536)");
  Cmd->add_option("--log-rotate-bytes", O.LogRotateBytes,
                  "Rotate the decision log at this size (default 67108864; 0: never)");
  Cmd->add_option("--log-keep", O.LogKeep, "Rotated decision logs kept (default 5)");
  Cmd->add_flag("--no-watch", Cli->NoWatch, "Reload only on SIGHUP, not when the artifact changes");
  Cmd->add_option("--reload-debounce-ms", O.ReloadDebounceMs,
                  "Wait this long after a change to the artifact before reloading (default 100)");
  Cmd->add_option("--drain-timeout-ms", O.DrainTimeoutMs,
                  "On SIGTERM, wait at most this long for in-flight requests (default 10000)");
  Cmd->callback([Cli] {
    Cli->Opts.Watch = !Cli->NoWatch;
    setExitCode(runServe(*Cli));
  });
});

} // namespace
} // namespace privet::driver
