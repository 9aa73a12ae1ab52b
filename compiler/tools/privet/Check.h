//===- Check.h - Extension points of `privet check` -------------------------------*- C++ -*-===//
//
// `privet check` parses and type-checks; later stages (the analyses) add their work here
// without editing Check.cpp: a static CheckExtensionRegistration adds options to the command
// and a pass that runs on every policy that passed sema, reporting through the same engine.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TOOLS_CHECK_H
#define PRIVET_TOOLS_CHECK_H

#include "privet/Basic/Diagnostic.h"
#include "privet/Sema/Policy.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace privet::driver {

struct CheckExtension {
  std::string Name;
  /// Adds the extension's options to the `check` subcommand (may be empty).
  std::function<void(CLI::App &)> AddOptions;
  /// Runs on each policy without front-end errors. Findings go to Diags.
  std::function<void(const Policy &, DiagnosticEngine &)> Run;
};

/// Registered extensions, run in name order.
std::vector<CheckExtension> &checkExtensions();

struct CheckExtensionRegistration {
  explicit CheckExtensionRegistration(CheckExtension E) {
    checkExtensions().push_back(std::move(E));
  }
};

} // namespace privet::driver

#endif // PRIVET_TOOLS_CHECK_H
