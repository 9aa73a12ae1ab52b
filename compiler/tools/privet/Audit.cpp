//===- Audit.cpp - `privet audit`: a processing log against the policy (docs/audit.md) -----===//
#include "Command.h"

#include "privet/Audit/Audit.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <ctime>

extern char **environ;

namespace privet::driver {
namespace {

struct AuditCliOptions {
  std::string Policy;
  std::string MapFile;
  std::vector<std::string> Inputs;
  std::vector<std::string> IncludeDirs;
  std::vector<std::string> Merge;
  std::string Format = "text";
  size_t Samples = 10;
  std::string Since, Now, Watermark, Scheduler;
  size_t MaxLineBytes = 1 << 20;
};

int usage(const std::string &Message) {
  llvm::errs() << "privet audit: error: " << Message << "\n";
  return ExitUsage;
}

/// A .pvc as it is, or a .privet compiled in memory; null (with the exit code set) on failure.
std::shared_ptr<const rt::CompiledPolicy> loadPolicy(const AuditCliOptions &Opts, int &Exit) {
  Exit = ExitUsage;
  if (!llvm::StringRef(Opts.Policy).endswith(".privet")) {
    auto Loaded = rt::CompiledPolicy::load(Opts.Policy);
    if (!Loaded) {
      usage(Loaded.error());
      return nullptr;
    }
    return Loaded.take();
  }
  Compilation C;
  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  bool Ok = C.load(Opts.Policy, FO);
  C.Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
  if (!Ok || C.Diags.hasErrors())
    return nullptr;
  auto Contents = compilePolicy(*C.ThePolicy);
  if (!Contents) {
    usage(llvm::toString(Contents.takeError()));
    return nullptr;
  }
  auto Loaded = rt::CompiledPolicy::fromBytes(rt::serializeArtifact(*Contents));
  if (!Loaded) {
    usage(Loaded.error());
    return nullptr;
  }
  return Loaded.take();
}

std::optional<int64_t> readWatermark(const std::string &Path, std::string &Error) {
  if (!llvm::sys::fs::exists(Path))
    return std::nullopt; // the first run
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf) {
    Error = "cannot read `" + Path + "`: " + Buf.getError().message();
    return std::nullopt;
  }
  auto V = llvm::json::parse((*Buf)->getBuffer());
  const llvm::json::Object *O = V ? V->getAsObject() : nullptr;
  llvm::Optional<llvm::StringRef> T;
  if (O)
    T = O->getString("max_time");
  std::optional<int64_t> Time;
  if (T)
    Time = audit::parseTime(*T);
  if (!V)
    llvm::consumeError(V.takeError());
  if (!Time)
    Error = "`" + Path + "` is not a watermark (expected {\"max_time\": \"<ISO 8601>\"})";
  return Time;
}

/// Written to a temporary file and renamed, so that a crash never leaves half a watermark, and
/// only after the whole run succeeded, so that a crashed run is audited again in full.
bool writeWatermark(const std::string &Path, int64_t Time) {
  std::string Tmp = Path + ".tmp";
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Tmp, EC);
    if (EC)
      return false;
    OS << llvm::json::Value(llvm::json::Object{{"max_time", audit::formatTime(Time)}}) << "\n";
  }
  return !llvm::sys::fs::rename(Tmp, Path);
}

int emit(const audit::Summary &S, const std::string &Format, llvm::StringRef PolicyName = {}) {
  if (Format == "json")
    llvm::outs() << llvm::formatv("{0:2}", S.toJson()) << "\n";
  else if (Format == "text")
    audit::renderText(S, llvm::outs());
  else if (Format == "html")
    audit::renderHtml(S, llvm::outs(), PolicyName);
  return S.Total.Violation ? ExitFindings : ExitSuccess;
}

int runMerge(const AuditCliOptions &Opts) {
  audit::Summary All;
  All.SampleLimit = Opts.Samples;
  for (const std::string &Path : Opts.Merge) {
    auto Buf = llvm::MemoryBuffer::getFileOrSTDIN(Path);
    if (!Buf)
      return usage("cannot read `" + Path + "`: " + Buf.getError().message());
    auto V = llvm::json::parse((*Buf)->getBuffer());
    if (!V)
      return usage("`" + Path + "`: " + llvm::toString(V.takeError()));
    auto S = audit::Summary::fromJson(*V);
    if (!S)
      return usage("`" + Path + "`: " + llvm::toString(S.takeError()));
    All.merge(*S);
  }
  return emit(All, Opts.Format);
}

/// --scheduler: the same audit on a Dask cluster, run by the Python package's privet.dask (which
/// runs this executable on the workers, so the report is the same).
int runOnDask(const AuditCliOptions &Opts) {
  if (Opts.Format == "jsonl")
    return usage("--scheduler writes text, json or html, not jsonl");
  if (!Opts.Watermark.empty())
    return usage("--scheduler does not keep a watermark: use --since");
  std::string Self = llvm::sys::fs::getMainExecutable(nullptr, (void *)&usage);
  std::vector<std::string> Args = {"/usr/bin/python3",
                                   "-m",
                                   "privet.dask",
                                   "--scheduler",
                                   Opts.Scheduler,
                                   "--privet",
                                   Self,
                                   "--map",
                                   Opts.MapFile,
                                   "--format",
                                   Opts.Format,
                                   "--samples",
                                   std::to_string(Opts.Samples)};
  if (!Opts.Now.empty())
    Args.insert(Args.end(), {"--now", Opts.Now});
  if (!Opts.Since.empty())
    Args.insert(Args.end(), {"--since", Opts.Since});
  Args.push_back(Opts.Policy);
  Args.insert(Args.end(), Opts.Inputs.begin(), Opts.Inputs.end());
  // The package next to this build's, unless PYTHONPATH already says where it is.
  std::vector<std::string> Env;
  for (char **E = environ; *E; ++E)
    Env.push_back(*E);
  if (!std::getenv("PYTHONPATH"))
    Env.push_back("PYTHONPATH=" PRIVET_PYTHON_DIR);
  std::vector<llvm::StringRef> ArgRefs(Args.begin(), Args.end()), EnvRefs(Env.begin(), Env.end());
  std::string Error;
  int Rc = llvm::sys::ExecuteAndWait(Args[0], ArgRefs, llvm::ArrayRef<llvm::StringRef>(EnvRefs), {},
                                     0, 0, &Error);
  if (Rc < 0)
    return usage("cannot run the Dask audit: " + Error);
  return Rc;
}

