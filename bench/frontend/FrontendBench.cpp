//===- FrontendBench.cpp - Parse and check time of generated N-rule policy text -----------===//
//
// The text is shaped like a notice: 300 data categories in a three-level hierarchy, 60 purposes,
// 20 recipients, 8 actions, 6 bases, two attributes, and N rules mixing actions, categories,
// purposes, bases, recipients, conditions, obligations and exceptions. The same text is checked
// each iteration; the time is the whole front end (lexing, parsing, AST, sema, Policy).
//
//===-------------------------------------------------------------------------------------===//
#include "privet/Frontend/Frontend.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>

namespace {

std::string generatePolicyText(unsigned NumRules) {
  std::mt19937 Rng(NumRules);
  auto Pick = [&](unsigned N) { return unsigned(Rng() % N); };
  std::string T = "policy bench \"Generated\" version \"1\";\n";
  T += "action a0";
  for (unsigned I = 1; I < 8; ++I)
    T += "; action a" + std::to_string(I);
  T += ";\ncategory data {\n";
  for (unsigned G = 0; G < 10; ++G) {
    T += "  g" + std::to_string(G) + " {\n";
    for (unsigned S = 0; S < 3; ++S) {
      T += "    s" + std::to_string(G) + "_" + std::to_string(S) + " {";
      for (unsigned L = 0; L < 10; ++L)
        T += " d" + std::to_string(G * 30 + S * 10 + L) + ";";
      T += " }\n";
    }
    T += "  }\n";
  }
  T += "}\npurpose purposes {";
  for (unsigned I = 0; I < 60; ++I)
    T += " p" + std::to_string(I) + ";";
  T += " }\nrecipient recipients {";
  for (unsigned I = 0; I < 20; ++I)
    T += " r" + std::to_string(I) + ";";
  T += " }\nbasis bases { b0; b1; b2; b3; b4; b5; }\n";
  T += "obligation keep(duration); obligation notify;\n";
  T += "attribute opted_out: bool = false;\nattribute age: int;\n";
  for (unsigned R = 0; R < NumRules; ++R) {
    bool Deny = Pick(100) < 15;
    T += "r_" + std::to_string(R) + ": " + (Deny ? "deny" : "allow");
    T += " a" + std::to_string(Pick(8));
    if (Pick(2))
      T += ", a" + std::to_string(Pick(8));
    T += " d" + std::to_string(Pick(300));
    if (Pick(3) == 0)
      T += ", s" + std::to_string(Pick(10)) + "_" + std::to_string(Pick(3));
    T += " for p" + std::to_string(Pick(60));
    if (Pick(10) < 4)
      T += " under b" + std::to_string(Pick(6));
    if (Pick(10) < 3)
      T += " to " + std::string(Pick(4) == 0 ? "not " : "") + "r" + std::to_string(Pick(20));
    if (Pick(10) < 2)
      T += " when age >= " + std::to_string(13 + Pick(10)) + " and not opted_out";
    if (!Deny && Pick(10) < 3)
      T += " with keep(" + std::to_string(1 + Pick(24)) + " months), notify";
    if (!Deny && Pick(100) < 15)
      T += "\n  except deny for p" + std::to_string(Pick(60)) + " when opted_out";
    T += ";\n";
  }
  return T;
}

void BM_ParseAndCheck(benchmark::State &State) {
  std::string Text = generatePolicyText(State.range(0));
  privet::FrontendOptions Options;
  for (auto _ : State) {
    llvm::SourceMgr SM;
    privet::DiagnosticEngine Diags(SM);
    auto P = privet::loadPolicyFromText(Text, "bench.privet", Options, Diags);
    if (!P || Diags.errorCount() != 0) {
      State.SkipWithError("the generated policy does not check");
      break;
    }
    benchmark::DoNotOptimize(P->Rules.data());
  }
  State.SetComplexityN(State.range(0));
  State.counters["bytes"] = double(Text.size());
}
BENCHMARK(BM_ParseAndCheck)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(20000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

} // namespace

/// `bench_frontend --write-policy N FILE` writes the generated N-rule policy to FILE instead of
/// benchmarking, to time `privet build` and `privet check` end to end on the same text.
int main(int argc, char **argv) {
  if (argc == 4 && std::string(argv[1]) == "--write-policy") {
    std::FILE *F = std::fopen(argv[3], "wb");
    std::string Text = generatePolicyText(unsigned(std::stoul(argv[2])));
    if (!F || std::fwrite(Text.data(), 1, Text.size(), F) != Text.size() || std::fclose(F) != 0) {
      std::fprintf(stderr, "bench_frontend: cannot write %s\n", argv[3]);
      return 2;
    }
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
