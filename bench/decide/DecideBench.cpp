//===- DecideBench.cpp - decide() by ids and by names, artifact load, JSONL throughput -------===//
//
// Each policy size N is generated, compiled and serialised once; the benchmarks then load the
// bytes with the runtime as a service would. Sizes whose diagram exceeds the node budget are
// reported as errors (see docs/performance.md).
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include "privet/Artifact.h"
#include "privet/Json.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <unistd.h>

using namespace privet;

namespace {

struct Compiled {
  Policy Source;
  std::string Bytes;
  std::string Error;
  std::shared_ptr<const rt::CompiledPolicy> Runtime;
  std::vector<bench::LeafRequest> Requests;
};

const Compiled &compiled(unsigned N) {
  static std::map<unsigned, Compiled> Cache;
  auto It = Cache.find(N);
  if (It != Cache.end())
    return It->second;
  Compiled &C = Cache[N];
  C.Source = bench::generatePolicy(N);
  auto Contents = compilePolicy(C.Source);
  if (!Contents) {
    C.Error = llvm::toString(Contents.takeError());
    return C;
  }
  C.Bytes = rt::serializeArtifact(*Contents);
  auto Loaded = rt::CompiledPolicy::fromBytes(C.Bytes);
  if (!Loaded) {
    C.Error = Loaded.error();
    return C;
  }
  C.Runtime = Loaded.take();
  C.Requests = bench::generateRequests(C.Source, 4096);
  return C;
}

/// decide() by ids on P, over the benchmark's requests.
void decideByIds(benchmark::State &State, const Compiled &C, const rt::CompiledPolicy &P) {
  std::vector<rt::Request> Reqs;
  for (const bench::LeafRequest &L : C.Requests) {
    rt::Request R(P);
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (L.Values[D] != UINT32_MAX)
        R.set(rt::Dim(D), L.Values[D]);
    R.setBool(0, L.Attrs[0])
        .setEnum(1, uint32_t(L.Attrs[1]))
        .setInt(2, L.Attrs[2])
        .setDuration(3, L.Attrs[3]);
    Reqs.push_back(std::move(R));
  }
  rt::Decision Out;
  size_t I = 0, Allowed = 0;
  for (auto _ : State) {
    P.decide(Reqs[I++ & 4095], Out);
    Allowed += Out.permitted();
  }
  benchmark::DoNotOptimize(Allowed);
  State.counters["nodes"] = P.numNodes();
  State.counters["allowed_pct"] = 100.0 * Allowed / std::max<size_t>(1, State.iterations());
}

void BM_DecideByIds(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  decideByIds(State, C, *C.Runtime);
}

/// The same on the policy as CompiledPolicy::load gives it: the file mapped in place (the
/// bytes above are a copy, in huge pages from 8 MiB on).
void BM_DecideByIdsLoaded(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  std::string Path = "/tmp/privet-bench-mapped-" + std::to_string(getpid()) + ".pvc";
  if (!rt::writeFileAtomically(Path, C.Bytes)) {
    State.SkipWithError("cannot write the artifact");
    return;
  }
  auto Loaded = rt::CompiledPolicy::load(Path);
  std::remove(Path.c_str());
  if (!Loaded) {
    State.SkipWithError(Loaded.error().c_str());
    return;
  }
  decideByIds(State, C, **Loaded);
}

void BM_DecideByNames(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  const rt::CompiledPolicy &P = *C.Runtime;
  // The names as a service would hold them: strings, resolved on every request.
  struct Named {
    std::array<std::string, NumDimensions> Values;
    bool OptOut;
    std::string Consent;
    int64_t Age, DataAge;
  };
  std::vector<Named> Reqs;
  for (const bench::LeafRequest &L : C.Requests) {
    Named N;
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (L.Values[D] != UINT32_MAX)
        N.Values[D] = C.Source.Vocab[D].Nodes[L.Values[D]].Name;
    N.OptOut = L.Attrs[0];
    N.Consent = C.Source.Enums[0].Values[L.Attrs[1]];
    N.Age = L.Attrs[2];
    N.DataAge = L.Attrs[3];
    Reqs.push_back(std::move(N));
  }
  rt::Request R(P);
  rt::Decision Out;
  size_t I = 0, Allowed = 0;
  for (auto _ : State) {
    const Named &N = Reqs[I++ & 4095];
    R.clear();
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (!N.Values[D].empty())
        R.set(rt::Dim(D), N.Values[D]);
    R.setBool("marketing_opt_out", N.OptOut)
        .setEnum("consent_status", N.Consent)
        .setInt("age", N.Age)
        .setDuration("data_age", N.DataAge);
    P.decide(R, Out);
    Allowed += Out.permitted();
  }
  benchmark::DoNotOptimize(Allowed);
}

/// BatchDecider over a log in which no two rows are alike: 65,536 distinct requests as columns,
/// decided whole each iteration. The decider's memo holds at most 8,192 keys, so no row finds
/// its key there (and the decider soon leaves the memo out): every row is walked, a block's
/// walks interleaved from 256 KiB of nodes (walkToTerminals). Per-row time is the item rate's
/// inverse; compare with BM_DecideByIds, one walk at a time.
void BM_BatchByIds(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  const rt::CompiledPolicy &P = *C.Runtime;
  constexpr unsigned Rows = 1 << 16;
  const std::vector<bench::LeafRequest> Reqs = bench::generateRequests(C.Source, Rows, 7);
  std::vector<uint32_t> Values[NumDimensions];
  std::vector<int64_t> Attr[4];
  for (const bench::LeafRequest &L : Reqs) {
    for (unsigned D = 0; D < NumDimensions; ++D)
      Values[D].push_back(L.Values[D]);
    for (unsigned A = 0; A < 4; ++A)
      Attr[A].push_back(L.Attrs[A]);
  }
  rt::BatchColumns In;
  In.NumRows = Rows;
  for (unsigned D = 0; D < NumDimensions; ++D)
    In.Values[D] = Values[D].data();
  rt::BatchColumns::Attribute Cols[4];
  for (unsigned A = 0; A < 4; ++A)
    Cols[A] = {A, Attr[A].data(), nullptr};
  In.Attributes = Cols;
  In.NumAttributes = 4;
  rt::BatchDecider Batch(P);
  std::vector<uint8_t> Outcome(Rows);
  for (auto _ : State) {
    rt::Status S = Batch.decide(In, {Outcome.data(), nullptr, nullptr});
    if (!S) {
      State.SkipWithError(S.error().c_str());
      return;
    }
    benchmark::DoNotOptimize(Outcome.data());
  }
  State.SetItemsProcessed(int64_t(State.iterations()) * Rows);
  State.counters["ns_per_row"] = benchmark::Counter(
      double(State.iterations()) * Rows, benchmark::Counter::kIsRate | benchmark::Counter::kInvert,
      benchmark::Counter::kIs1000);
  State.counters["allowed_pct"] =
      100.0 * double(std::count(Outcome.begin(), Outcome.end(), uint8_t(1))) / Rows;
}

void BM_Load(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  std::string Path = "/tmp/privet-bench-" + std::to_string(getpid()) + ".pvc";
  if (!rt::writeFileAtomically(Path, C.Bytes)) {
    State.SkipWithError("cannot write the artifact");
    return;
  }
  for (auto _ : State) {
    auto Loaded = rt::CompiledPolicy::load(Path);
    if (!Loaded) {
      State.SkipWithError(Loaded.error().c_str());
      break;
    }
    benchmark::DoNotOptimize((*Loaded)->numNodes());
  }
  std::remove(Path.c_str());
  State.counters["bytes"] = double(C.Bytes.size());
}

void BM_Jsonl(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  std::string Input = bench::requestsAsJsonl(C.Source, C.Requests);
  std::vector<std::string_view> Lines;
  for (size_t Start = 0; Start < Input.size();) {
    size_t End = Input.find('\n', Start);
    Lines.push_back(std::string_view(Input).substr(Start, End - Start));
    Start = End + 1;
  }
  rt::JsonlSession Engine(*C.Runtime);
  std::string Out;
  Out.reserve(4 << 20);
  size_t I = 0, OutBytes = 0;
  std::string FirstError;
  auto Flush = [&] {
    OutBytes += Out.size();
    if (FirstError.empty() && Engine.count(rt::Decision::Kind::Error))
      if (size_t P = Out.find("\"decision\":\"error\""); P != std::string::npos)
        FirstError = Out.substr(P > 100 ? P - 100 : 0, 300);
    Out.clear(); // as if flushed to the output
  };
  for (auto _ : State) {
    Engine.processLine(Lines[I++ & 4095], Out);
    if (Out.size() > (2 << 20))
      Flush();
  }
  Flush();
  // Every generated line is a valid request: errors would mean the benchmark measures nothing.
  // The session counts its error answers, so the loop does not search its own output for them.
  uint64_t Errors = Engine.count(rt::Decision::Kind::Error);
  State.counters["errors"] = double(Errors);
  // The answer's size grows with the deciding rules it lists, each with its source location.
  State.counters["out_bytes_per_line"] = double(OutBytes) / std::max<double>(1, State.iterations());
  if (Errors)
    State.SkipWithError(("error decisions: " + FirstError).c_str());
  State.SetItemsProcessed(State.iterations());
  State.SetBytesProcessed(int64_t(State.iterations()) * int64_t(Input.size() / Lines.size()));
}

/// What a `privet query --jsonl` process spends before its first answer, past its own start-up:
/// load the artifact file, open a session, answer one line.
void BM_JsonlFirstLine(benchmark::State &State) {
  const Compiled &C = compiled(State.range(0));
  if (!C.Runtime) {
    State.SkipWithError(C.Error.c_str());
    return;
  }
  std::string Path = "/tmp/privet-bench-first-" + std::to_string(getpid()) + ".pvc";
  if (!rt::writeFileAtomically(Path, C.Bytes)) {
    State.SkipWithError("cannot write the artifact");
    return;
  }
  std::string Line = bench::requestsAsJsonl(C.Source, C.Requests);
  Line.resize(Line.find('\n'));
  std::string Out;
  for (auto _ : State) {
    auto Loaded = rt::CompiledPolicy::load(Path);
    if (!Loaded) {
      State.SkipWithError(Loaded.error().c_str());
      break;
    }
    rt::JsonlSession Engine(**Loaded);
    Out.clear();
    if (!Engine.processLine(Line, Out)) {
      State.SkipWithError(("error decision: " + Out).c_str());
      break;
    }
    benchmark::DoNotOptimize(Out.data());
  }
  std::remove(Path.c_str());
}

#define SIZES ->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)
BENCHMARK(BM_DecideByIds) SIZES->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_DecideByIdsLoaded) SIZES->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_DecideByNames) SIZES->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_BatchByIds) SIZES->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_Load) SIZES->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Jsonl) SIZES;
BENCHMARK(BM_JsonlFirstLine) SIZES->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
