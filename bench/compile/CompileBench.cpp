//===- CompileBench.cpp - How long building the decision diagram takes, and how big it is ----===//
#include "Workload.h"

#include "privet/Lower/Lowering.h"

#include <benchmark/benchmark.h>

#include <map>

#include <sys/resource.h>

using namespace privet;

namespace {

double peakRssMiB() {
  struct rusage U;
  getrusage(RUSAGE_SELF, &U);
  return U.ru_maxrss / 1024.0;
}

const Policy &policyOf(unsigned N) {
  static std::map<unsigned, Policy> Cache;
  auto It = Cache.find(N);
  if (It == Cache.end())
    It = Cache.emplace(N, bench::generatePolicy(N)).first;
  return It->second;
}

void BM_Compile(benchmark::State &State) {
  const Policy &P = policyOf(State.range(0));
  LoweringStats Stats;
  for (auto _ : State) {
    auto A = compilePolicy(P, {}, &Stats);
    if (!A) {
      State.SkipWithError(llvm::toString(A.takeError()).c_str());
      return;
    }
    benchmark::DoNotOptimize(A->Nodes.data());
  }
  State.counters["nodes"] = Stats.Nodes;
  State.counters["edges"] = double(Stats.Edges);
  State.counters["terminals"] = Stats.Terminals;
  State.counters["data_classes"] = Stats.Classes[unsigned(Dimension::Data)];
  State.counters["peak_rss_MiB"] = peakRssMiB();
  State.SetLabel(Stats.Order);
}
BENCHMARK(BM_Compile)
    ->Arg(10)->Arg(100)->Arg(400)->Arg(1000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

/// The same 400-rule policy under each dimension order.
void BM_CompileOrder(benchmark::State &State) {
  const Policy &P = policyOf(400);
  DiagramOptions Opts;
  Opts.Order = DimensionOrder(State.range(0));
  static const char *const Names[] = {"heuristic", "declaration", "fewest-classes",
                                      "most-classes"};
  LoweringStats Stats;
  for (auto _ : State) {
    auto A = compilePolicy(P, Opts, &Stats);
    if (!A) {
      State.SkipWithError(llvm::toString(A.takeError()).c_str());
      return;
    }
    benchmark::DoNotOptimize(A->Nodes.data());
  }
  State.counters["nodes"] = Stats.Nodes;
  State.counters["edges"] = double(Stats.Edges);
  State.SetLabel(std::string(Names[State.range(0)]) + ": " + Stats.Order);
}
BENCHMARK(BM_CompileOrder)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
