//===- Command.h - Self-registering subcommands of the privet driver -------------*- C++ -*-===//
//
// Each subcommand lives in its own file and registers itself with a static CommandRegistration,
// so adding one never touches main.cpp. The setup function adds a CLI11 subcommand and its
// callback; the callback stores the exit code with setExitCode.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TOOLS_COMMAND_H
#define PRIVET_TOOLS_COMMAND_H

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace privet::driver {

/// Documented exit codes (docs/cli.md).
enum ExitCode : int {
  ExitSuccess = 0,  ///< clean: no error-level findings, all tests passed
  ExitFindings = 1, ///< error-level findings, warnings with --deny-warnings, or failed tests
  ExitUsage = 2,    ///< usage or I/O error
};

struct CommandInfo {
  std::string Name;
  std::function<void(CLI::App &)> Setup;
};

/// All registered commands, sorted by name.
std::vector<CommandInfo> &registeredCommands();

struct CommandRegistration {
  CommandRegistration(std::string Name, std::function<void(CLI::App &)> Setup) {
    registeredCommands().push_back({std::move(Name), std::move(Setup)});
  }
};

/// The process exit code, set by the subcommand that ran.
/// `-I DIR` and `--allow-import-dir DIR`, as every command that loads a policy takes them.
void addImportOptions(CLI::App *Cmd, std::vector<std::string> &IncludeDirs,
                      std::vector<std::string> &AllowImportDirs);

void setExitCode(int Code);
int exitCode();

} // namespace privet::driver

#endif // PRIVET_TOOLS_COMMAND_H
