//===- Json.cpp - The report as JSON, in the shape docs/report.schema.json describes --------===//
#include "privet/Report/Writers.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::report {

namespace {

llvm::json::Array ruleIds(const Report &R, const std::vector<uint32_t> &Rules) {
  llvm::json::Array Out;
  for (uint32_t I : Rules)
    Out.push_back(R.Rules[I].Id);
  return Out;
}

llvm::json::Array strings(const std::vector<std::string> &V) {
  llvm::json::Array Out;
  for (const std::string &S : V)
    Out.push_back(S);
  return Out;
}

llvm::json::Value optionalString(const std::optional<std::string> &S) {
  if (!S)
    return nullptr;
  return *S;
}

/// Fields that are per report (the controller) or the activity itself are not cells.
bool isCell(Field F) {
  return F != Field::Activity && F != Field::Controller && F != Field::Representative &&
         F != Field::Dpo;
}

} // namespace

std::string renderJson(const Report &R, const RopaTemplate &T) {
  using llvm::json::Array;
  using llvm::json::Object;
  Object Root;
  Root["schema_version"] = 1;
  Root["generator"] = "privet report";
  Root["policy"] = Object{{"name", R.Controller.Name},
                          {"title", R.Controller.Title},
                          {"version", R.Controller.Version},
                          {"effective", R.Controller.Effective},
                          {"file", R.PolicyFile}};
  Array Columns;
  for (const Column &C : T.Columns)
    Columns.push_back(Object{{"header", C.Header}, {"field", fieldKey(C.F)}});
  Root["template"] = Object{
      {"name", T.Name}, {"title", T.Title}, {"source", T.Source}, {"columns", std::move(Columns)}};
  Root["controller"] = Object{{"name", R.Controller.Name},
                              {"title", R.Controller.Title},
                              {"representative", optionalString(R.Controller.Representative)},
                              {"dpo", optionalString(R.Controller.Dpo)}};

  Array Rules;
  for (const ReportRule &Ru : R.Rules)
    Rules.push_back(Object{{"id", Ru.Id},
                           {"anchor", Ru.Anchor},
                           {"effect", Ru.IsAllow ? "allow" : "deny"},
                           {"location", Ru.Location},
                           {"text", Ru.Text},
                           {"sources", strings(Ru.Sources)},
                           {"in_policy", Ru.Reportable}});
  Root["rules"] = std::move(Rules);

  Array Activities;
  for (const Activity &A : R.Activities) {
    Object Cells;
    for (unsigned F = 0; F < NumFields; ++F) {
      if (!isCell(Field(F)))
        continue;
      Array Items;
      for (const Item &I : A.Cells[F])
        Items.push_back(Object{{"key", I.Key},
                               {"label", I.Label},
                               {"note", I.Note},
                               {"flagged", I.Flagged},
                               {"rules", ruleIds(R, I.Rules)}});
      Cells[fieldKey(Field(F))] = std::move(Items);
    }
    Activities.push_back(Object{{"key", A.Key},
                                {"anchor", A.Anchor},
                                {"title", A.Title},
                                {"description", A.Description},
                                {"sources", strings(A.Sources)},
                                {"special_data", A.HasSpecialData},
                                {"third_country_transfer", A.HasThirdCountryTransfer},
                                {"rules", ruleIds(R, A.Rules)},
                                {"cells", std::move(Cells)}});
  }
  Root["activities"] = std::move(Activities);

  static constexpr const char *Kinds[] = {"data", "purpose", "recipient", "region"};
  Array Nodes, Edges;
  for (const MapNode &N : R.Map.Nodes)
    Nodes.push_back(
        Object{{"id", N.Id},
               {"kind", Kinds[N.K]},
               {"label", N.Label},
               {"special", N.Special},
               {"third_country", N.ThirdCountry},
               {"link", N.Link.empty() ? llvm::json::Value(nullptr) : llvm::json::Value(N.Link)}});
  for (const MapEdge &E : R.Map.Edges)
    Edges.push_back(Object{{"from", R.Map.Nodes[E.From].Id},
                           {"to", R.Map.Nodes[E.To].Id},
                           {"third_country", E.ThirdCountry},
                           {"rules", ruleIds(R, E.Rules)}});
  Root["data_map"] = Object{{"requested_depth", R.Map.RequestedDepth},
                            {"depth", R.Map.Depth},
                            {"node_limit", R.Map.NodeLimit},
                            {"unfolded_nodes", R.Map.UnfoldedNodes},
                            {"auto_folded", R.Map.AutoFolded},
                            {"nodes", std::move(Nodes)},
                            {"edges", std::move(Edges)}};

  Array Notice;
  for (const NoticeSection &S : R.Notice) {
    Array Statements;
    for (const NoticeStatement &St : S.Statements)
      Statements.push_back(Object{{"text", St.Text},
                                  {"detail", St.Detail},
                                  {"flagged", St.Flagged},
                                  {"rules", ruleIds(R, St.Rules)}});
    Notice.push_back(Object{{"id", S.Id},
                            {"heading", S.Heading},
                            {"intro", S.Intro},
                            {"statements", std::move(Statements)}});
  }
  Root["notice"] = std::move(Notice);

  Array Sources;
  for (const SourceCoverage &S : R.Coverage)
    Sources.push_back(Object{{"sentence", S.Sentence},
                             {"rules", ruleIds(R, S.Rules)},
                             {"declarations", strings(S.Declarations)}});
  Root["coverage"] = Object{{"sources", std::move(Sources)},
                            {"rules_without_source", ruleIds(R, R.RulesWithoutSource)}};

  Array Findings;
  for (const ReportFinding &F : R.Findings) {
    Array Notes;
    for (const auto &[Where, What] : F.Notes)
      Notes.push_back(Object{{"location", Where}, {"message", What}});
    Findings.push_back(Object{
        {"code", F.Code},
        {"check", F.Check},
        {"severity", F.Severity},
        {"message", F.Message},
        {"location", F.Location},
        {"invariant", F.Invariant},
        {"rule", F.Rule ? llvm::json::Value(R.Rules[*F.Rule].Id) : llvm::json::Value(nullptr)},
        {"notes", std::move(Notes)}});
  }
  Root["findings"] = std::move(Findings);

  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
  return std::move(OS.str());
}

} // namespace privet::report
