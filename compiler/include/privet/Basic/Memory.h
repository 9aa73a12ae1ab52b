//===- Memory.h - Returning freed memory to the system ---------------------------*- C++ -*-===//
#ifndef PRIVET_BASIC_MEMORY_H
#define PRIVET_BASIC_MEMORY_H

namespace privet {

/// Returns memory the process has freed but still maps to the system (glibc's malloc_trim; a
/// no-op on other C libraries). Called where a stage's many small blocks have just been freed:
/// they lie between blocks still in use, so the next stage's allocations do not reuse them, and
/// at 100,000 rules they are over 100 MB of the peak (the syntax trees after sema, the
/// diagram builder's caches before lowering).
void releaseFreedMemory();

/// Frees a container's own storage: clear(), and `= {}` on a vector, keep the capacity.
template <typename T> void release(T &X) { T().swap(X); }

} // namespace privet

#endif // PRIVET_BASIC_MEMORY_H
