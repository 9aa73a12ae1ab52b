//===- main.cpp - Entry point of the privet driver --------------------------------------===//
#include "Command.h"

#include <algorithm>
#include <cstdio>

namespace privet::driver {

std::vector<CommandInfo> &registeredCommands() {
  static std::vector<CommandInfo> Commands;
  return Commands;
}

static int TheExitCode = ExitSuccess;
void setExitCode(int Code) { TheExitCode = Code; }
int exitCode() { return TheExitCode; }

} // namespace privet::driver

int main(int argc, char **argv) {
  using namespace privet::driver;
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
    return ExitUsage;
  }
  return exitCode();
}
