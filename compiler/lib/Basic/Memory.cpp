//===- Memory.cpp - Returning freed memory to the system -------------------------------===//
#include "privet/Basic/Memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace privet {

void releaseFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

} // namespace privet
