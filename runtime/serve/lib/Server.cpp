//===- Server.cpp - Routes, limits, signals and decision logging of the sidecar -------------===//
//
// Every decision goes through the runtime's JSON request parser and decision renderer
// (privet/Json.h), so an answer here is byte-for-byte the line `privet query --jsonl` prints for
// the same request. The server adds only what HTTP needs: status codes, limits, metrics and logs.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Serve.h"

#include "BodyCheck.h"
#include "DecisionLog.h"
#include "HttpServer.h"
#include "Metrics.h"
#include "PolicyStore.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <pthread.h>
#include <random>
#include <set>
#include <thread>
#include <unistd.h>

namespace privet::serve {

using rt::CompiledPolicy;
using rt::Decision;

struct Server::Impl {
  ServerOptions Opts;
  Metrics M;
  std::unique_ptr<PolicyStore> Store;
  std::unique_ptr<DecisionLog> Log;
  std::set<std::string, std::less<>> ClearAttributes;
  HttpServer Http{M};
  int Port = -1;
  std::atomic<bool> Draining{false};
  std::atomic<uint64_t> NextRequestId{0};
  std::string RequestIdPrefix;

  rt::Status init();
  void routes();
  void limits();

  /// What an I/O thread keeps between requests: the policy it last used, its facts, and a
  /// Request and Decision to reuse.
  struct WorkerState {
    std::shared_ptr<const CompiledPolicy> Policy;
    std::shared_ptr<const PolicyVersion> Version;
    std::optional<rt::Request> Req;
    Decision Dec;
  };
  WorkerState &worker();

  enum class Endpoint { Decide, Batch, Explain, PermittedValues };
  struct Answer {
    std::string Json; ///< the answer object, no newline
    Decision::Kind Kind = Decision::Kind::Error;
    bool Parsed = false; ///< false: the request itself could not be read
  };
  /// Reads and decides one request (a JSON object), counts it and logs it.
  Answer decideOne(std::string_view Text, Endpoint E, const std::string &RequestId,
                   std::optional<rt::Dim> Dimension = std::nullopt);
  void logDecision(const WorkerState &W, std::string_view RawId, const Answer &A, Endpoint E,
                   const std::string &RequestId, double Seconds, const std::string &Error);

