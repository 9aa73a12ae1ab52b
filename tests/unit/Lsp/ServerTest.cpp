//===- ServerTest.cpp - The language server in-process: the module cache across edits ------===//
#include "privet/Lsp/Server.h"

#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>

using namespace privet;
namespace json = llvm::json;

namespace {

struct Session {
  lsp::Server S{FrontendOptions{}};
  std::vector<json::Value> Sent;
  int NextId = 0;

  void send(llvm::StringRef Method, json::Value Params, bool Request = false) {
    json::Object M{{"jsonrpc", "2.0"}, {"method", Method}, {"params", std::move(Params)}};
    if (Request)
      M["id"] = ++NextId;
    S.handle(json::Value(std::move(M)), [&](json::Value V) { Sent.push_back(std::move(V)); });
  }
  /// The diagnostics of the last publishDiagnostics sent.
  const json::Array *lastDiagnostics() const {
    for (auto It = Sent.rbegin(); It != Sent.rend(); ++It)
      if (const json::Object *O = It->getAsObject())
        if (O->getString("method") == llvm::StringRef("textDocument/publishDiagnostics"))
          return O->getObject("params")->getArray("diagnostics");
    return nullptr;
  }
};

constexpr const char *Uri = "file:///privet-server-test/shop.privet";

std::string policy(llvm::StringRef Purpose) {
  return ("policy shop;\nimport gdpr;\naction use;\ncategory email;\npurpose " + Purpose +
          ";\nallow use email for marketing under gdpr.consent;\n")
      .str();
}

// An edit of the open document re-parses that document only: gdpr (and what it imports) comes
// from the cache, as long as its text is unchanged.
TEST(LspServer, EditDoesNotReparseTheStdlib) {
  Session T;
  T.send("initialize", json::Object{{"capabilities", json::Object{}}}, true);
  T.send("textDocument/didOpen",
         json::Object{{"textDocument", json::Object{{"uri", Uri},
                                                    {"languageId", "privet"},
                                                    {"version", 1},
                                                    {"text", policy("marketing")}}}});
  ASSERT_TRUE(T.lastDiagnostics());
  EXPECT_TRUE(T.lastDiagnostics()->empty());
  unsigned Opened = T.S.moduleCache().parses();
  EXPECT_GE(Opened, 2u); // the document and gdpr at least
  EXPECT_EQ(T.S.moduleCache().hits(), 0u);

  for (int Version = 2; Version <= 4; ++Version) {
    // Even versions break the rule's purpose, odd ones fix it: the check really runs.
    bool Broken = Version % 2 == 0;
    T.send("textDocument/didChange",
           json::Object{{"textDocument", json::Object{{"uri", Uri}, {"version", Version}}},
                        {"contentChanges", json::Array{json::Object{
                                               {"text", policy(Broken ? "ads" : "marketing")}}}}});
    ASSERT_TRUE(T.lastDiagnostics());
    EXPECT_EQ(T.lastDiagnostics()->size(), Broken ? 1u : 0u);
    EXPECT_EQ(T.S.moduleCache().parses(), Opened + unsigned(Version - 1));
  }
  EXPECT_EQ(T.S.moduleCache().hits(), 3 * (Opened - 1));
}

} // namespace
