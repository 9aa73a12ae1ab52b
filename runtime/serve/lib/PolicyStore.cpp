//===- PolicyStore.cpp - Loading, verifying, reloading and watching the served artifact -----===//
#include "PolicyStore.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace privet::serve {

std::string hex64(uint64_t V) {
  char Buf[24];
  std::snprintf(Buf, sizeof Buf, "%016llx", static_cast<unsigned long long>(V));
  return Buf;
}

std::string rfc3339Now() {
  auto Now = std::chrono::system_clock::now();
  auto Micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Now.time_since_epoch()).count();
  std::time_t Secs = std::time_t(Micros / 1000000);
  std::tm Tm;
  gmtime_r(&Secs, &Tm);
  char Buf[40];
  size_t N = std::strftime(Buf, sizeof Buf, "%Y-%m-%dT%H:%M:%S", &Tm);
  std::snprintf(Buf + N, sizeof Buf - N, ".%06lldZ", static_cast<long long>(Micros % 1000000));
  return Buf;
}

PolicyStore::PolicyStore(std::string Path, std::optional<rt::PublicKey> Trusted, Metrics &M)
    : Path(std::move(Path)), Trusted(std::move(Trusted)), M(M) {}

PolicyStore::~PolicyStore() { stopWatching(); }

rt::Result<std::shared_ptr<const rt::CompiledPolicy>> PolicyStore::loadVersion() {
  auto Loaded = rt::loadArtifact(Path, Trusted ? &*Trusted : nullptr);
  if (!Loaded)
    return rt::Error{Loaded.error()};
  auto V = std::make_shared<PolicyVersion>();
  V->Policy = Loaded->Policy;
  V->ContentHash = Loaded->ContentHash;
  // The id every decision names its policy by (`policy.hash`: the artifact's XXH64 content
  // hash), so that a decision, its log line, /readyz and the metrics' label all agree.
  V->ShortHash = hex64(Loaded->Policy->contentHash());
  V->Signer = Loaded->SignerKeyId;
  V->LoadedAt = rfc3339Now();
  V->Counters = &M.policyCounters(V->ShortHash);
  // The registry forgets versions nobody holds any more; an address may then be reused.
  for (auto It = Versions.begin(); It != Versions.end();)
    It = It->second->Policy.expired() ? Versions.erase(It) : std::next(It);
  Versions[Loaded->Policy.get()] = std::move(V);
  return Loaded->Policy;
}

rt::Status PolicyStore::loadInitial() {
  std::lock_guard<std::mutex> Lock(Mutex);
  auto P = loadVersion();
  if (!P)
    return rt::Error{P.error()};
  Handle = std::make_unique<rt::PolicyHandle>(P.take());
  State.LastAttemptAt = rfc3339Now();
  return rt::Status::success();
}

rt::Status PolicyStore::reload() {
  std::lock_guard<std::mutex> Lock(Mutex);
  State.LastAttemptAt = rfc3339Now();
  auto P = loadVersion();
  if (!P) {
    State.LastOk = false;
    State.LastError = P.error();
    M.ReloadFailures.fetch_add(1, std::memory_order_relaxed);
    return rt::Error{P.error()};
  }
  Handle->set(P.take());
  State.LastOk = true;
  State.LastError.clear();
  M.Reloads.fetch_add(1, std::memory_order_relaxed);
  return rt::Status::success();
}

std::shared_ptr<const PolicyVersion> PolicyStore::version(const rt::CompiledPolicy *P) const {
  std::lock_guard<std::mutex> Lock(Mutex);
  auto It = Versions.find(P);
  return It == Versions.end() ? nullptr : It->second;
}

ReloadState PolicyStore::reloadState() const {
  std::lock_guard<std::mutex> Lock(Mutex);
  return State;
}

rt::Status PolicyStore::startWatching(unsigned DebounceMs) {
  size_t Slash = Path.rfind('/');
  std::string Dir = Slash == std::string::npos ? "." : Path.substr(0, Slash == 0 ? 1 : Slash);
  InotifyFd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (InotifyFd < 0)
    return rt::Error{std::string("cannot watch the artifact: ") + std::strerror(errno)};
  // The directory, not the file: an atomic replace (rename) gives the path a new inode.
  if (inotify_add_watch(InotifyFd, Dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
    std::string Reason = std::strerror(errno);
    ::close(InotifyFd);
    InotifyFd = -1;
    return rt::Error{"cannot watch `" + Dir + "`: " + Reason};
  }
  if (::pipe2(StopPipe, O_CLOEXEC) != 0)
    return rt::Error{std::string("cannot watch the artifact: ") + std::strerror(errno)};
  Watcher = std::thread([this, DebounceMs] { watchLoop(DebounceMs); });
  return rt::Status::success();
}

void PolicyStore::stopWatching() {
  if (!Watcher.joinable())
    return;
  char C = 0;
  while (::write(StopPipe[1], &C, 1) < 0 && errno == EINTR) {
  }
  Watcher.join();
  ::close(StopPipe[0]);
  ::close(StopPipe[1]);
  ::close(InotifyFd);
  InotifyFd = -1;
}

void PolicyStore::watchLoop(unsigned DebounceMs) {
  size_t Slash = Path.rfind('/');
  std::string Name = Slash == std::string::npos ? Path : Path.substr(Slash + 1);
  std::string SigName = Name + ".sig";
  alignas(inotify_event) char Buf[sizeof(inotify_event) + NAME_MAX + 1];
  using Clock = std::chrono::steady_clock;
  // The first change starts the wait; later ones within it join the same reload, and a storm of
  // changes still reloads every DebounceMs.
  bool Pending = false;
  Clock::time_point Deadline;
  while (true) {
    int Timeout = -1;
    if (Pending)
      Timeout = int(std::max<long long>(
          0,
          std::chrono::duration_cast<std::chrono::milliseconds>(Deadline - Clock::now()).count()));
    pollfd Fds[2] = {{InotifyFd, POLLIN, 0}, {StopPipe[0], POLLIN, 0}};
    int N = ::poll(Fds, 2, Timeout);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0 || (Fds[1].revents & POLLIN))
      return;
    if (Pending && Clock::now() >= Deadline) {
      Pending = false;
      (void)reload();
    }
    if (N == 0)
      continue;
    ssize_t Got;
    while ((Got = ::read(InotifyFd, Buf, sizeof Buf)) > 0) {
      for (char *P = Buf; P < Buf + Got;) {
        auto *E = reinterpret_cast<inotify_event *>(P);
        if (E->len && (Name == E->name || SigName == E->name) && !Pending) {
          Pending = true;
          Deadline = Clock::now() + std::chrono::milliseconds(DebounceMs);
        }
        P += sizeof(inotify_event) + E->len;
      }
    }
  }
}

} // namespace privet::serve
