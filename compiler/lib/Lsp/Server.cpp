//===- Server.cpp - The language server's message loop and its requests ----------------===//
#include "privet/Lsp/Server.h"

#include "privet/Lsp/Protocol.h"
#include "privet/Syntax/Format.h"
#include "privet/Tooling/TestRunner.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <exception>

#include <poll.h>

namespace privet::lsp {

namespace json = llvm::json;
using llvm::StringRef;

namespace {

// JSON-RPC and LSP error codes.
constexpr int ParseError = -32700;
constexpr int InvalidRequest = -32600;
constexpr int MethodNotFound = -32601;
constexpr int InvalidParams = -32602;
constexpr int InternalError = -32603;
constexpr int ServerNotInitialized = -32002;
constexpr int RequestCancelled = -32800;

/// Thrown by a handler to answer its request with an error.
struct RpcError {
  int Code;
  std::string Message;
};

json::Object errorResponse(json::Value Id, int Code, StringRef Message) {
  return json::Object{{"jsonrpc", "2.0"},
                      {"id", std::move(Id)},
                      {"error", json::Object{{"code", Code}, {"message", Message}}}};
}

/// The GitHub-style anchor of a code's heading in docs/diagnostics.md (`## E0101 unknown_name`).
std::string diagnosticsDocLink(const Diagnostic &D) {
  return std::string(PRIVET_DIAGNOSTICS_DOC) + "#" + D.code().lower() + "-" + D.name().str();
}

/// The buffer of SM holding Loc, with its text; nullopt for an invalid location.
struct BufferLoc {
  unsigned Id;
  StringRef Text;
  size_t Offset;
};
std::optional<BufferLoc> bufferLoc(const llvm::SourceMgr &SM, llvm::SMLoc L) {
  if (!L.isValid())
    return std::nullopt;
  unsigned Id = SM.FindBufferContainingLoc(L);
  if (!Id)
    return std::nullopt;
  StringRef Text = SM.getMemoryBuffer(Id)->getBuffer();
  return BufferLoc{Id, Text, size_t(L.getPointer() - Text.begin())};
}

/// O's string member Key, if O and the member exist.
std::optional<StringRef> stringField(const json::Object *O, StringRef Key) {
  if (auto S = O ? O->getString(Key) : llvm::None)
    return *S;
  return std::nullopt;
}

/// The normalized path of buffer Id, as documents are keyed.
std::string bufferPath(const llvm::SourceMgr &SM, unsigned Id) {
  return SourceOverlay::normalize(SM.getMemoryBuffer(Id)->getBufferIdentifier());
}

json::Object rangeJson(StringRef Text, size_t Begin, size_t End) {
  return json::Object{{"start", toJson(positionOf(Text, Begin))},
                      {"end", toJson(positionOf(Text, std::max(Begin, End)))}};
}

std::optional<json::Object> rangeIn(const llvm::SourceMgr &SM, llvm::SMRange R) {
  auto B = bufferLoc(SM, R.Start);
  if (!B)
    return std::nullopt;
  size_t End = B->Offset;
  if (auto E = bufferLoc(SM, R.End); E && E->Id == B->Id)
    End = E->Offset;
  return rangeJson(B->Text, B->Offset, End);
}

std::optional<json::Object> locationJson(const llvm::SourceMgr &SM, llvm::SMRange R) {
  auto Range = rangeIn(SM, R);
  if (!Range)
    return std::nullopt;
  std::string Path = bufferPath(SM, SM.FindBufferContainingLoc(R.Start));
  return json::Object{{"uri", pathToUri(Path)}, {"range", std::move(*Range)}};
}

/// A named declaration of the policy: a vocabulary node or an obligation.
struct NamedNode {
  const VocabNode *Node;
  StringRef Kind; ///< `purpose`, `obligation`, ...
  const Vocabulary *Vocab;
  NodeId Id;
};

template <typename Fn> void forEachNode(const Policy &P, Fn F) {
  for (unsigned D = 0; D < NumDimensions; ++D)
    for (NodeId I = 0; I < P.Vocab[D].Nodes.size(); ++I)
      F(NamedNode{&P.Vocab[D].Nodes[I], dimensionKeyword(Dimension(D)), &P.Vocab[D], I});
  for (NodeId I = 0; I < P.Obligations.Nodes.size(); ++I)
    F(NamedNode{&P.Obligations.Nodes[I], "obligation", &P.Obligations, I});
}

/// `consent` of `gdpr.consent`; an unqualified name itself.
StringRef lastSegment(StringRef Name) {
  size_t Dot = Name.rfind('.');
  return Dot == StringRef::npos ? Name : Name.drop_front(Dot + 1);
}

constexpr const char *RunTestsCommand = "privet.runTests";

/// The semantic token legend; the indexes are LexToken kinds and name kinds below.
enum TokenType : unsigned {
  TokKeyword,
  TokString,
  TokNumber,
  TokComment,
  TokDecorator,
  TokNamespace,
  TokEnumMember, // a vocabulary name or obligation
  TokProperty,   // an attribute
  TokType,       // an enum
  TokFunction,   // a rule label
  TokVariable,   // anything else
};
json::Array semanticTokenTypes() {
  return json::Array{"keyword",    "string",   "number", "comment",  "decorator", "namespace",
                     "enumMember", "property", "type",   "function", "variable"};
}

} // namespace

struct Server::Document {
  std::string Path;
  std::string Text;
  int64_t Version = 0;
  /// The compilation of the last check, and the last one that produced a Policy (hover,
  /// navigation and completion keep working while the text has errors).
  std::unique_ptr<Compilation> Last, Good;
  /// The test runner's report on Good, once a code lens, hover or command needed it.
  std::optional<tooling::PolicyTestReport> Tests;
  std::string TestError; ///< Why the tests could not run (lowering failed), if they could not.
};

Server::Server(FrontendOptions Opts, unsigned DebounceMs)
    : Options(std::move(Opts)), DebounceMs(DebounceMs) {
  Options.Overlay = &Overlay;
  Options.Cache = &Cache;
  // An edit that breaks one declaration still gets name and type errors in the others.
  Options.RecoverSyntaxErrors = true;
}
Server::~Server() = default;

int Server::run(std::FILE *In, llvm::raw_ostream &Out) {
  std::function<void(json::Value)> Send = [&](json::Value V) { writeMessage(Out, V); };
  // Unbuffered, so poll() sees every byte not yet read; bodies are still read in one call.
  if (DebounceMs)
    std::setvbuf(In, nullptr, _IONBF, 0);
  // Reads one message into the queue; false at the end of the input. A `$/cancelRequest` is
  // noted as soon as it is read, so a request still queued behind it is answered as cancelled.
  auto ReadOne = [&]() {
    std::string Error;
    std::optional<std::string> Body = readMessage(In, Error);
    if (!Body) {
      InputEnded = true;
      InputError = Error;
      return false;
    }
    llvm::Expected<json::Value> Message = json::parse(*Body);
    if (!Message) {
      Send(errorResponse(nullptr, ParseError, llvm::toString(Message.takeError())));
      return true;
    }
    const json::Object *O = Message->getAsObject();
    if (O && stringField(O, "method") == StringRef("$/cancelRequest"))
      if (const json::Object *P = O->getObject("params"))
        if (const json::Value *Id = P->get("id"))
          Cancelled.insert(llvm::formatv("{0}", *Id).str());
    Queue.push_back(std::move(*Message));
    return true;
  };
  auto Readable = [&](int TimeoutMs) {
    pollfd Fd{fileno(In), POLLIN, 0};
    return ::poll(&Fd, 1, TimeoutMs) > 0;
  };
  while (!Exited) {
    if (Queue.empty()) {
      if (!Changed.empty() && !Readable(int(DebounceMs)))
        checkChanged(Send);
      if (InputEnded || !ReadOne())
        break;
    }
    // Read ahead what has already arrived (only when reads are unbuffered, so that poll() sees
    // every byte not yet read).
    while (DebounceMs && !InputEnded && Readable(0) && ReadOne()) {
    }
    if (Queue.empty()) // only a message that was not JSON, already answered
      continue;
    json::Value Message = std::move(Queue.front());
    Queue.pop_front();
    handle(Message, Send);
  }
  if (!InputError.empty())
    Send(errorResponse(nullptr, ParseError, InputError));
  return ShutDown && Exited ? 0 : 1;
}

void Server::handle(const json::Value &Message, const std::function<void(json::Value)> &Send) {
  const json::Object *O = Message.getAsObject();
  std::optional<StringRef> Method = stringField(O, "method");
  const json::Value *Id = O ? O->get("id") : nullptr;
  if (!Method) {
    // A response to a request of ours has no method; anything else is malformed.
    if (!O || !O->get("result"))
      Send(errorResponse(Id ? *Id : json::Value(nullptr), InvalidRequest,
                         "not a JSON-RPC request or notification"));
    return;
  }
  CurrentSend = &Send;
  if (Id) {
    auto C = Cancelled.find(llvm::formatv("{0}", *Id).str());
    if (C != Cancelled.end()) {
      Cancelled.erase(C);
      Send(errorResponse(*Id, RequestCancelled, "the request was cancelled"));
      return;
    }
  }
  // Before `initialize`, a request is refused and a notification dropped (LSP 3.17), except
  // `exit`, which still ends the server.
  if (!Initialized && *Method != "initialize" && *Method != "exit") {
    if (Id)
      Send(errorResponse(*Id, ServerNotInitialized, "the server has not been initialized"));
    return;
  }
  // Catch everything here: one bad request must not take the open documents down with it.
  try {
    json::Value Result = dispatch(*Method, O->get("params"), Send);
    if (Id)
      Send(json::Object{{"jsonrpc", "2.0"}, {"id", *Id}, {"result", std::move(Result)}});
  } catch (const RpcError &E) {
    if (Id)
      Send(errorResponse(*Id, E.Code, E.Message));
  } catch (const std::exception &E) {
    if (Id)
      Send(errorResponse(*Id, InternalError, E.what()));
  } catch (...) {
    if (Id)
      Send(errorResponse(*Id, InternalError, "internal error"));
  }
}

Server::Document &Server::document(const json::Value *Params, bool CheckPending) {
  const json::Object *P = Params ? Params->getAsObject() : nullptr;
  const json::Object *TD = P ? P->getObject("textDocument") : nullptr;
  std::optional<StringRef> Uri = stringField(TD, "uri");
  if (!Uri)
    throw RpcError{InvalidParams, "missing textDocument.uri"};
  std::optional<std::string> Path = uriToPath(*Uri);
  auto It = Path ? Documents.find(SourceOverlay::normalize(*Path)) : Documents.end();
  if (It == Documents.end())
    throw RpcError{InvalidParams, "unknown document " + Uri->str() + " (not opened)"};
  // A request sees the text as it is now: a pending debounced check runs first.
  if (CheckPending && Changed.erase(It->first()) && CurrentSend)
    check(It->first().str(), *CurrentSend);
  return *It->second;
}

static size_t offsetParam(const Server::Document &D, const json::Value *Params, StringRef Key) {
  const json::Object *P = Params ? Params->getAsObject() : nullptr;
  std::optional<Position> Pos = positionFromJson(P ? P->get(Key) : nullptr);
  if (!Pos)
    throw RpcError{InvalidParams, "missing " + Key.str()};
  return offsetOf(D.Text, *Pos);
}

json::Value Server::dispatch(StringRef Method, const json::Value *Params,
                             const std::function<void(json::Value)> &Send) {
  const json::Object *P = Params ? Params->getAsObject() : nullptr;
  if (Method == "initialize") {
    if (Initialized)
      throw RpcError{InvalidRequest, "the server is already initialized"};
    Initialized = true;
    return json::Object{
        {"capabilities",
         json::Object{
             {"textDocumentSync", json::Object{{"openClose", true}, {"change", 1}, {"save", true}}},
             {"hoverProvider", true},
             {"definitionProvider", true},
             {"referencesProvider", true},
             {"documentSymbolProvider", true},
             {"documentFormattingProvider", true},
             {"documentRangeFormattingProvider", true},
             {"codeActionProvider", json::Object{{"codeActionKinds", json::Array{"quickfix"}}}},
             {"completionProvider", json::Object{{"triggerCharacters", json::Array{"."}}}},
             {"workspaceSymbolProvider", true},
             {"renameProvider", json::Object{{"prepareProvider", true}}},
             {"codeLensProvider", json::Object{{"resolveProvider", false}}},
             {"executeCommandProvider", json::Object{{"commands", json::Array{RunTestsCommand}}}},
             {"semanticTokensProvider",
              json::Object{{"legend", json::Object{{"tokenTypes", semanticTokenTypes()},
                                                   {"tokenModifiers", json::Array{}}}},
                           {"full", true}}},
         }},
        {"serverInfo", json::Object{{"name", "privet"}, {"version", PRIVET_VERSION}}}};
  }
  if (Method == "initialized" || Method == "$/cancelRequest" || Method == "$/setTrace")
    return nullptr;
  if (Method == "shutdown") {
    ShutDown = true;
    return nullptr;
  }
  if (Method == "exit") {
    Exited = true;
    return nullptr;
  }
  if (ShutDown)
    throw RpcError{InvalidRequest, "the server is shutting down"};
  if (Method == "textDocument/didOpen") {
    const json::Object *TD = P ? P->getObject("textDocument") : nullptr;
    std::optional<StringRef> Uri = stringField(TD, "uri");
    std::optional<StringRef> Text = stringField(TD, "text");
    std::optional<std::string> Path = Uri ? uriToPath(*Uri) : std::nullopt;
    if (!Path || !Text)
      throw RpcError{InvalidParams, "didOpen needs a file: uri and its text"};
    std::string Key = SourceOverlay::normalize(*Path);
    auto &D = Documents[Key];
    D = std::make_unique<Document>();
    D->Path = Key;
    D->Text = Text->str();
    D->Version = TD->getInteger("version").getValueOr(0);
    Overlay.set(Key, D->Text);
    check(Key, Send);
    return nullptr;
  }
  if (Method == "textDocument/didChange") {
    Document &D = document(Params, /*CheckPending=*/false);
    const json::Object *TD = P->getObject("textDocument");
    const json::Array *Changes = P->getArray("contentChanges");
    if (!Changes || Changes->empty())
      throw RpcError{InvalidParams, "didChange without contentChanges"};
    // Full synchronisation: the last change holds the whole text.
    const json::Object *Last = Changes->back().getAsObject();
    std::optional<StringRef> Text = stringField(Last, "text");
    if (!Text)
      throw RpcError{InvalidParams, "didChange needs the full text"};
    D.Text = Text->str();
    D.Version = TD ? TD->getInteger("version").getValueOr(D.Version + 1) : D.Version + 1;
    Overlay.set(D.Path, D.Text);
    if (DebounceMs)
      Changed.insert(D.Path);
    else
      check(D.Path, Send);
    return nullptr;
  }
  if (Method == "textDocument/didSave")
    return check(document(Params).Path, Send), nullptr;
  if (Method == "textDocument/didClose") {
    Document &D = document(Params);
    std::string Path = D.Path;
    Changed.erase(Path);
    Overlay.remove(Path);
    Documents.erase(Path);
    Send(json::Object{
        {"jsonrpc", "2.0"},
        {"method", "textDocument/publishDiagnostics"},
        {"params", json::Object{{"uri", pathToUri(Path)}, {"diagnostics", json::Array{}}}}});
    return nullptr;
  }
  if (Method == "textDocument/hover")
    return hover(document(Params), offsetParam(document(Params), Params, "position"));
  if (Method == "textDocument/definition")
    return definition(document(Params), offsetParam(document(Params), Params, "position"));
  if (Method == "textDocument/references")
    return references(document(Params), offsetParam(document(Params), Params, "position"));
  if (Method == "textDocument/completion")
    return completion(document(Params), offsetParam(document(Params), Params, "position"));
  if (Method == "textDocument/formatting")
    return formatting(document(Params));
  if (Method == "textDocument/rangeFormatting") {
    Document &D = document(Params);
    const json::Object *R = P->getObject("range");
    std::optional<Position> B = positionFromJson(R ? R->get("start") : nullptr);
    std::optional<Position> E = positionFromJson(R ? R->get("end") : nullptr);
    if (!B || !E)
      throw RpcError{InvalidParams, "rangeFormatting needs a range"};
    return rangeFormatting(D, offsetOf(D.Text, *B), offsetOf(D.Text, *E));
  }
  if (Method == "textDocument/documentSymbol")
    return documentSymbols(document(Params));
  if (Method == "textDocument/codeAction") {
    Document &D = document(Params);
    const json::Object *R = P->getObject("range");
    std::optional<Position> B = positionFromJson(R ? R->get("start") : nullptr);
    std::optional<Position> E = positionFromJson(R ? R->get("end") : nullptr);
    if (!B || !E)
      throw RpcError{InvalidParams, "codeAction needs a range"};
    return codeActions(D, offsetOf(D.Text, *B), offsetOf(D.Text, *E));
  }
  if (Method == "workspace/symbol")
    return workspaceSymbols(stringField(P, "query").value_or(""));
  if (Method == "textDocument/prepareRename")
    return prepareRename(document(Params), offsetParam(document(Params), Params, "position"));
  if (Method == "textDocument/rename") {
    std::optional<StringRef> NewName = stringField(P, "newName");
    if (!NewName)
      throw RpcError{InvalidParams, "rename needs newName"};
    return rename(document(Params), offsetParam(document(Params), Params, "position"), *NewName);
  }
  if (Method == "textDocument/semanticTokens/full")
    return semanticTokens(document(Params));
  if (Method == "textDocument/codeLens")
    return codeLenses(document(Params));
  if (Method == "workspace/executeCommand") {
    if (stringField(P, "command") != StringRef(RunTestsCommand))
      throw RpcError{InvalidParams, "unknown command"};
    const json::Array *Args = P->getArray("arguments");
    std::optional<StringRef> Uri;
    if (Args && !Args->empty() && Args->front().getAsString())
      Uri = *Args->front().getAsString();
    if (!Uri)
      throw RpcError{InvalidParams, RunTestsCommand + std::string(" needs the document's uri")};
    json::Value DocParams = json::Object{{"textDocument", json::Object{{"uri", *Uri}}}};
    return runTests(document(&DocParams));
  }
  if (Method.startswith("$/"))
    return nullptr; // Optional notifications may be ignored (LSP 3.17, "$ Notifications").
  throw RpcError{MethodNotFound, "unsupported method " + Method.str()};
}

void Server::checkChanged(const std::function<void(json::Value)> &Send) {
  llvm::StringSet<> Now = std::move(Changed);
  Changed.clear();
  for (const auto &Entry : Now)
    if (Documents.count(Entry.first()))
      check(Entry.first().str(), Send);
}

void Server::check(const std::string &Path, const std::function<void(json::Value)> &Send) {
  Document &D = *Documents[Path];
  auto C = std::make_unique<Compilation>();
  C->load(Path, Options);
  json::Array Out;
  for (const Diagnostic *Diag : C->Diags.sorted()) {
    json::Object LD{{"source", "privet"},
                    {"code", Diag->code()},
                    {"codeDescription", json::Object{{"href", diagnosticsDocLink(*Diag)}}}};
    LD["severity"] = Diag->Sev == Severity::Error ? 1 : Diag->Sev == Severity::Warning ? 2 : 3;
    std::string Message = Diag->Message;
    if (!Diag->Help.empty())
      Message += " (" + Diag->Help + ")";
    std::optional<BufferLoc> B = bufferLoc(C->SM, Diag->Range.Start);
    bool Here = B && bufferPath(C->SM, B->Id) == Path;
    if (Here) {
      LD["range"] = *rangeIn(C->SM, Diag->Range);
    } else {
      // In an imported file (or without a place): shown at the top, naming where it is.
      LD["range"] = rangeJson(D.Text, 0, 0);
      ResolvedLoc R = C->Diags.resolve(Diag->Range);
      if (R.Line)
        Message =
            R.File + ":" + std::to_string(R.Line) + ":" + std::to_string(R.Column) + ": " + Message;
    }
    LD["message"] = Message;
    json::Array Related;
    for (const DiagnosticNote &N : Diag->Notes)
      if (auto L = locationJson(C->SM, N.Range))
        Related.push_back(json::Object{{"location", std::move(*L)}, {"message", N.Message}});
    if (!Related.empty())
      LD["relatedInformation"] = std::move(Related);
    Out.push_back(std::move(LD));
  }
  Send(json::Object{{"jsonrpc", "2.0"},
                    {"method", "textDocument/publishDiagnostics"},
                    {"params", json::Object{{"uri", pathToUri(Path)},
                                            {"version", D.Version},
                                            {"diagnostics", std::move(Out)}}}});
  if (C->ThePolicy) {
    D.Tests.reset();
    D.TestError.clear();
    D.Good = std::move(C);
    D.Last.reset();
  } else {
    D.Last = std::move(C);
  }
}

/// The compilation answering questions about D: the last good one, else the last one.
static Compilation *answering(Server::Document &D) { return D.Good ? D.Good.get() : D.Last.get(); }

static bool ensureTests(Server::Document &D);
static unsigned testsExercising(const tooling::PolicyTestReport &Report, uint32_t R);

/// The declaration the identifier Name refers to in policy P (a qualified name matches its own
/// module's nodes; an alias such as `tx.` matches by the last segment).
static std::optional<NamedNode> lookupName(const Policy &P, StringRef Name) {
  std::optional<NamedNode> Exact, BySegment;
  forEachNode(P, [&](NamedNode N) {
    if (N.Node->Name == Name && !Exact)
      Exact = N;
    else if (!BySegment && Name.contains('.') && lastSegment(N.Node->Name) == lastSegment(Name))
      BySegment = N;
  });
  return Exact ? Exact : BySegment;
}

/// The identifier at Offset of Text (its start in Start), when C has a checked policy to
/// resolve it in; empty otherwise.
static StringRef nameToResolve(const Compilation *C, StringRef Text, size_t Offset, size_t &Start) {
  StringRef Name = identifierAt(Text, Offset, Start);
  return C && C->ThePolicy ? Name : StringRef();
}

json::Value Server::hover(Document &D, size_t Offset) {
  Compilation *C = answering(D);
  size_t Start;
  StringRef Name = nameToResolve(C, D.Text, Offset, Start);
  if (Name.empty())
    return nullptr;
  const Policy &P = *C->ThePolicy;
  std::string Md;
  llvm::raw_string_ostream OS(Md);
  if (auto N = lookupName(P, Name)) {
    OS << "**" << N->Kind << "** `" << N->Node->Name << "`";
    if (!N->Node->Title.empty())
      OS << " — " << N->Node->Title;
    OS << "\n";
    if (!N->Node->Description.empty())
      OS << "\n" << N->Node->Description << "\n";
    for (const std::string &S : N->Node->Sources)
      OS << "\n> " << S << "\n";
    if (!N->Node->Parents.empty()) {
      OS << "\nUnder:";
      for (NodeId Parent : N->Node->Parents)
        OS << " `" << N->Vocab->Nodes[Parent].Name << "`";
      OS << "\n";
    }
    if (!N->Node->Children.empty())
      OS << "\nCovers " << N->Vocab->Covers[N->Id].count() << " leaves ("
         << N->Node->Children.size() << " direct children)\n";
  } else {
    // On a rule: the innermost rule whose text contains the cursor.
    const Rule *Found = nullptr;
    uint32_t Index = 0;
    for (uint32_t I = 0; I < P.Rules.size(); ++I) {
      auto B = bufferLoc(C->SM, P.Rules[I].Location.Range.Start);
      auto E = bufferLoc(C->SM, P.Rules[I].Location.Range.End);
      if (B && E && bufferPath(C->SM, B->Id) == D.Path && B->Offset <= Offset &&
          Offset <= E->Offset) {
        Found = &P.Rules[I];
        Index = I;
      }
    }
    if (!Found)
      return nullptr;
    OS << "**" << (Found->IsAllow ? "allow" : "deny") << "** rule `" << Found->Id << "`\n\nScope:";
    bool Any = false;
    for (unsigned Dim = 0; Dim < NumDimensions; ++Dim)
      for (auto [Node, Negated] : Found->S.Written[Dim]) {
        OS << (Any ? ", " : " ") << dimensionName(Dimension(Dim)) << " " << (Negated ? "not " : "")
           << "`" << P.Vocab[Dim].Nodes[Node].Name << "`";
        Any = true;
      }
    if (!Any)
      OS << " every request";
    if (C == D.Good.get() && ensureTests(D)) {
      unsigned N = testsExercising(*D.Tests, Index);
      OS << "\n\nExercised by " << N << " test" << (N == 1 ? "" : "s") << "\n";
    }
    for (const std::string &S : Found->Sources)
      OS << "\n> " << S << "\n";
  }
  return json::Object{{"contents", json::Object{{"kind", "markdown"}, {"value", OS.str()}}},
                      {"range", rangeJson(D.Text, Start, Start + Name.size())}};
}

json::Value Server::definition(Document &D, size_t Offset) {
  Compilation *C = answering(D);
  size_t Start;
  StringRef Name = nameToResolve(C, D.Text, Offset, Start);
  if (Name.empty())
    return nullptr;
  auto N = lookupName(*C->ThePolicy, Name);
  if (!N)
    return nullptr;
  auto L = locationJson(C->SM, N->Node->Location.Range);
  return L ? json::Value(std::move(*L)) : json::Value(nullptr);
}

/// Every use of the declaration named Declared in the files C loaded (written qualified,
/// through an alias, or plain), as LSP locations of its last segment. Only identifier tokens
/// count: a word in a comment or a string is not a reference.
static json::Array referencesTo(Compilation &C, StringRef Declared) {
  const Policy &P = *C.ThePolicy;
  auto Target = lookupName(P, Declared);
  StringRef Short = lastSegment(Declared);
  json::Array Out;
  if (!Target)
    return Out;
  for (unsigned Id = 1; Id <= C.SM.getNumBuffers(); ++Id) {
    StringRef Text = C.SM.getMemoryBuffer(Id)->getBuffer();
    std::string Path = bufferPath(C.SM, Id);
    // In a module's own file its names are written unqualified and mean `module.name`.
    StringRef ModName;
    for (const Module &M : P.Modules)
      if (!M.IsPolicy && M.File < P.Files.size() &&
          SourceOverlay::normalize(P.Files[M.File]) == Path)
        ModName = M.Name;
    for (const LexToken &T : lexForHighlighting(Text)) {
      if (T.K != LexToken::Identifier || Text.slice(T.Begin, T.End) != Short)
        continue;
      size_t QStart;
      std::string Whole = identifierAt(Text, T.Begin, QStart).str();
      if (!ModName.empty() && Whole.find('.') == std::string::npos)
        Whole = (ModName + "." + Whole).str();
      auto Found = lookupName(P, Whole);
      if (Found && Found->Node == Target->Node)
        Out.push_back(
            json::Object{{"uri", pathToUri(Path)}, {"range", rangeJson(Text, T.Begin, T.End)}});
    }
  }
  return Out;
}

json::Value Server::references(Document &D, size_t Offset) {
  Compilation *C = answering(D);
  size_t Start;
  StringRef Name = nameToResolve(C, D.Text, Offset, Start);
  if (Name.empty())
    return json::Array{};
  auto N = lookupName(*C->ThePolicy, Name);
  if (!N)
    return json::Array{};
  return referencesTo(*C, N->Node->Name);
}

json::Value Server::completion(Document &D, size_t Offset) {
  CompletionContext Ctx = completionContextAt(D.Text, Offset);
  json::Array Items;
  auto Add = [&](StringRef Label, StringRef Detail, int Kind) {
    if (!StringRef(Label).startswith(Ctx.Prefix))
      return;
    Items.push_back(json::Object{{"label", Label}, {"detail", Detail}, {"kind", Kind}});
  };
  Compilation *C = answering(D);
  const Policy *P = C && C->ThePolicy ? &*C->ThePolicy : nullptr;
  constexpr int KindKeyword = 14, KindValue = 12;
  if (P) {
    auto AddVocab = [&](const Vocabulary &V) {
      for (const VocabNode &N : V.Nodes)
        Add(N.Name, N.Title, KindValue);
    };
    switch (Ctx.K) {
    case CompletionContext::Purpose:
      AddVocab(P->vocab(Dimension::Purpose));
      break;
    case CompletionContext::Basis:
      AddVocab(P->vocab(Dimension::Basis));
      break;
    case CompletionContext::Obligation:
      AddVocab(P->Obligations);
      break;
    case CompletionContext::Recipient:
      AddVocab(P->vocab(Dimension::Recipient));
      break;
    case CompletionContext::Region:
      AddVocab(P->vocab(Dimension::Region));
      break;
    case CompletionContext::RecipientFact:
    case CompletionContext::Contract:
      break;
    case CompletionContext::Qualified: {
      std::string Q = Ctx.Qualifier + ".";
      forEachNode(*P, [&](NamedNode N) {
        if (StringRef(N.Node->Name).startswith(Q))
          Add(StringRef(N.Node->Name).drop_front(Q.size()), N.Node->Title, KindValue);
      });
      break;
    }
    case CompletionContext::Any:
      forEachNode(*P, [&](NamedNode N) { Add(N.Node->Name, N.Node->Title, KindValue); });
      break;
    }
  }
  if (Ctx.K == CompletionContext::Any)
    for (const char *K : keywords())
      Add(K, "keyword", KindKeyword);
  // `to recipients where F`, and the facts F is made of (docs/language.md, Recipient facts).
  if (Ctx.K == CompletionContext::Recipient && Ctx.Keyword == "to")
    Add("recipients", "keyword: recipients where ...", KindKeyword);
  if (Ctx.K == CompletionContext::RecipientFact) {
    Add("role", "fact: the recipient is R or under it", KindKeyword);
    Add("under", "fact: under contract", KindKeyword);
    Add("located", "fact: located in X", KindKeyword);
    if (Ctx.Keyword != "not")
      Add("not", "keyword", KindKeyword);
  }
  if (Ctx.K == CompletionContext::Contract)
    Add("contract", "fact: the recipient or a node above it is under contract", KindKeyword);
  return json::Object{{"isIncomplete", false}, {"items", std::move(Items)}};
}

json::Value Server::codeActions(Document &D, size_t Begin, size_t End) {
  Compilation *C = D.Last ? D.Last.get() : D.Good.get();
  json::Array Actions;
  if (!C)
    return Actions;
  for (const Diagnostic *Diag : C->Diags.sorted()) {
    auto B = bufferLoc(C->SM, Diag->Range.Start);
    if (!B || Diag->FixIts.empty() || bufferPath(C->SM, B->Id) != D.Path)
      continue;
    size_t DEnd = B->Offset;
    if (auto E = bufferLoc(C->SM, Diag->Range.End))
      DEnd = E->Offset;
    if (DEnd < Begin || B->Offset > End)
      continue;
    json::Array Edits;
    for (const DiagnosticFixIt &F : Diag->FixIts)
      if (auto R = rangeIn(C->SM, F.Range))
        Edits.push_back(json::Object{{"range", std::move(*R)}, {"newText", F.Text}});
    std::string Title = Diag->Help.empty() ? "Apply the fix for " + Diag->code().str()
                                           : llvm::StringRef(Diag->Help).str();
    if (!Title.empty())
      Title[0] = llvm::toUpper(Title[0]);
    Actions.push_back(json::Object{
        {"title", Title},
        {"kind", "quickfix"},
        {"isPreferred", true},
        {"edit", json::Object{{"changes", json::Object{{pathToUri(D.Path), std::move(Edits)}}}}}});
  }
  return Actions;
}

json::Value Server::formatting(Document &D) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  unsigned Id = SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(D.Text, D.Path), {});
  auto Formatted = syntax::formatBuffer(Id, Diags);
  if (!Formatted)
    throw RpcError{InternalError, llvm::toString(Formatted.takeError())};
  if (!*Formatted)
    throw RpcError{InvalidRequest, "the document has syntax errors; it was not formatted"};
  if (**Formatted == D.Text)
    return json::Array{};
  return json::Array{
      json::Object{{"range", rangeJson(D.Text, 0, D.Text.size())}, {"newText", **Formatted}}};
}

