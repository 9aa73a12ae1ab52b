//===- Csv.cpp - The report as RFC 4180 CSV: one table per part ------------------------------===//
#include "privet/Report/Writers.h"

#include "llvm/ADT/StringRef.h"

namespace privet::report {

namespace {

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; CRLF lines.
/// A field a spreadsheet would run as a formula (starting with = + - @, a tab or CR) gets a
/// leading apostrophe: policy text is untrusted and the record is opened in spreadsheets.
struct CsvTable {
  std::string Out;

  void row(const std::vector<std::string> &Fields) {
    for (size_t I = 0; I < Fields.size(); ++I) {
      if (I)
        Out += ',';
      std::string F = Fields[I];
      if (!F.empty() && llvm::StringRef("=+-@\t\r").contains(F.front()))
        F.insert(F.begin(), '\'');
      if (F.find_first_of(",\"\r\n") == std::string::npos) {
        Out += F;
        continue;
      }
      Out += '"';
      for (char C : F) {
        if (C == '"')
          Out += '"';
        Out += C;
      }
      Out += '"';
    }
    Out += "\r\n";
  }
};

std::string ids(const Report &R, const std::vector<uint32_t> &Rules) {
  std::string Out;
  for (size_t K = 0; K < Rules.size(); ++K)
    Out += (K ? " " : "") + R.Rules[Rules[K]].Id;
  return Out;
}

} // namespace

std::vector<std::pair<std::string, std::string>> renderCsv(const Report &R, const RopaTemplate &T) {
  std::vector<std::pair<std::string, std::string>> Out;
  {
    CsvTable Ropa;
    std::vector<std::string> Header;
    for (const Column &C : T.Columns)
      Header.push_back(C.Header);
    Ropa.row(Header);
    for (const Activity &A : R.Activities) {
      std::vector<std::string> Row;
      for (const Column &C : T.Columns)
        Row.push_back(C.F == Field::Rules ? ids(R, A.Rules) : cellText(R, A, C.F));
      Ropa.row(Row);
    }
    Out.push_back({"", std::move(Ropa.Out)});
  }
  {
    static constexpr const char *Kinds[] = {"data", "purpose", "recipient", "region"};
    CsvTable Map;
    Map.row({"from", "from_kind", "from_label", "to", "to_kind", "to_label", "third_country",
             "special_category", "rules"});
    for (const MapEdge &E : R.Map.Edges) {
      const MapNode &F = R.Map.Nodes[E.From], &To = R.Map.Nodes[E.To];
      Map.row({F.Id, Kinds[F.K], F.Label, To.Id, Kinds[To.K], To.Label,
               E.ThirdCountry ? "yes" : "no", F.Special ? "yes" : "no", ids(R, E.Rules)});
    }
    Out.push_back({".datamap", std::move(Map.Out)});
  }
  {
    CsvTable Notice;
    Notice.row({"section", "heading", "statement", "detail", "flagged", "rules"});
    for (const NoticeSection &S : R.Notice)
      for (const NoticeStatement &St : S.Statements)
        Notice.row(
            {S.Id, S.Heading, St.Text, St.Detail, St.Flagged ? "yes" : "no", ids(R, St.Rules)});
    Out.push_back({".notice", std::move(Notice.Out)});
  }
  {
    CsvTable Coverage;
    Coverage.row({"kind", "sentence", "rules", "declarations"});
    for (const SourceCoverage &S : R.Coverage) {
      std::string Decls;
      for (size_t K = 0; K < S.Declarations.size(); ++K)
        Decls += (K ? "; " : "") + S.Declarations[K];
      Coverage.row(
          {S.Rules.empty() ? "source_without_rule" : "source", S.Sentence, ids(R, S.Rules), Decls});
    }
    for (uint32_t I : R.RulesWithoutSource)
      Coverage.row({"rule_without_source", "", R.Rules[I].Id, ""});
    Out.push_back({".coverage", std::move(Coverage.Out)});
  }
  {
    CsvTable Findings;
    Findings.row({"severity", "code", "check", "message", "location", "invariant", "notes"});
    for (const ReportFinding &F : R.Findings) {
      std::string Notes;
      for (const auto &[Where, What] : F.Notes)
        Notes += (Notes.empty() ? "" : "\n") + Where + ": " + What;
      Findings.row(
          {F.Severity, F.Code, F.Check, F.Message, F.Location, F.Invariant ? "yes" : "no", Notes});
    }
    Out.push_back({".findings", std::move(Findings.Out)});
  }
  if (R.Diff) {
    CsvTable Diff;
    Diff.row({"against", "kind", "obligation", "change", "rules", "old_rules"});
    for (const ReportChange &C : R.Diff->Changes) {
      std::string Old;
      for (size_t K = 0; K < C.OldRules.size(); ++K)
        Old += (K ? " " : "") + C.OldRules[K];
      Diff.row({R.Diff->Against, C.Kind, C.Obligation, C.Text, ids(R, C.Rules), Old});
    }
    Out.push_back({".diff", std::move(Diff.Out)});
  }
  return Out;
}

} // namespace privet::report
