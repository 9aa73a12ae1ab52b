//===- ConcurrencyTest.cpp - Concurrent readers and hot reload through PolicyHandle ---===//
#include "SamplePolicy.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace privet::rt;
using namespace privet::rt::testing;

namespace {

TEST(Concurrency, ReadersShareOnePolicy) {
  auto P = CompiledPolicy::fromBytes(sampleVersion(false));
  ASSERT_TRUE(P);
  std::shared_ptr<const CompiledPolicy> Policy = P.take();
  std::atomic<int> Failures{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < 4; ++T)
    Threads.emplace_back([&, T] {
      Request R(*Policy);
      R.set(Dim::Action, "use").set(Dim::Purpose, "marketing");
      Decision D;
      for (int I = 0; I < 20000; ++I) {
        R.set(Dim::Data, uint32_t((I + T) % Policy->numValues(Dim::Data)));
        R.addData(EmailAddress);
        Policy->decide(R, D);
        bool Expect = (I + T) % Policy->numValues(Dim::Data) == Name ||
                      (I + T) % Policy->numValues(Dim::Data) == EmailAddress ||
                      (I + T) % Policy->numValues(Dim::Data) == Contact;
        if (D.permitted() != Expect || D.isError())
          ++Failures;
      }
    });
  for (std::thread &T : Threads)
    T.join();
  EXPECT_EQ(Failures.load(), 0);
}

TEST(Concurrency, HotReloadWhileDeciding) {
  char Dir[] = "/tmp/privet-reload-test-XXXXXX";
  ASSERT_NE(::mkdtemp(Dir), nullptr);
  std::string Path = std::string(Dir) + "/policy.pvc";
  std::string Garbage = std::string(Dir) + "/garbage.pvc";
  const std::string V1 = sampleVersion(false), V2 = sampleVersion(true);
  ASSERT_TRUE(writeFileAtomically(Path, V1));
  ASSERT_TRUE(writeFileAtomically(Garbage, V1.substr(0, V1.size() / 2)));

  auto Opened = PolicyHandle::open(Path);
  ASSERT_TRUE(Opened) << Opened.error();
  PolicyHandle &Handle = **Opened;

  std::atomic<bool> Stop{false};
  std::atomic<int> Wrong{0}, Seen1{0}, Seen2{0};
  std::vector<std::thread> Readers;
  for (int T = 0; T < 3; ++T)
    Readers.emplace_back([&] {
      while (!Stop.load()) {
        // A snapshot stays whole and alive for the whole request, whatever reload() does.
        std::shared_ptr<const CompiledPolicy> P = Handle.get();
        Request R(*P);
        R.set(Dim::Action, "use").set(Dim::Data, "email_address").set(Dim::Purpose, "marketing");
        Decision D = P->decide(R);
        bool IsV1 = P->name() == "v1";
        (IsV1 ? Seen1 : Seen2)++;
        if (D.isError() || D.permitted() != IsV1)
          ++Wrong;
      }
    });
  // JSON clients decide through the same snapshots: one session per thread, fresh per policy.
  for (int T = 0; T < 2; ++T)
    Readers.emplace_back([&] {
      while (!Stop.load()) {
        std::shared_ptr<const CompiledPolicy> P = Handle.get();
        JsonlSession Session(*P);
        std::string Out;
        Session.processLine(R"({"id":1,"action":"use","data":"email_address","purpose":)"
                            R"("marketing"})",
                            Out);
        bool IsV1 = P->name() == "v1";
        if (Out.rfind(IsV1 ? "{\"id\":1,\"decision\":\"allow\"" : "{\"id\":1,\"decision\":\"deny\"",
                      0) != 0)
          ++Wrong;
      }
    });

  for (int I = 0; I < 40; ++I) {
    ASSERT_TRUE(writeFileAtomically(Path, I % 2 ? V1 : V2));
    ASSERT_TRUE(Handle.reload(Path));
    EXPECT_EQ(Handle.get()->name(), I % 2 ? "v1" : "v2");
    // A bad file is refused and the current policy keeps serving.
    Status S = Handle.reload(Garbage);
    ASSERT_FALSE(S);
    EXPECT_NE(S.error().find("artifact is truncated"), std::string::npos) << S.error();
    EXPECT_EQ(Handle.get()->name(), I % 2 ? "v1" : "v2");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Stop = true;
  for (std::thread &T : Readers)
    T.join();
  EXPECT_EQ(Wrong.load(), 0);
  EXPECT_GT(Seen1.load() + Seen2.load(), 0);

  EXPECT_FALSE(Handle.reload(std::string(Dir) + "/missing.pvc"));
  EXPECT_EQ(Handle.get()->name(), "v1");
  // A FIFO is refused at once (no writer is waited for), and so is a file whose header declares
  // another size: a service never reads an unbounded or mis-sized file while reloading.
  std::string Fifo = std::string(Dir) + "/fifo.pvc";
  ASSERT_EQ(::mkfifo(Fifo.c_str(), 0600), 0);
  Status S = Handle.reload(Fifo);
  ASSERT_FALSE(S);
  EXPECT_NE(S.error().find("is not a regular file"), std::string::npos) << S.error();
  std::string Padded = std::string(Dir) + "/padded.pvc";
  ASSERT_TRUE(writeFileAtomically(Padded, V1 + std::string(4096, '\0')));
  S = Handle.reload(Padded);
  ASSERT_FALSE(S);
  EXPECT_NE(S.error().find("unexpected bytes after its body"), std::string::npos) << S.error();
  EXPECT_EQ(Handle.get()->name(), "v1");
  ::unlink(Fifo.c_str());
  ::unlink(Padded.c_str());
  ::unlink(Path.c_str());
  ::unlink(Garbage.c_str());
  ::rmdir(Dir);
}

} // namespace
