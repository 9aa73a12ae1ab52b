//===- HttpServer.h - The sidecar's HTTP/1.1 transport on standalone Asio ---------*- C++ -*-===//
//
// A few I/O threads (one per core by default), each running its own io_context; a connection
// is given to the next thread in turn and stays on it, a chain of asynchronous reads and writes,
// so an idle keep-alive client costs a socket and a small buffer, never a thread. Handlers run
// on the connection's thread: a decision takes microseconds, less than a hand-off would.
//
// What a connection can make the server hold is bounded: the request head by HeadLimits and a
// deadline on the whole head (trickling bytes does not extend it), the body by MaxBodyBytes,
// the connections by MaxConnections (beyond it: 503 and close).
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_HTTPSERVER_H
#define PRIVET_SERVE_HTTPSERVER_H

#include "HttpMessage.h"
#include "Metrics.h"

#include "privet/Result.h"

#include <functional>
#include <memory>
#include <string>

namespace privet::serve {

struct HttpOptions {
  HeadLimits Head;
  size_t MaxBodyBytes = 1 << 20;
  size_t MaxConnections = 1024;
  unsigned ReadTimeoutMs = 5000;  ///< the whole request head; each read of a body
  unsigned WriteTimeoutMs = 5000; ///< each write
  unsigned IdleTimeoutMs = 5000;  ///< between requests on a keep-alive connection
  size_t KeepAliveRequests = 10000;
  unsigned Threads = 0; ///< 0: one per core
};

/// Errors the transport answers itself; the owner renders their bodies (and counts them).
enum class HttpError {
  BadRequest,      ///< 400, 505: a head that is not HTTP/1.x, a bad Content-Length
  NotFound,        ///< 404
  BodyTooLarge,    ///< 413
  HeadTooLarge,    ///< 414, 431
  LengthRequired,  ///< 411: a chunked body
  NotImplemented,  ///< 501: another transfer coding
  ConnectionLimit, ///< 503
};

class HttpServer {
public:
  using Handler = std::function<void(const HttpRequest &, HttpResponse &)>;
  /// Fills Res (status already set) for an error the transport found; Req is null when no
  /// request head was read.
  using ErrorRenderer = std::function<void(HttpError, const std::string &Message,
                                           const HttpRequest *Req, HttpResponse &Res)>;

  explicit HttpServer(Metrics &M);
  ~HttpServer();
  HttpServer(const HttpServer &) = delete;
  HttpServer &operator=(const HttpServer &) = delete;

  void Get(const std::string &Path, Handler H);
  void Post(const std::string &Path, Handler H);
  void setErrorRenderer(ErrorRenderer R);
  void setOptions(const HttpOptions &O);

  /// Binds HOST:PORT (port 0: any free port); returns the bound port.
  rt::Result<int> listenTcp(const std::string &Host, int Port);
  /// Binds a Unix domain socket at Path, mode 0660. Refuses a path that exists and is not a
  /// socket, and a socket another process still serves on; removes a stale one.
  rt::Status listenUnix(const std::string &Path);

  /// Serves on the calling thread and Threads - 1 more until drain() has finished.
  void run();
  /// Stops accepting, closes idle connections, lets requests in flight finish (each answered
  /// with `Connection: close`), then makes run() return. Callable from any thread.
  void drain();

  struct Impl;

private:
  std::unique_ptr<Impl> I;
};

} // namespace privet::serve

#endif // PRIVET_SERVE_HTTPSERVER_H
