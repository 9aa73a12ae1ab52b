//===- GenerateWorkload.cpp - Writes the N-rule benchmark workload as a `.privet` file -------===//
//
//   bench_workload_text N [SEED] > workload-N.privet
//
// The same policy bench::generatePolicy(N, SEED) builds in memory, for timing `privet check`
// and `privet build` end to end (docs/performance.md). A bench helper, not a test.
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int Argc, char **Argv) {
  if (Argc < 2 || Argc > 3) {
    std::fprintf(stderr, "usage: %s NUM_RULES [SEED] > policy.privet\n", Argv[0]);
    return 2;
  }
  unsigned Rules = unsigned(std::strtoul(Argv[1], nullptr, 10));
  uint64_t Seed = Argc == 3 ? std::strtoull(Argv[2], nullptr, 10) : 42;
  std::string Text = privet::bench::policyAsPrivet(privet::bench::generatePolicy(Rules, Seed));
  return std::fwrite(Text.data(), 1, Text.size(), stdout) == Text.size() ? 0 : 2;
}
