//===- MemoryTest.cpp - releaseFreedMemory returns freed blocks to the system ---------===//
#include "privet/Basic/Memory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace {

/// Resident bytes of this process (/proc/self/statm), or 0 where unknown.
[[maybe_unused]] size_t residentBytes() {
  std::FILE *F = std::fopen("/proc/self/statm", "r");
  if (!F)
    return 0;
  unsigned long Size = 0, Resident = 0;
  int Read = std::fscanf(F, "%lu %lu", &Size, &Resident);
  std::fclose(F);
  return Read == 2 ? Resident * 4096 : 0;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PRIVET_OTHER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PRIVET_OTHER_ALLOCATOR 1
#endif

// The situation of the syntax trees after sema: many small blocks freed below a block still in
// use, which the C library keeps mapped until asked. glibc's allocator only (the sanitizers
// bring their own, and other C libraries make releaseFreedMemory a no-op).
TEST(Memory, ReleaseFreedMemoryReturnsSmallBlocksBelowALiveOne) {
#if !defined(__GLIBC__) || defined(PRIVET_OTHER_ALLOCATOR)
  GTEST_SKIP() << "glibc's allocator only";
#else
  constexpr size_t Block = 1000, Total = size_t(64) << 20;
  std::vector<char *> Blocks;
  Blocks.reserve(Total / Block);
  for (size_t I = 0; I < Total / Block; ++I) {
    Blocks.push_back(static_cast<char *>(std::malloc(Block)));
    Blocks.back()[0] = char(I); // touch every block's page
    for (size_t K = 0; K < Block; K += 512)
      Blocks.back()[K] = 1;
  }
  std::unique_ptr<char, decltype(&std::free)> Pin(static_cast<char *>(std::malloc(Block)),
                                                  &std::free);
  Pin.get()[0] = 1;
  for (char *B : Blocks)
    std::free(B);
  size_t AfterFree = residentBytes();
  ASSERT_NE(AfterFree, 0u);
  privet::releaseFreedMemory();
  size_t AfterRelease = residentBytes();
  EXPECT_LT(AfterRelease + Total / 2, AfterFree)
      << "after free: " << AfterFree
      << " bytes resident, after releaseFreedMemory: " << AfterRelease;
#endif
}

} // namespace
