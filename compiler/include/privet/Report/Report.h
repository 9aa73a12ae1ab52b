//===- Report.h - The review report: RoPA, data map, notice, findings ---*- C++ -*-===//
//
// `privet report` turns a checked Policy into what a DPO, counsel or an auditor reads: the Art. 30
// record of processing activities, a data map, a privacy notice with a coverage view of the
// policy's @source sentences, and the `privet check` findings. buildReport derives everything from
// the Policy (through the GDPR standard library's nodes, never from an example's names) into plain
// strings, so the writers (HTML, JSON, Markdown, CSV) never look at the Policy again and every
// format says the same thing. docs/report.md describes each part.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_REPORT_REPORT_H
#define PRIVET_REPORT_REPORT_H

#include "privet/Analysis/Checks.h"
#include "privet/Sema/Policy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace privet::report {

/// What one cell of a processing activity holds. The column sets of the templates
/// (Templates.h) are lists of these.
enum class Field : uint8_t {
  Activity,         ///< The activity's name (its purpose).
  Controller,       ///< Art. 30(1)(a): the `controller` block, else the policy header.
  Representative,   ///< Art. 30(1)(a), Art. 27: the `controller` block's `representative`.
  Dpo,              ///< Art. 30(1)(a), Art. 37-39: the `controller` block's `dpo`.
  JointControllers, ///< Recipients with the role gdpr.joint_controller.
  Purpose,          ///< Art. 30(1)(b).
  LegalBasis,       ///< Art. 6(1) bases the allowing rules name.
  SpecialCondition, ///< Art. 9(2) / Art. 10 conditions among them.
  Subjects,         ///< Art. 30(1)(c).
  Data,             ///< Art. 30(1)(c).
  SpecialData,      ///< The data categories covering Art. 9(1) or Art. 10 data.
  Recipients,       ///< Art. 30(1)(d), with where they are located.
  Processors,       ///< Recipients acting as processors or bound by contract.
  Transfers,        ///< Art. 30(1)(e): third countries the data may go to.
  Safeguards,       ///< Art. 30(1)(e): Chapter V tools (Art. 45-49) of those transfers.
  Retention,        ///< Art. 30(1)(f): storage-limitation obligations.
  Security,         ///< Art. 30(1)(g): Art. 32 obligations.
  Actors,           ///< Who performs the processing: the controller (`us`) or an actor for it.
  Rules,            ///< The rules the activity was derived from.
};
constexpr unsigned NumFields = unsigned(Field::Rules) + 1;

/// The JSON key of a field ("legal_basis").
llvm::StringRef fieldKey(Field F);

/// One value of a cell and the rules (indexes into Report::Rules) it was derived from.
struct Item {
  std::string Key;      ///< Stable: the vocabulary node's name, or a fixed key ("none").
  std::string Label;    ///< What a reader sees.
  std::string Note;     ///< Qualifier: "located in India (third country)", "10 years".
  bool Flagged = false; ///< Special-category data, a third-country transfer, a missing safeguard.
  std::vector<uint32_t> Rules;
};

/// A rule as the report shows it: the target of every cell's links.
struct ReportRule {
  std::string Id;
  std::string Anchor; ///< Unique HTML id ("rule-12").
  bool IsAllow = true;
  std::string Location; ///< "file:line:col".
  std::string Text;     ///< The rule as written.
  std::vector<std::string> Sources;
  bool Reportable = true; ///< Belongs to the policy, not the standard library.
};

/// One Art. 30 record entry: the processing for one purpose the allowing rules name.
struct Activity {
  std::string Key;    ///< The purpose node's name ("any" for rules naming no purpose).
  std::string Anchor; ///< "act-…".
  std::string Title;
  std::string Description;
  std::vector<std::string> Sources; ///< The purpose's own @source sentences.
  std::array<std::vector<Item>, NumFields> Cells;
  std::vector<uint32_t> Rules; ///< Every allow rule it was derived from.
  bool HasSpecialData = false;
  bool HasThirdCountryTransfer = false;

  const std::vector<Item> &cell(Field F) const { return Cells[unsigned(F)]; }
  std::vector<Item> &cell(Field F) { return Cells[unsigned(F)]; }
};

/// A name and its contact details, from the policy's `controller` block.
struct ReportParty {
  std::string Name;
  std::vector<std::string> Contacts;
  /// "Name (contact; contact)", or the name alone.
  std::string text() const;
};

/// Art. 30(1)(a): the policy header and its `controller` block. What the block does not declare
/// is nullopt, shown as "not declared in the policy".
struct ControllerInfo {
  std::string Name;  ///< The policy's declared name.
  std::string Title; ///< Its title, e.g. "Outpost24 Privacy Policy".
  std::string Version;
  std::string Effective;
  std::optional<ReportParty> Entity; ///< `controller "Outpost24 AB" { contact ...; }`.
  std::optional<ReportParty> Representative;
  std::optional<ReportParty> Dpo;
  std::vector<std::string> Sources; ///< The block's @source sentences.
};

/// Art. 30(2): the record the policy's owner keeps as a processor for one controller
/// (`processor for "C" ... purpose p;`). Its categories of processing are the activities whose
/// purpose is at or under one of the entry's purposes; Summary merges their cells (data,
/// subjects, transfers and safeguards, security measures, sub-processors, actors).
struct ProcessorRecord {
  std::string Anchor; ///< "proc-0".
  ReportParty Client;
  std::vector<std::string> Purposes; ///< Labels of the purposes the entry names.
  std::vector<uint32_t> Activities;  ///< Indexes into Report::Activities.
  Activity Summary;                  ///< Over every rule of those activities.
};

