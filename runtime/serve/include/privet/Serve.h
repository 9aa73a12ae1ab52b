//===- Serve.h - The decision sidecar: an HTTP/1.1 server over the runtime ------*- C++ -*-===//
//
// privet_serve (runtime + verify + standalone Asio, nothing of the compiler) answers the runtime's
// JSON requests over HTTP, reloads the artifact when it changes, writes masked decision logs and
// exports Prometheus metrics. `privet serve` is a thin command line over it; docs/serve.md
// documents the API, the limits and their defaults.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_H
#define PRIVET_SERVE_H

#include "privet/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace privet::serve {

struct ServerOptions {
  std::string PolicyPath;
  /// When set, only artifacts signed by this key (PolicyPath + ".sig") are loaded or reloaded.
  std::string PublicKeyPath;
  std::string Host = "127.0.0.1";
  int Port = 8181; ///< 0: any free port (printed when listening); -1: no TCP listener
  /// When set, also (or, with Port = -1, only) listen on a Unix domain socket here (mode 0660).
  std::string UnixPath;

  unsigned Threads = 0;          ///< I/O threads; 0: one per core
  size_t MaxHeaders = 100;       ///< header lines in a request; beyond: 431
  size_t MaxHeaderBytes = 32768; ///< all header lines together; beyond: 431
  size_t MaxConnections = 1024;  ///< open connections beyond this are answered 503
  size_t MaxBodyBytes = 1 << 20; ///< larger bodies are answered 413
  size_t MaxBatch = 10000;       ///< request lines in one /v1/decide/batch
  unsigned MaxJsonDepth = 32;    ///< bracket nesting in a body
  unsigned ReadTimeoutMs = 5000; ///< a client that sends nothing for this long is dropped
  unsigned WriteTimeoutMs = 5000;
  unsigned IdleTimeoutMs = 5000;    ///< a keep-alive connection idle this long is closed
  size_t KeepAliveRequests = 10000; ///< requests on one connection before it is closed
  /// Bearer token for /metrics, /v1/policy and /v1/reload; empty: no token needed.
  std::string AdminToken;

  std::string DecisionLogPath;                 ///< empty: no decision log; "-": standard output
  std::vector<std::string> LogClearAttributes; ///< attributes logged in clear; others masked
  size_t LogQueueLines = 65536;
  uint64_t LogRotateBytes = 64ull << 20;
  unsigned LogKeep = 5;

  bool Watch = true; ///< reload when the artifact or its signature is replaced
  unsigned ReloadDebounceMs = 100;
  unsigned DrainTimeoutMs = 10000; ///< SIGTERM: longest wait for in-flight requests
};

class Server {
public:
  /// Loads the policy (verifying it if asked), opens the log and binds the socket. Blocks
  /// SIGTERM, SIGINT and SIGHUP in the calling thread (and so in every thread started after it)
  /// for runUntilSignalled, and ignores SIGPIPE. Call it from main before starting threads.
  static rt::Result<std::unique_ptr<Server>> create(const ServerOptions &Opts);
  ~Server();

  /// The bound TCP port (useful with Port = 0), or -1 without a TCP listener.
  int port() const;
  /// Serves until SIGTERM or SIGINT (drains in-flight requests) and reloads on SIGHUP.
  /// Returns false if serving failed.
  bool runUntilSignalled();

  struct Impl;

private:
  explicit Server(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

} // namespace privet::serve

#endif // PRIVET_SERVE_H