int runAudit(const AuditCliOptions &Opts) {
  if (!Opts.Scheduler.empty())
    return runOnDask(Opts);
  if (Opts.Format != "text" && Opts.Format != "json" && Opts.Format != "jsonl" &&
      Opts.Format != "html")
    return usage("unknown format `" + Opts.Format + "` (expected text, json, jsonl or html)");
  if (!Opts.Merge.empty())
    return runMerge(Opts);
  if (Opts.Policy.empty() || Opts.MapFile.empty())
    return usage("a policy and --map are required");
  audit::AuditOptions AO;
  AO.SampleLimit = Opts.Samples;
  AO.MaxLineBytes = Opts.MaxLineBytes;
  AO.Now = int64_t(std::time(nullptr));
  if (!Opts.Now.empty()) {
    auto T = audit::parseTime(Opts.Now);
    if (!T)
      return usage("--now `" + Opts.Now + "` is not a time (ISO 8601 or epoch seconds)");
    AO.Now = *T;
  }
  if (!Opts.Since.empty()) {
    AO.Since = audit::parseTime(Opts.Since);
    if (!AO.Since)
      return usage("--since `" + Opts.Since + "` is not a time (ISO 8601 or epoch seconds)");
  }
  if (!Opts.Watermark.empty()) {
    std::string Error;
    auto W = readWatermark(Opts.Watermark, Error);
    if (!Error.empty())
      return usage(Error);
    if (W && (!AO.Since || *W > *AO.Since))
      AO.Since = W;
  }
  int Exit = ExitUsage;
  auto Policy = loadPolicy(Opts, Exit);
  if (!Policy)
    return Exit;
  // The mapping is checked in full before any event is read.
  auto MapBuf = llvm::MemoryBuffer::getFile(Opts.MapFile);
  if (!MapBuf)
    return usage("cannot read `" + Opts.MapFile + "`: " + MapBuf.getError().message());
  auto Map = audit::parseMapping(Opts.MapFile, (*MapBuf)->getBuffer(), *Policy);
  if (!Map) {
    llvm::errs() << llvm::toString(Map.takeError()) << "\n";
    return ExitUsage;
  }
  if (!Opts.Watermark.empty() && Map->TimeField.empty())
    return usage("--watermark needs `metadata.time` in the mapping");
  if (!Opts.Since.empty() && Map->TimeField.empty())
    return usage("--since needs `metadata.time` in the mapping");
  auto Inputs =
      audit::expandInputs(Opts.Inputs.empty() ? std::vector<std::string>{"-"} : Opts.Inputs);
  if (!Inputs)
    return usage(llvm::toString(Inputs.takeError()));
  if (Opts.Format == "jsonl")
    AO.OnViolation = [](const llvm::json::Value &V) { llvm::outs() << V << "\n"; };
  audit::Auditor A(Policy, std::move(*Map), std::move(AO));
  for (const std::string &In : *Inputs)
    if (llvm::Error E = A.auditFile(In))
      return usage(llvm::toString(std::move(E)));
  audit::Summary S = A.finish();
  if (!Opts.Watermark.empty() && S.MaxTime && !writeWatermark(Opts.Watermark, *S.MaxTime))
    return usage("cannot write the watermark `" + Opts.Watermark + "`");
  return emit(S, Opts.Format, Policy->name());
}

CommandRegistration Registration("audit", [](CLI::App &App) {
  auto Opts = std::make_shared<AuditCliOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "audit", "Audit a processing log against a policy: compliant, violation or gap per event");
  Cmd->add_option("policy", Opts->Policy, "The compiled .pvc (or a .privet, compiled first)");
  Cmd->add_option("inputs", Opts->Inputs,
                  "Event files (JSONL or CSV, plain or .gz), directories, or - for stdin");
  Cmd->add_option("--map", Opts->MapFile, "The mapping from event fields to the request");
  Cmd->add_option("--format", Opts->Format,
                  "text, json (the summary), jsonl (one line per violation), or html (a page)");
  Cmd->add_option("--samples", Opts->Samples, "Samples kept per violated rule and gap reason");
  Cmd->add_option("--since", Opts->Since, "Audit only events after this time");
  Cmd->add_option("--watermark", Opts->Watermark,
                  "A file holding the latest event time audited: read, then updated on success");
  Cmd->add_option("--now", Opts->Now, "The time obligations fall due against (default: now)");
  Cmd->add_option("--max-line-bytes", Opts->MaxLineBytes, "Longer lines are gaps");
  Cmd->add_option("-I", Opts->IncludeDirs, "Directory searched for imported modules");
  Cmd->add_option("--scheduler", Opts->Scheduler,
                  "Run on a Dask cluster (tcp://host:8786) through the privet Python package");
  Cmd->add_option("--merge", Opts->Merge,
                  "Merge summaries written by --format json (e.g. by partitions) instead");
  Cmd->callback([Opts] { setExitCode(runAudit(*Opts)); });
});

} // namespace
} // namespace privet::driver
