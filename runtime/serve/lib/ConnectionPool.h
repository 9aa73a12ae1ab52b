//===- ConnectionPool.h - cpp-httplib's task queue: workers, a connection limit, rejects -*- C++
//-*-===//
//
// cpp-httplib hands every accepted connection to its task queue and a worker then serves that
// connection until it closes. This queue bounds the open connections: beyond the limit a
// connection goes to one separate rejecting thread, which answers its first request 503 and
// closes it, so a flood never takes a request worker and never queues without bound.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_CONNECTIONPOOL_H
#define PRIVET_SERVE_CONNECTIONPOOL_H

#include "Metrics.h"

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace privet::serve {

class ConnectionPool final : public httplib::TaskQueue {
public:
  ConnectionPool(unsigned Workers, size_t MaxConnections, Metrics &M);
  ~ConnectionPool() override;

  void enqueue(std::function<void()> Fn) override;
  /// Serves what is queued and running to its end, then joins the workers.
  void shutdown() override;

  /// True on the thread that answers connections beyond the limit.
  static bool rejecting();

private:
  void work(bool Rejecter);

  size_t MaxConnections;
  Metrics &M;
  std::mutex Mutex;
  std::condition_variable Wake, WakeRejecter;
  std::deque<std::function<void()>> Jobs, Rejects;
  size_t Open = 0; ///< accepted connections queued or being served
  bool Stopping = false;
  std::vector<std::thread> Threads;
};

} // namespace privet::serve

#endif // PRIVET_SERVE_CONNECTIONPOOL_H