json::Value Server::rangeFormatting(Document &D, size_t Begin, size_t End) {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM);
  unsigned Id = SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(D.Text, D.Path), {});
  auto Edits = syntax::formatRange(Id, Diags, Begin, End);
  if (!Edits)
    throw RpcError{InternalError, llvm::toString(Edits.takeError())};
  if (!*Edits)
    throw RpcError{InvalidRequest, "the document has syntax errors; it was not formatted"};
  json::Array Out;
  for (const syntax::FormatEdit &E : **Edits)
    Out.push_back(
        json::Object{{"range", rangeJson(D.Text, E.Begin, E.End)}, {"newText", E.NewText}});
  return Out;
}

json::Value Server::documentSymbols(Document &D) {
  Compilation *C = answering(D);
  json::Array Out;
  if (!C || !C->ThePolicy)
    return Out;
  const Policy &P = *C->ThePolicy;
  constexpr int KindClass = 5, KindFunction = 12, KindMethod = 6, KindEnum = 10, KindField = 8,
                KindObject = 19;
  auto Add = [&](StringRef Name, StringRef Detail, int Kind, const Loc &L) {
    auto R = rangeIn(C->SM, L.Range);
    if (!R)
      return;
    Out.push_back(json::Object{{"name", Name},
                               {"detail", Detail},
                               {"kind", Kind},
                               {"range", json::Object(*R)},
                               {"selectionRange", json::Object(*R)}});
  };
  forEachNode(P, [&](NamedNode N) {
    if (N.Node->Module == 0)
      Add(N.Node->Name, N.Kind, KindClass, N.Node->Location);
  });
  for (const EnumType &E : P.Enums)
    if (E.Module == 0)
      Add(E.Name, "enum", KindEnum, E.Location);
  for (const Attribute &A : P.Attributes)
    if (A.Module == 0)
      Add(A.Name, "attribute", KindField, A.Location);
  for (const Rule &R : P.Rules)
    if (R.Module == 0)
      Add(R.Id, R.IsAllow ? "allow" : "deny", KindFunction, R.Location);
  for (const TestCase &T : P.Tests)
    if (T.Module == 0)
      Add(T.Name, "test", KindMethod, T.Location);
  // Only the root policy declares a controller block: its parties, each with its role.
  if (const auto &Ctl = P.Controller) {
    Add(Ctl->Controller.Name, "controller", KindObject, Ctl->Controller.Location);
    if (Ctl->Representative)
      Add(Ctl->Representative->Name, "representative", KindObject, Ctl->Representative->Location);
    if (Ctl->Dpo)
      Add(Ctl->Dpo->Name, "data protection officer", KindObject, Ctl->Dpo->Location);
    for (const ProcessingClient &Client : Ctl->Clients)
      Add(Client.Name, "processor for", KindObject, Client.Location);
  }
  return Out;
}

