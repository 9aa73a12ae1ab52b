//===- Sarif.cpp - SARIF 2.1.0 logs that GitHub code scanning accepts -------------------===//
#include "privet/Tooling/Sarif.h"
#include "privet/Analysis/Checks.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace privet;
using namespace privet::tooling;

static const char *levelOf(Severity S) {
  switch (S) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  case Severity::Ignored:
    break;
  }
  return "none";
}

std::string privet::tooling::docsBaseUrl() {
  const char *Env = std::getenv("PRIVET_DOCS_URL");
  std::string Base = Env && *Env ? Env : PRIVET_DOCS_URL;
  if (!Base.empty() && Base.back() != '/')
    Base += '/';
  return Base;
}

namespace {
struct Description {
  const char *Code;
  const char *Text;
};
/// The first paragraph of each code's section of docs/diagnostics.md (generated at build time).
const Description Descriptions[] = {
#include "DiagnosticDescriptions.inc"
};

llvm::StringRef describe(llvm::StringRef Code) {
  for (const Description &D : Descriptions)
    if (Code == D.Code)
      return D.Text;
  return {};
}

/// Its first sentence, for shortDescription: up to the first ". " before a capital letter that
/// does not end an abbreviation ("e.g.", "i.e.").
std::string firstSentence(llvm::StringRef Text) {
  for (size_t I = Text.find(". "); I != llvm::StringRef::npos; I = Text.find(". ", I + 1)) {
    llvm::StringRef Before = Text.take_front(I);
    if (Before.endswith("e.g") || Before.endswith("i.e") || Before.endswith("Art") ||
        Before.endswith("cf"))
      continue;
    if (I + 2 < Text.size() && (Text[I + 2] >= 'A' && Text[I + 2] <= 'Z'))
      return Text.take_front(I + 1).str();
  }
  return Text.str();
}
} // namespace

/// The anchor GitHub and most Markdown renderers give `## E0101 unknown_name`.
static std::string diagnosticAnchor(const DiagnosticKindInfo &K) {
  return "diagnostics.md#" + K.Code.lower() + "-" + K.Name.str();
}

std::vector<SarifRule> privet::tooling::diagnosticSarifRules() {
  std::vector<SarifRule> Rules;
  std::string Base = docsBaseUrl();
  for (const DiagnosticKindInfo &K : allDiagnosticKinds()) {
    SarifRule R;
    R.Id = K.Code.str();
    R.Name = K.Name.str();
    R.Level = K.DefaultSeverity;
    if (const analysis::CheckInfo *C = analysis::checkFor(K.Kind)) {
      R.Short = C->Short;
      R.Full = C->Full;
      R.Help = C->Help;
    } else if (llvm::StringRef D = describe(K.Code); !D.empty()) {
      R.Short = firstSentence(D);
      R.Full = D.str();
      R.Help = "The message reads \"" + K.summary() + "\". See " + K.Code.str() +
               " in docs/diagnostics.md for an example and the fix.";
    } else {
      R.Short = K.summary();
      R.Full = K.summary();
      R.Help = "See " + K.Code.str() + " in docs/diagnostics.md.";
    }
    if (!Base.empty())
      R.HelpUri = Base + diagnosticAnchor(K);
    Rules.push_back(std::move(R));
  }
  return Rules;
}

std::vector<SarifResult> privet::tooling::diagnosticSarifResults(const DiagnosticEngine &Diags) {
  std::vector<SarifResult> Results;
  auto LocOf = [&](llvm::SMRange Range) -> std::optional<SarifLocation> {
    if (!Range.isValid())
      return std::nullopt;
    ResolvedLoc L = Diags.resolve(Range);
    if (L.Line == 0 || L.File.empty())
      return std::nullopt;
    SarifLocation S;
    S.File = L.File;
    S.Line = L.Line;
    S.Column = std::max(1u, L.Column);
    S.EndLine = std::max(L.EndLine, L.Line);
    S.EndColumn = L.EndColumn;
    if (S.EndLine == S.Line && S.EndColumn <= S.Column)
      S.EndColumn = S.Column + 1;
    return S;
  };
  for (const Diagnostic *D : Diags.sorted()) {
    SarifResult R;
    R.RuleId = D->code().str();
    R.Level = D->Sev;
    R.Message = D->Message;
    if (!D->Help.empty())
      R.Message += "\nhelp: " + D->Help;
    R.Location = LocOf(D->Range);
    for (const DiagnosticNote &N : D->Notes) {
      std::optional<SarifLocation> L = LocOf(N.Range);
      if (!L) {
        R.Message += "\nnote: " + N.Message;
        continue;
      }
      L->Message = N.Message;
      R.Related.push_back(std::move(*L));
    }
    Results.push_back(std::move(R));
  }
  return Results;
}

