//===- LspBench.cpp - Latency of `privet lsp`: re-check after an edit, completion, memory ---===//
//
// Drives lsp::Server in process (no pipe), so the times are the server's own work: a didChange
// of examples/outpost24/outpost24.privet (which imports the stdlib) until its diagnostics are
// published, a completion after `for `, and the resident memory after opening every example.
//
//===-------------------------------------------------------------------------------------===//
#include "privet/Lsp/Protocol.h"
#include "privet/Lsp/Server.h"

#include "llvm/Support/MemoryBuffer.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <string>

namespace {

namespace json = llvm::json;
using privet::lsp::Server;

const char *const Examples[] = {"outpost24/outpost24.privet", "hr_policy/nordlicht_hr.privet",
                                "health_app/vitalis.privet"};

std::string examplePath(const char *Name) {
  return std::string(PRIVET_SOURCE_DIR) + "/examples/" + Name;
}

std::string readFile(const std::string &Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer) {
    fprintf(stderr, "cannot read %s\n", Path.c_str());
    std::exit(1);
  }
  return (*Buffer)->getBuffer().str();
}

/// Sends Method with Params and returns the number of messages the server produced.
size_t send(Server &S, llvm::StringRef Method, json::Object Params, bool Request = false) {
  size_t Count = 0;
  json::Object M{{"jsonrpc", "2.0"}, {"method", Method}, {"params", std::move(Params)}};
  if (Request)
    M["id"] = 1;
  S.handle(json::Value(std::move(M)), [&](json::Value) { ++Count; });
  return Count;
}

void open(Server &S, const std::string &Path, const std::string &Text) {
  send(S, "textDocument/didOpen",
       json::Object{{"textDocument", json::Object{{"uri", privet::lsp::pathToUri(Path)},
                                                  {"languageId", "privet"},
                                                  {"version", 1},
                                                  {"text", Text}}}});
}

privet::FrontendOptions options() {
  privet::FrontendOptions O;
  O.StdlibDirs = {std::string(PRIVET_SOURCE_DIR) + "/stdlib"};
  return O;
}

/// A server past `initialize` (before it, the server drops every notification).
std::unique_ptr<Server> initializedServer() {
  auto S = std::make_unique<Server>(options());
  send(*S, "initialize", json::Object{{"capabilities", json::Object{}}}, /*Request=*/true);
  return S;
}

void BM_DiagnosticsAfterEdit(benchmark::State &State) {
  auto Owned = initializedServer();
  Server &S = *Owned;
  std::string Path = examplePath(Examples[0]), Text = readFile(Path);
  open(S, Path, Text);
  int64_t Version = 1;
  for (auto _ : State) {
    // A one-character edit at the end, alternating, as a user types and deletes.
    std::string Edited = Text + (Version % 2 ? "\n" : "");
    ++Version;
    size_t Published =
        send(S, "textDocument/didChange",
             json::Object{{"textDocument", json::Object{{"uri", privet::lsp::pathToUri(Path)},
                                                        {"version", Version}}},
                          {"contentChanges", json::Array{json::Object{{"text", Edited}}}}});
    if (Published != 1) {
      State.SkipWithError("the edit published no diagnostics: nothing was checked");
      break;
    }
  }
}
BENCHMARK(BM_DiagnosticsAfterEdit)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);

void BM_Completion(benchmark::State &State) {
  auto Owned = initializedServer();
  Server &S = *Owned;
  std::string Path = examplePath(Examples[0]), Text = readFile(Path);
  open(S, Path, Text);
  size_t At = Text.find(" for ") + 5;
  privet::lsp::Position P = privet::lsp::positionOf(Text, At);
  for (auto _ : State) {
    size_t Answers =
        send(S, "textDocument/completion",
             json::Object{{"textDocument", json::Object{{"uri", privet::lsp::pathToUri(Path)}}},
                          {"position", privet::lsp::toJson(P)}},
             /*Request=*/true);
    if (Answers != 1) {
      State.SkipWithError("the completion was not answered");
      break;
    }
  }
}
BENCHMARK(BM_Completion)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);

/// Resident set size of this process in KiB, from /proc/self/status.
long rssKiB() {
  std::ifstream Status("/proc/self/status");
  std::string Line;
  while (std::getline(Status, Line))
    if (Line.rfind("VmRSS:", 0) == 0)
      return std::stol(Line.substr(6));
  return -1;
}

void BM_OpenAllExamples(benchmark::State &State) {
  long Before = rssKiB();
  for (auto _ : State) {
    auto S = initializedServer();
    for (const char *E : Examples)
      open(*S, examplePath(E), readFile(examplePath(E)));
    State.counters["rss_kib"] = double(rssKiB());
    State.counters["rss_growth_kib"] = double(rssKiB() - Before);
  }
}
BENCHMARK(BM_OpenAllExamples)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
