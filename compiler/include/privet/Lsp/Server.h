//===- Server.h - `privet lsp`: a Language Server Protocol 3.17 server over stdio -----*- C++
//-*-===//
//
// The server keeps the open documents in a SourceOverlay and re-checks a document through the
// Frontend after every change, so its imports and the standard library resolve exactly as for
// `privet check`. The parsed imports (the standard library too) are kept in a ModuleCache while
// their text is unchanged, so a re-check parses the edited document only; past a syntax error
// the declarations that parsed are still checked. Each request is answered from the last
// compilation of its document; a request that throws or names an unknown document gets a
// JSON-RPC error and the loop goes on.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LSP_SERVER_H
#define PRIVET_LSP_SERVER_H

#include "privet/Frontend/Frontend.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace privet::lsp {

class Server {
public:
  /// DebounceMs > 0: a changed document is re-checked once no message arrived for that long
  /// (or as soon as a request about it arrives), so a burst of keystrokes costs one check.
  /// 0: re-checked on every change (in-process drivers such as bench/lsp).
  explicit Server(FrontendOptions Options, unsigned DebounceMs = 0);
  ~Server();

  /// Reads messages from In until `exit` or end of input; writes responses and notifications
  /// to Out. Returns the process exit code (0 after shutdown then exit, 1 otherwise).
  int run(std::FILE *In, llvm::raw_ostream &Out);

  /// Handles one parsed message; Send receives every response and notification it produces.
  void handle(const llvm::json::Value &Message, const std::function<void(llvm::json::Value)> &Send);

  /// The parsed imports kept across checks (tests count its parses).
  const ModuleCache &moduleCache() const { return Cache; }

  bool exitRequested() const { return Exited; }
  bool shutdownRequested() const { return ShutDown; }

  struct Document;

private:
  llvm::json::Value dispatch(llvm::StringRef Method, const llvm::json::Value *Params,
                             const std::function<void(llvm::json::Value)> &Send);
  void check(const std::string &Path, const std::function<void(llvm::json::Value)> &Send);
  /// Checks every document changed since its last check.
  void checkChanged(const std::function<void(llvm::json::Value)> &Send);
  /// The open document Params names; CheckPending first runs its debounced check, if any.
  Document &document(const llvm::json::Value *Params, bool CheckPending = true);

  llvm::json::Value hover(Document &D, size_t Offset);
  llvm::json::Value definition(Document &D, size_t Offset);
  llvm::json::Value references(Document &D, size_t Offset);
  llvm::json::Value completion(Document &D, size_t Offset);
  llvm::json::Value codeActions(Document &D, size_t Begin, size_t End);
  llvm::json::Value formatting(Document &D);
  /// Edits only the top-level declarations touching bytes [Begin, End] (syntax::formatRange).
  llvm::json::Value rangeFormatting(Document &D, size_t Begin, size_t End);
  llvm::json::Value documentSymbols(Document &D);
  llvm::json::Value workspaceSymbols(llvm::StringRef Query);
  llvm::json::Value prepareRename(Document &D, size_t Offset);
  llvm::json::Value rename(Document &D, size_t Offset, llvm::StringRef NewName);
  llvm::json::Value semanticTokens(Document &D);
  llvm::json::Value codeLenses(Document &D);
  llvm::json::Value runTests(Document &D);

  FrontendOptions Options;
  SourceOverlay Overlay;
  ModuleCache Cache;
  llvm::StringMap<std::unique_ptr<Document>> Documents;
  unsigned DebounceMs;
  llvm::StringSet<> Changed; ///< Documents edited since their last check.
  /// The Send of the message being handled, for checks a request triggers.
  const std::function<void(llvm::json::Value)> *CurrentSend = nullptr;
  bool ShutDown = false, Exited = false;
  /// `initialize` answered: before it, every request but `initialize` is refused (-32002).
  bool Initialized = false;
  /// Messages read ahead of the one being handled, so that a `$/cancelRequest` already sent is
  /// seen before the request it cancels is answered.
  std::deque<llvm::json::Value> Queue;
  /// Ids (as JSON text) of requests cancelled before they were answered.
  std::set<std::string> Cancelled;
  bool InputEnded = false;
  std::string InputError;
};

} // namespace privet::lsp

#endif // PRIVET_LSP_SERVER_H