std::string privet::tooling::sarifUri(llvm::StringRef File) {
  llvm::SmallString<256> Abs(File);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  llvm::SmallString<256> Cwd;
  std::string Path;
  bool Relative = false;
  if (!llvm::sys::fs::current_path(Cwd)) {
    llvm::StringRef A = Abs;
    if (A.consume_front(Cwd) && A.consume_front("/")) {
      Path = A.str();
      Relative = true;
    }
  }
  if (!Relative)
    Path = Abs.str().str();
  std::string Out = Relative ? "" : "file://";
  for (unsigned char C : Path) {
    if (llvm::isAlnum(C) || llvm::StringRef("-._~/").contains(C))
      Out += C;
    else
      Out += "%" + llvm::utohexstr(C, /*LowerCase=*/false, /*Width=*/2);
  }
  return Out;
}

static llvm::json::Object physical(const SarifLocation &L) {
  llvm::json::Object Region{{"startLine", L.Line}, {"startColumn", L.Column}};
  if (L.EndLine)
    Region["endLine"] = L.EndLine;
  if (L.EndColumn)
    Region["endColumn"] = L.EndColumn;
  return llvm::json::Object{
      {"physicalLocation",
       llvm::json::Object{{"artifactLocation", llvm::json::Object{{"uri", sarifUri(L.File)}}},
                          {"region", std::move(Region)}}}};
}

void privet::tooling::writeSarif(llvm::raw_ostream &OS, const std::vector<SarifRule> &Rules,
                                 const std::vector<SarifResult> &Results) {
  llvm::json::Array RuleArray;
  llvm::StringMap<unsigned> RuleIndex;
  for (const SarifRule &R : Rules) {
    RuleIndex[R.Id] = RuleArray.size();
    llvm::json::Object Rule{
        {"id", R.Id},
        {"name", R.Name},
        {"shortDescription", llvm::json::Object{{"text", R.Short}}},
        {"fullDescription", llvm::json::Object{{"text", R.Full}}},
        {"help", llvm::json::Object{{"text", R.Help}}},
        {"defaultConfiguration", llvm::json::Object{{"level", levelOf(R.Level)}}},
    };
    if (!R.HelpUri.empty())
      Rule["helpUri"] = R.HelpUri;
    RuleArray.push_back(std::move(Rule));
  }
  llvm::json::Array ResultArray;
  for (const SarifResult &R : Results) {
    llvm::json::Object O{{"ruleId", R.RuleId},
                         {"level", levelOf(R.Level)},
                         {"message", llvm::json::Object{{"text", R.Message}}}};
    auto It = RuleIndex.find(R.RuleId);
    if (It != RuleIndex.end())
      O["ruleIndex"] = It->second;
    if (R.Location)
      O["locations"] = llvm::json::Array{physical(*R.Location)};
    if (!R.Related.empty()) {
      llvm::json::Array Related;
      for (const SarifLocation &L : R.Related) {
        llvm::json::Object Rel = physical(L);
        Rel["id"] = Related.size();
        Rel["message"] = llvm::json::Object{{"text", L.Message}};
        Related.push_back(std::move(Rel));
      }
      O["relatedLocations"] = std::move(Related);
    }
    ResultArray.push_back(std::move(O));
  }
  llvm::json::Object Driver{{"name", "privet"},
                            {"version", PRIVET_VERSION_STRING},
                            {"semanticVersion", PRIVET_VERSION_STRING},
                            {"rules", std::move(RuleArray)}};
  std::string Base = docsBaseUrl();
  if (!Base.empty())
    Driver["informationUri"] = Base + "cli.md";
  llvm::json::Object Log{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                         {"version", "2.1.0"},
                         {"runs", llvm::json::Array{llvm::json::Object{
                                      {"tool", llvm::json::Object{{"driver", std::move(Driver)}}},
                                      {"results", std::move(ResultArray)}}}}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Log))) << "\n";
}
