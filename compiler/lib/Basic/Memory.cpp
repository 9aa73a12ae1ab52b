//===- Memory.cpp - Returning freed memory to the system -------------------------------===//
#include "privet/Basic/Memory.h"

#include <cstdlib> // defines __GLIBC__ on glibc, which the test below needs

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
