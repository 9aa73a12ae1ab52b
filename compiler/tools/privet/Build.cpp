//===- Build.cpp - `privet build`: compile a policy into a .pvc artifact ---------------===//
#include "Command.h"
#include "Output.h"

#include "privet/Artifact.h"
#include "privet/Basic/Memory.h"
#include "privet/Domain.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <fmt/format.h>
#include <sys/resource.h>

namespace privet::driver {
namespace {

struct BuildOptions {
  std::string Input;
  std::string Output;
  std::vector<std::string> IncludeDirs;
  std::vector<std::string> AllowImportDirs;
  bool Stats = false;
  uint64_t NodeBudget = DiagramOptions().NodeBudget;
  uint64_t GroupBudget = DiagramOptions().DerivedStepBudget;
  std::string Order = "heuristic";
  std::string Strategy = "auto";
};

int runBuild(const BuildOptions &Opts) {
  auto Start = std::chrono::steady_clock::now();
  Compilation C;
  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  FO.ExtraImportRoots = Opts.AllowImportDirs;
  bool Loaded = C.load(Opts.Input, FO);
  C.Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
  if (C.Diags.hasIOError())
    return ExitUsage;
  if (!Loaded || C.Diags.hasErrors())
    return ExitFindings;
  auto Checked = std::chrono::steady_clock::now();
  releaseFreedMemory(); // the syntax trees are gone

  DiagramOptions DO;
  DO.NodeBudget = Opts.NodeBudget;
  DO.DerivedStepBudget = Opts.GroupBudget;
  DO.AllowRuleLists = Opts.Strategy != "diagram";
  DO.ForceRuleLists = Opts.Strategy == "rules";
  DO.Order = Opts.Order == "declaration"      ? DimensionOrder::Declaration
             : Opts.Order == "fewest-classes" ? DimensionOrder::FewestClasses
             : Opts.Order == "most-classes"   ? DimensionOrder::MostClasses
                                              : DimensionOrder::Heuristic;
  LoweringStats Stats;
  size_t NumRules = C.ThePolicy->Rules.size();
  std::string Bytes;
  {
    auto Contents = compilePolicy(*C.ThePolicy, DO, &Stats);
    if (!Contents) {
      llvm::errs() << "privet build: error: " << llvm::toString(Contents.takeError())
                   << " (raise it with --node-budget)\n";
      return ExitFindings;
    }
    // Each stage's input is freed once the next has what it needs: the Policy (about 2 KB a
    // rule) before the artifact is laid out, the contents before it is checked and written.
    // Their blocks lie between ones still in use, so the pages are returned explicitly: at
    // 100,000 rules the serializer peaked above the diagram builder otherwise.
    C.ThePolicy.reset();
    releaseFreedMemory();
    Bytes = rt::serializeArtifact(*Contents);
  }
  releaseFreedMemory();
  // Load what we are about to write: the runtime's validator is the format's definition.
  auto Check = rt::CompiledPolicy::fromBytes(Bytes);
  if (!Check) {
    llvm::errs() << "privet build: error: internal error: the artifact does not load: "
                 << Check.error() << "\n";
    return ExitFindings;
  }
  if (int Code = writeOutputFile("build", Opts.Output, Bytes, C.SM))
    return Code;
  auto End = std::chrono::steady_clock::now();
  if (Opts.Stats) {
    struct rusage U;
    getrusage(RUSAGE_SELF, &U);
    auto Secs = [](auto A, auto B) { return std::chrono::duration<double>(B - A).count(); };
    std::string Classes;
    for (unsigned D = 0; D < NumDimensions; ++D)
      Classes += fmt::format("{}{}={}", D ? " " : "", domain::DimensionKeys[D], Stats.Classes[D]);
    llvm::outs() << fmt::format(
        "strategy:      {}\n"
        "rules:         {}\n"
        "order:         {}\n"
        "classes:       {}\n"
        "nodes:         {}\n"
        "edges:         {}\n"
        "terminals:     {}\n"
        "group edges:   {} precomputed, {} met at decision time\n"
        "rule lists:    {}\n"
        "bytes:         {}\n"
        "front end:     {:.3f} s\n"
        "diagram:       {:.3f} s\n"
        "lowering:      {:.3f} s\n"
        "total:         {:.3f} s\n"
        "peak memory:   {:.1f} MiB\n",
        Stats.Diagram.FallbackReason.empty()
            ? Stats.Strategy
            : Stats.Strategy + " (" + Stats.Diagram.FallbackReason + ")",
        NumRules, Stats.Order.empty() ? "-" : Stats.Order, Classes, Stats.Nodes, Stats.Edges,
        Stats.Terminals, Stats.Diagram.DerivedEdges, Stats.Diagram.DeferredEdges,
        Stats.Diagram.RuleLists, Bytes.size(), Secs(Start, Checked), Stats.DiagramSeconds,
        Stats.LowerSeconds, Secs(Start, End), U.ru_maxrss / 1024.0);
  }
  return ExitSuccess;
}

CommandRegistration Registration("build", [](CLI::App &App) {
  auto Opts = std::make_shared<BuildOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "build", "Compile a policy into a decision artifact (.pvc) for the runtime: a decision "
               "diagram, or an indexed rule evaluator when the diagram is over budget");
  Cmd->add_option("policy", Opts->Input, "The .privet file to compile")->required();
  Cmd->add_option("-o,--output", Opts->Output, "Where to write the artifact (`-`: standard output)")
      ->required();
  addImportOptions(Cmd, Opts->IncludeDirs, Opts->AllowImportDirs);
  Cmd->add_flag("--stats", Opts->Stats,
                "Print the strategy, diagram size, artifact size, times and peak memory");
  Cmd->add_option("--node-budget", Opts->NodeBudget,
                  "Fail when the decision diagram would need more nodes than this");
  Cmd->add_option("--group-budget", Opts->GroupBudget,
                  "Work spent precomputing edges for non-leaf and omitted values; requests "
                  "naming the rest are answered by meeting several walks")
      ->capture_default_str();
  Cmd->add_option("--strategy", Opts->Strategy,
                  "auto: a decision diagram, or the indexed rule evaluator when the diagram "
                  "exceeds a budget; diagram: never fall back; rules: the rule evaluator")
      ->check(CLI::IsMember({"auto", "diagram", "rules"}))
      ->capture_default_str();
  Cmd->add_option("--order", Opts->Order, "Dimension order of the diagram")
      ->check(CLI::IsMember({"heuristic", "declaration", "fewest-classes", "most-classes"}));
  Cmd->callback([Opts] { setExitCode(runBuild(*Opts)); });
});

} // namespace
} // namespace privet::driver
