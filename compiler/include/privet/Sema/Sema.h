//===- Sema.h - From parsed modules to the checked Policy -------------------------*- C++ -*-===//
//
// Sema takes modules the front end has already read, parsed and linked (privet/Frontend) and
// resolves names, checks types and builds the Policy. It opens no file and reads no environment.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_SEMA_H
#define PRIVET_SEMA_SEMA_H

#include "privet/AST/AST.h"
#include "privet/Basic/Diagnostic.h"
#include "privet/Sema/Policy.h"

#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace privet::sema {

/// One parsed file of a compilation, with its imports resolved to other modules of the list.
struct ParsedModule {
  std::string Path;                     ///< As found (shown in diagnostics and Policy::Files).
  unsigned BufferId;                    ///< In the DiagnosticEngine's SourceMgr.
  std::shared_ptr<const ast::File> AST; ///< Shared with a ModuleCache when one is used.
  llvm::StringMap<uint32_t> Imports;    ///< Qualifier (`gdpr`, or the `as` name) -> module index.
  std::vector<std::string> ImportOrder; ///< The qualifiers in the order they were imported.
};

/// Checks Modules (the root policy first, then the modules in the order they were loaded; that
/// order is Policy::Files') into a Policy. Returns nullopt when an error was reported.
std::optional<Policy> checkModules(std::vector<ParsedModule> Modules, DiagnosticEngine &Diags);

} // namespace privet::sema

#endif // PRIVET_SEMA_SEMA_H
