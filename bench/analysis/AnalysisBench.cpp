//===- AnalysisBench.cpp - How long every check analysis takes on a generated policy ---===//
//
// The target is 100,000 rules in at most 10 s of CPU for all analyses together (dead,
// unreachable and redundant rules, unused and unprocessed declarations, legal basis,
// invariants), exact; 1k, 10k, 30k and 100k let the growth exponent be fitted
// (docs/performance.md).
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include "privet/Analysis/Checks.h"

#include <benchmark/benchmark.h>

using namespace privet;

namespace {

void BM_AllAnalyses(benchmark::State &State) {
  const Policy &P = bench::cachedPolicy(State.range(0));
  size_t Findings = 0;
  for (auto _ : State) {
    std::vector<analysis::Finding> F = analysis::runAnalyses(P);
    Findings = F.size();
    benchmark::DoNotOptimize(F.data());
  }
  State.counters["rules"] = P.Rules.size();
  State.counters["findings"] = Findings;
}

BENCHMARK(BM_AllAnalyses)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(30000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

} // namespace

BENCHMARK_MAIN();
