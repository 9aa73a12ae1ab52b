//===- CompileBench.cpp - How long building the decision diagram takes, and how big it is ----===//
#include "Workload.h"

#include "privet/Lower/Lowering.h"

#include <benchmark/benchmark.h>

#include <sys/resource.h>

using namespace privet;

namespace {

double peakRssMiB() {
  struct rusage U;
  getrusage(RUSAGE_SELF, &U);
  return U.ru_maxrss / 1024.0;
}

/// Compiles P once per iteration and reports size, phase times and group edges as counters.
/// Returns false (the benchmark skipped with the error) when the build fails.
bool compileLoop(benchmark::State &State, const Policy &P, const DiagramOptions &Opts,
                 LoweringStats &Stats) {
  for (auto _ : State) {
    auto A = compilePolicy(P, Opts, &Stats);
    if (!A) {
      State.SkipWithError(llvm::toString(A.takeError()).c_str());
      return false;
    }
    benchmark::DoNotOptimize(A->Nodes.data());
  }
  State.counters["nodes"] = Stats.Nodes;
  State.counters["edges"] = double(Stats.Edges);
  State.counters["leaf_s"] = Stats.Diagram.LeafSeconds;
  State.counters["derived_s"] = Stats.Diagram.DerivedSeconds;
  State.counters["group_edges"] = double(Stats.Diagram.DerivedEdges);
  State.counters["group_nodes"] = double(Stats.Diagram.GroupNodes);
  State.counters["deferred_edges"] = double(Stats.Diagram.DeferredEdges);
  return true;
}

void BM_Compile(benchmark::State &State) {
  LoweringStats Stats;
  if (!compileLoop(State, bench::cachedPolicy(State.range(0)), {}, Stats))
    return;
  State.counters["terminals"] = Stats.Terminals;
  State.counters["data_classes"] = Stats.Classes[unsigned(Dimension::Data)];
  State.counters["peak_rss_MiB"] = peakRssMiB();
  State.counters["lower_s"] = Stats.LowerSeconds;
  // Which representation was built, and why the diagram gave up when it did (issue 18).
  State.SetLabel(
      Stats.Order + " " + Stats.Strategy +
      (Stats.Diagram.FallbackReason.empty() ? "" : " (" + Stats.Diagram.FallbackReason + ")"));
}
BENCHMARK(BM_Compile)->Arg(10)->Arg(100)->Arg(400)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

/// The 10k-rule policy with different budgets for precomputing group (derived-class) edges: the
/// trade between compile time and how many group requests are one walk.
void BM_CompileGroupBudget(benchmark::State &State) {
  DiagramOptions Opts;
  Opts.DerivedStepBudget = State.range(1);
  LoweringStats Stats;
  compileLoop(State, bench::cachedPolicy(State.range(0)), Opts, Stats);
}
BENCHMARK(BM_CompileGroupBudget)
    ->Args({10000, 0})
    ->Args({10000, 1'000'000})
    ->Args({10000, 16'000'000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

/// The same 400-rule policy under each dimension order.
void BM_CompileOrder(benchmark::State &State) {
  DiagramOptions Opts;
  Opts.Order = DimensionOrder(State.range(0));
  static const char *const Names[] = {"heuristic", "declaration", "fewest-classes", "most-classes"};
  LoweringStats Stats;
  if (compileLoop(State, bench::cachedPolicy(400), Opts, Stats))
    State.SetLabel(std::string(Names[State.range(0)]) + ": " + Stats.Order);
}
BENCHMARK(BM_CompileOrder)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
