//===- Metrics.cpp - Prometheus text rendering of the server's counters ---------------------===//
#include "Metrics.h"

#include <cstdio>

namespace privet::serve {

const char *errorKindName(ErrorKind K) {
  switch (K) {
  case ErrorKind::InvalidRequest:
    return "invalid_request";
  case ErrorKind::InvalidUtf8:
    return "invalid_utf8";
  case ErrorKind::TooDeep:
    return "too_deep";
  case ErrorKind::BodyTooLarge:
    return "body_too_large";
  case ErrorKind::BatchTooLarge:
    return "batch_too_large";
  case ErrorKind::BadParameter:
    return "bad_parameter";
  case ErrorKind::Undecidable:
    return "undecidable";
  case ErrorKind::Unauthorized:
    return "unauthorized";
  case ErrorKind::NotFound:
    return "not_found";
  case ErrorKind::ConnectionLimit:
    return "connection_limit";
  case ErrorKind::Draining:
    return "draining";
  case ErrorKind::BadRequest:
    return "bad_request";
  case ErrorKind::HeadTooLarge:
    return "head_too_large";
  case ErrorKind::Count:
    break;
  }
  return "unknown";
}

EffectCounters &Metrics::policyCounters(const std::string &Hash) {
  std::lock_guard<std::mutex> Lock(PoliciesMutex);
  auto &Slot = Policies[Hash];
  if (!Slot)
    Slot = std::make_unique<EffectCounters>();
  return *Slot;
}

void Metrics::observeLatency(double Seconds) {
  size_t B = 0;
  while (B < Buckets.size() && Seconds > Buckets[B])
    ++B;
  LatencyBuckets[B].fetch_add(1, std::memory_order_relaxed);
  LatencyCount.fetch_add(1, std::memory_order_relaxed);
  LatencyNanos.fetch_add(uint64_t(Seconds * 1e9), std::memory_order_relaxed);
}

namespace {

void describe(std::string &Out, const char *Name, const char *Help, const char *Type = "counter") {
  Out += "# HELP ";
  Out += Name;
  Out += ' ';
  Out += Help;
  Out += "\n# TYPE ";
  Out += Name;
  Out += ' ';
  Out += Type;
  Out += '\n';
}

void sample(std::string &Out, const std::string &NameAndLabels, uint64_t V) {
  Out += NameAndLabels;
  Out += ' ';
  Out += std::to_string(V);
  Out += '\n';
}

std::string formatDouble(double V) {
  char Buf[32];
  std::snprintf(Buf, sizeof Buf, "%.9g", V);
  return Buf;
}

} // namespace

std::string Metrics::render(const std::string &Extra) const {
  auto Load = [](const std::atomic<uint64_t> &A) { return A.load(std::memory_order_relaxed); };
  std::string Out;
  static const char *const Effects[] = {"deny", "allow", "error"};
  describe(Out, "privet_decisions_total", "Decisions answered, by effect and policy content hash.");
  {
    std::lock_guard<std::mutex> Lock(PoliciesMutex);
    for (const auto &[Hash, C] : Policies)
      for (unsigned E = 0; E < 3; ++E)
        sample(Out,
               std::string("privet_decisions_total{effect=\"") + Effects[E] + "\",policy=\"" +
                   Hash + "\"}",
               Load(C->ByEffect[E]));
  }
  describe(Out, "privet_decision_duration_seconds",
           "Time to read, decide and render one request, in seconds.", "histogram");
  uint64_t Cumulative = 0;
  for (size_t B = 0; B <= Buckets.size(); ++B) {
    Cumulative += Load(LatencyBuckets[B]);
    std::string Le = B < Buckets.size() ? formatDouble(Buckets[B]) : "+Inf";
    sample(Out, "privet_decision_duration_seconds_bucket{le=\"" + Le + "\"}", Cumulative);
  }
  Out += "privet_decision_duration_seconds_sum " + formatDouble(Load(LatencyNanos) / 1e9) + "\n";
  sample(Out, "privet_decision_duration_seconds_count", Load(LatencyCount));

  describe(Out, "privet_errors_total", "Requests refused or answered with an error, by kind.");
  for (unsigned K = 0; K < unsigned(ErrorKind::Count); ++K)
    sample(Out, std::string("privet_errors_total{kind=\"") + errorKindName(ErrorKind(K)) + "\"}",
           Load(Errors[K]));

  struct Scalar {
    const char *Name, *Help, *Type;
    const std::atomic<uint64_t> &Value;
  } Scalars[] = {
      {"privet_reloads_total", "Policy reloads that swapped in a new artifact.", "counter",
       Reloads},
      {"privet_reload_failures_total",
       "Reloads refused (the artifact failed to load or verify); the old policy kept serving.",
       "counter", ReloadFailures},
      {"privet_connections_accepted_total", "Connections accepted.", "counter",
       ConnectionsAccepted},
      {"privet_connections_rejected_total",
       "Connections answered 503 because the connection limit was reached.", "counter",
       ConnectionsRejected},
      {"privet_connections_open", "Connections open (within the limit).", "gauge",
       ConnectionsActive},
      {"privet_decision_log_written_total", "Decision log lines written.", "counter", LogWritten},
      {"privet_decision_log_dropped_total",
       "Decision log lines dropped: the queue was full or the write failed.", "counter",
       LogDropped},
      {"privet_decision_log_write_errors_total", "Failed writes to the decision log.", "counter",
       LogWriteErrors},
      {"privet_decision_log_rotations_total", "Decision log rotations.", "counter", LogRotations},
      {"privet_decision_log_queue_depth", "Decision log lines waiting to be written.", "gauge",
       LogQueueDepth},
  };
  for (const Scalar &S : Scalars) {
    describe(Out, S.Name, S.Help, S.Type);
    sample(Out, S.Name, Load(S.Value));
  }
  Out += Extra;
  return Out;
}

} // namespace privet::serve