json::Value Server::workspaceSymbols(StringRef Query) {
  json::Array Out;
  llvm::StringSet<> Seen;
  for (auto &Entry : Documents) {
    Compilation *C = answering(*Entry.second);
    if (!C || !C->ThePolicy)
      continue;
    forEachNode(*C->ThePolicy, [&](NamedNode N) {
      if (!StringRef(N.Node->Name).contains_insensitive(Query) || !Seen.insert(N.Node->Name).second)
        return;
      if (auto L = locationJson(C->SM, N.Node->Location.Range))
        Out.push_back(json::Object{{"name", N.Node->Name},
                                   {"kind", 5},
                                   {"containerName", N.Kind},
                                   {"location", std::move(*L)}});
    });
  }
  return Out;
}

json::Value Server::prepareRename(Document &D, size_t Offset) {
  Compilation *C = answering(D);
  size_t Start;
  StringRef Name = nameToResolve(C, D.Text, Offset, Start);
  if (Name.empty())
    return nullptr;
  auto N = lookupName(*C->ThePolicy, Name);
  auto B = N ? bufferLoc(C->SM, N->Node->Location.Range.Start) : std::nullopt;
  if (!B || !Documents.count(bufferPath(C->SM, B->Id)))
    throw RpcError{InvalidRequest, "only a name declared in an open document can be renamed"};
  StringRef Short = lastSegment(Name);
  size_t At = Start + Name.size() - Short.size();
  return json::Object{{"range", rangeJson(D.Text, At, At + Short.size())}, {"placeholder", Short}};
}

