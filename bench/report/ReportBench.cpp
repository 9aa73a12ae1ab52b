//===- ReportBench.cpp - How long `privet report` takes on a generated policy --------------===//
//
// The target is a report of a 10,000-rule policy in at most 2 s: deriving the record, the data
// map, the notice and the coverage, and rendering HTML (with the map laid out by Graphviz `dot`,
// bounded by folding), JSON, Markdown and CSV. The analyses behind the findings part are those of
// `privet check` and are measured by bench/analysis; their findings are passed in here.
//
// Recorded 2026-12-01 on the shared 2-core build machine, RelWithDebInfo, load average 8-12 (so
// wall time is 2-5x CPU time; `dot` runs in a child process and counts only in wall time), for
// 10,000 rules: building the report 0.2-0.35 s CPU (0.4-1.1 s wall); HTML with the map laid out
// 0.27-0.36 s CPU, 0.64-2.05 s wall (11.7 MB, the map folded to 21 nodes); JSON 0.55-0.92 s CPU,
// 0.86-2.0 s wall (33 MB); Markdown 0.32-0.36 s CPU; CSV 0.24-0.31 s CPU.
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include "privet/Report/Report.h"
#include "privet/Report/Writers.h"

#include <benchmark/benchmark.h>

using namespace privet;

namespace {

void BM_BuildReport(benchmark::State &State) {
  const Policy &P = bench::cachedPolicy(State.range(0));
  size_t Activities = 0;
  for (auto _ : State) {
    report::Report R = report::buildReport(P, {}, report::ReportOptions());
    Activities = R.Activities.size();
    benchmark::DoNotOptimize(R.Activities.data());
  }
  State.counters["rules"] = P.Rules.size();
  State.counters["activities"] = Activities;
}

/// Everything `privet report --format html` does after the front end, including `dot`.
void BM_ReportHtml(benchmark::State &State) {
  const Policy &P = bench::cachedPolicy(State.range(0));
  size_t Bytes = 0, Nodes = 0;
  for (auto _ : State) {
    report::Report R = report::buildReport(P, {}, report::ReportOptions());
    llvm::Expected<std::string> Svg = report::layoutSvg(report::renderDot(R));
    if (!Svg) {
      State.SkipWithError(llvm::toString(Svg.takeError()).c_str());
      return;
    }
    std::string Html =
        report::renderHtml(R, *report::findTemplate("generic"), report::inlineSvg(*Svg));
    Bytes = Html.size();
    Nodes = R.Map.Nodes.size();
    benchmark::DoNotOptimize(Html.data());
  }
  State.counters["rules"] = P.Rules.size();
  State.counters["html_bytes"] = Bytes;
  State.counters["map_nodes"] = Nodes;
}

/// The other formats, each from a fresh report: what `privet report --format X` does after the
/// front end and the analyses.
template <typename Render> void renderFormat(benchmark::State &State, Render R) {
  const Policy &P = bench::cachedPolicy(State.range(0));
  const report::RopaTemplate &T = *report::findTemplate("generic");
  size_t Bytes = 0;
  for (auto _ : State) {
    report::Report Rep = report::buildReport(P, {}, report::ReportOptions());
    Bytes = R(Rep, T);
  }
  State.counters["rules"] = P.Rules.size();
  State.counters["bytes"] = Bytes;
}

void BM_ReportJson(benchmark::State &State) {
  renderFormat(State, [](const report::Report &R, const report::RopaTemplate &T) {
    std::string Out = report::renderJson(R, T);
    benchmark::DoNotOptimize(Out.data());
    return Out.size();
  });
}

void BM_ReportMarkdown(benchmark::State &State) {
  renderFormat(State, [](const report::Report &R, const report::RopaTemplate &T) {
    std::string Out = report::renderMarkdown(R, T, "map.svg");
    benchmark::DoNotOptimize(Out.data());
    return Out.size();
  });
}

void BM_ReportCsv(benchmark::State &State) {
  renderFormat(State, [](const report::Report &R, const report::RopaTemplate &T) {
    size_t Size = 0;
    for (const auto &Part : report::renderCsv(R, T))
      Size += Part.second.size();
    return Size;
  });
}

BENCHMARK(BM_BuildReport)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportHtml)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportJson)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportMarkdown)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportCsv)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