  bool checkBody(const HttpRequest &Req, HttpResponse &Res);
  bool authorized(const HttpRequest &Req, HttpResponse &Res);
  std::string requestId(const HttpRequest &Req);
  void fail(HttpResponse &Res, int Status, ErrorKind K, const std::string &Message);
  std::string policyJson();
  std::string readyJson(bool &Ready);
};

namespace {

const char *endpointName(Server::Impl::Endpoint E) {
  switch (E) {
  case Server::Impl::Endpoint::Decide:
    return "decide";
  case Server::Impl::Endpoint::Batch:
    return "batch";
  case Server::Impl::Endpoint::Explain:
    return "explain";
  case Server::Impl::Endpoint::PermittedValues:
    return "permitted-values";
  }
  return "decide";
}

const char *effectName(Decision::Kind K) {
  switch (K) {
  case Decision::Kind::Allow:
    return "allow";
  case Decision::Kind::Deny:
    return "deny";
  case Decision::Kind::Error:
    return "error";
  }
  return "error";
}

constexpr const char *JsonType = "application/json";

/// Compares without an early exit, so the time taken does not tell how much of a token matched.
bool sameToken(std::string_view A, std::string_view B) {
  unsigned char Diff = A.size() != B.size();
  for (size_t I = 0; I < A.size(); ++I)
    Diff |= static_cast<unsigned char>(A[I] ^ (I < B.size() ? B[I] : 0));
  return Diff == 0;
}

/// Inserts `,"Key":Value` before the closing brace of a JSON object.
void appendMember(std::string &Object, std::string_view Key, std::string_view Value) {
  Object.pop_back();
  Object += ",\"";
  Object += Key;
  Object += "\":";
  Object += Value;
  Object += '}';
}

std::string jsonString(std::string_view S) {
  std::string Out;
  rt::appendJsonString(Out, S);
  return Out;
}

} // namespace

Server::Impl::WorkerState &Server::Impl::worker() {
  thread_local WorkerState W;
  std::shared_ptr<const CompiledPolicy> Current = Store->get();
  if (Current != W.Policy) {
    W.Req.reset();
    W.Policy = std::move(Current);
    W.Version = Store->version(W.Policy.get());
    W.Req.emplace(*W.Policy);
  }
  return W;
}

void Server::Impl::logDecision(const WorkerState &W, std::string_view RawId, const Answer &A,
                               Endpoint E, const std::string &RequestId, double Seconds,
                               const std::string &Error) {
  const CompiledPolicy &P = *W.Policy;
  const rt::Request &R = *W.Req;
  std::string L = "{\"time\":\"" + rfc3339Now() + "\",\"request_id\":";
  rt::appendJsonString(L, RequestId);
  L += ",\"endpoint\":\"";
  L += endpointName(E);
  L += "\",\"policy\":\"";
  L += W.Version ? W.Version->ShortHash : std::string();
  L += '"';
  if (!RawId.empty()) {
    L += ",\"id\":";
    L += RawId;
  }
  if (!A.Parsed) {
    // What could not be read is not logged at all: it may hold anything.
    L += ",\"request\":null";
  } else {
    L += ",\"request\":{";
    bool First = true;
    auto Key = [&](std::string_view K) {
      L += First ? "\"" : ",\"";
      First = false;
      L += K;
      L += "\":";
    };
    for (unsigned D = 0; D < rt::NumDimensions; ++D) {
      if (rt::Dim(D) == rt::Dim::Data)
        continue;
      uint32_t V = R.value(rt::Dim(D));
      if (V == rt::InvalidId)
        continue;
      Key(rt::dimensionName(rt::Dim(D)));
      rt::appendJsonString(L, P.valueName(rt::Dim(D), V));
    }
    if (!R.data().empty()) {
      Key("data");
      L += '[';
      for (size_t I = 0; I < R.data().size(); ++I) {
        if (I)
          L += ',';
        rt::appendJsonString(L, P.valueName(rt::Dim::Data, R.data()[I]));
      }
      L += ']';
    }
    bool AnyAttr = false;
    for (uint32_t Attr = 0; Attr < P.numAttributes(); ++Attr) {
      if (!R.hasAttribute(Attr))
        continue;
      if (!AnyAttr) {
        Key("attributes");
        L += '{';
      } else {
        L += ',';
      }
      AnyAttr = true;
      rt::appendJsonString(L, P.attributeName(Attr));
      L += ':';
      if (!ClearAttributes.count(P.attributeName(Attr))) {
        L += "\"***\"";
        continue;
      }
      int64_t V = R.attribute(Attr);
      switch (P.attributeKind(Attr)) {
      case rt::AttrKind::Bool:
        L += V ? "true" : "false";
        break;
      case rt::AttrKind::Int:
      case rt::AttrKind::Duration:
        L += std::to_string(V);
        break;
      case rt::AttrKind::Enum:
        rt::appendJsonString(L, P.enumValueName(P.attributeEnum(Attr), uint32_t(V)));
        break;
      }
    }
    if (AnyAttr)
      L += '}';
    L += '}';
  }
  L += ",\"decision\":\"";
  L += effectName(A.Kind);
  L += '"';
  if (A.Kind == Decision::Kind::Error) {
    L += ",\"error\":";
    rt::appendJsonString(L, Error);
  } else {
    L += ",\"rules\":[";
    bool First = true;
    for (uint32_t Rule : W.Dec.rules()) {
      L += First ? "" : ",";
      First = false;
      rt::appendJsonString(L, P.rule(Rule).Id);
    }
    L += "],\"obligations\":[";
    First = true;
    for (uint32_t O : W.Dec.obligations()) {
      L += First ? "" : ",";
      First = false;
      rt::appendJsonString(L, P.describeObligationInstance(O));
    }
    L += ']';
  }
  char Latency[32];
  std::snprintf(Latency, sizeof Latency, "%.1f", Seconds * 1e6);
  L += ",\"latency_us\":";
  L += Latency;
  L += '}';
  Log->submit(std::move(L));
}

Server::Impl::Answer Server::Impl::decideOne(std::string_view Text, Endpoint E,
                                             const std::string &RequestId,
                                             std::optional<rt::Dim> Dimension) {
  auto Start = std::chrono::steady_clock::now();
  WorkerState &W = worker();
  const CompiledPolicy &P = *W.Policy;
  Answer A;
  std::string RawId;
  std::string Error;
  W.Req->clear();
  A.Parsed = rt::parseRequestJson(P, Text, *W.Req, RawId, Error);
  if (!A.Parsed) {
    A.Json = rt::errorJson(P, Error, RawId);
    A.Kind = Decision::Kind::Error;
  } else if (E == Endpoint::PermittedValues) {
    auto Values = P.permittedValues(*W.Req, *Dimension);
    if (!Values) {
      Error = Values.error();
      A.Json = rt::errorJson(P, Error, RawId);
      A.Kind = Decision::Kind::Error;
    } else {
      A.Json = "{";
      if (!RawId.empty()) {
        A.Json += "\"id\":";
        A.Json += RawId;
        A.Json += ',';
      }
      A.Json += "\"dimension\":\"";
      A.Json += rt::dimensionName(*Dimension);
      A.Json += "\",\"values\":[";
      for (size_t I = 0; I < Values->size(); ++I) {
        if (I)
          A.Json += ',';
        rt::appendJsonString(A.Json, P.valueName(*Dimension, (*Values)[I]));
      }
      A.Json += "]}";
      A.Kind = Decision::Kind::Allow;
    }
    W.Dec = Decision();
  } else {
    P.decide(*W.Req, W.Dec);
    A.Kind = W.Dec.kind();
    A.Json = rt::decisionJson(P, W.Dec, RawId);
    if (W.Dec.isError())
      Error = W.Dec.error();
    if (E == Endpoint::Explain) {
      appendMember(A.Json, "explanation", jsonString(P.explain(*W.Req)));
      std::string WhyNotJson = "null";
      if (W.Dec.kind() == Decision::Kind::Deny) {
        rt::Result<rt::WhyNot> Why = P.whyNot(*W.Req);
        if (Why)
          WhyNotJson = rt::whyNotJson(P, *Why);
      }
      appendMember(A.Json, "why_not", WhyNotJson);
    }
  }
  double Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  M.observeLatency(Seconds);
  if (E != Endpoint::PermittedValues && W.Version)
    W.Version->Counters->ByEffect[unsigned(A.Kind)].fetch_add(1, std::memory_order_relaxed);
  if (A.Kind == Decision::Kind::Error)
    M.error(A.Parsed ? ErrorKind::Undecidable : ErrorKind::InvalidRequest);
  if (Log && E != Endpoint::PermittedValues)
    logDecision(W, RawId, A, E, RequestId, Seconds, Error);
  return A;
}

void Server::Impl::fail(HttpResponse &Res, int Status, ErrorKind K, const std::string &Message) {
  M.error(K);
  Res.Status = Status;
  Res.setContent(rt::errorJson(Message) + "\n", JsonType);
}

bool Server::Impl::checkBody(const HttpRequest &Req, HttpResponse &Res) {
  std::string Where;
  switch (serve::checkBody(Req.Body, Opts.MaxJsonDepth, Where)) {
  case BodyProblem::None:
    return true;
  case BodyProblem::InvalidUtf8:
    fail(Res, 400, ErrorKind::InvalidUtf8,
         "the request body is not valid UTF-8 (at " + Where + ")");
    return false;
  case BodyProblem::TooDeep:
    fail(Res, 400, ErrorKind::TooDeep,
         "the request nests deeper than " + std::to_string(Opts.MaxJsonDepth) + " levels (at " +
             Where + ")");
    return false;
  }
  return false;
}

bool Server::Impl::authorized(const HttpRequest &Req, HttpResponse &Res) {
  if (Opts.AdminToken.empty())
    return true;
  std::string Header(Req.header("Authorization"));
  constexpr std::string_view Scheme = "Bearer ";
  if (Header.size() > Scheme.size() && Header.compare(0, Scheme.size(), Scheme) == 0 &&
      sameToken(std::string_view(Header).substr(Scheme.size()), Opts.AdminToken))
    return true;
  fail(Res, 401, ErrorKind::Unauthorized, "this endpoint needs `Authorization: Bearer <token>`");
  Res.setHeader("WWW-Authenticate", "Bearer");
  return false;
}

std::string Server::Impl::requestId(const HttpRequest &Req) {
  std::string Given(Req.header("X-Request-Id"));
  bool Ok = !Given.empty() && Given.size() <= 128;
  for (char C : Given)
    Ok = Ok && (std::isalnum(static_cast<unsigned char>(C)) || C == '-' || C == '_' || C == '.' ||
                C == ':');
  if (Ok)
    return Given;
  char Buf[32];
  std::snprintf(Buf, sizeof Buf, "%016llx",
                static_cast<unsigned long long>(NextRequestId.fetch_add(1) + 1));
  return RequestIdPrefix + Buf;
}

std::string Server::Impl::policyJson() {
  auto P = Store->get();
  auto V = Store->version(P.get());
  std::string J = "{\"name\":" + jsonString(P->name()) + ",\"title\":" + jsonString(P->title()) +
                  ",\"version\":" + jsonString(P->version());
  J += ",\"hash\":" + jsonString(V ? V->ShortHash : std::string());
  J += ",\"content_hash\":\"blake2b-256:" + (V ? V->ContentHash : std::string()) + "\"";
  J += ",\"source_hash\":\"xxh64:" + hex64(P->sourceHash()) + "\"";
  J += ",\"bytes\":" + std::to_string(P->byteSize());
  J += ",\"rules\":" + std::to_string(P->numRules());
  J += ",\"path\":" + jsonString(Opts.PolicyPath);
  J += ",\"loaded_at\":" + jsonString(V ? V->LoadedAt : std::string());
  J += ",\"signer\":" + (V && !V->Signer.empty() ? jsonString(V->Signer) : "null");
  J += ",\"verified\":" + std::string(Store->verifying() ? "true" : "false") + "}";
  return J;
}

std::string Server::Impl::readyJson(bool &Ready) {
  ReloadState S = Store->reloadState();
  auto P = Store->get();
  auto V = Store->version(P.get());
  Ready = !Draining.load();
  std::string J = std::string("{\"ready\":") + (Ready ? "true" : "false") +
                  ",\"draining\":" + (Draining.load() ? "true" : "false") +
                  ",\"policy\":" + jsonString(V ? V->ShortHash : "") +
                  ",\"last_reload\":{\"ok\":" + (S.LastOk ? "true" : "false") +
                  ",\"at\":" + jsonString(S.LastAttemptAt) +
                  ",\"error\":" + (S.LastOk ? "null" : jsonString(S.LastError)) + "}}";
  return J;
}

void Server::Impl::routes() {
  auto DecideRoute = [this](Endpoint E) {
    return [this, E](const HttpRequest &Req, HttpResponse &Res) {
      if (!checkBody(Req, Res))
        return;
      std::optional<rt::Dim> D;
      if (E == Endpoint::PermittedValues) {
        if (!Req.hasParam("dimension")) {
          fail(Res, 400, ErrorKind::BadParameter,
               "`/v1/permitted-values` needs `?dimension=NAME` (one of action, data, subject, "
               "purpose, basis, recipient, region, context)");
          return;
        }
        D = rt::dimensionFromName(Req.param("dimension"));
        if (!D) {
          fail(Res, 400, ErrorKind::BadParameter,
               "unknown dimension `" + Req.param("dimension") + "`");
          return;
        }
      }
      std::string Id = requestId(Req);
      Res.setHeader("X-Request-Id", Id);
      Answer A = decideOne(Req.Body, E, Id, D);
      Res.Status = A.Kind == Decision::Kind::Error ? 400 : 200;
      Res.setContent(A.Json + "\n", JsonType);
    };
  };
  Http.Post("/v1/decide", DecideRoute(Endpoint::Decide));
  Http.Post("/v1/explain", DecideRoute(Endpoint::Explain));
  Http.Post("/v1/permitted-values", DecideRoute(Endpoint::PermittedValues));

  // The JSONL batch: lines exactly as `privet query --jsonl` reads them, answers as it prints.
  Http.Post("/v1/decide/batch", [this](const HttpRequest &Req, HttpResponse &Res) {
    if (!checkBody(Req, Res))
      return;
    std::string_view Body = Req.Body;
    size_t Lines = 0;
    for (size_t I = 0; I < Body.size(); ++I)
      Lines += Body[I] == '\n';
    Lines += !Body.empty() && Body.back() != '\n';
    if (Lines > Opts.MaxBatch) {
      fail(Res, 413, ErrorKind::BatchTooLarge,
           "the batch has " + std::to_string(Lines) + " requests; the limit is " +
               std::to_string(Opts.MaxBatch));
      return;
    }
    std::string Id = requestId(Req);
    Res.setHeader("X-Request-Id", Id);
    std::string Out;
    size_t Start = 0;
    while (Start < Body.size()) {
      size_t Newline = Body.find('\n', Start);
      size_t End = Newline == std::string_view::npos ? Body.size() : Newline;
      std::string_view Line = Body.substr(Start, End - Start);
      if (!Line.empty() && Line.back() == '\r')
        Line.remove_suffix(1);
      Out += decideOne(Line, Endpoint::Batch, Id).Json;
      Out += '\n';
      Start = End + 1;
    }
    Res.setContent(Out, "application/x-ndjson");
  });

  Http.Get("/v1/policy", [this](const HttpRequest &Req, HttpResponse &Res) {
    if (authorized(Req, Res))
      Res.setContent(policyJson() + "\n", JsonType);
  });
  Http.Post("/v1/reload", [this](const HttpRequest &Req, HttpResponse &Res) {
    if (!authorized(Req, Res))
      return;
    rt::Status S = Store->reload();
    if (!S) {
      Res.Status = 422;
      Res.setContent("{\"reloaded\":false,\"error\":" + jsonString(S.error()) + "}\n", JsonType);
      return;
    }
    Res.setContent("{\"reloaded\":true,\"policy\":" + policyJson() + "}\n", JsonType);
  });
  Http.Get("/healthz", [](const HttpRequest &, HttpResponse &Res) {
    Res.setContent("{\"status\":\"ok\"}\n", JsonType);
  });
  Http.Get("/readyz", [this](const HttpRequest &, HttpResponse &Res) {
    bool Ready;
    std::string J = readyJson(Ready);
    Res.Status = Ready ? 200 : 503;
    Res.setContent(J + "\n", JsonType);
  });
  Http.Get("/metrics", [this](const HttpRequest &Req, HttpResponse &Res) {
    if (!authorized(Req, Res))
      return;
    auto P = Store->get();
    auto V = Store->version(P.get());
    ReloadState S = Store->reloadState();
    auto Label = [](std::string_view V) {
      std::string Out;
      for (char C : V) {
        if (C == '\\' || C == '"')
          Out += '\\';
        if (C == '\n') {
          Out += "\\n";
          continue;
        }
        Out += C;
      }
      return Out;
    };
    std::string Extra =
        "# HELP privet_policy_info The policy being served.\n# TYPE privet_policy_info gauge\n"
        "privet_policy_info{name=\"" +
        Label(P->name()) + "\",version=\"" + Label(P->version()) + "\",policy=\"" +
        (V ? V->ShortHash : "") + "\",signer=\"" + (V ? V->Signer : "") +
        "\"} 1\n"
        "# HELP privet_policy_last_reload_ok 1 if the last reload succeeded (or none was tried).\n"
        "# TYPE privet_policy_last_reload_ok gauge\nprivet_policy_last_reload_ok " +
        (S.LastOk ? "1" : "0") + "\n";
    Res.setContent(M.render(Extra), "text/plain; version=0.0.4");
  });
}

void Server::Impl::limits() {
  HttpOptions H;
  H.Head.MaxHeaders = Opts.MaxHeaders;
  H.Head.MaxHeaderBytes = Opts.MaxHeaderBytes;
  H.MaxBodyBytes = Opts.MaxBodyBytes;
  H.MaxConnections = Opts.MaxConnections;
  H.ReadTimeoutMs = Opts.ReadTimeoutMs;
  H.WriteTimeoutMs = Opts.WriteTimeoutMs;
  H.IdleTimeoutMs = Opts.IdleTimeoutMs;
  H.KeepAliveRequests = std::max<size_t>(1, Opts.KeepAliveRequests);
  H.Threads = Opts.Threads;
  Http.setOptions(H);
  // Errors the transport answers itself get the same JSON error body as ours.
  Http.setErrorRenderer(
      [this](HttpError E, const std::string &Message, const HttpRequest *, HttpResponse &Res) {
        switch (E) {
        case HttpError::NotFound:
          fail(Res, 404, ErrorKind::NotFound, Message);
          return;
        case HttpError::BodyTooLarge:
          fail(Res, 413, ErrorKind::BodyTooLarge, Message);
          return;
        case HttpError::HeadTooLarge:
          fail(Res, Res.Status, ErrorKind::HeadTooLarge, Message);
          return;
        case HttpError::ConnectionLimit:
          fail(Res, 503, ErrorKind::ConnectionLimit,
               "too many connections (the limit is " + std::to_string(Opts.MaxConnections) +
                   "); retry later");
          Res.setHeader("Retry-After", "1");
          return;
        case HttpError::BadRequest:
        case HttpError::LengthRequired:
        case HttpError::NotImplemented:
          fail(Res, Res.Status, ErrorKind::BadRequest, Message);
          return;
        }
      });
}

rt::Status Server::Impl::init() {
  std::optional<rt::PublicKey> Trusted;
  if (!Opts.PublicKeyPath.empty()) {
    auto K = rt::PublicKey::read(Opts.PublicKeyPath);
    if (!K)
      return rt::Error{K.error()};
    Trusted = K.take();
  }
  Store = std::make_unique<PolicyStore>(Opts.PolicyPath, std::move(Trusted), M);
  if (rt::Status S = Store->loadInitial(); !S)
    return S;
  for (const std::string &A : Opts.LogClearAttributes) {
    if (Store->get()->attributeId(A) == rt::InvalidId)
      return rt::Error{"--log-clear: unknown attribute `" + A + "`" +
                       Store->get()->suggestAttribute(A)};
    ClearAttributes.insert(A);
  }
  std::random_device Random;
  char Prefix[16];
  std::snprintf(Prefix, sizeof Prefix, "%08x-", unsigned(Random()));
  RequestIdPrefix = Prefix;
  if (!Opts.DecisionLogPath.empty()) {
    DecisionLogOptions LO;
    LO.Path = Opts.DecisionLogPath;
    LO.QueueLines = Opts.LogQueueLines;
    LO.RotateBytes = Opts.LogRotateBytes;
    LO.Keep = Opts.LogKeep;
    Log = std::make_unique<DecisionLog>(LO, M);
    if (rt::Status S = Log->open(); !S)
      return S;
  }
  routes();
  limits();
  if (Opts.Port >= 0) {
    auto Bound = Http.listenTcp(Opts.Host, Opts.Port);
    if (!Bound)
      return rt::Error{Bound.error()};
    Port = *Bound;
  }
  if (!Opts.UnixPath.empty())
    if (rt::Status S = Http.listenUnix(Opts.UnixPath); !S)
      return S;
  return rt::Status::success();
}

/// Taken synchronously by one thread of runUntilSignalled; blocked in every other thread.
static sigset_t serverSignals() {
  sigset_t Signals;
  sigemptyset(&Signals);
  sigaddset(&Signals, SIGTERM);
  sigaddset(&Signals, SIGINT);
  sigaddset(&Signals, SIGHUP);
  return Signals;
}

Server::Server(std::unique_ptr<Impl> I) : I(std::move(I)) {}

Server::~Server() {
  if (I->Store)
    I->Store->stopWatching();
  if (I->Log)
    I->Log->close();
}

rt::Result<std::unique_ptr<Server>> Server::create(const ServerOptions &Opts) {
  // Before the first thread starts (the log writer): a thread that leaves SIGTERM unblocked would
  // take it and die of it instead of draining.
  sigset_t Signals = serverSignals();
  pthread_sigmask(SIG_BLOCK, &Signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  auto I = std::make_unique<Impl>();
  I->Opts = Opts;
  if (rt::Status S = I->init(); !S)
    return rt::Error{S.error()};
  return std::unique_ptr<Server>(new Server(std::move(I)));
}

int Server::port() const { return I->Port; }

bool Server::runUntilSignalled() {
  sigset_t Signals = serverSignals();

  if (I->Opts.Watch)
    if (rt::Status S = I->Store->startWatching(I->Opts.ReloadDebounceMs); !S)
      std::fprintf(stderr, "privet serve: warning: %s; reload with SIGHUP\n", S.error().c_str());

  std::atomic<bool> Done{false};
  std::thread SignalThread([this, &Signals, &Done] {
    while (!Done.load()) {
      int Sig = 0;
      timespec Tick{0, 200 * 1000 * 1000};
      Sig = sigtimedwait(&Signals, nullptr, &Tick);
      if (Sig == SIGHUP) {
        if (rt::Status S = I->Store->reload(); !S)
          std::fprintf(stderr, "privet serve: reload refused, still serving the old policy: %s\n",
                       S.error().c_str());
      } else if (Sig == SIGTERM || Sig == SIGINT) {
        I->Draining = true;
        I->Http.drain();
        // In-flight requests finish; a connection that will not is cut off after the timeout.
        auto Deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(I->Opts.DrainTimeoutMs);
        while (!Done.load() && std::chrono::steady_clock::now() < Deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!Done.load()) {
          std::fprintf(stderr, "privet serve: drain timed out; exiting\n");
          if (I->Log)
            I->Log->close();
          std::_Exit(1);
        }
        return;
      }
    }
  });
  I->Http.run();
  Done = true;
  SignalThread.join();
  I->Store->stopWatching();
  if (I->Log)
    I->Log->close();
  return I->Draining.load();
}

} // namespace privet::serve
