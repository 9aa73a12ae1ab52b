//===- Query.cpp - `privet query`: decide requests against a compiled or source policy ----===//
#include "Command.h"

#include "privet/Artifact.h"
#include "privet/Domain.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Json.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"
#include "privet/Verify.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace privet::driver {
namespace {

struct QueryOptions {
  std::string Input;
  std::vector<std::string> IncludeDirs;
  std::array<std::string, NumDimensions> Values;
  std::vector<std::string> Data;
  std::vector<std::string> Attrs;
  bool Explain = false;
  std::string Format = "text";
  std::string Jsonl;
  std::string PublicKey;
};

/// Loads a .pvc only if its detached signature verifies with the trusted --public-key.
std::shared_ptr<const rt::CompiledPolicy> loadVerifiedInput(const QueryOptions &Opts, int &Exit) {
  Exit = ExitUsage;
  if (llvm::StringRef(Opts.Input).endswith(".privet")) {
    llvm::errs() << "privet query: error: --public-key verifies a signed .pvc artifact; `"
                 << Opts.Input << "` is a source file\n";
    return nullptr;
  }
  auto Key = rt::PublicKey::read(Opts.PublicKey);
  if (!Key) {
    llvm::errs() << "privet query: error: " << Key.error() << "\n";
    return nullptr;
  }
  auto Verified = rt::loadVerified(Opts.Input, *Key);
  if (!Verified) {
    llvm::errs() << "privet query: error: " << Verified.error() << "\n";
    return nullptr;
  }
  Exit = ExitSuccess;
  return Verified->Policy;
}

/// Loads a .pvc, or compiles a .privet in memory.
std::shared_ptr<const rt::CompiledPolicy> loadInput(const QueryOptions &Opts, int &Exit) {
  if (!Opts.PublicKey.empty())
    return loadVerifiedInput(Opts, Exit);
  if (!llvm::StringRef(Opts.Input).endswith(".privet")) {
    auto Loaded = rt::CompiledPolicy::load(Opts.Input);
    if (!Loaded) {
      llvm::errs() << "privet query: error: " << Loaded.error() << "\n";
      Exit = ExitUsage;
      return nullptr;
    }
    return Loaded.take();
  }
  Compilation C;
  FrontendOptions FO;
  FO.IncludeDirs = Opts.IncludeDirs;
  bool Ok = C.load(Opts.Input, FO);
  C.Diags.renderText(llvm::errs(), DiagnosticEngine::shouldColorStderr());
  if (C.Diags.hasIOError()) {
    Exit = ExitUsage;
    return nullptr;
  }
  if (!Ok || C.Diags.hasErrors()) {
    Exit = ExitFindings;
    return nullptr;
  }
  auto Contents = compilePolicy(*C.ThePolicy);
  if (!Contents) {
    llvm::errs() << "privet query: error: " << llvm::toString(Contents.takeError()) << "\n";
    Exit = ExitFindings;
    return nullptr;
  }
  auto Loaded = rt::CompiledPolicy::fromBytes(rt::serializeArtifact(*Contents));
  if (!Loaded) {
    llvm::errs() << "privet query: error: internal error: " << Loaded.error() << "\n";
    Exit = ExitFindings;
    return nullptr;
  }
  return Loaded.take();
}

/// `--attr name=value`, typed by the policy's declaration of `name`.
bool setAttribute(const rt::CompiledPolicy &P, rt::Request &R, llvm::StringRef Spec,
                  std::string &Error) {
  auto [Name, Value] = Spec.split('=');
  Name = Name.trim();
  Value = Value.trim();
  if (!Spec.contains('=') || Name.empty()) {
    Error = "expected `--attr name=value`, got `" + Spec.str() + "`";
    return false;
  }
  uint32_t A = P.attributeId(Name);
  if (A == rt::InvalidId) {
    Error = "unknown attribute `" + Name.str() + "`" + P.suggestAttribute(Name.str());
    return false;
  }
  switch (P.attributeKind(A)) {
  case rt::AttrKind::Bool:
    if (Value != "true" && Value != "false") {
      Error = "attribute `" + Name.str() + "` is a bool: expected `true` or `false`";
      return false;
    }
    R.setBool(A, Value == "true");
    return true;
  case rt::AttrKind::Int: {
    long long V;
    if (Value.getAsInteger(10, V)) {
      Error = "attribute `" + Name.str() + "` is an int: `" + Value.str() + "` is not an integer";
      return false;
    }
    R.setInt(A, V);
    return true;
  }
  case rt::AttrKind::Duration: {
    long long V;
    if (!Value.getAsInteger(10, V)) {
      R.setDuration(A, V);
      return true;
    }
    auto Seconds = rt::parseDuration(Value);
    if (!Seconds) {
      Error = "attribute `" + Name.str() + "` is a duration: `" + Value.str() +
              "` is not one (e.g. `30 days`)";
      return false;
    }
    R.setDuration(A, *Seconds);
    return true;
  }
  case rt::AttrKind::Enum:
    R.setEnum(A, llvm::StringRef(Value));
    return true;
  }
  return false;
}

int runQuery(const QueryOptions &Opts) {
  int Exit = ExitSuccess;
  auto P = loadInput(Opts, Exit);
  if (!P)
    return Exit;

  if (!Opts.Jsonl.empty()) {
    std::FILE *In = stdin;
    if (Opts.Jsonl != "-") {
      In = std::fopen(Opts.Jsonl.c_str(), "rb");
      if (!In) {
        std::string Reason = std::strerror(errno); // before any output can change errno
        llvm::errs() << "privet query: error: cannot open `" << Opts.Jsonl << "`: " << Reason
                     << "\n";
        return ExitUsage;
      }
    }
    llvm::outs().flush();
    rt::JsonlSession Engine(*P);
    std::string Err;
    long Errors = Engine.run(In, stdout, Err);
    if (In != stdin)
      std::fclose(In);
    if (Errors < 0) {
      llvm::errs() << "privet query: error: " << Err << "\n";
      return ExitUsage;
    }
    // Error lines are answers too (never allows); the run itself succeeded.
    return ExitSuccess;
  }

  rt::Request R(*P);
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (!Opts.Values[D].empty())
      R.set(rt::Dim(D), Opts.Values[D]);
  for (const std::string &Data : Opts.Data)
    R.addData(Data);
  for (const std::string &A : Opts.Attrs) {
    std::string Error;
    if (!setAttribute(*P, R, A, Error)) {
      llvm::errs() << "privet query: error: " << Error << "\n";
      return ExitUsage;
    }
  }
  rt::Decision D = P->decide(R);
  if (Opts.Format == "json") {
    llvm::outs() << rt::decisionJson(*P, D) << "\n";
  } else if (Opts.Explain) {
    llvm::outs() << P->explain(R);
  } else if (D.isError()) {
    llvm::outs() << "error: " << D.error() << "\n";
  } else {
    llvm::outs() << (D.permitted() ? "allow" : "deny") << "\n";
    if (D.rules().empty())
      llvm::outs() << "  by default: no rule applies\n";
    for (uint32_t Rule : D.rules()) {
      rt::RuleInfo Info = P->rule(Rule);
      llvm::outs() << "  rule " << Info.Id;
      if (!Info.File.empty())
        llvm::outs() << " (" << Info.File << ":" << Info.Line << ":" << Info.Col << ")";
      llvm::outs() << "\n";
    }
    for (uint32_t O : D.obligations())
      llvm::outs() << "  obligation " << P->describeObligationInstance(O) << "\n";
  }
  // A request the policy cannot answer (unknown name, missing attribute) is a usage error.
  return D.isError() ? ExitUsage : ExitSuccess;
}

CommandRegistration Registration("query", [](CLI::App &App) {
  auto Opts = std::make_shared<QueryOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "query", "Decide a request (or a JSON-lines batch) against a .pvc or .privet policy");
  Cmd->add_option("policy", Opts->Input, "A compiled .pvc, or a .privet compiled in memory")
      ->required();
  Cmd->add_option("-I", Opts->IncludeDirs, "Directory searched for imported modules")
      ->allow_extra_args(false);
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (D == unsigned(Dimension::Data))
      continue;
    std::string Key(domain::DimensionKeys[D]);
    Cmd->add_option("--" + Key, Opts->Values[D], "The " + Key + " (omitted: every value)");
  }
  Cmd->add_option("--data", Opts->Data, "A data category (repeatable; omitted: every category)")
      ->allow_extra_args(false);
  Cmd->add_option("--attr", Opts->Attrs, "An attribute value: name=value (repeatable)")
      ->allow_extra_args(false);
  Cmd->add_flag("--explain", Opts->Explain,
                "Explain the decision: rules with file:line, their text and notice sources");
  Cmd->add_option("--format", Opts->Format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  Cmd->add_option("--jsonl", Opts->Jsonl,
                  "Decide one JSON request per line of FILE (- for standard input)");
  Cmd->add_option("--public-key", Opts->PublicKey,
                  "Refuse the artifact unless ARTIFACT.sig is a valid signature by this key");
  Cmd->callback([Opts] { setExitCode(runQuery(*Opts)); });
});

} // namespace
} // namespace privet::driver