json::Value Server::rename(Document &D, size_t Offset, StringRef NewName) {
  prepareRename(D, Offset); // Throws when the name cannot be renamed.
  if (NewName.empty() ||
      !llvm::all_of(NewName, [](char C) { return llvm::isAlnum(C) || C == '_'; }) ||
      llvm::isDigit(NewName[0]) || isKeyword(NewName))
    throw RpcError{InvalidParams, "`" + NewName.str() + "` is not a name"};
  // The occurrences in every open document that loads the declaration, each edited once.
  std::string Declared;
  {
    Compilation *C = answering(D);
    size_t Start;
    auto N = lookupName(*C->ThePolicy, identifierAt(D.Text, Offset, Start));
    Declared = N->Node->Name;
  }
  json::Object Changes;
  llvm::StringSet<> Done;
  for (auto &Entry : Documents) {
    Compilation *C = answering(*Entry.second);
    if (!C || !C->ThePolicy)
      continue;
    json::Array Refs = referencesTo(*C, Declared);
    for (json::Value &R : Refs) {
      json::Object *O = R.getAsObject();
      std::string Uri = O->getString("uri")->str();
      auto Path = uriToPath(Uri);
      if (!Path || !Documents.count(*Path))
        continue;
      std::string Key;
      llvm::raw_string_ostream(Key) << Uri << *O->get("range");
      if (!Done.insert(Key).second)
        continue;
      json::Value *Edits = Changes.get(Uri);
      if (!Edits)
        Edits = &(Changes[Uri] = json::Array{});
      Edits->getAsArray()->push_back(
          json::Object{{"range", std::move(*O->get("range"))}, {"newText", NewName}});
    }
  }
  return json::Object{{"changes", std::move(Changes)}};
}

