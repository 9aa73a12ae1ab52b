//===- Handle.cpp - Hot reload: swap the served policy while readers keep deciding ----===//
//
// C++17 has no std::atomic<std::shared_ptr>; the std::atomic_load/atomic_store overloads for
// shared_ptr give the same guarantee: a reader gets either the old or the new policy, whole, and
// keeps it alive for as long as it holds the snapshot.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Runtime.h"

#include <atomic>

namespace privet::rt {

PolicyHandle::PolicyHandle(std::shared_ptr<const CompiledPolicy> Initial)
    : Current(std::move(Initial)) {}

Result<std::unique_ptr<PolicyHandle>> PolicyHandle::open(const std::string &Path) {
  auto P = CompiledPolicy::load(Path);
  if (!P)
    return Error{P.error()};
  return std::make_unique<PolicyHandle>(P.take());
}

std::shared_ptr<const CompiledPolicy> PolicyHandle::get() const {
  return std::atomic_load(&Current);
}

void PolicyHandle::set(std::shared_ptr<const CompiledPolicy> Next) {
  std::atomic_store(&Current, std::move(Next));
}

Status PolicyHandle::reload(const std::string &Path) {
  auto P = CompiledPolicy::load(Path);
  if (!P)
    return Error{P.error()};
  set(P.take());
  return Status::success();
}

} // namespace privet::rt
