//===- ServeConcurrencyTest.cpp - The server deciding while its policy is reloaded -----===//
//
// A real privet_serve server on a loopback port, in this process: client threads decide over
// keep-alive connections while the artifact is replaced on disk (the watcher reloads it) and
// SIGHUP reloads it again, the decision log writes every answer and /metrics is scraped. Every
// answer must be the answer of the policy it names. `make test-tsan` runs this under
// ThreadSanitizer; the normal and ASan builds run it as a unit test.
//
//===----------------------------------------------------------------------------------------===//
#include "HttpServer.h"
#include "HttpTestClient.h"
#include "SamplePolicy.h"

#include "privet/Runtime.h"
#include "privet/Serve.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace privet;
using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

size_t countLines(const std::string &Path, bool &AllComplete) {
  std::ifstream In(Path, std::ios::binary);
  std::string Text((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
  AllComplete = Text.empty() || Text.back() == '\n';
  size_t N = 0;
  for (char C : Text)
    N += C == '\n';
  return N;
}

TEST(Serve, DecidesWhileReloading) {
  char Dir[] = "/tmp/privet-serve-test-XXXXXX";
  ASSERT_NE(::mkdtemp(Dir), nullptr);
  const std::string Path = std::string(Dir) + "/policy.pvc";
  const std::string Log = std::string(Dir) + "/decisions.jsonl";
  const std::string V1 = sampleVersion(false), V2 = sampleVersion(true);
  ASSERT_TRUE(writeFileAtomically(Path, V1));

  serve::ServerOptions Opts;
  Opts.PolicyPath = Path;
  Opts.Port = 0;
  Opts.Threads = 8;
  Opts.DecisionLogPath = Log;
  Opts.ReloadDebounceMs = 5;
  Opts.DrainTimeoutMs = 5000;
  auto Created = serve::Server::create(Opts);
  ASSERT_TRUE(Created) << Created.error();
  std::unique_ptr<serve::Server> Server = Created.take();
  const int Port = Server->port();
  ASSERT_GT(Port, 0);

  std::atomic<bool> ServedOk{false};
  std::thread Serving([&] { ServedOk = Server->runUntilSignalled(); });

  // Clients decide until the reloads are over, and at least PerClient times each.
  constexpr int Clients = 4, PerClient = 200;
  std::atomic<bool> Reloading{true};
  std::atomic<int> Wrong{0}, Failed{0}, SeenV1{0}, SeenV2{0}, Sent{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < Clients; ++T)
    Threads.emplace_back([&] {
      privet::testing::HttpTestClient C(Port);
      for (int I = 0; I < PerClient || Reloading.load(); ++I) {
        ++Sent;
        auto Res = C.post("/v1/decide",
                          R"({"action":"use","data":"email_address","purpose":"marketing"})");
        if (!Res || Res->Status != 200) {
          ++Failed;
          continue;
        }
        const std::string &B = Res->Body;
        bool IsV1 = B.find("\"name\":\"v1\"") != std::string::npos;
        bool IsV2 = B.find("\"name\":\"v2\"") != std::string::npos;
        bool Allow = B.find("\"decision\":\"allow\"") != std::string::npos;
        (IsV1 ? SeenV1 : SeenV2)++;
        // The answer is always the answer of the policy it names: no torn or mixed decision.
        if (IsV1 == IsV2 || Allow != IsV1)
          ++Wrong;
      }
    });
  // Scrapes the metrics and the policy while the others decide.
  Threads.emplace_back([&] {
    privet::testing::HttpTestClient C(Port);
    while (Reloading.load()) {
      auto M = C.get("/metrics");
      auto P = C.get("/v1/policy");
      if (!M || M->Status != 200 || !P || P->Status != 200)
        ++Failed;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  // Replaces the artifact (the watcher reloads it) and sends SIGHUP (the signal thread does).
  for (int I = 0; I < 30; ++I) {
    EXPECT_TRUE(writeFileAtomically(Path, I % 2 ? V1 : V2));
    if (I % 3 == 0)
      ::kill(::getpid(), SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(8));
  }
  Reloading = false;
  for (std::thread &T : Threads)
    T.join();
  ::kill(::getpid(), SIGTERM);
  Serving.join();

  EXPECT_TRUE(ServedOk.load());
  EXPECT_EQ(Failed.load(), 0);
  EXPECT_EQ(Wrong.load(), 0);
  EXPECT_EQ(SeenV1.load() + SeenV2.load(), Sent.load());
  // Both policies answered: the reloads happened while clients were deciding.
  EXPECT_GT(SeenV1.load(), 0);
  EXPECT_GT(SeenV2.load(), 0);
  // Every decision was logged, each line whole (the queue is large enough to drop none).
  bool Complete = false;
  EXPECT_EQ(countLines(Log, Complete), size_t(Sent.load()));
  EXPECT_TRUE(Complete);
  Server.reset();
  ::unlink(Path.c_str());
  ::unlink(Log.c_str());
  ::rmdir(Dir);
}

} // namespace

// Each I/O thread runs its own event loop and a connection stays on the one it was given (round
// robin): every request of a connection is answered by one thread, and four connections over
// two threads use both. One loop shared by the threads would move a connection's requests from
// thread to thread.
TEST(HttpServer, EachConnectionStaysOnOneThread) {
  serve::Metrics M;
  serve::HttpServer Server(M);
  serve::HttpOptions Opts;
  Opts.Threads = 2;
  Server.setOptions(Opts);
  Server.Get("/thread", [](const serve::HttpRequest &, serve::HttpResponse &Res) {
    Res.setContent(std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id())),
                   "text/plain");
  });
  auto Port = Server.listenTcp("127.0.0.1", 0);
  ASSERT_TRUE(bool(Port)) << Port.error();
  std::thread Serving([&] { Server.run(); });

  constexpr int Clients = 4, Requests = 200;
  std::vector<std::set<std::string>> Seen(Clients);
  std::vector<int> Failed(Clients, 0);
  std::vector<std::thread> Threads;
  for (int C = 0; C < Clients; ++C)
    Threads.emplace_back([&, C] {
      privet::testing::HttpTestClient Client(*Port);
      for (int K = 0; K < Requests; ++K) {
        auto A = Client.get("/thread");
        if (!A || A->Status != 200)
          ++Failed[C];
        else
          Seen[C].insert(A->Body);
      }
    });
  for (std::thread &T : Threads)
    T.join();
  Server.drain();
  Serving.join();

  std::set<std::string> All;
  for (int C = 0; C < Clients; ++C) {
    EXPECT_EQ(Failed[C], 0) << "client " << C;
    EXPECT_EQ(Seen[C].size(), 1u) << "client " << C << "'s requests were served by "
                                  << Seen[C].size() << " threads";
    All.insert(Seen[C].begin(), Seen[C].end());
  }
  EXPECT_EQ(All.size(), 2u) << "four connections over two I/O threads";
}
