//===- Query.cpp - `privet query`: decide requests against a compiled or source policy ----===//
#include "Command.h"

#include "privet/Artifact.h"
#include "privet/Domain.h"
#include "privet/Frontend/Frontend.h"
#include "privet/Json.h"
#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"
#include "privet/Sema/Sema.h"
#include "privet/Verify.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace privet::driver {
namespace {

struct QueryOptions {
  std::string Input;
  std::vector<std::string> IncludeDirs;
  std::array<std::string, NumDimensions> Values;
  std::vector<std::string> Data;
  std::vector<std::string> Attrs;
  bool Explain = false;
  bool Fail = false;        ///< --fail: a deny (or error) exits 1, like OPA's "undefined"
  bool FailDefined = false; ///< --fail-defined: an allow exits 1, like OPA's "defined"
  std::string Format = "text";
  std::string Jsonl;
  std::string PublicKey;
  size_t MaxLineBytes = rt::DefaultMaxLineBytes;
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

/// A JSON-style integer: an optional `-`, then digits without a leading zero (`018` and `+1` are
/// refused, as in a JSON request, so both ways of asking mean the same).
bool strictInteger(llvm::StringRef Text, long long &V) {
  llvm::StringRef Digits = Text.startswith("-") ? Text.drop_front() : Text;
  if (Digits.empty() || !llvm::all_of(Digits, llvm::isDigit) ||
      (Digits.size() > 1 && Digits.front() == '0'))
    return false;
  return !Text.getAsInteger(10, V);
}

/// The root file's own import aliases (`import taxonomy as tx`: `tx` -> `taxonomy`), so that a
/// query may write names the way the policy does (`--action tx.use`).
using AliasMap = llvm::StringMap<std::string>;

/// Name with a leading alias qualifier replaced by the module it stands for.
std::string unalias(const AliasMap &Aliases, llvm::StringRef Name) {
  auto [Qualifier, Rest] = Name.split('.');
  if (Rest.empty())
    return Name.str();
  auto It = Aliases.find(Qualifier);
  return It == Aliases.end() ? Name.str() : It->second + "." + Rest.str();
}

/// Loads a .pvc, or compiles a .privet in memory (then also recording its import aliases).
std::shared_ptr<const rt::CompiledPolicy> loadInput(const QueryOptions &Opts, AliasMap &Aliases,
                                                    int &Exit) {
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
  auto Modules = loadModules(Opts.Input, FO, C.Diags);
  if (Modules && !Modules->empty()) {
    const sema::ParsedModule &Root = Modules->front();
    for (const auto &Import : Root.Imports) {
      const ast::File *Imported = (*Modules)[Import.getValue()].AST.get();
      if (Imported && Imported->Head && Imported->Head->Name != Import.getKey())
        Aliases[Import.getKey()] = Imported->Head->Name;
    }
    C.ThePolicy = sema::checkModules(std::move(*Modules), C.Diags);
  }
  bool Ok = C.ThePolicy.has_value();
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
bool setAttribute(const rt::CompiledPolicy &P, const AliasMap &Aliases, rt::Request &R,
                  llvm::StringRef Spec, std::string &Error) {
  auto [Written, Value] = Spec.split('=');
  std::string Unaliased = unalias(Aliases, Written.trim());
  llvm::StringRef Name = Unaliased;
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
    if (!strictInteger(Value, V)) {
      Error = "attribute `" + Name.str() + "` is an int: `" + Value.str() + "` is not an integer";
      return false;
    }
    R.setInt(A, V);
    return true;
  }
  case rt::AttrKind::Duration: {
    long long V;
    if (strictInteger(Value, V)) {
      if (V < 0) {
        Error = "attribute `" + Name.str() + "` is a duration: `" + Value.str() + "` is negative";
        return false;
      }
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

/// Opens the --jsonl input: a regular file, or a FIFO a client writes requests into. O_NONBLOCK
/// keeps open() from waiting for a FIFO's writer before the file's kind is known; reads block.
std::FILE *openRequests(const std::string &Path, std::string &Error) {
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat St;
  if (Fd < 0 || ::fstat(Fd, &St) != 0) {
    Error = "cannot open `" + Path + "`: " + std::strerror(errno);
    if (Fd >= 0)
      ::close(Fd);
    return nullptr;
  }
  if (!S_ISREG(St.st_mode) && !S_ISFIFO(St.st_mode)) {
    ::close(Fd);
    Error = "`" + Path + "` is not a regular file or a FIFO";
    return nullptr;
  }
  if (S_ISFIFO(St.st_mode)) {
    // Wait for the writer now that the kind is known: a FIFO with no writer yet reads as empty.
    ::close(Fd);
    Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  } else {
    ::fcntl(Fd, F_SETFL, ::fcntl(Fd, F_GETFL) & ~O_NONBLOCK);
  }
  std::FILE *In = Fd < 0 ? nullptr : ::fdopen(Fd, "rb");
  if (!In) {
    Error = "cannot open `" + Path + "`: " + std::strerror(errno);
    if (Fd >= 0)
      ::close(Fd);
  }
  return In;
}

/// Options that only make sense for one request, or only as text, combined where they cannot
/// apply: refused rather than silently ignored.
bool checkCombinations(const QueryOptions &Opts, std::string &Error) {
  if (!Opts.Jsonl.empty()) {
    std::vector<std::string> Given;
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (!Opts.Values[D].empty())
        Given.push_back("--" + std::string(domain::DimensionKeys[D]));
    if (!Opts.Data.empty())
      Given.push_back("--data");
    if (!Opts.Attrs.empty())
      Given.push_back("--attr");
    if (Opts.Explain)
      Given.push_back("--explain");
    if (!Given.empty()) {
      Error = "--jsonl reads every request from its lines: " + llvm::join(Given, ", ") +
              " cannot be combined with it (put the values in each JSON request)";
      return false;
    }
  }
  return true;
}

int runQuery(const QueryOptions &Opts) {
  std::string Misuse;
  if (!checkCombinations(Opts, Misuse)) {
    llvm::errs() << "privet query: error: " << Misuse << "\n";
    return ExitUsage;
  }
  int Exit = ExitSuccess;
  AliasMap Aliases;
  auto P = loadInput(Opts, Aliases, Exit);
  if (!P)
    return Exit;

  if (!Opts.Jsonl.empty()) {
    std::FILE *In = stdin;
    if (Opts.Jsonl != "-") {
      std::string Error;
      In = openRequests(Opts.Jsonl, Error);
      if (!In) {
        llvm::errs() << "privet query: error: " << Error << "\n";
        return ExitUsage;
      }
    }
    llvm::outs().flush();
    rt::JsonlSession Engine(*P);
    Engine.setMaxLineBytes(Opts.MaxLineBytes);
    std::string Err;
    long Errors = Engine.run(In, stdout, Err);
    if (In != stdin)
      std::fclose(In);
    if (Errors < 0) {
      llvm::errs() << "privet query: error: " << Err << "\n";
      return ExitUsage;
    }
    // Error lines are answers too (never allows); the run itself succeeded, and only --fail or
    // --fail-defined turn the answers into the exit code.
    if (Opts.Fail && (Engine.count(rt::Decision::Kind::Deny) || Errors))
      return ExitFindings;
    if (Opts.FailDefined && Engine.count(rt::Decision::Kind::Allow))
      return ExitFindings;
    return ExitSuccess;
  }

  rt::Request R(*P);
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (!Opts.Values[D].empty())
      R.set(rt::Dim(D), unalias(Aliases, Opts.Values[D]));
  for (const std::string &Data : Opts.Data)
    R.addData(unalias(Aliases, Data));
  for (const std::string &A : Opts.Attrs) {
    std::string Error;
    if (!setAttribute(*P, Aliases, R, A, Error)) {
      llvm::errs() << "privet query: error: " << Error << "\n";
      return ExitUsage;
    }
  }
  rt::Decision D = P->decide(R);
  if (Opts.Format == "json" && Opts.Explain) {
    // The decision object with a "why_not" member (null unless denied).
    llvm::outs() << rt::explainedDecisionJson(*P, R, D) << "\n";
  } else if (Opts.Format == "json") {
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
  if (D.isError())
    return ExitUsage;
  if ((Opts.Fail && !D.permitted()) || (Opts.FailDefined && D.permitted()))
    return ExitFindings;
  return ExitSuccess;
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
    Cmd->add_option("--" + Key, Opts->Values[D],
                    "The " + Key +
                        (D == unsigned(Dimension::Actor)
                             ? " performing the processing (omitted: `us`, the controller itself)"
                             : " (omitted: every value)"));
  }
  Cmd->add_option("--data", Opts->Data, "A data category (repeatable; omitted: every category)")
      ->allow_extra_args(false);
  Cmd->add_option("--attr", Opts->Attrs, "An attribute value: name=value (repeatable)")
      ->allow_extra_args(false);
  Cmd->add_flag(
      "--explain", Opts->Explain,
      "Explain the decision: rules with file:line, their text and notice sources, and for a "
      "deny why not (with --format json: a \"why_not\" member)");
  auto *Fail =
      Cmd->add_flag("--fail", Opts->Fail,
                    "Exit 1 when a request is denied (or, with --jsonl, a line is an error)");
  Cmd->add_flag("--fail-defined", Opts->FailDefined, "Exit 1 when a request is allowed")
      ->excludes(Fail);
  Cmd->add_option("--format", Opts->Format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  Cmd->add_option("--jsonl", Opts->Jsonl,
                  "Decide one JSON request per line of FILE (- for standard input)");
  Cmd->add_option("--public-key", Opts->PublicKey,
                  "Refuse the artifact unless ARTIFACT.sig is a valid signature by this key");
  Cmd->add_option("--max-line-bytes", Opts->MaxLineBytes,
                  "With --jsonl: the longest request line read (default 1 MiB); a longer one is "
                  "answered with an error")
      ->check(CLI::PositiveNumber);
  Cmd->callback([Opts] { setExitCode(runQuery(*Opts)); });
});

} // namespace
} // namespace privet::driver
