//===- Metrics.h - The server's counters and latency histogram, in Prometheus text format -*- C++
//-*-===//
//
// Every counter is a relaxed atomic bumped on the request path; /metrics reads them without
// stopping anyone. Decisions are counted per policy content hash so that a dashboard can see a
// reload take effect.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_METRICS_H
#define PRIVET_SERVE_METRICS_H

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace privet::serve {

/// Kinds of client and server errors, each a label value of privet_errors_total.
enum class ErrorKind : unsigned {
  InvalidRequest,  ///< a body that is not a request the runtime can read
  InvalidUtf8,     ///< a body that is not UTF-8
  TooDeep,         ///< JSON nested deeper than the limit
  BodyTooLarge,    ///< 413
  BatchTooLarge,   ///< more lines than the batch limit
  BadParameter,    ///< a missing or unknown query parameter
  Undecidable,     ///< a well-formed request the policy answers with an error
  Unauthorized,    ///< a missing or wrong bearer token on an admin endpoint
  NotFound,        ///< no such route or method
  ConnectionLimit, ///< 503: more connections than the limit
  Draining,        ///< 503: the server is shutting down
  BadRequest,      ///< any other 4xx or 5xx the transport answers (a malformed head, chunked)
  HeadTooLarge,    ///< 414, 431: a request line or headers beyond their limits
  Count
};
const char *errorKindName(ErrorKind K);

/// Counts per decision effect: allow, deny, error.
struct EffectCounters {
  std::array<std::atomic<uint64_t>, 3> ByEffect{};
};

class Metrics {
public:
  /// Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> Buckets = {
      1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 1e-1};

  /// The counters of the policy with this content hash (created on first use; never freed, and
  /// bounded by the number of distinct artifacts served).
  EffectCounters &policyCounters(const std::string &Hash);
  void observeLatency(double Seconds);
  void error(ErrorKind K) { Errors[unsigned(K)].fetch_add(1, std::memory_order_relaxed); }

  std::atomic<uint64_t> Reloads{0}, ReloadFailures{0};
  std::atomic<uint64_t> ConnectionsAccepted{0}, ConnectionsActive{0}, ConnectionsRejected{0};
  std::atomic<uint64_t> LogWritten{0}, LogDropped{0}, LogWriteErrors{0}, LogRotations{0};
  std::atomic<uint64_t> LogQueueDepth{0};

  /// Everything, in the Prometheus text exposition format (version 0.0.4). Extra is appended
  /// as is (the policy info gauges, which the caller knows).
  std::string render(const std::string &Extra) const;

private:
  std::array<std::atomic<uint64_t>, Buckets.size() + 1> LatencyBuckets{};
  std::atomic<uint64_t> LatencyCount{0};
  std::atomic<uint64_t> LatencyNanos{0};
  std::array<std::atomic<uint64_t>, unsigned(ErrorKind::Count)> Errors{};
  mutable std::mutex PoliciesMutex;
  std::map<std::string, std::unique_ptr<EffectCounters>> Policies;
};

} // namespace privet::serve

#endif // PRIVET_SERVE_METRICS_H
