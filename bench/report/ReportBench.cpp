//===- ReportBench.cpp - How long `privet report` takes on a generated policy --------------===//
//
// The target is a report of a 10,000-rule policy in at most 2 s: deriving the record, the data
// map, the notice and the coverage, and rendering HTML (with the map laid out by Graphviz `dot`,
// bounded by folding), JSON, Markdown and CSV. The analyses behind the findings part are those of
// `privet check` and are measured by bench/analysis; their findings are passed in here.
//
// Recorded 2026-12-01 on 2 shared, noisy cores (load average 8-10, wall time about 2.5x CPU
// time; `dot` runs in a child process and counts only in wall time), RelWithDebInfo, 10,000 rules
// with a controller block and two Art. 30(2) records: building the report 0.23-0.31 s CPU
// (0.58-0.77 s wall); HTML with the map laid out 0.24-0.39 s CPU, 0.68-1.07 s wall (12.0 MB, the
// map folded to 21 nodes); JSON 0.59-0.67 s CPU, 1.46-1.69 s wall (36.3 MB); Markdown 0.23-0.32 s
// CPU; CSV 0.29-0.31 s CPU. docs/performance.md has the table.
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include "privet/Report/Report.h"
#include "privet/Report/Writers.h"

#include <benchmark/benchmark.h>

#include <map>

using namespace privet;

namespace {

/// The workload policy with a `controller` block (a representative, a DPO, and two
/// `processor for` entries on the first purposes), so the Art. 30(2) records are built too.
const Policy &reportPolicy(unsigned NumRules) {
  static std::map<unsigned, Policy> Cache;
  auto It = Cache.find(NumRules);
  if (It != Cache.end())
    return It->second;
  Policy P = bench::cachedPolicy(NumRules);
  ControllerRecord Rec;
  Rec.Controller = {"Bench AB", {"privacy@bench.example", "Box 1, Stockholm"}, {}};
  Rec.Representative = ContactParty{"Bench Rep GmbH", {"rep@bench.example"}, {}};
  Rec.Dpo = ContactParty{"Bench DPO", {"dpo@bench.example"}, {}};
  const Vocabulary &Purposes = P.vocab(Dimension::Purpose);
  for (NodeId N = 0; N < Purposes.Nodes.size() && Rec.Clients.size() < 2; ++N) {
    ProcessingClient C;
    C.Name = "Client " + std::to_string(N);
    C.Purposes.push_back(N);
    Rec.Clients.push_back(std::move(C));
  }
  P.Controller = std::move(Rec);
  return Cache.emplace(NumRules, std::move(P)).first->second;
}

void BM_BuildReport(benchmark::State &State) {
  const Policy &P = reportPolicy(State.range(0));
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
  const Policy &P = reportPolicy(State.range(0));
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
  const Policy &P = reportPolicy(State.range(0));
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
