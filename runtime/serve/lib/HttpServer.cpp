//===- HttpServer.cpp - Connections, limits, timeouts and draining on standalone Asio ------===//
//
// A connection is a Session on its own strand, in one of four phases: reading a request head,
// reading its body, writing the answer, or lingering (after an answer that closes the
// connection: the write side is shut and what the client still sends is read and dropped for a
// moment, so that closing does not reset the connection before the client has read the answer).
// One steady_timer per session holds the phase's deadline; a generation number tells a stale
// expiry from the current one.
//
//===----------------------------------------------------------------------------------------===//
#include "HttpServer.h"

#include <asio.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <unordered_map>

namespace privet::serve {

namespace {

using Tcp = asio::ip::tcp;
using Local = asio::local::stream_protocol;

constexpr size_t HeadReadChunk = 16384;
/// What a lingering close reads and drops at most, and for how long.
constexpr size_t LingerBytes = 1 << 20;
constexpr unsigned LingerMs = 1000;
/// Connections beyond the limit being answered 503 at once; beyond this they are just closed.
constexpr size_t MaxRejecting = 1024;

struct SessionBase {
  virtual ~SessionBase() = default;
  /// Closes the connection if it is between requests; otherwise marks its next answer as the
  /// last. Posted to the session's strand.
  virtual void postDrain() = 0;
};

/// Whether the Connection header lists Token (case-insensitive, comma-separated).
bool connectionHas(std::string_view Value, std::string_view Token) {
  while (!Value.empty()) {
    size_t Comma = Value.find(',');
    std::string_view Item = Value.substr(0, Comma);
    Value = Comma == std::string_view::npos ? std::string_view() : Value.substr(Comma + 1);
    while (!Item.empty() && (Item.front() == ' ' || Item.front() == '\t'))
      Item.remove_prefix(1);
    while (!Item.empty() && (Item.back() == ' ' || Item.back() == '\t'))
      Item.remove_suffix(1);
    if (equalsIgnoreCase(Item, Token))
      return true;
  }
  return false;
}

bool lessIgnoreCase(const std::string &A, const std::string &B) {
  return std::lexicographical_compare(A.begin(), A.end(), B.begin(), B.end(), [](char X, char Y) {
    return std::tolower(static_cast<unsigned char>(X)) <
           std::tolower(static_cast<unsigned char>(Y));
  });
}

} // namespace

struct HttpServer::Impl {
  explicit Impl(Metrics &M) : M(M) { setThreads(std::thread::hardware_concurrency()); }
  ~Impl() {
    Destroying = true;
    asio::error_code Ignored;
    if (TcpAcceptor)
      TcpAcceptor->close(Ignored);
    if (UnixAcceptor)
      UnixAcceptor->close(Ignored);
    removeUnixSocket();
    TcpAcceptor.reset();
    UnixAcceptor.reset();
  }

  Metrics &M;
  HttpOptions Opts;
  std::unordered_map<std::string, Handler> Routes; ///< "METHOD /path"
  ErrorRenderer RenderError;
  std::atomic<bool> Draining{false}, Destroying{false};
  std::atomic<size_t> Active{0}, Rejecting{0};
  std::mutex SessionsMutex;
  std::unordered_map<SessionBase *, std::weak_ptr<SessionBase>> Sessions;
  std::string UnixPath;
  dev_t UnixDev = 0;
  ino_t UnixIno = 0;
  // Destroyed first (members go in reverse order): pending handlers, and the sessions they
  // keep alive, are destroyed while everything above still exists.
  // One event loop per thread, each run by its own thread, and each connection on one of them
  // for its whole life: a connection's reads, handler and writes never change thread, and a
  // thread sleeps in its own epoll. One loop run by every thread (as before) handed each ready
  // connection from the thread that polled to another, two context switches a request, which
  // were a quarter of the server's CPU under load. Io holds the acceptors and is the first
  // thread's loop; Loops[K] is thread K's (Loops[0] is Io).
  // More is declared before Io so that it is destroyed after it: Io's pending accept holds the
  // socket it was opening for a connection on one of More's loops, and destroying that socket
  // needs its loop's socket service (UBSan caught the other order at shutdown).
  std::vector<std::unique_ptr<asio::io_context>> More;
  asio::io_context Io{1};
  std::vector<asio::io_context *> Loops{&Io};
  std::atomic<size_t> NextLoop{0};
  asio::strand<asio::io_context::executor_type> AcceptStrand{asio::make_strand(Io)};