json::Value Server::semanticTokens(Document &D) {
  Compilation *C = answering(D);
  const Policy *P = C && C->ThePolicy ? &*C->ThePolicy : nullptr;
  json::Array Data;
  Position Prev;
  auto Emit = [&](size_t B, size_t E, unsigned Type) {
    Position Start = positionOf(D.Text, B), End = positionOf(D.Text, E);
    // A token may not span lines: a block comment is sent line by line.
    for (unsigned Line = Start.Line; Line <= End.Line; ++Line) {
      unsigned From = Line == Start.Line ? Start.Character : 0;
      unsigned To = Line == End.Line ? End.Character
                                     : positionOf(D.Text, offsetOf(D.Text, {Line, ~0u})).Character;
      if (To <= From)
        continue;
      Data.push_back(Line - Prev.Line);
      Data.push_back(Line == Prev.Line ? From - Prev.Character : From);
      Data.push_back(To - From);
      Data.push_back(Type);
      Data.push_back(0);
      Prev = {Line, From};
    }
  };
  for (const LexToken &T : lexForHighlighting(D.Text)) {
    // The legend starts with the lexical kinds, in LexToken's order.
    static_assert(unsigned(LexToken::Annotation) == TokDecorator, "legend order");
    if (T.K != LexToken::Identifier) {
      Emit(T.Begin, T.End, unsigned(T.K));
      continue;
    }
    {
      StringRef Word = StringRef(D.Text).slice(T.Begin, T.End);
      bool Qualifier = T.End < D.Text.size() && D.Text[T.End] == '.';
      unsigned Type = TokVariable;
      if (Qualifier)
        Type = TokNamespace;
      else if (P) {
        size_t QStart;
        StringRef Whole = identifierAt(D.Text, T.Begin, QStart);
        if (lookupName(*P, Whole))
          Type = TokEnumMember;
        else if (P->findAttribute(Whole))
          Type = TokProperty;
        else if (P->findRule(Word))
          Type = TokFunction;
        else if (llvm::any_of(P->Enums, [&](const EnumType &E) { return E.Name == Whole; }))
          Type = TokType;
      }
      Emit(T.Begin, T.End, Type);
    }
  }
  return json::Object{{"data", std::move(Data)}};
}

