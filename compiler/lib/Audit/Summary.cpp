//===- Summary.cpp - Merging audit summaries, and writing them as JSON and text -----------===//
//
// Samples are kept as the first ones in input order (file, then line) rather than the first
// ones met, so that any split of a log into parts, merged in any order, keeps the same samples
// as one pass over the whole: the merge is associative and commutative, and the JSON a summary
// is written as reads back into the same summary.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Audit/Audit.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace privet::audit {

void SampleSet::add(Sample S, size_t Limit) {
  ++Total;
  auto Pos = std::upper_bound(Samples.begin(), Samples.end(), S);
  if (size_t(Pos - Samples.begin()) >= Limit)
    return;
  Samples.insert(Pos, std::move(S));
  if (Samples.size() > Limit)
    Samples.pop_back();
}

void SampleSet::merge(const SampleSet &O, size_t Limit) {
  Total += O.Total;
  std::vector<Sample> Out;
  std::merge(Samples.begin(), Samples.end(), O.Samples.begin(), O.Samples.end(),
             std::back_inserter(Out));
  if (Out.size() > Limit)
    Out.resize(Limit);
  Samples = std::move(Out);
}

void Owed::merge(const Owed &O) {
  Count += O.Count;
  WithDueDate += O.WithDueDate;
  Due += O.Due;
  if (O.EarliestDue && (!EarliestDue || *O.EarliestDue < *EarliestDue))
    EarliestDue = O.EarliestDue;
  if (O.LatestDue && (!LatestDue || *O.LatestDue > *LatestDue))
    LatestDue = O.LatestDue;
}

void Summary::merge(const Summary &O) {
  Total.merge(O.Total);
  using Table = std::map<std::string, Counts>;
  for (auto [Mine, Theirs] : {std::pair<Table *, const Table *>{&ByRule, &O.ByRule},
                              {&BySystem, &O.BySystem},
                              {&ByPurpose, &O.ByPurpose},
                              {&ByData, &O.ByData}})
    for (auto &[K, C] : *Theirs)
      (*Mine)[K].merge(C);
  for (auto &[K, Set] : O.Gaps)
    Gaps[K].merge(Set, SampleLimit);
  for (auto &[K, Set] : O.Violations)
    Violations[K].merge(Set, SampleLimit);
  for (auto &[K, Ow] : O.Obligations)
    Obligations[K].merge(Ow);
  Skipped += O.Skipped;
  if (O.MaxTime && (!MaxTime || *O.MaxTime > *MaxTime))
    MaxTime = O.MaxTime;
}

