//===- ReportBench.cpp - How long `privet report` takes on a generated policy --------------===//
//
// The target is a report of a 10,000-rule policy in at most 2 s: deriving the record, the data
// map, the notice and the coverage, and rendering HTML (with the map laid out by Graphviz `dot`,
// bounded by folding), JSON, Markdown and CSV. The analyses behind the findings part are those of
// `privet check` and are measured by bench/analysis; their findings are passed in here.
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

void BM_ReportOtherFormats(benchmark::State &State) {
  const Policy &P = bench::cachedPolicy(State.range(0));
  const report::RopaTemplate &T = *report::findTemplate("generic");
  for (auto _ : State) {
    report::Report R = report::buildReport(P, {}, report::ReportOptions());
    std::string Json = report::renderJson(R, T);
    std::string Md = report::renderMarkdown(R, T, "map.svg");
    auto Csv = report::renderCsv(R, T);
    benchmark::DoNotOptimize(Json.data());
    benchmark::DoNotOptimize(Md.data());
    benchmark::DoNotOptimize(Csv.data());
  }
  State.counters["rules"] = P.Rules.size();
}

BENCHMARK(BM_BuildReport)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportHtml)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReportOtherFormats)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
