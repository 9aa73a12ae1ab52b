//===- Json.cpp - The report as JSON, in the shape docs/report.schema.json describes --------===//
//
// Streamed with llvm::json::OStream rather than built as a Value tree: a 10,000-rule policy has
// hundreds of thousands of rule references, and the tree cost seconds (bench/report).
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Report/Writers.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::report {

namespace {

/// Fields that are per report (the controller) or the activity itself are not cells.
bool isCell(Field F) {
  return F != Field::Activity && F != Field::Controller && F != Field::Representative &&
         F != Field::Dpo;
}

struct JsonWriter {
  const Report &R;
  llvm::json::OStream J;

  void ruleIds(llvm::StringRef Key, const std::vector<uint32_t> &Rules) {
    J.attributeArray(Key, [&] {
      for (uint32_t I : Rules)
        J.value(R.Rules[I].Id);
    });
  }
  void strings(llvm::StringRef Key, const std::vector<std::string> &V) {
    J.attributeArray(Key, [&] {
      for (const std::string &S : V)
        J.value(S);
    });
  }
  void optional(llvm::StringRef Key, const std::optional<std::string> &S) {
    if (S)
      J.attribute(Key, *S);
    else
      J.attribute(Key, nullptr);
  }

  void rules() {
    J.attributeArray("rules", [&] {
      for (const ReportRule &Ru : R.Rules)
        J.object([&] {
          J.attribute("id", Ru.Id);
          J.attribute("anchor", Ru.Anchor);
          J.attribute("effect", Ru.IsAllow ? "allow" : "deny");
          J.attribute("location", Ru.Location);
          J.attribute("text", Ru.Text);
          strings("sources", Ru.Sources);
          J.attribute("in_policy", Ru.Reportable);
        });
    });
  }

  void activities() {
    J.attributeArray("activities", [&] {
      for (const Activity &A : R.Activities)
        J.object([&] {
          J.attribute("key", A.Key);
          J.attribute("anchor", A.Anchor);
          J.attribute("title", A.Title);
          J.attribute("description", A.Description);
          strings("sources", A.Sources);
          J.attribute("special_data", A.HasSpecialData);
          J.attribute("third_country_transfer", A.HasThirdCountryTransfer);
          ruleIds("rules", A.Rules);
          cells(A);
        });
    });
  }

  void cells(const Activity &A) {
    J.attributeObject("cells", [&] {
      for (unsigned F = 0; F < NumFields; ++F) {
        if (!isCell(Field(F)))
          continue;
        J.attributeArray(fieldKey(Field(F)), [&] {
          for (const Item &I : A.Cells[F])
            J.object([&] {
              J.attribute("key", I.Key);
              J.attribute("label", I.Label);
              J.attribute("note", I.Note);
              J.attribute("flagged", I.Flagged);
              ruleIds("rules", I.Rules);
            });
        });
      }
    });
  }

  void party(llvm::StringRef Key, const std::optional<ReportParty> &P) {
    if (!P) {
      J.attribute(Key, nullptr);
      return;
    }
    J.attributeObject(Key, [&] {
      J.attribute("name", P->Name);
      strings("contacts", P->Contacts);
    });
  }

  void processorRecords() {
    J.attributeArray("processor_records", [&] {
      for (const ProcessorRecord &Rec : R.ProcessorRecords)
        J.object([&] {
          J.attribute("anchor", Rec.Anchor);
          party("controller", Rec.Client);
          strings("purposes", Rec.Purposes);
          J.attributeArray("activities", [&] {
            for (uint32_t A : Rec.Activities)
              J.value(R.Activities[A].Key);
          });
          ruleIds("rules", Rec.Summary.Rules);
          cells(Rec.Summary);
        });
    });
  }

  void dataMap() {
    const DataMap &M = R.Map;
    J.attributeObject("data_map", [&] {
      J.attribute("requested_depth", M.RequestedDepth);
      J.attribute("depth", M.Depth);
      J.attribute("node_limit", M.NodeLimit);
      J.attribute("unfolded_nodes", M.UnfoldedNodes);
      J.attribute("auto_folded", M.AutoFolded);
      J.attributeArray("nodes", [&] {
        for (const MapNode &N : M.Nodes)
          J.object([&] {
            J.attribute("id", N.Id);
            J.attribute("kind", mapKindName(N.K));
            J.attribute("label", N.Label);
            J.attribute("special", N.Special);
            J.attribute("third_country", N.ThirdCountry);
            optional("link", N.Link.empty() ? std::nullopt : std::optional<std::string>(N.Link));
          });
      });
      J.attributeArray("edges", [&] {
        for (const MapEdge &E : M.Edges)
          J.object([&] {
            J.attribute("from", M.Nodes[E.From].Id);
            J.attribute("to", M.Nodes[E.To].Id);
            J.attribute("third_country", E.ThirdCountry);
            ruleIds("rules", E.Rules);
          });
      });
    });
  }

  void notice() {
    J.attributeArray("notice", [&] {
      for (const NoticeSection &S : R.Notice)
        J.object([&] {
          J.attribute("id", S.Id);
          J.attribute("heading", S.Heading);
          J.attribute("intro", S.Intro);
          J.attributeArray("statements", [&] {
            for (const NoticeStatement &St : S.Statements)
              J.object([&] {
                J.attribute("text", St.Text);
                J.attribute("detail", St.Detail);
                J.attribute("flagged", St.Flagged);
                ruleIds("rules", St.Rules);
              });
          });
        });
    });
  }

  void coverage() {
    J.attributeObject("coverage", [&] {
      J.attributeArray("sources", [&] {
        for (const SourceCoverage &S : R.Coverage)
          J.object([&] {
            J.attribute("sentence", S.Sentence);
            ruleIds("rules", S.Rules);
            strings("declarations", S.Declarations);
          });
      });
      ruleIds("rules_without_source", R.RulesWithoutSource);
    });
  }

  void findings() {
    J.attributeArray("findings", [&] {
      for (const ReportFinding &F : R.Findings)
        J.object([&] {
          J.attribute("code", F.Code);
          J.attribute("check", F.Check);
          J.attribute("severity", F.Severity);
          J.attribute("message", F.Message);
          J.attribute("location", F.Location);
          J.attribute("invariant", F.Invariant);
          optional("rule", F.Rule ? std::optional<std::string>(R.Rules[*F.Rule].Id) : std::nullopt);
          J.attributeArray("notes", [&] {
            // Not a structured binding: clang 14 cannot capture one in a lambda.
            for (const auto &Note : F.Notes)
              J.object([&] {
                J.attribute("location", Note.first);
                J.attribute("message", Note.second);
              });
          });
        });
    });
  }

  void diff() {
    if (!R.Diff) {
      J.attribute("diff", nullptr);
      return;
    }
    J.attributeObject("diff", [&] {
      J.attribute("against", R.Diff->Against);
      J.attribute("omitted", R.Diff->Omitted);
      J.attributeArray("changes", [&] {
        for (const ReportChange &C : R.Diff->Changes)
          J.object([&] {
            J.attribute("kind", C.Kind);
            J.attribute("obligation", C.Obligation);
            J.attribute("text", C.Text);
            ruleIds("rules", C.Rules);
            strings("old_rules", C.OldRules);
          });
      });
    });
  }
};

} // namespace

std::string renderJson(const Report &R, const RopaTemplate &T) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  JsonWriter W{R, llvm::json::OStream(OS, /*IndentSize=*/1)};
  llvm::json::OStream &J = W.J;
  J.object([&] {
    J.attribute("schema_version", 2);
    J.attribute("generator", "privet report");
    J.attributeObject("policy", [&] {
      J.attribute("name", R.Controller.Name);
      J.attribute("title", R.Controller.Title);
      J.attribute("version", R.Controller.Version);
      J.attribute("effective", R.Controller.Effective);
      J.attribute("file", R.PolicyFile);
    });
    J.attributeObject("template", [&] {
      J.attribute("name", T.Name);
      J.attribute("title", T.Title);
      J.attribute("source", T.Source);
      J.attributeArray("columns", [&] {
        for (const Column &C : T.Columns)
          J.object([&] {
            J.attribute("header", C.Header);
            J.attribute("field", fieldKey(C.F));
          });
      });
    });
    J.attributeObject("controller", [&] {
      J.attribute("name", R.Controller.Name);
      J.attribute("title", R.Controller.Title);
      W.party("entity", R.Controller.Entity);
      W.party("representative", R.Controller.Representative);
      W.party("dpo", R.Controller.Dpo);
      W.strings("sources", R.Controller.Sources);
    });
    W.rules();
    W.activities();
    W.processorRecords();
    W.dataMap();
    W.notice();
    W.coverage();
    W.findings();
    W.diff();
  });
  OS << "\n";
  return std::move(OS.str());
}

} // namespace privet::report
