//===- main.cpp - Entry point of the privet driver --------------------------------------===//
#include "Command.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace privet::driver {

std::vector<CommandInfo> &registeredCommands() {
  static std::vector<CommandInfo> Commands;
  return Commands;
}

static int TheExitCode = ExitSuccess;
void setExitCode(int Code) { TheExitCode = Code; }
int exitCode() { return TheExitCode; }

void addImportOptions(CLI::App *Cmd, std::vector<std::string> &IncludeDirs,
                      std::vector<std::string> &AllowImportDirs) {
  Cmd->add_option("-I", IncludeDirs, "Directory searched for imported modules")
      ->allow_extra_args(false);
  Cmd->add_option("--allow-import-dir", AllowImportDirs,
                  "Let file imports also read below this directory (by default: the policy's "
                  "directory, -I and the standard library)")
      ->allow_extra_args(false);
}

/// Flushes both ways a command writes to standard output (llvm::outs() and stdio, which the
/// runtime's JSONL engine uses) and turns a failed write (a full disk, a closed stdout) into a
/// message and the I/O exit code. The error must also be cleared: llvm::outs() otherwise ends
/// the process with `LLVM ERROR: IO failure on output stream` and SIGABRT when it is destroyed.
static int finishOutput(int Code) {
  llvm::raw_fd_ostream &Out = llvm::outs();
  Out.flush();
  std::string Problem;
  if (Out.has_error()) {
    Problem = Out.error().message();
    Out.clear_error();
  }
  errno = 0;
  if ((std::fflush(stdout) != 0 || std::ferror(stdout)) && Problem.empty())
    Problem = errno ? std::strerror(errno) : "write failed";
  if (!Problem.empty())
    llvm::errs() << "privet: error: cannot write to standard output: " << Problem << "\n";
  // A closed stderr is not worth an abort either: there is nothing left to report it to.
  llvm::errs().clear_error();
  return Problem.empty() ? Code : ExitUsage;
}

} // namespace privet::driver

int main(int argc, char **argv) {
  using namespace privet::driver;
  // A standard descriptor the parent closed would be taken by the next open() (a source file,
  // the artifact being written), and output meant for the terminal would land in that file.
  // Hold each closed one with /dev/null opened read-only, so writes to it still fail (and are
  // reported) instead of being silently discarded.
  for (int Fd = 0; Fd <= 2; ++Fd)
    if (::fcntl(Fd, F_GETFD) < 0 && errno == EBADF) {
      int Null = ::open("/dev/null", O_RDONLY);
      if (Null >= 0 && Null != Fd) {
        ::dup2(Null, Fd);
        ::close(Null);
      }
    }
  CLI::App App{"privet: compile, check and query privacy policies", "privet"};
  App.set_version_flag("--version", std::string("privet ") + PRIVET_VERSION);
  App.require_subcommand(1);

  auto &Commands = registeredCommands();
  std::sort(Commands.begin(), Commands.end(),
            [](const CommandInfo &A, const CommandInfo &B) { return A.Name < B.Name; });
  for (auto &Command : Commands)
    Command.Setup(App);

  try {
    App.parse(argc, argv);
  } catch (const CLI::CallForHelp &E) {
    return App.exit(E);
  } catch (const CLI::CallForAllHelp &E) {
    return App.exit(E);
  } catch (const CLI::CallForVersion &E) {
    return App.exit(E);
  } catch (const CLI::ParseError &E) {
    App.exit(E);
    return finishOutput(ExitUsage);
  }
  return finishOutput(exitCode());
}
