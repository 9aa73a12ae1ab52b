//===- PolicyStore.h - The served policy: verified loads, hot reload, per-version facts -*- C++
//-*-===//
//
// Requests take the policy from the runtime's PolicyHandle (one atomic snapshot per request).
// What the server knows about each version (content hash, signer, load time, its decision
// counters) sits in a small registry keyed by the policy's address, looked up only when a worker
// sees a policy it has not seen before.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_POLICYSTORE_H
#define PRIVET_SERVE_POLICYSTORE_H

#include "Metrics.h"

#include "privet/Runtime.h"
#include "privet/Verify.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace privet::serve {

/// V as 16 lowercase hex digits: how the server writes the artifact's hashes.
std::string hex64(uint64_t V);

/// Facts about one loaded version of the policy.
struct PolicyVersion {
  std::weak_ptr<const rt::CompiledPolicy> Policy;
  std::string ContentHash; ///< BLAKE2b-256 of the artifact, hex
  std::string ShortHash;   ///< the id decisions name the policy by (`policy.hash`, 16 hex)
  std::string Signer;      ///< key id, empty when unsigned
  std::string LoadedAt;    ///< RFC 3339, UTC
  EffectCounters *Counters = nullptr;
};

struct ReloadState {
  bool LastOk = true;
  std::string LastError;
  std::string LastAttemptAt;
};

class PolicyStore {
public:
  PolicyStore(std::string Path, std::optional<rt::PublicKey> Trusted, Metrics &M);
  ~PolicyStore();

  /// The first load: failing it is fatal to the server.
  rt::Status loadInitial();
  /// Loads the artifact again; on any failure keeps the current version and records why.
  rt::Status reload();

  /// The current policy (a snapshot; keeps its version alive while held).
  std::shared_ptr<const rt::CompiledPolicy> get() const { return Handle->get(); }
  /// The facts about P, a policy get() returned.
  std::shared_ptr<const PolicyVersion> version(const rt::CompiledPolicy *P) const;
  ReloadState reloadState() const;
  bool verifying() const { return Trusted.has_value(); }

  /// Reloads when the artifact or its signature is replaced (inotify on their directory),
  /// after DebounceMs of quiet so that a pair of renames gives one reload.
  rt::Status startWatching(unsigned DebounceMs);
  void stopWatching();

private:
  rt::Result<std::shared_ptr<const rt::CompiledPolicy>> loadVersion();
  void watchLoop(unsigned DebounceMs);

  std::string Path;
  std::optional<rt::PublicKey> Trusted;
  Metrics &M;
  std::unique_ptr<rt::PolicyHandle> Handle;
  mutable std::mutex Mutex; ///< the registry and the reload state; one reload at a time
  std::map<const rt::CompiledPolicy *, std::shared_ptr<const PolicyVersion>> Versions;
  ReloadState State;
  int InotifyFd = -1;
  int StopPipe[2] = {-1, -1};
  std::thread Watcher;
};

/// Now, as RFC 3339 with microseconds, UTC: 2026-12-01T12:00:00.000000Z.
std::string rfc3339Now();

} // namespace privet::serve

#endif // PRIVET_SERVE_POLICYSTORE_H