/// A data map: data categories -> purposes -> recipients -> regions, folded to a depth.
struct MapNode {
  /// Actor: who performs a purpose's processing, when it is not the controller itself.
  enum Kind : uint8_t { Data, Purpose, Recipient, Region, Actor };
  std::string Id; ///< "data:contact", unique, also the Graphviz node name.
  Kind K = Data;
  std::string Label;
  bool Special = false;      ///< Special-category data.
  bool ThirdCountry = false; ///< A region outside the EEA.
  std::string Link;          ///< An anchor in the report ("act-…"), may be empty.
};
/// "data", "purpose", "recipient", "region", "actor" (JSON and CSV).
llvm::StringRef mapKindName(MapNode::Kind K);

struct MapEdge {
  uint32_t From = 0, To = 0; ///< Indexes into DataMap::Nodes.
  bool ThirdCountry = false; ///< A transfer outside the EEA.
  std::vector<uint32_t> Rules;
};
struct DataMap {
  std::vector<MapNode> Nodes;
  std::vector<MapEdge> Edges;
  unsigned RequestedDepth = 0;
  unsigned Depth = 0;         ///< The depth used: lower than requested when folded to fit.
  unsigned NodeLimit = 0;     ///< Above this many nodes deeper levels were folded.
  unsigned UnfoldedNodes = 0; ///< How many nodes the requested depth would have drawn.
  bool AutoFolded = false;
};

/// One statement of the generated notice, with the rules it says something about.
struct NoticeStatement {
  std::string Text;
  std::string Detail; ///< A second line (the purposes, the safeguards), may be empty.
  bool Flagged = false;
  std::vector<uint32_t> Rules;
};
struct NoticeSection {
  std::string Id; ///< "notice-collect", …
  std::string Heading;
  std::string Intro; ///< May be empty.
  std::vector<NoticeStatement> Statements;
};

/// Coverage: which @source sentences are encoded by which rules.
struct SourceCoverage {
  std::string Sentence;
  std::vector<uint32_t> Rules;           ///< Empty: cited only by declarations, encoded by no rule.
  std::vector<std::string> Declarations; ///< Vocabulary nodes citing it.
};

struct ReportFinding {
  std::string Code;     ///< "W0401"
  std::string Check;    ///< "dead_rule"
  std::string Severity; ///< "warning" / "error"
  std::string Message;
  std::string Location;
  std::vector<std::pair<std::string, std::string>> Notes; ///< (location, message)
  bool Invariant = false;       ///< An invariant violation (its notes hold the counterexample).
  std::optional<uint32_t> Rule; ///< The rule it is about, when it is at one.
};

/// One change of `privet diff` between an earlier version of the policy and this one.
struct ReportChange {
  std::string Kind;       ///< "now-allowed", "now-denied", "obligation-added", "obligation-removed"
  std::string Title;      ///< "now allowed", ...
  std::string Obligation; ///< For obligation changes, as written.
  std::string Text;       ///< The change as one line.
  std::vector<uint32_t> Rules;       ///< Deciding rules of this policy (Report::Rules).
  std::vector<std::string> OldRules; ///< Deciding rules of the earlier version, by id.
};
struct ReportDiff {
  std::string Against; ///< The earlier version's file name.
  std::vector<ReportChange> Changes;
  unsigned Omitted = 0; ///< Changed regions beyond the listing limit.
};

struct Report {
  ControllerInfo Controller;
  std::string PolicyFile;
  std::vector<ReportRule> Rules;
  std::vector<Activity> Activities;
  std::vector<ProcessorRecord> ProcessorRecords; ///< Art. 30(2), one per `processor for`.
  DataMap Map;
  std::vector<NoticeSection> Notice;
  std::vector<SourceCoverage> Coverage;
  std::vector<uint32_t> RulesWithoutSource; ///< Reportable rules with no @source.
  std::vector<ReportFinding> Findings;
  std::optional<ReportDiff> Diff; ///< With `--diff OLD`.
};

struct ReportOptions {
  /// Whether a Policy::Files index belongs to the policy (rather than the standard library):
  /// coverage and "rules without @source" look only at those. Default: every file.
  std::function<bool(uint32_t File)> Reportable;
  /// Map folding: levels of each hierarchy drawn (1 = roots only).
  unsigned Depth = 2;
  /// Beyond this many nodes the map folds one more level, down to depth 1.
  unsigned MaxMapNodes = 120;
};

/// Derives every part of the report from P; Findings are the analyses' results for P.
Report buildReport(const Policy &P, llvm::ArrayRef<analysis::Finding> Findings,
                   const ReportOptions &Options);

/// Sets the findings part of R (built from P) from the analyses' results for P: buildReport with
/// no findings followed by this is buildReport with them, so the analyses can run alongside.
void attachFindings(Report &R, const Policy &P, llvm::ArrayRef<analysis::Finding> Findings);

/// Adds what `privet diff` reports between Old (read from OldFile) and New, the policy R was
/// built from, to the findings part.
void attachDiff(Report &R, const Policy &Old, const Policy &New, llvm::StringRef OldFile,
                unsigned MaxPerKind = 100);

/// Resolves a policy location for the report ("outpost24.privet:12:1").
std::string formatLoc(const Policy &P, const Loc &L);

} // namespace privet::report

#endif // PRIVET_REPORT_REPORT_H
