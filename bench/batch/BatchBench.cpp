//===- BatchBench.cpp - BatchDecider on dictionary-encoded ids, Outpost24 notice ------------===//
//
// Rows are drawn from the policy's own vocabulary: leaf values per dimension, a data category
// per row, every boolean attribute set. Three shapes of log: every row random (no two alike),
// rows drawn from 4096 distinct tuples in random order (a log's usual variety), and the same
// rows sorted (a log grouped by system, where runs of equal rows are common). A row each
// iteration: items/s is decisions per second on one core.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Runtime.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>

using namespace privet;
using rt::NumDimensions;

namespace {

constexpr size_t Rows = 1 << 12;

const rt::CompiledPolicy &policy() {
  static std::shared_ptr<const rt::CompiledPolicy> P = [] {
    const char *Path = std::getenv("PRIVET_BENCH_PVC");
    auto R = rt::CompiledPolicy::load(Path ? Path : PRIVET_OUTPOST24_PVC);
    if (!R) {
      std::fprintf(stderr, "bench_batch: %s\n", R.error().c_str());
      std::exit(2);
    }
    return R.take();
  }();
  return *P;
}

struct Workload {
  std::vector<uint32_t> Values[NumDimensions];
  std::vector<std::vector<int64_t>> Attr;
  std::vector<rt::BatchColumns::Attribute> Attrs;
  rt::BatchColumns View;
};

enum class Shape { Random, Distinct4096, Sorted };

Workload makeWorkload(Shape S) {
  const rt::CompiledPolicy &P = policy();
  std::mt19937_64 Rng(42);
  std::vector<uint32_t> Leaves[NumDimensions];
  for (unsigned D = 0; D < NumDimensions; ++D)
    for (uint32_t V = 0; V < P.numValues(rt::Dim(D)); ++V)
      if (P.isLeaf(rt::Dim(D), V))
        Leaves[D].push_back(V);
  std::vector<uint32_t> Bools;
  for (uint32_t A = 0; A < P.numAttributes(); ++A)
    if (P.attributeKind(A) == rt::AttrKind::Bool)
      Bools.push_back(A);
  const size_t Distinct = S == Shape::Random ? Rows : 4096;
  // The distinct tuples, then the rows as indexes into them.
  std::vector<std::vector<uint32_t>> Tuples(Distinct, std::vector<uint32_t>(NumDimensions));
  std::vector<std::vector<int64_t>> TupleAttrs(Distinct, std::vector<int64_t>(Bools.size()));
  for (size_t T = 0; T < Distinct; ++T) {
    for (unsigned D = 0; D < NumDimensions; ++D)
      Tuples[T][D] = Leaves[D].empty() ? rt::InvalidId : Leaves[D][Rng() % Leaves[D].size()];
    for (int64_t &V : TupleAttrs[T])
      V = Rng() % 8 == 0;
  }
  std::vector<size_t> Order(Rows);
  for (size_t R = 0; R < Rows; ++R)
    Order[R] = S == Shape::Random ? R : Rng() % Distinct;
  if (S == Shape::Sorted)
    std::sort(Order.begin(), Order.end());
  Workload W;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    W.Values[D].resize(Rows);
    for (size_t R = 0; R < Rows; ++R)
      W.Values[D][R] = Tuples[Order[R]][D];
    W.View.Values[D] = W.Values[D].data();
  }
  W.Attr.assign(Bools.size(), std::vector<int64_t>(Rows));
  for (size_t A = 0; A < Bools.size(); ++A) {
    for (size_t R = 0; R < Rows; ++R)
      W.Attr[A][R] = TupleAttrs[Order[R]][A];
    W.Attrs.push_back({Bools[A], W.Attr[A].data(), nullptr});
  }
  W.View.NumRows = Rows;
  W.View.Attributes = W.Attrs.data();
  W.View.NumAttributes = W.Attrs.size();
  return W;
}

void BM_BatchDecide(benchmark::State &State) {
  Workload W = makeWorkload(Shape(State.range(0)));
  rt::BatchDecider Batch(policy());
  std::vector<uint8_t> Outcome(Rows);
  std::vector<uint32_t> Id(Rows), Rule(Rows);
  for (auto _ : State) {
    rt::Status S = Batch.decide(W.View, {Outcome.data(), Id.data(), Rule.data()});
    if (!S) {
      State.SkipWithError(S.error().c_str());
      return;
    }
    benchmark::DoNotOptimize(Outcome.data());
  }
  State.SetItemsProcessed(int64_t(State.iterations()) * Rows);
  State.counters["allowed"] =
      double(std::count(Outcome.begin(), Outcome.end(), uint8_t(1))) / double(Rows);
  State.counters["decisions"] = double(Batch.numDecisions());
}
BENCHMARK(BM_BatchDecide)
    ->Arg(int(Shape::Random))
    ->Arg(int(Shape::Distinct4096))
    ->Arg(int(Shape::Sorted))
    ->ArgName("shape")
    ->Unit(benchmark::kMillisecond);

/// The same rows, one decide() each through a reused Request, for comparison.
void BM_SingleDecide(benchmark::State &State) {
  Workload W = makeWorkload(Shape(State.range(0)));
  const rt::CompiledPolicy &P = policy();
  rt::Request Req(P);
  rt::Decision Out;
  size_t Allowed = 0;
  for (auto _ : State) {
    for (size_t R = 0; R < Rows; ++R) {
      Req.clear();
      for (unsigned D = 0; D < NumDimensions; ++D)
        if (W.Values[D][R] != rt::InvalidId)
          Req.set(rt::Dim(D), W.Values[D][R]);
      for (const rt::BatchColumns::Attribute &A : W.Attrs)
        Req.setBool(A.Attr, A.Values[R] != 0);
      P.decide(Req, Out);
      Allowed += Out.permitted();
    }
  }
  benchmark::DoNotOptimize(Allowed);
  State.SetItemsProcessed(int64_t(State.iterations()) * Rows);
}
BENCHMARK(BM_SingleDecide)
    ->Arg(int(Shape::Random))
    ->Arg(int(Shape::Distinct4096))
    ->ArgName("shape")
    ->Unit(benchmark::kMillisecond);

void BM_DictionaryEncode(benchmark::State &State) {
  const rt::CompiledPolicy &P = policy();
  std::mt19937_64 Rng(1);
  std::vector<std::string> Names;
  for (uint32_t V = 0; V < P.numValues(rt::Dim::Purpose); ++V)
    Names.emplace_back(P.valueName(rt::Dim::Purpose, V));
  std::vector<std::string_view> Column(Rows);
  for (std::string_view &N : Column)
    N = Names[Rng() % Names.size()];
  std::vector<uint32_t> Out(Rows);
  for (auto _ : State) {
    auto Enc = rt::DictionaryEncoder::forDimension(P, rt::Dim::Purpose);
    Enc.encode(Column.data(), Rows, Out.data());
    benchmark::DoNotOptimize(Out.data());
  }
  State.SetItemsProcessed(int64_t(State.iterations()) * Rows);
}
BENCHMARK(BM_DictionaryEncode)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
