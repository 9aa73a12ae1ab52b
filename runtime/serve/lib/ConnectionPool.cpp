//===- ConnectionPool.cpp - Connection workers and the rejecting thread ---------------------===//
#include "ConnectionPool.h"

namespace privet::serve {

namespace {
thread_local bool IsRejecter = false;
} // namespace

bool ConnectionPool::rejecting() { return IsRejecter; }

ConnectionPool::ConnectionPool(unsigned Workers, size_t MaxConnections, Metrics &M)
    : MaxConnections(MaxConnections), M(M) {
  for (unsigned I = 0; I < Workers; ++I)
    Threads.emplace_back([this] { work(false); });
  Threads.emplace_back([this] { work(true); });
}

ConnectionPool::~ConnectionPool() { shutdown(); }

void ConnectionPool::enqueue(std::function<void()> Fn) {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (Open >= MaxConnections) {
      M.ConnectionsRejected.fetch_add(1, std::memory_order_relaxed);
      Rejects.push_back(std::move(Fn));
      WakeRejecter.notify_one();
      return;
    }
    ++Open;
    M.ConnectionsAccepted.fetch_add(1, std::memory_order_relaxed);
    M.ConnectionsActive.store(Open, std::memory_order_relaxed);
    Jobs.push_back(std::move(Fn));
  }
  Wake.notify_one();
}

void ConnectionPool::work(bool Rejecter) {
  IsRejecter = Rejecter;
  auto &Queue = Rejecter ? Rejects : Jobs;
  auto &Cv = Rejecter ? WakeRejecter : Wake;
  while (true) {
    std::function<void()> Fn;
    {
      std::unique_lock<std::mutex> Lock(Mutex);
      Cv.wait(Lock, [&] { return Stopping || !Queue.empty(); });
      if (Queue.empty())
        return; // stopping, and nothing left
      Fn = std::move(Queue.front());
      Queue.pop_front();
    }
    Fn(); // serves the connection to its end and closes it
    if (!Rejecter) {
      std::lock_guard<std::mutex> Lock(Mutex);
      --Open;
      M.ConnectionsActive.store(Open, std::memory_order_relaxed);
    }
  }
}

void ConnectionPool::shutdown() {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (Stopping)
      return;
    Stopping = true;
  }
  Wake.notify_all();
  WakeRejecter.notify_all();
  for (std::thread &T : Threads)
    T.join();
  Threads.clear();
}

} // namespace privet::serve
