//===- Audit.h - Auditing processing logs against a compiled policy --------------*- C++ -*-===//
//
// An audit reads processing events (JSON Lines or CSV, plain or gzip), maps their fields to a
// request with a Mapping (docs/audit.md), decides them in batches with rt::BatchDecider and
// tallies each as compliant (allowed), a violation (denied) or a gap (not judgeable: a malformed
// line, an unknown or unmapped value, an attribute the decision needs). A Summary is the whole
// result; summaries of disjoint parts of a log merge associatively into the summary of the whole,
// which is how a distributed audit combines its partitions.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_AUDIT_AUDIT_H
#define PRIVET_AUDIT_AUDIT_H

#include "privet/Runtime.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace privet::audit {

/// "; did you mean `x`?" for the candidate nearest to Name by edit distance (also comparing the
/// unqualified part of qualified names), or empty when none is close.
std::string didYouMean(llvm::StringRef Name, const std::vector<std::string> &Candidates);

/// Which fields of an event feed which parts of a request; parsed and checked against the policy
/// before any event is read.
struct Mapping {
  enum class Format { Auto, Jsonl, Csv };
  Format InputFormat = Format::Auto;
  char CsvDelimiter = ',';
  /// Separates several data categories in one CSV cell (or one JSON string).
  char ListSeparator = ';';

  /// Per dimension, the event field that carries it (empty: none).
  std::string DimField[rt::NumDimensions];
  struct AttrField {
    uint32_t Attr;
    std::string Field;
  };
  std::vector<AttrField> AttrFields;
  std::string IdField, TimeField, SystemField, CollectedField;

  /// Raw value -> policy value id, per dimension (values not listed are tried as policy names).
  llvm::StringMap<uint32_t> ValueMap[rt::NumDimensions];
  /// Raw value -> enum value id, per attribute (indexed like the policy's attributes).
  std::vector<llvm::StringMap<int64_t>> EnumMap;

  /// Values used when an event has none: per system (the `sources` table), then `defaults`.
  struct Constants {
    uint32_t Values[rt::NumDimensions];
    std::vector<std::pair<uint32_t, int64_t>> Attrs;
    Constants();
  };
  llvm::StringMap<Constants> Sources;
  Constants Defaults;
};

/// Parses and checks a mapping file. Every mistake is reported as `path:line:col: error: ...`
/// (the line of the key at fault), all of them at once, in the returned error.
llvm::Expected<Mapping> parseMapping(llvm::StringRef Path, llvm::StringRef Text,
                                     const rt::CompiledPolicy &Policy);

/// Compliant / violation / gap counts.
struct Counts {
  uint64_t Compliant = 0, Violation = 0, Gap = 0;
  uint64_t total() const { return Compliant + Violation + Gap; }
  void merge(const Counts &O) { Compliant += O.Compliant, Violation += O.Violation, Gap += O.Gap; }
};

/// One event kept as evidence.
struct Sample {
  std::string File;
  uint64_t Line = 0;
  std::string Id;
  std::string Detail; ///< The request, for violations; the reason, for gaps.
  std::string Explanation;
  /// Orders samples as the input does, so merging partitions keeps the first ones.
  bool operator<(const Sample &O) const { return std::tie(File, Line) < std::tie(O.File, O.Line); }
};

/// Samples capped at a limit, with the exact total.
struct SampleSet {
  uint64_t Total = 0;
  std::vector<Sample> Samples;
  void add(Sample S, size_t Limit);
  /// Whether a sample at File:Line would be kept (so that costly evidence is built only then).
  bool wouldKeep(llvm::StringRef File, uint64_t Line, size_t Limit) const {
    return Samples.size() < Limit ||
           std::make_tuple(File, Line) <
               std::make_tuple(llvm::StringRef(Samples.back().File), Samples.back().Line);
  }
  void merge(const SampleSet &O, size_t Limit);
};

/// Obligations owed by allowed events.
struct Owed {
  uint64_t Count = 0;
  /// Events whose due date is known (a duration obligation and the collection time).
  uint64_t WithDueDate = 0;
  /// Of those, due at or before the audit's reference time.
  uint64_t Due = 0;
  std::optional<int64_t> EarliestDue, LatestDue;
  void merge(const Owed &O);
};

struct Summary {
  Counts Total;
  std::map<std::string, Counts> ByRule, BySystem, ByPurpose, ByData;
  /// Gaps by reason ("unknown purpose `mkt` in field `purpose`; did you mean ..."), with samples.
  std::map<std::string, SampleSet> Gaps;
  /// Violations by deciding rule ("(deny by default)" when none), with samples.
  std::map<std::string, SampleSet> Violations;
  std::map<std::string, Owed> Obligations;
  /// Events before --since or the watermark, not audited.
  uint64_t Skipped = 0;
  /// The latest event time seen (the next run's watermark).
  std::optional<int64_t> MaxTime;
  size_t SampleLimit = 10;

  /// Adds O, a summary of another part of the log (associative and commutative).
  void merge(const Summary &O);
  llvm::json::Value toJson() const;
  static llvm::Expected<Summary> fromJson(const llvm::json::Value &V);
};

struct AuditOptions {
  size_t SampleLimit = 10;
  std::optional<int64_t> Since; ///< Audit only events later than this (epoch seconds).
  int64_t Now = 0;              ///< The reference time for due obligations.
  size_t MaxLineBytes = 1 << 20;
  /// Called with each violation as JSON, as it is found (for --format jsonl); may be empty.
  std::function<void(const llvm::json::Value &)> OnViolation;
};

/// Audits inputs one after another into a Summary. Memory does not grow with the log.
class Auditor {
public:
  Auditor(std::shared_ptr<const rt::CompiledPolicy> Policy, Mapping M, AuditOptions Opts);
  ~Auditor();

  /// Audits one input: a file (plain or gzip), or "-" for stdin. An input that cannot be opened
  /// is an error naming it; everything wrong inside it is a gap.
  llvm::Error auditFile(const std::string &Path);
  /// Audits the lines of Text as if read from a file named Name.
  void auditText(llvm::StringRef Name, llvm::StringRef Text);
  /// Finishes and returns the summary (the auditor is then spent).
  Summary finish();

  struct Impl;

private:
  std::unique_ptr<Impl> I;
};

/// The inputs named on a command line: files as given, directories walked recursively (sorted),
/// "-" for stdin. Errors name the path.
llvm::Expected<std::vector<std::string>> expandInputs(const std::vector<std::string> &Paths);

/// Parses "2026-01-31T12:00:00Z" (or with an offset, or a date alone) or epoch seconds.
std::optional<int64_t> parseTime(llvm::StringRef Text);
std::string formatTime(int64_t Epoch);

/// The report as text, for a terminal.
void renderText(const Summary &S, llvm::raw_ostream &OS);
/// The summary as one self-contained HTML page (privet report's frame and stylesheet), titled
/// with the policy's name when given.
void renderHtml(const Summary &S, llvm::raw_ostream &OS, llvm::StringRef PolicyName = {});

} // namespace privet::audit

#endif // PRIVET_AUDIT_AUDIT_H