namespace {

llvm::json::Value countsJson(const Counts &C) {
  return llvm::json::Object{{"compliant", int64_t(C.Compliant)},
                            {"violation", int64_t(C.Violation)},
                            {"gap", int64_t(C.Gap)}};
}

llvm::json::Value tableJson(const std::map<std::string, Counts> &T) {
  llvm::json::Object O;
  for (auto &[K, C] : T)
    O[K] = countsJson(C);
  return O;
}

llvm::json::Value setsJson(const std::map<std::string, SampleSet> &Sets) {
  llvm::json::Array A;
  for (auto &[K, Set] : Sets) {
    llvm::json::Array Samples;
    for (const Sample &S : Set.Samples) {
      llvm::json::Object O{{"file", S.File}, {"line", int64_t(S.Line)}};
      if (!S.Id.empty())
        O["id"] = S.Id;
      if (!S.Detail.empty())
        O["detail"] = S.Detail;
      if (!S.Explanation.empty())
        O["explanation"] = S.Explanation;
      Samples.push_back(std::move(O));
    }
    A.push_back(llvm::json::Object{
        {"key", K}, {"total", int64_t(Set.Total)}, {"samples", std::move(Samples)}});
  }
  return A;
}

bool readCounts(const llvm::json::Value *V, Counts &C) {
  const llvm::json::Object *O = V ? V->getAsObject() : nullptr;
  if (!O)
    return false;
  auto Get = [&](const char *K, uint64_t &Out) {
    auto I = O->getInteger(K);
    Out = I ? uint64_t(*I) : 0;
    return I.hasValue();
  };
  return Get("compliant", C.Compliant) && Get("violation", C.Violation) && Get("gap", C.Gap);
}

bool readTable(const llvm::json::Value *V, std::map<std::string, Counts> &T) {
  const llvm::json::Object *O = V ? V->getAsObject() : nullptr;
  if (!O)
    return false;
  for (auto &[K, C] : *O)
    if (!readCounts(&C, T[K.str()]))
      return false;
  return true;
}

bool readSets(const llvm::json::Value *V, std::map<std::string, SampleSet> &Sets) {
  const llvm::json::Array *A = V ? V->getAsArray() : nullptr;
  if (!A)
    return false;
  for (const llvm::json::Value &E : *A) {
    const llvm::json::Object *O = E.getAsObject();
    if (!O || !O->getString("key") || !O->getInteger("total") || !O->getArray("samples"))
      return false;
    SampleSet &Set = Sets[O->getString("key")->str()];
    Set.Total = uint64_t(*O->getInteger("total"));
    for (const llvm::json::Value &SV : *O->getArray("samples")) {
      const llvm::json::Object *SO = SV.getAsObject();
      if (!SO || !SO->getString("file") || !SO->getInteger("line"))
        return false;
      Sample S;
      S.File = SO->getString("file")->str();
      S.Line = uint64_t(*SO->getInteger("line"));
      auto Str = [&](const char *K) {
        auto X = SO->getString(K);
        return X ? X->str() : std::string();
      };
      S.Id = Str("id");
      S.Detail = Str("detail");
      S.Explanation = Str("explanation");
      Set.Samples.push_back(std::move(S));
    }
  }
  return true;
}

} // namespace

llvm::json::Value Summary::toJson() const {
  llvm::json::Object Obligs;
  for (auto &[K, O] : Obligations) {
    llvm::json::Object J{{"count", int64_t(O.Count)},
                         {"with_due_date", int64_t(O.WithDueDate)},
                         {"due", int64_t(O.Due)}};
    if (O.EarliestDue)
      J["earliest_due"] = formatTime(*O.EarliestDue);
    if (O.LatestDue)
      J["latest_due"] = formatTime(*O.LatestDue);
    Obligs[K] = std::move(J);
  }
  llvm::json::Object Out{
      {"total", countsJson(Total)},       {"by_rule", tableJson(ByRule)},
      {"by_system", tableJson(BySystem)}, {"by_purpose", tableJson(ByPurpose)},
      {"by_data", tableJson(ByData)},     {"violations", setsJson(Violations)},
      {"gaps", setsJson(Gaps)},           {"obligations", std::move(Obligs)},
      {"skipped", int64_t(Skipped)},      {"sample_limit", int64_t(SampleLimit)}};
  if (MaxTime)
    Out["max_time"] = formatTime(*MaxTime);
  return Out;
}

llvm::Expected<Summary> Summary::fromJson(const llvm::json::Value &V) {
  auto Bad = [](const char *What) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "not an audit summary: bad or missing `%s`", What);
  };
  const llvm::json::Object *O = V.getAsObject();
  if (!O)
    return Bad("(root)");
  Summary S;
  if (!readCounts(O->get("total"), S.Total))
    return Bad("total");
  if (!readTable(O->get("by_rule"), S.ByRule) || !readTable(O->get("by_system"), S.BySystem) ||
      !readTable(O->get("by_purpose"), S.ByPurpose) || !readTable(O->get("by_data"), S.ByData))
    return Bad("by_*");
  if (!readSets(O->get("violations"), S.Violations))
    return Bad("violations");
  if (!readSets(O->get("gaps"), S.Gaps))
    return Bad("gaps");
  const llvm::json::Object *Obligs = O->getObject("obligations");
  if (!Obligs)
    return Bad("obligations");
  for (auto &[K, OV] : *Obligs) {
    const llvm::json::Object *J = OV.getAsObject();
    if (!J)
      return Bad("obligations");
    Owed &Ow = S.Obligations[K.str()];
    Ow.Count = uint64_t(J->getInteger("count").getValueOr(0));
    Ow.WithDueDate = uint64_t(J->getInteger("with_due_date").getValueOr(0));
    Ow.Due = uint64_t(J->getInteger("due").getValueOr(0));
    if (auto E = J->getString("earliest_due"))
      Ow.EarliestDue = parseTime(*E);
    if (auto L = J->getString("latest_due"))
      Ow.LatestDue = parseTime(*L);
  }
  S.Skipped = uint64_t(O->getInteger("skipped").getValueOr(0));
  S.SampleLimit = size_t(O->getInteger("sample_limit").getValueOr(10));
  if (auto T = O->getString("max_time"))
    S.MaxTime = parseTime(*T);
  return S;
}