  /// Sizes the loops to the thread count; only before anything is listening or running.
  void setThreads(unsigned N) {
    N = std::max(1u, N);
    More.clear();
    Loops.assign(1, &Io);
    for (unsigned K = 1; K < N; ++K) {
      More.push_back(std::make_unique<asio::io_context>(1));
      Loops.push_back(More.back().get());
    }
  }
  /// The loop a new connection lives on: round robin.
  asio::io_context::executor_type nextLoop() {
    return Loops[NextLoop.fetch_add(1, std::memory_order_relaxed) % Loops.size()]->get_executor();
  }
  void stopAll() {
    for (asio::io_context *L : Loops)
      L->stop();
  }
  std::optional<Tcp::acceptor> TcpAcceptor;
  std::optional<Local::acceptor> UnixAcceptor;

  template <class Protocol> void accept(typename Protocol::acceptor &A);
  template <class Protocol>
  void accepted(typename Protocol::acceptor &A, asio::error_code Ec,
                typename Protocol::socket Sock);
  void sessionEnded(SessionBase *S, bool Counted) {
    {
      std::lock_guard<std::mutex> Lock(SessionsMutex);
      Sessions.erase(S);
    }
    if (!Counted) {
      Rejecting.fetch_sub(1);
      return;
    }
    size_t Left = Active.fetch_sub(1) - 1;
    M.ConnectionsActive.store(Left, std::memory_order_relaxed);
    if (Left == 0 && Draining.load() && !Destroying.load())
      stopAll();
  }
  void removeUnixSocket() {
    if (UnixPath.empty())
      return;
    struct stat St;
    if (::lstat(UnixPath.c_str(), &St) == 0 && S_ISSOCK(St.st_mode) && St.st_dev == UnixDev &&
        St.st_ino == UnixIno)
      ::unlink(UnixPath.c_str());
    UnixPath.clear();
  }
};

namespace {

template <class Protocol>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Protocol>> {
public:
  using Socket = typename Protocol::socket;

  Session(HttpServer::Impl &S, Socket Sock, bool Counted)
      : S(S), Sock(std::move(Sock)), Timer(this->Sock.get_executor()), Parser(S.Opts.Head),
        Counted(Counted) {}
  ~Session() override { S.sessionEnded(this, Counted); }

  void start() {
    asio::dispatch(Sock.get_executor(), [Self = this->shared_from_this()] {
      if (!Self->Counted) {
        HttpResponse Res;
        Res.Status = 503;
        Self->S.RenderError(HttpError::ConnectionLimit, "", nullptr, Res);
        Self->send(Res, false, false);
        return;
      }
      Self->HeadStarted = true; // the first request's head is due within the read timeout
      Self->Waiting = true;
      Self->arm(Self->S.Opts.ReadTimeoutMs);
      Self->head();
    });
  }

  void postDrain() override {
    asio::post(Sock.get_executor(), [Self = this->shared_from_this()] { Self->drain(); });
  }

private:
  enum class Phase { Head, Body, Writing, Lingering, Closed };

  void drain() {
    Draining = true;
    if (P != Phase::Head || !Waiting)
      return;
    asio::error_code Ec;
    if (Sock.available(Ec) == 0 || Ec)
      close(); // between requests, and no next request has arrived
  }

  void arm(unsigned Ms) {
    unsigned Gen = ++TimerGen;
    Timer.expires_after(std::chrono::milliseconds(Ms));
    Timer.async_wait([Self = this->shared_from_this(), Gen](asio::error_code Ec) {
      if (!Ec && Gen == Self->TimerGen)
        Self->close(); // a client too slow to send or to read is dropped without an answer
    });
  }

  void close() {
    if (P == Phase::Closed)
      return;
    P = Phase::Closed;
    asio::error_code Ignored;
    Sock.close(Ignored);
    Timer.cancel();
  }

  void readMore(size_t Chunk) {
    size_t Old = In.size();
    In.resize(Old + Chunk);
    Sock.async_read_some(asio::buffer(&In[Old], Chunk),
                         [Self = this->shared_from_this(), Old](asio::error_code Ec, size_t N) {
                           Self->In.resize(Old + (Ec ? 0 : N));
                           if (!Ec && N)
                             Self->Waiting = false;
                           Self->onRead(Ec);
                         });
  }

  void onRead(asio::error_code Ec) {
    if (P == Phase::Closed)
      return;
    if (Ec) {
      close();
      return;
    }
    switch (P) {
    case Phase::Head:
      head();
      return;
    case Phase::Body:
      body();
      return;
    case Phase::Lingering:
      Lingered += In.size();
      In.clear();
      if (Lingered > LingerBytes)
        close();
      else
        readMore(HeadReadChunk);
      return;
    case Phase::Writing:
    case Phase::Closed:
      return;
    }
  }

  void head() {
    P = Phase::Head;
    if (!HeadStarted) {
      if (In.empty()) {
        if (Draining || S.Draining.load()) {
          close();
          return;
        }
        arm(S.Opts.IdleTimeoutMs);
        Waiting = true;
        readMore(HeadReadChunk);
        return;
      }
      // The first bytes of a request: its whole head is due within the read timeout, however
      // slowly the bytes come.
      HeadStarted = true;
      arm(S.Opts.ReadTimeoutMs);
    }
    switch (Parser.parse(In, Req)) {
    case RequestHeadParser::Result::NeedMore:
      readMore(HeadReadChunk);
      return;
    case RequestHeadParser::Result::Error: {
      int Status = Parser.errorStatus();
      fail(Status == 414 || Status == 431 ? HttpError::HeadTooLarge : HttpError::BadRequest, Status,
           Parser.errorMessage(), nullptr);
      return;
    }
    case RequestHeadParser::Result::Done:
      headDone();
      return;
    }
  }

  void headDone() {
    if (Req.hasHeader("Transfer-Encoding")) {
      std::string_view Coding = Req.header("Transfer-Encoding");
      if (connectionHas(Coding, "chunked"))
        fail(HttpError::LengthRequired, 411,
             "chunked request bodies are not accepted; send the body with a Content-Length", &Req);
      else
        fail(HttpError::NotImplemented, 501,
             "the transfer coding `" + std::string(Coding) +
                 "` is not supported; send the body with a Content-Length",
             &Req);
      return;
    }
    BodyLength = 0;
    bool Seen = false;
    for (const auto &H : Req.Headers) {
      if (!equalsIgnoreCase(H.first, "Content-Length"))
        continue;
      const std::string &V = H.second;
      if (V.empty() ||
          !std::all_of(V.begin(), V.end(), [](char C) { return C >= '0' && C <= '9'; })) {
        fail(HttpError::BadRequest, 400, "the Content-Length header is not a decimal number", &Req);
        return;
      }
      // Beyond 19 digits it is too large for any limit (and for size_t).
      size_t N = V.size() > 19 ? SIZE_MAX : size_t(std::stoull(V));
      if (Seen && N != BodyLength) {
        fail(HttpError::BadRequest, 400, "the request has two different Content-Length headers",
             &Req);
        return;
      }
      Seen = true;
      BodyLength = N;
    }
    if (BodyLength > S.Opts.MaxBodyBytes) {
      fail(HttpError::BodyTooLarge, 413,
           "the request body is larger than " + std::to_string(S.Opts.MaxBodyBytes) + " bytes",
           &Req);
      return;
    }
    P = Phase::Body;
    size_t Have = In.size() - Parser.headLength();
    if (Have < BodyLength && Req.VersionMinor == 1 &&
        connectionHas(Req.header("Expect"), "100-continue")) {
      Out = "HTTP/1.1 100 Continue\r\n\r\n";
      Continuing = true;
      write();
      return;
    }
    body();
  }

  void body() {
    P = Phase::Body;
    size_t Start = Parser.headLength();
    size_t Have = In.size() - Start;
    if (Have < BodyLength) {
      arm(S.Opts.ReadTimeoutMs);
      readMore(std::clamp<size_t>(BodyLength - Have, 4096, 65536));
      return;
    }
    Req.Body.assign(In, Start, BodyLength);
    In.erase(0, Start + BodyLength);
    respond();
  }

  void respond() {
    ++Served;
    HttpResponse Res;
    bool IsHead = Req.Method == "HEAD";
    auto Route = S.Routes.find((IsHead ? std::string("GET") : Req.Method) + " " + Req.Path);
    if (Route == S.Routes.end()) {
      Res.Status = 404;
      S.RenderError(HttpError::NotFound, "no route " + Req.Method + " " + Req.Path, &Req, Res);
    } else {
      try {
        Route->second(Req, Res);
      } catch (const std::exception &E) {
        Res = HttpResponse();
        Res.Status = 500;
        S.RenderError(HttpError::BadRequest, std::string("internal error: ") + E.what(), &Req, Res);
      }
    }
    std::string_view Connection = Req.header("Connection");
    bool KeepAlive = Req.VersionMinor == 1 ? !connectionHas(Connection, "close")
                                           : connectionHas(Connection, "keep-alive");
    KeepAlive = KeepAlive && Served < S.Opts.KeepAliveRequests && !Draining && !S.Draining.load();
    send(Res, KeepAlive, IsHead);
  }

  void fail(HttpError E, int Status, const std::string &Message, const HttpRequest *R) {
    HttpResponse Res;
    Res.Status = Status;
    S.RenderError(E, Message, R, Res);
    send(Res, false, false);
  }

  void send(HttpResponse &Res, bool KeepAlive, bool OmitBody) {
    std::vector<std::pair<std::string, std::string>> Headers = std::move(Res.Headers);
    if (!KeepAlive)
      Headers.emplace_back("Connection", "close");
    else if (Req.VersionMinor == 0)
      Headers.emplace_back("Connection", "keep-alive");
    Headers.emplace_back("Content-Length", std::to_string(Res.Body.size()));
    if (!Res.ContentType.empty())
      Headers.emplace_back("Content-Type", Res.ContentType);
    if (KeepAlive)
      Headers.emplace_back("Keep-Alive",
                           "timeout=" + std::to_string(std::max(1u, S.Opts.IdleTimeoutMs / 1000)) +
                               ", max=" + std::to_string(S.Opts.KeepAliveRequests));
    std::stable_sort(Headers.begin(), Headers.end(),
                     [](const auto &A, const auto &B) { return lessIgnoreCase(A.first, B.first); });
    Out = "HTTP/1.1 " + std::to_string(Res.Status) + " " + statusReason(Res.Status) + "\r\n";
    for (const auto &H : Headers) {
      Out += H.first;
      Out += ": ";
      Out += H.second;
      Out += "\r\n";
    }
    Out += "\r\n";
    if (!OmitBody)
      Out += Res.Body;
    CloseAfter = !KeepAlive;
    write();
  }

  void write() {
    P = Phase::Writing;
    arm(S.Opts.WriteTimeoutMs);
    asio::async_write(
        Sock, asio::buffer(Out),
        [Self = this->shared_from_this()](asio::error_code Ec, size_t) { Self->written(Ec); });
  }

  void written(asio::error_code Ec) {
    if (P == Phase::Closed)
      return;
    if (Ec) {
      close();
      return;
    }
    if (Continuing) {
      Continuing = false;
      body();
      return;
    }
    if (CloseAfter) {
      linger();
      return;
    }
    Parser.reset();
    Req = HttpRequest();
    HeadStarted = false;
    if (In.capacity() > 65536 && In.size() < 4096)
      In.shrink_to_fit();
    head(); // a pipelined request may be buffered already
  }

  void linger() {
    P = Phase::Lingering;
    asio::error_code Ignored;
    Sock.shutdown(Socket::shutdown_send, Ignored);
    In.clear();
    In.shrink_to_fit();
    Lingered = 0;
    arm(std::min(LingerMs, S.Opts.ReadTimeoutMs));
    readMore(HeadReadChunk);
  }

  HttpServer::Impl &S;
  Socket Sock;
  asio::steady_timer Timer;
  unsigned TimerGen = 0;
  std::string In, Out;
  RequestHeadParser Parser;
  HttpRequest Req;
  Phase P = Phase::Head;
  bool Counted;
  bool HeadStarted = false, Draining = false, CloseAfter = false, Continuing = false;
  bool Waiting = false; ///< for the first byte of a request: what drain() may cut off
  size_t BodyLength = 0, Served = 0, Lingered = 0;
};

} // namespace

template <class Protocol> void HttpServer::Impl::accept(typename Protocol::acceptor &A) {
  A.async_accept(nextLoop(), [this, &A](asio::error_code Ec, typename Protocol::socket Sock) {
    accepted<Protocol>(A, Ec, std::move(Sock));
  });
}

template <class Protocol>
void HttpServer::Impl::accepted(typename Protocol::acceptor &A, asio::error_code Ec,
                                typename Protocol::socket Sock) {
  if (Ec == asio::error::operation_aborted || !A.is_open())
    return;
  if (Ec) {
    // Out of descriptors, most likely: wait a moment rather than spin.
    auto Retry = std::make_shared<asio::steady_timer>(AcceptStrand, std::chrono::milliseconds(50));
    Retry->async_wait([this, &A, Retry](asio::error_code E) {
      if (!E && A.is_open())
        accept<Protocol>(A);
    });
    return;
  }
  if constexpr (std::is_same_v<Protocol, Tcp>) {
    asio::error_code Ignored;
    Sock.set_option(Tcp::no_delay(true), Ignored);
  }
  std::shared_ptr<Session<Protocol>> New;
  {
    std::lock_guard<std::mutex> Lock(SessionsMutex);
    if (Draining.load()) {
      asio::error_code Ignored;
      Sock.close(Ignored);
      return;
    }
    if (Active.load() >= Opts.MaxConnections) {
      M.ConnectionsRejected.fetch_add(1, std::memory_order_relaxed);
      if (Rejecting.load() >= MaxRejecting) {
        asio::error_code Ignored;
        Sock.close(Ignored);
      } else {
        Rejecting.fetch_add(1);
        New = std::make_shared<Session<Protocol>>(*this, std::move(Sock), false);
      }
    } else {
      size_t Now = Active.fetch_add(1) + 1;
      M.ConnectionsAccepted.fetch_add(1, std::memory_order_relaxed);
      M.ConnectionsActive.store(Now, std::memory_order_relaxed);
      New = std::make_shared<Session<Protocol>>(*this, std::move(Sock), true);
      Sessions.emplace(New.get(), New);
    }
  }
  if (New)
    New->start();
  accept<Protocol>(A);
}

HttpServer::HttpServer(Metrics &M) : I(std::make_unique<Impl>(M)) {}
HttpServer::~HttpServer() = default;

void HttpServer::Get(const std::string &Path, Handler H) {
  I->Routes["GET " + Path] = std::move(H);
}
void HttpServer::Post(const std::string &Path, Handler H) {
  I->Routes["POST " + Path] = std::move(H);
}
void HttpServer::setErrorRenderer(ErrorRenderer R) { I->RenderError = std::move(R); }
void HttpServer::setOptions(const HttpOptions &O) {
  I->Opts = O;
  I->setThreads(O.Threads ? O.Threads : std::thread::hardware_concurrency());
}

rt::Result<int> HttpServer::listenTcp(const std::string &Host, int Port) {
  std::string Where = Host + ":" + std::to_string(Port);
  asio::error_code Ec;
  Tcp::resolver Resolver(I->Io);
  auto Found = Resolver.resolve(Host, std::to_string(Port),
                                Tcp::resolver::passive | Tcp::resolver::numeric_service, Ec);
  if (Ec || Found.empty())
    return rt::Error{"cannot listen on " + Where + ": " +
                     (Ec ? Ec.message() : std::string("no such address"))};
  Tcp::endpoint End = Found.begin()->endpoint();
  Tcp::acceptor A(I->AcceptStrand);
  A.open(End.protocol(), Ec);
  if (!Ec)
    A.set_option(Tcp::acceptor::reuse_address(true), Ec);
  if (!Ec)
    A.bind(End, Ec);
  if (!Ec)
    A.listen(asio::socket_base::max_listen_connections, Ec);
  if (Ec)
    return rt::Error{"cannot listen on " + Where + ": " + Ec.message()};
  int Bound = A.local_endpoint(Ec).port();
  if (Ec)
    return rt::Error{"cannot listen on " + Where + ": " + Ec.message()};
  I->TcpAcceptor.emplace(std::move(A));
  I->accept<Tcp>(*I->TcpAcceptor);
  return Bound;
}

rt::Status HttpServer::listenUnix(const std::string &Path) {
  if (Path.empty() || Path.size() >= sizeof(sockaddr_un::sun_path))
    return rt::Error{"--unix: the path must have 1 to " +
                     std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes"};
  struct stat St;
  if (::lstat(Path.c_str(), &St) == 0) {
    if (!S_ISSOCK(St.st_mode))
      return rt::Error{"--unix: `" + Path + "` exists and is not a socket; not replacing it"};
    asio::error_code Ec;
    Local::socket Probe(I->Io);
    Probe.connect(Local::endpoint(Path), Ec);
    if (!Ec)
      return rt::Error{"--unix: another server is listening on `" + Path + "`"};
    ::unlink(Path.c_str()); // a stale socket left by a server that did not stop cleanly
  }
  asio::error_code Ec;
  Local::acceptor A(I->AcceptStrand);
  Local::endpoint End(Path);
  A.open(End.protocol(), Ec);
  if (!Ec)
    A.bind(End, Ec);
  if (!Ec)
    A.listen(asio::socket_base::max_listen_connections, Ec);
  if (Ec)
    return rt::Error{"--unix: cannot listen on `" + Path + "`: " + Ec.message()};
  if (::chmod(Path.c_str(), 0660) != 0 || ::lstat(Path.c_str(), &St) != 0) {
    std::string Why = std::strerror(errno);
    ::unlink(Path.c_str());
    return rt::Error{"--unix: cannot set the mode of `" + Path + "`: " + Why};
  }
  I->UnixPath = Path;
  I->UnixDev = St.st_dev;
  I->UnixIno = St.st_ino;
  I->UnixAcceptor.emplace(std::move(A));
  I->accept<Local>(*I->UnixAcceptor);
  return rt::Status::success();
}

void HttpServer::run() {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> Guards;
  for (asio::io_context *L : I->Loops)
    Guards.push_back(asio::make_work_guard(*L));
  std::vector<std::thread> Threads;
  for (size_t K = 1; K < I->Loops.size(); ++K)
    Threads.emplace_back([L = I->Loops[K]] { L->run(); });
  I->Io.run();
  for (std::thread &T : Threads)
    T.join();
}

void HttpServer::drain() {
  Impl &S = *I;
  asio::post(S.AcceptStrand, [&S] {
    asio::error_code Ignored;
    if (S.TcpAcceptor)
      S.TcpAcceptor->close(Ignored);
    if (S.UnixAcceptor)
      S.UnixAcceptor->close(Ignored);
    S.removeUnixSocket();
  });
  std::vector<std::shared_ptr<SessionBase>> Open;
  {
    std::lock_guard<std::mutex> Lock(S.SessionsMutex);
    S.Draining = true;
    for (auto &Entry : S.Sessions)
      if (auto Live = Entry.second.lock())
        Open.push_back(std::move(Live));
  }
  for (auto &Session : Open)
    Session->postDrain();
  Open.clear();
  if (S.Active.load() == 0)
    S.stopAll();
}

} // namespace privet::serve
