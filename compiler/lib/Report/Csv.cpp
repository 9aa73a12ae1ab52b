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
  if (!R.ProcessorRecords.empty()) {
    // Art. 30(2): one row per controller the policy's owner processes for.
    CsvTable Proc;
    Proc.row({"processor", "controller", "controller_contacts", "purposes",
              "categories_of_processing", "data", "subjects", "transfers", "safeguards", "security",
              "sub_processors", "actors", "rules"});
    for (const ProcessorRecord &Rec : R.ProcessorRecords) {
      std::string Contacts, Purposes, Categories;
      for (const std::string &C : Rec.Client.Contacts)
        Contacts += (Contacts.empty() ? "" : "; ") + C;
      for (const std::string &P : Rec.Purposes)
        Purposes += (Purposes.empty() ? "" : "; ") + P;
      for (uint32_t A : Rec.Activities)
        Categories += (Categories.empty() ? "" : "; ") + R.Activities[A].Title;
      const Activity &S = Rec.Summary;
      Proc.row({controllerFieldText(R, Field::Controller), Rec.Client.Name, Contacts, Purposes,
                Categories.empty() ? "none" : Categories, cellText(R, S, Field::Data),
                cellText(R, S, Field::Subjects), cellText(R, S, Field::Transfers),
                cellText(R, S, Field::Safeguards), cellText(R, S, Field::Security),
                cellText(R, S, Field::Processors), cellText(R, S, Field::Actors), ids(R, S.Rules)});
    }
    Out.push_back({".processor", std::move(Proc.Out)});
  }
  {
    CsvTable Map;
    Map.row({"from", "from_kind", "from_label", "to", "to_kind", "to_label", "third_country",
             "special_category", "rules"});
    for (const MapEdge &E : R.Map.Edges) {
      const MapNode &F = R.Map.Nodes[E.From], &To = R.Map.Nodes[E.To];
      Map.row({F.Id, mapKindName(F.K).str(), F.Label, To.Id, mapKindName(To.K).str(), To.Label,
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
