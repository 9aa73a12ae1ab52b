-- wrk script for `privet serve`: POST one Outpost24 request to /v1/decide on keep-alive
-- connections, and report throughput and the p50, p99 and p99.9 latencies as one CSV line.
wrk.method = "POST"
wrk.path = "/v1/decide"
wrk.headers["Content-Type"] = "application/json"
-- run.sh passes bench/serve/request.json in PRIVET_REQUEST.
wrk.body = os.getenv("PRIVET_REQUEST")

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT,%d,%.0f,%d,%d,%d,%d\n", summary.requests,
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), errors))
end