namespace {

void table(llvm::raw_ostream &OS, llvm::StringRef Title, const std::map<std::string, Counts> &T) {
  if (T.empty())
    return;
  OS << "\n" << Title << ":\n";
  size_t Width = 0;
  for (auto &[K, C] : T)
    Width = std::max(Width, K.size());
  for (auto &[K, C] : T)
    OS << "  " << llvm::left_justify(K, Width)
       << llvm::format("  compliant %8llu  violation %8llu  gap %8llu\n",
                       (unsigned long long)C.Compliant, (unsigned long long)C.Violation,
                       (unsigned long long)C.Gap);
}

void samples(llvm::raw_ostream &OS, const Sample &S, bool WithExplanation) {
  OS << "    " << S.File << ":" << S.Line;
  if (!S.Id.empty())
    OS << " (id " << S.Id << ")";
  if (!S.Detail.empty())
    OS << ": " << S.Detail;
  OS << "\n";
  if (WithExplanation && !S.Explanation.empty()) {
    llvm::StringRef E(S.Explanation);
    while (!E.empty()) {
      auto [Line, Rest] = E.split('\n');
      OS << "      " << Line << "\n";
      E = Rest;
    }
  }
}

} // namespace

void renderText(const Summary &S, llvm::raw_ostream &OS) {
  OS << "audited " << S.Total.total() << " events: " << S.Total.Compliant << " compliant, "
     << S.Total.Violation << " violations, " << S.Total.Gap << " gaps";
  if (S.Skipped)
    OS << " (" << S.Skipped << " earlier events skipped)";
  OS << "\n";
  if (S.MaxTime)
    OS << "latest event: " << formatTime(*S.MaxTime) << "\n";
  if (!S.Violations.empty()) {
    OS << "\nviolations:\n";
    for (auto &[K, Set] : S.Violations) {
      OS << "  " << K << ": " << Set.Total << " events";
      if (Set.Total > Set.Samples.size())
        OS << " (first " << Set.Samples.size() << " shown)";
      OS << "\n";
      for (const Sample &Smp : Set.Samples)
        samples(OS, Smp, true);
    }
  }
  if (!S.Gaps.empty()) {
    OS << "\ngaps (not judged, never compliant):\n";
    for (auto &[K, Set] : S.Gaps) {
      OS << "  " << K << ": " << Set.Total << " events";
      if (Set.Total > Set.Samples.size())
        OS << " (first " << Set.Samples.size() << " shown)";
      OS << "\n";
      for (const Sample &Smp : Set.Samples)
        samples(OS, Smp, false);
    }
  }
  if (!S.Obligations.empty()) {
    OS << "\nobligations owed by allowed events:\n";
    for (auto &[K, O] : S.Obligations) {
      OS << "  " << K << ": " << O.Count << " events";
      if (O.WithDueDate)
        OS << "; " << O.WithDueDate << " with a due date, " << O.Due << " due now";
      if (O.EarliestDue)
        OS << "; due " << formatTime(*O.EarliestDue) << " .. " << formatTime(*O.LatestDue);
      OS << "\n";
    }
  }
  table(OS, "by rule", S.ByRule);
  table(OS, "by system", S.BySystem);
  table(OS, "by purpose", S.ByPurpose);
  table(OS, "by data category", S.ByData);
}

} // namespace privet::audit