/// Runs D's tests once per checked version; false (with D.TestError set) when they cannot run.
static bool ensureTests(Server::Document &D) {
  if (D.Tests)
    return true;
  if (!D.Good || !D.TestError.empty())
    return false;
  auto Report = tooling::runPolicyTests(*D.Good->ThePolicy, D.Path, [&](uint32_t R) {
    return D.Good->ThePolicy->Rules[R].Module == 0;
  });
  if (!Report) {
    D.TestError = llvm::toString(Report.takeError());
    return false;
  }
  D.Tests = std::move(*Report);
  return true;
}

/// The number of distinct tests with an expectation decided (in part) by rule R.
static unsigned testsExercising(const tooling::PolicyTestReport &Report, uint32_t R) {
  llvm::DenseSet<uint32_t> Tests;
  for (const tooling::ExpectationResult &E : Report.Results)
    if (llvm::is_contained(E.Rules, R))
      Tests.insert(E.Test);
  return Tests.size();
}

json::Value Server::codeLenses(Document &D) {
  json::Array Out;
  if (!D.Good)
    return Out;
  Compilation &C = *D.Good;
  const Policy &P = *C.ThePolicy;
  bool Ran = ensureTests(D);
  auto Lens = [&](const Loc &L, std::string Title, bool Run) {
    auto R = rangeIn(C.SM, L.Range);
    if (!R)
      return;
    json::Object Command{{"title", std::move(Title)}, {"command", Run ? RunTestsCommand : ""}};
    if (Run)
      Command["arguments"] = json::Array{pathToUri(D.Path)};
    Out.push_back(json::Object{{"range", std::move(*R)}, {"command", std::move(Command)}});
  };
  for (uint32_t T = 0; T < P.Tests.size(); ++T) {
    if (P.Tests[T].Module != 0)
      continue;
    Lens(P.Tests[T].Location, "Run tests", true);
    if (!Ran) {
      Lens(P.Tests[T].Location, "cannot run: " + D.TestError, false);
      continue;
    }
    unsigned Passed = 0, Total = 0;
    std::string FirstFailure;
    for (const tooling::ExpectationResult &E : D.Tests->Results)
      if (E.Test == T) {
        ++Total;
        Passed += E.Passed;
        if (!E.Passed && FirstFailure.empty())
          FirstFailure = E.Failure;
      }
    Lens(P.Tests[T].Location,
         Passed == Total ? "passed (" + std::to_string(Total) + " expectations)"
                         : "failed " + std::to_string(Total - Passed) + " of " +
                               std::to_string(Total) + ": " + FirstFailure,
         false);
  }
  if (Ran)
    for (uint32_t R = 0; R < P.Rules.size(); ++R)
      if (P.Rules[R].Module == 0) {
        unsigned N = testsExercising(*D.Tests, R);
        Lens(P.Rules[R].Location, "covered by " + std::to_string(N) + " test" + (N == 1 ? "" : "s"),
             false);
      }
  return Out;
}

json::Value Server::runTests(Document &D) {
  D.Tests.reset();
  D.TestError.clear();
  if (!D.Good)
    throw RpcError{InvalidRequest, "the document has not checked without errors yet"};
  if (!ensureTests(D))
    throw RpcError{InternalError, "the tests could not run: " + D.TestError};
  return json::Object{{"passed", D.Tests->passed()}, {"failed", D.Tests->failed()}};
}

} // namespace privet::lsp
