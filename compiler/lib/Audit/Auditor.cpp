//===- Auditor.cpp - Reading events, mapping them to requests, deciding them in batches ----===//
//
// Inputs are read through zlib's gz* calls, which read plain files as they are, in fixed-size
// blocks: memory is the block, the longest line allowed and one batch of rows, whatever the
// log's size. Each event's fields are resolved to ids through per-field caches (a log repeats its
// values), rows are collected into columns and decided by rt::BatchDecider a batch at a time, and
// counts are kept per decision id and folded into names once, at the end.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Audit/Audit.h"

#include "EventJson.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <unordered_map>

namespace privet::audit {

using rt::NumDimensions;

namespace {

constexpr size_t BatchRows = 4096;
constexpr size_t ReadBlock = 1 << 18;
const char *const DefaultDeny = "(deny by default)";

int64_t daysFromCivil(int64_t Y, unsigned M, unsigned D) {
  Y -= M <= 2;
  const int64_t Era = (Y >= 0 ? Y : Y - 399) / 400;
  const unsigned Yoe = unsigned(Y - Era * 400);
  const unsigned Doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
  const unsigned Doe = Yoe * 365 + Yoe / 4 - Yoe / 100 + Doy;
  return Era * 146097 + int64_t(Doe) - 719468;
}

/// Whether a remembered key equals Key: inline for the short keys of log lines, where a call
/// to memcmp per member per line cost more than the comparison.
inline bool sameBytes(const std::string &A, llvm::StringRef B) {
  if (A.size() != B.size())
    return false;
  const char *X = A.data(), *Y = B.data();
  size_t N = B.size(), K = 0;
  uint64_t Diff = 0;
  for (; K + 8 <= N; K += 8) {
    uint64_t U, V;
    std::memcpy(&U, X + K, 8);
    std::memcpy(&V, Y + K, 8);
    Diff |= U ^ V;
  }
  for (; K < N; ++K)
    Diff |= uint64_t(uint8_t(X[K]) ^ uint8_t(Y[K]));
  return Diff == 0;
}

/// S.trim(), which builds a character set per call, run only when an end of S is blank.
inline llvm::StringRef trimBlankEnds(llvm::StringRef S) {
  if (S.empty() || !(llvm::isSpace(S.front()) || llvm::isSpace(S.back())))
    return S;
  return S.trim();
}

const char *kindName(FieldValue::Kind K) {
  switch (K) {
  case FieldValue::String:
    return "a string";
  case FieldValue::Integer:
  case FieldValue::Number:
    return "a number";
  case FieldValue::Boolean:
    return "a boolean";
  case FieldValue::Array:
    return "an array";
  case FieldValue::Other:
    return "an object or null";
  case FieldValue::Missing:
    break;
  }
  return "missing";
}

/// Splits a CSV line into fields (RFC 4180 quoting, no line breaks inside quotes).
bool splitCsv(llvm::StringRef Line, char Delim, std::vector<std::string> &Out, std::string &Error) {
  // The fields are assigned in place: after the first lines their strings have the capacity
  // they need, and splitting a line allocates nothing.
  size_t N = 0;
  auto Next = [&]() -> std::string & {
    if (Out.size() <= N)
      Out.emplace_back();
    std::string &Cur = Out[N++];
    Cur.clear();
    return Cur;
  };
  size_t I = 0;
  for (;;) {
    std::string &Cur = Next();
    if (I < Line.size() && Line[I] == '"') {
      ++I;
      for (;;) {
        if (I >= Line.size()) {
          Error = "unterminated quoted field";
          return false;
        }
        if (Line[I] == '"') {
          if (I + 1 < Line.size() && Line[I + 1] == '"') {
            Cur.push_back('"');
            I += 2;
            continue;
          }
          ++I;
          break;
        }
        Cur.push_back(Line[I++]);
      }
      if (I < Line.size() && Line[I] != Delim) {
        Error = "text after a closing quote";
        return false;
      }
    } else {
      size_t End = Line.find(Delim, I);
      if (End == llvm::StringRef::npos)
        End = Line.size();
      Cur.assign(Line.data() + I, End - I);
      I = End;
    }
    if (I >= Line.size()) {
      Out.resize(N);
      return true;
    }
    ++I; // the delimiter
  }
}

/// The number of Len digits at Pos of T, if they are all digits (at most 4: no overflow).
bool digitsAt(llvm::StringRef T, size_t Pos, size_t Len, unsigned &Out) {
  if (Pos + Len > T.size())
    return false;
  unsigned V = 0;
  for (size_t K = Pos; K < Pos + Len; ++K) {
    if (!llvm::isDigit(T[K]))
      return false;
    V = V * 10 + unsigned(T[K] - '0');
  }
  Out = V;
  return true;
}

} // namespace

std::optional<int64_t> parseTime(llvm::StringRef T) {
  T = T.trim();
  int64_t Epoch;
  // An ISO date has a `-` at 4, which no integer has: only other text is tried as one.
  if ((T.size() < 5 || T[4] != '-') && !T.getAsInteger(10, Epoch))
    return Epoch;
  unsigned Y, Mo, D, H = 0, Mi = 0, S = 0;
  auto Num = [&](size_t Pos, size_t Len, unsigned &Out) { return digitsAt(T, Pos, Len, Out); };
  if (!Num(0, 4, Y) || T.size() < 10 || T[4] != '-' || !Num(5, 2, Mo) || T[7] != '-' ||
      !Num(8, 2, D) || Mo < 1 || Mo > 12 || D < 1 || D > 31)
    return std::nullopt;
  size_t Pos = 10;
  int64_t Offset = 0;
  if (Pos < T.size()) {
    if ((T[Pos] != 'T' && T[Pos] != ' ') || !Num(Pos + 1, 2, H) || T.size() < Pos + 9 ||
        T[Pos + 3] != ':' || !Num(Pos + 4, 2, Mi) || T[Pos + 6] != ':' || !Num(Pos + 7, 2, S) ||
        H > 23 || Mi > 59 || S > 60)
      return std::nullopt;
    Pos += 9;
    if (Pos < T.size() && T[Pos] == '.') {
      ++Pos;
      while (Pos < T.size() && llvm::isDigit(T[Pos]))
        ++Pos;
    }
    if (Pos < T.size()) {
      unsigned OH, OM;
      if (T[Pos] == 'Z' && Pos + 1 == T.size()) {
      } else if ((T[Pos] == '+' || T[Pos] == '-') && T.size() == Pos + 6 && Num(Pos + 1, 2, OH) &&
                 T[Pos + 3] == ':' && Num(Pos + 4, 2, OM)) {
        Offset = (T[Pos] == '+' ? 1 : -1) * int64_t(OH * 3600 + OM * 60);
      } else {
        return std::nullopt;
      }
    }
  }
  return daysFromCivil(Y, Mo, D) * 86400 + H * 3600 + Mi * 60 + S - Offset;
}

std::string formatTime(int64_t Epoch) {
  int64_t Days = Epoch >= 0 ? Epoch / 86400 : (Epoch - 86399) / 86400;
  int64_t Secs = Epoch - Days * 86400;
  // civil_from_days
  int64_t Z = Days + 719468;
  const int64_t Era = (Z >= 0 ? Z : Z - 146096) / 146097;
  const unsigned Doe = unsigned(Z - Era * 146097);
  const unsigned Yoe = (Doe - Doe / 1460 + Doe / 36524 - Doe / 146096) / 365;
  const unsigned Doy = Doe - (365 * Yoe + Yoe / 4 - Yoe / 100);
  const unsigned Mp = (5 * Doy + 2) / 153;
  const unsigned D = Doy - (153 * Mp + 2) / 5 + 1;
  const unsigned M = Mp < 10 ? Mp + 3 : Mp - 9;
  const int64_t Y = int64_t(Yoe) + Era * 400 + (M <= 2);
  char Buf[96];
  std::snprintf(Buf, sizeof Buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)Y, M, D,
                unsigned(Secs / 3600), unsigned(Secs / 60 % 60), unsigned(Secs % 60));
  return Buf;
}

llvm::Expected<std::vector<std::string>> expandInputs(const std::vector<std::string> &Paths) {
  std::vector<std::string> Out;
  for (const std::string &P : Paths) {
    if (P == "-") {
      Out.push_back(P);
      continue;
    }
    llvm::sys::fs::file_status St;
    if (std::error_code EC = llvm::sys::fs::status(P, St))
      return llvm::createStringError(EC, "cannot read `%s`: %s", P.c_str(), EC.message().c_str());
    if (!llvm::sys::fs::is_directory(St)) {
      Out.push_back(P);
      continue;
    }
    std::vector<std::string> Found;
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator It(P, EC), End; It != End && !EC;
         It.increment(EC)) {
      llvm::sys::fs::file_status FS;
      if (!llvm::sys::fs::status(It->path(), FS) && llvm::sys::fs::is_regular_file(FS))
        Found.push_back(It->path());
    }
    if (EC)
      return llvm::createStringError(EC, "cannot read directory `%s`: %s", P.c_str(),
                                     EC.message().c_str());
    llvm::sort(Found);
    Out.insert(Out.end(), Found.begin(), Found.end());
  }
  return Out;
}

struct Auditor::Impl {
  Impl(std::shared_ptr<const rt::CompiledPolicy> Policy, Mapping Map, AuditOptions Options)
      : P(std::move(Policy)), M(std::move(Map)), Opts(std::move(Options)), Batch(*P) {
    S.SampleLimit = Opts.SampleLimit;
    // Attribute columns: every attribute an event field or a constant can set.
    std::vector<bool> Used(P->numAttributes());
    for (const Mapping::AttrField &F : M.AttrFields)
      Used[F.Attr] = true;
    auto UseConstants = [&](const Mapping::Constants &C) {
      for (auto &[A, V] : C.Attrs)
        Used[A] = true;
    };
    UseConstants(M.Defaults);
    for (auto &E : M.Sources)
      UseConstants(E.second);
    ColumnOf.assign(P->numAttributes(), ~0u);
    for (uint32_t A = 0; A < P->numAttributes(); ++A)
      if (Used[A]) {
        ColumnOf[A] = unsigned(AttrCols.size());
        AttrCols.push_back(A);
      }
    AttrVals.resize(AttrCols.size());
    AttrSet.resize(AttrCols.size());
    for (unsigned D = 0; D < NumDimensions; ++D)
      for (uint32_t V = 0; V < P->numValues(rt::Dim(D)); ++V)
        ValueNames[D].emplace_back(P->valueName(rt::Dim(D), V));
    PurposeCounts.resize(P->numValues(rt::Dim::Purpose));
    DataCounts.resize(P->numValues(rt::Dim::Data));
    for (const std::string &F : {std::cref(M.IdField), std::cref(M.SystemField),
                                 std::cref(M.TimeField), std::cref(M.CollectedField)})
      noteField(F);
    for (const std::string &F : M.DimField)
      noteField(F);
    for (const Mapping::AttrField &AF : M.AttrFields)
      noteField(AF.Field);
    SlotValue.resize(SlotOfName.size());
  }

  std::shared_ptr<const rt::CompiledPolicy> P;
  Mapping M;
  AuditOptions Opts;
  rt::BatchDecider Batch;
  Summary S;

  /// Raw value -> id per dimension (InvalidId: unknown), and the gap reason of unknown ones.
  llvm::StringMap<uint32_t> Resolved[NumDimensions];
  llvm::StringMap<std::string> UnknownReason[NumDimensions];
  std::vector<std::string> ValueNames[NumDimensions];

  std::vector<uint32_t> AttrCols; ///< Column -> attribute.
  std::vector<unsigned> ColumnOf; ///< Attribute -> column (~0u: none).

  // The batch being collected.
  std::vector<uint32_t> Cols[NumDimensions];
  std::vector<uint64_t> Offsets{0};
  std::vector<uint32_t> DataIds;
  std::vector<std::vector<int64_t>> AttrVals;
  std::vector<std::vector<uint8_t>> AttrSet;
  struct RowMeta {
    uint32_t File;
    uint64_t Line;
    std::string Id;
    uint32_t System;
    std::optional<int64_t> Collected;
  };
  std::vector<RowMeta> Meta;
  std::vector<uint8_t> Outcome;
  std::vector<uint32_t> DecisionIds;

  std::vector<std::string> Files;
  llvm::StringMap<uint32_t> SystemIds;
  std::vector<std::string> SystemNames{""};
  std::vector<Counts> SystemCounts{Counts()};
  std::vector<Counts> PurposeCounts, DataCounts;
  Counts NoPurpose, NoData;
  std::vector<Counts> DecisionCounts;
  /// Per decision id: the Owed entries of its obligations, and each one's duration (if any).
  std::vector<std::vector<std::pair<Owed *, std::optional<int64_t>>>> DecisionOwed;
  std::vector<bool> DecisionOwedKnown;

  /// Every field the mapping reads (by address), each with its slot: one per distinct name.
  std::vector<std::pair<const std::string *, unsigned>> FieldRefs;
  mutable size_t RefCursor = 0;
  llvm::StringMap<unsigned> SlotOfName;
  /// A flat JSON line's value per slot, filled by one pass over its members: the get() of a
  /// field is then a compare of addresses, not a search of the members by name (a memcmp per
  /// member per field read, 15 % of a JSON Lines audit). MemberKey/MemberSlot remember the
  /// previous line's keys, which the next line almost always repeats in the same order.
  std::vector<FieldValue> SlotValue;
  std::vector<std::string> MemberKey;
  std::vector<unsigned> MemberSlot;
  void noteField(const std::string &Field) {
    if (Field.empty())
      return;
    auto [It, Inserted] = SlotOfName.try_emplace(Field, unsigned(SlotOfName.size()));
    FieldRefs.push_back({&Field, It->second});
  }

  /// The mapping's fields (by address) and their column in the current CSV header (~0u: none).
  std::vector<std::pair<const std::string *, unsigned>> CsvColumns;
  // Per record: the fields, fetched through get() from the record's source (a flat JSON line's
  // slots, llvm::json's tree, or a CSV line's fields). A switch rather than a std::function set
  // per line: the indirect call was 7 % of a JSON Lines audit.
  enum class Source { Flat, Tree, Csv } From = Source::Flat;
  const FlatMembers *FlatLine = nullptr;
  const llvm::json::Object *TreeLine = nullptr;
  const std::vector<std::string> *CsvFields = nullptr;
  const llvm::StringMap<unsigned> *CsvIndex = nullptr;
  FieldValue get(const std::string &Field) const {
    switch (From) {
    case Source::Flat:
      // event() reads the fields in the order FieldRefs lists them: the search starts after
      // the last one found, so a read is one compare.
      for (size_t K = 0, N = FieldRefs.size(); K < N; ++K) {
        size_t At = RefCursor + K < N ? RefCursor + K : RefCursor + K - N;
        if (FieldRefs[At].first == &Field) {
          RefCursor = At + 1 < N ? At + 1 : 0;
          return SlotValue[FieldRefs[At].second];
        }
      }
      for (size_t K = FlatLine->size(); K-- > 0;)
        if ((*FlatLine)[K].first == Field)
          return (*FlatLine)[K].second;
      return FieldValue();
    case Source::Tree:
      return fromJson(TreeLine->get(Field));
    case Source::Csv: {
      FieldValue F;
      unsigned Col = ~0u;
      bool Known = false;
      for (const auto &[Name, C] : CsvColumns)
        if (Name == &Field) {
          Col = C, Known = true;
          break;
        }
      if (!Known) {
        auto It = CsvIndex->find(Field);
        if (It != CsvIndex->end())
          Col = It->second;
      }
      if (Col == ~0u || (*CsvFields)[Col].empty())
        return F;
      F.K = FieldValue::String;
      F.Str = (*CsvFields)[Col];
      return F;
    }
    }
    return FieldValue();
  }

  void gap(const std::string &Reason, uint32_t File, uint64_t Line, llvm::StringRef Id,
           std::string Detail, uint32_t System);
  bool resolve(rt::Dim D, llvm::StringRef Raw, const std::string &Field, uint32_t &Id,
               std::string &Reason);
  void event(uint32_t File, uint64_t Line);
  void flush();
  std::string describeRow(size_t R) const;
  rt::Request rowRequest(size_t R) const;
  std::string explainRow(size_t R);
  /// Explanations by the request they explain (the row's bytes, everything rowRequest reads):
  /// a log repeats its violations, and explain() was three quarters of the CPU of a Dask
  /// partition of 1000 events. Cleared when large, so it stays small whatever the log.
  std::unordered_map<std::string, std::string> ExplainCache;
  std::string ExplainKey;
  void jsonLine(uint32_t File, uint64_t Line, llvm::StringRef Text);
  void csvLine(uint32_t File, uint64_t Line, llvm::StringRef Text, std::vector<std::string> &Header,
               llvm::StringMap<unsigned> &Index);
  void text(uint32_t File, llvm::StringRef Data, uint64_t &LineNo, bool Csv,
            std::vector<std::string> &Header, llvm::StringMap<unsigned> &Index);
  bool isCsv(llvm::StringRef Name) const {
    if (M.InputFormat != Mapping::Format::Auto)
      return M.InputFormat == Mapping::Format::Csv;
    llvm::StringRef N = Name;
    N.consume_back(".gz");
    return N.endswith(".csv");
  }
  uint32_t fileIndex(llvm::StringRef Name) {
    Files.push_back(Name.str());
    return uint32_t(Files.size() - 1);
  }
};

void Auditor::Impl::gap(const std::string &Reason, uint32_t File, uint64_t Line, llvm::StringRef Id,
                        std::string Detail, uint32_t System) {
  ++S.Total.Gap;
  ++SystemCounts[System].Gap;
  SampleSet &Set = S.Gaps[Reason];
  if (Set.wouldKeep(Files[File], Line, S.SampleLimit))
    Set.add({Files[File], Line, Id.str(), std::move(Detail), ""}, S.SampleLimit);
  else
    ++Set.Total;
}

bool Auditor::Impl::resolve(rt::Dim D, llvm::StringRef Raw, const std::string &Field, uint32_t &Id,
                            std::string &Reason) {
  auto [It, Inserted] = Resolved[unsigned(D)].try_emplace(Raw, rt::InvalidId);
  if (Inserted) {
    auto Mapped = M.ValueMap[unsigned(D)].find(Raw);
    It->second = Mapped != M.ValueMap[unsigned(D)].end() ? Mapped->second : P->valueId(D, Raw);
    if (It->second == rt::InvalidId) {
      std::vector<std::string> Candidates = ValueNames[unsigned(D)];
      for (auto &E : M.ValueMap[unsigned(D)])
        Candidates.push_back(E.first().str());
      std::string Noun = D == rt::Dim::Data    ? "data category"
                         : D == rt::Dim::Basis ? "legal basis"
                                               : std::string(rt::dimensionName(D));
      UnknownReason[unsigned(D)][Raw] = "unknown " + Noun + " `" + Raw.str() + "` in field `" +
                                        Field + "`" + didYouMean(Raw, Candidates);
    }
  }
  Id = It->second;
  if (Id == rt::InvalidId) {
    Reason = UnknownReason[unsigned(D)][Raw];
    return false;
  }
  return true;
}

void Auditor::Impl::event(uint32_t File, uint64_t Line) {
  // Metadata first: the gaps below are reported with the event's id and system.
  std::string Id;
  if (!M.IdField.empty()) {
    FieldValue F = get(M.IdField);
    if (F.K == FieldValue::String)
      Id = F.Str.str();
    else if (F.K == FieldValue::Integer)
      Id = std::to_string(F.Int);
  }
  uint32_t System = 0;
  const Mapping::Constants *Source = nullptr;
  if (!M.SystemField.empty()) {
    FieldValue F = get(M.SystemField);
    if (F.K == FieldValue::String) {
      auto [It, Inserted] = SystemIds.try_emplace(F.Str, uint32_t(SystemNames.size()));
      if (Inserted) {
        SystemNames.push_back(F.Str.str());
        SystemCounts.emplace_back();
      }
      System = It->second;
      auto Src = M.Sources.find(F.Str);
      if (Src != M.Sources.end())
        Source = &Src->second;
    }
  }
  auto TimeOf = [&](const std::string &Field, std::optional<int64_t> &Out) -> bool {
    FieldValue F = get(Field);
    if (F.K == FieldValue::Missing)
      return true;
    if (F.K == FieldValue::Integer)
      Out = F.Int;
    else if (F.K == FieldValue::String)
      Out = parseTime(F.Str);
    if (Out)
      return true;
    gap("field `" + Field + "` is not a time (ISO 8601 or epoch seconds)", File, Line, Id,
        F.K == FieldValue::String ? "`" + F.Str.str() + "`" : kindName(F.K), System);
    return false;
  };
  std::optional<int64_t> Time, Collected;
  if (!M.TimeField.empty()) {
    if (!TimeOf(M.TimeField, Time))
      return;
    if (Opts.Since && !Time) {
      gap("missing field `" + M.TimeField + "` (needed by --since)", File, Line, Id, "", System);
      return;
    }
    if (Time && Opts.Since && *Time <= *Opts.Since) {
      ++S.Skipped;
      return;
    }
    if (Time && (!S.MaxTime || *Time > *S.MaxTime))
      S.MaxTime = Time;
  }
  if (!M.CollectedField.empty() && !TimeOf(M.CollectedField, Collected))
    return;

  uint32_t Values[NumDimensions];
  size_t DataBegin = DataIds.size();
  auto Fail = [&](const std::string &Reason, std::string Detail) {
    DataIds.resize(DataBegin);
    gap(Reason, File, Line, Id, std::move(Detail), System);
  };
  for (unsigned D = 0; D < NumDimensions; ++D) {
    Values[D] = rt::InvalidId;
    const std::string &Field = M.DimField[D];
    FieldValue F = Field.empty() ? FieldValue() : get(Field);
    if (F.K == FieldValue::Missing) {
      uint32_t C =
          Source && Source->Values[D] != rt::InvalidId ? Source->Values[D] : M.Defaults.Values[D];
      // A dimension the event does not carry stands for every value of it (never more
      // permissive); but an event that names no data category cannot be judged at all.
      if (C == rt::InvalidId && !Field.empty() && rt::Dim(D) == rt::Dim::Data)
        return Fail("missing field `" + Field + "` (" + std::string(rt::dimensionName(rt::Dim(D))) +
                        ")",
                    "");
      Values[D] = C;
      continue;
    }
    std::string Reason;
    if (rt::Dim(D) == rt::Dim::Data) {
      auto AddOne = [&](llvm::StringRef Raw) {
        uint32_t V;
        Raw = trimBlankEnds(Raw);
        if (Raw.empty())
          return true;
        if (!resolve(rt::Dim::Data, Raw, Field, V, Reason))
          return false;
        DataIds.push_back(V);
        return true;
      };
      bool Ok = true;
      if (F.K == FieldValue::String) {
        llvm::SmallVector<llvm::StringRef, 4> Parts;
        F.Str.split(Parts, M.ListSeparator);
        for (llvm::StringRef Part : Parts)
          Ok = Ok && AddOne(Part);
      } else if (F.K == FieldValue::Array) {
        for (const llvm::json::Value &Item : *F.Arr) {
          auto Str = Item.getAsString();
          if (!Str)
            return Fail("field `" + Field + "` holds a non-string item", "");
          Ok = Ok && AddOne(*Str);
        }
      } else {
        return Fail("field `" + Field + "` is " + kindName(F.K) + ", not a data category", "");
      }
      if (!Ok)
        return Fail(Reason, "");
      if (DataIds.size() == DataBegin)
        return Fail("field `" + Field + "` names no data category", "");
      continue;
    }
    if (F.K != FieldValue::String)
      return Fail("field `" + Field + "` is " + kindName(F.K) + ", not a " +
                      std::string(rt::dimensionName(rt::Dim(D))) + " name",
                  "");
    if (!resolve(rt::Dim(D), F.Str, Field, Values[D], Reason))
      return Fail(Reason, "");
  }

  // Attributes: the event's field, else the source's constant, else the default, else unset.
  size_t NCols = AttrCols.size();
  llvm::SmallVector<int64_t, 16> Vals(NCols, 0);
  llvm::SmallVector<uint8_t, 16> Set(NCols, 0);
  auto Constant = [&](const Mapping::Constants *C, uint32_t A, int64_t &V) {
    if (!C)
      return false;
    for (auto &[CA, CV] : C->Attrs)
      if (CA == A) {
        V = CV;
        return true;
      }
    return false;
  };
  for (const Mapping::AttrField &AF : M.AttrFields) {
    unsigned Col = ColumnOf[AF.Attr];
    FieldValue F = get(AF.Field);
    if (F.K == FieldValue::Missing)
      continue; // constants below
    rt::AttrKind K = P->attributeKind(AF.Attr);
    std::string Name(P->attributeName(AF.Attr));
    auto WrongType = [&](const char *Want) {
      return Fail("field `" + AF.Field + "` (attribute `" + Name + "`) is " + kindName(F.K) +
                      ", not " + Want,
                  F.K == FieldValue::String ? "`" + F.Str.str() + "`" : "");
    };
    int64_t V = 0;
    switch (K) {
    case rt::AttrKind::Bool:
      if (F.K == FieldValue::Boolean)
        V = F.Bool;
      else if (F.K == FieldValue::String && (F.Str == "true" || F.Str == "1"))
        V = 1;
      else if (F.K == FieldValue::String && (F.Str == "false" || F.Str == "0"))
        V = 0;
      else
        return WrongType("a boolean");
      break;
    case rt::AttrKind::Int:
      if (F.K == FieldValue::Integer)
        V = F.Int;
      else if (F.K != FieldValue::String || F.Str.getAsInteger(10, V))
        return WrongType("an integer");
      break;
    case rt::AttrKind::Duration:
      if (F.K == FieldValue::Integer) {
        V = F.Int;
      } else if (F.K == FieldValue::String && !F.Str.getAsInteger(10, V)) {
      } else if (auto Secs = F.K == FieldValue::String ? rt::parseDuration(F.Str)
                                                       : std::optional<int64_t>()) {
        V = *Secs;
      } else {
        return WrongType("a duration (seconds or `30 days`)");
      }
      break;
    case rt::AttrKind::Enum: {
      if (F.K != FieldValue::String)
        return WrongType("an enum value name");
      auto Mapped = M.EnumMap[AF.Attr].find(F.Str);
      uint32_t E = P->attributeEnum(AF.Attr);
      uint32_t EV =
          Mapped != M.EnumMap[AF.Attr].end() ? uint32_t(Mapped->second) : P->enumValueId(E, F.Str);
      if (EV == rt::InvalidId) {
        std::vector<std::string> Names;
        for (uint32_t X = 0; X < P->numEnumValues(E); ++X)
          Names.emplace_back(P->enumValueName(E, X));
        return Fail("unknown value `" + F.Str.str() + "` of attribute `" + Name + "` in field `" +
                        AF.Field + "`" + didYouMean(F.Str, Names),
                    "");
      }
      V = EV;
      break;
    }
    }
    Vals[Col] = V;
    Set[Col] = 1;
  }
  for (unsigned Col = 0; Col < NCols; ++Col) {
    if (Set[Col])
      continue;
    int64_t V;
    if (Constant(Source, AttrCols[Col], V) || Constant(&M.Defaults, AttrCols[Col], V)) {
      Vals[Col] = V;
      Set[Col] = 1;
    }
  }

  for (unsigned D = 0; D < NumDimensions; ++D)
    Cols[D].push_back(Values[D]);
  Offsets.push_back(DataIds.size());
  for (unsigned Col = 0; Col < NCols; ++Col) {
    AttrVals[Col].push_back(Vals[Col]);
    AttrSet[Col].push_back(Set[Col]);
  }
  Meta.push_back({File, Line, std::move(Id), System, Collected});
  if (Meta.size() == BatchRows)
    flush();
}

rt::Request Auditor::Impl::rowRequest(size_t R) const {
  rt::Request Req(*P);
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (rt::Dim(D) != rt::Dim::Data && Cols[D][R] != rt::InvalidId)
      Req.set(rt::Dim(D), Cols[D][R]);
  for (uint64_t K = Offsets[R]; K < Offsets[R + 1]; ++K)
    Req.addData(DataIds[K]);
  for (unsigned Col = 0; Col < AttrCols.size(); ++Col) {
    if (!AttrSet[Col][R])
      continue;
    uint32_t A = AttrCols[Col];
    int64_t V = AttrVals[Col][R];
    switch (P->attributeKind(A)) {
    case rt::AttrKind::Bool:
      Req.setBool(A, V != 0);
      break;
    case rt::AttrKind::Int:
      Req.setInt(A, V);
      break;
    case rt::AttrKind::Duration:
      Req.setDuration(A, V);
      break;
    case rt::AttrKind::Enum:
      Req.setEnum(A, uint32_t(V));
      break;
    }
  }
  return Req;
}

std::string Auditor::Impl::explainRow(size_t R) {
  std::string &Key = ExplainKey;
  Key.clear();
  auto Put = [&Key](const void *Bytes, size_t N) {
    Key.append(static_cast<const char *>(Bytes), N);
  };
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (rt::Dim(D) != rt::Dim::Data)
      Put(&Cols[D][R], sizeof(uint32_t));
  const uint64_t NumData = Offsets[R + 1] - Offsets[R];
  Put(&NumData, sizeof NumData);
  Put(DataIds.data() + Offsets[R], NumData * sizeof(uint32_t));
  for (unsigned Col = 0; Col < AttrCols.size(); ++Col) {
    const uint8_t Set = AttrSet[Col][R];
    Put(&Set, 1);
    if (Set)
      Put(&AttrVals[Col][R], sizeof(int64_t));
  }
  auto It = ExplainCache.find(Key);
  if (It != ExplainCache.end())
    return It->second;
  if (ExplainCache.size() >= 4096)
    ExplainCache.clear();
  return ExplainCache.emplace(Key, P->explain(rowRequest(R))).first->second;
}

std::string Auditor::Impl::describeRow(size_t R) const {
  std::string Out;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    std::string Value;
    if (rt::Dim(D) == rt::Dim::Data) {
      for (uint64_t K = Offsets[R]; K < Offsets[R + 1]; ++K)
        Value += (Value.empty() ? "" : ",") + std::string(P->valueName(rt::Dim::Data, DataIds[K]));
    } else if (Cols[D][R] != rt::InvalidId) {
      Value = std::string(P->valueName(rt::Dim(D), Cols[D][R]));
    }
    if (!Value.empty())
      Out += (Out.empty() ? "" : " ") + std::string(rt::dimensionName(rt::Dim(D))) + "=" + Value;
  }
  for (unsigned Col = 0; Col < AttrCols.size(); ++Col) {
    if (!AttrSet[Col][R])
      continue;
    uint32_t A = AttrCols[Col];
    rt::AttrKind K = P->attributeKind(A);
    Out += " " + std::string(P->attributeName(A)) + "=" +
           P->formatValue(K, K == rt::AttrKind::Enum ? P->attributeEnum(A) : 0, AttrVals[Col][R]);
  }
  return Out;
}

void Auditor::Impl::flush() {
  const size_t Rows = Meta.size();
  if (!Rows)
    return;
  rt::BatchColumns In;
  In.NumRows = Rows;
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (rt::Dim(D) != rt::Dim::Data)
      In.Values[D] = Cols[D].data();
  In.DataOffsets = Offsets.data();
  In.DataIds = DataIds.data();
  std::vector<rt::BatchColumns::Attribute> Attrs;
  for (unsigned Col = 0; Col < AttrCols.size(); ++Col)
    Attrs.push_back({AttrCols[Col], AttrVals[Col].data(), AttrSet[Col].data()});
  In.Attributes = Attrs.data();
  In.NumAttributes = Attrs.size();
  Outcome.resize(Rows);
  DecisionIds.resize(Rows);
  rt::Status St = Batch.decide(In, {Outcome.data(), DecisionIds.data(), nullptr});
  assert(St.ok() && "the auditor builds well-formed columns");
  (void)St;
  if (DecisionCounts.size() < Batch.numDecisions()) {
    DecisionCounts.resize(Batch.numDecisions());
    DecisionOwed.resize(Batch.numDecisions());
    DecisionOwedKnown.resize(Batch.numDecisions());
  }
  const uint32_t PurposeCol = unsigned(rt::Dim::Purpose);
  for (size_t R = 0; R < Rows; ++R) {
    const RowMeta &Me = Meta[R];
    const uint32_t Id = DecisionIds[R];
    const rt::Decision &Dec = Batch.decision(Id);
    auto Tally = [&](Counts &C) {
      if (Outcome[R] == 1)
        ++C.Compliant;
      else if (Outcome[R] == 0)
        ++C.Violation;
      else
        ++C.Gap;
    };
    Tally(S.Total);
    Tally(DecisionCounts[Id]);
    Tally(SystemCounts[Me.System]);
    uint32_t Purpose = Cols[PurposeCol][R];
    Tally(Purpose == rt::InvalidId ? NoPurpose : PurposeCounts[Purpose]);
    if (Offsets[R] == Offsets[R + 1])
      Tally(NoData);
    for (uint64_t K = Offsets[R]; K < Offsets[R + 1]; ++K)
      Tally(DataCounts[DataIds[K]]);
    if (Outcome[R] == 2) {
      SampleSet &Set = S.Gaps[Dec.error()];
      if (Set.wouldKeep(Files[Me.File], Me.Line, S.SampleLimit))
        Set.add({Files[Me.File], Me.Line, Me.Id, describeRow(R), ""}, S.SampleLimit);
      else
        ++Set.Total;
      continue;
    }
    if (Outcome[R] == 0) {
      std::string Key = Dec.rules().empty() ? DefaultDeny : std::string(P->rule(Dec.rules()[0]).Id);
      SampleSet &Set = S.Violations[Key];
      if (Set.wouldKeep(Files[Me.File], Me.Line, S.SampleLimit))
        Set.add({Files[Me.File], Me.Line, Me.Id, describeRow(R), explainRow(R)}, S.SampleLimit);
      else
        ++Set.Total;
      if (Opts.OnViolation) {
        llvm::json::Array Rules;
        for (uint32_t Rule : Dec.rules()) {
          rt::RuleInfo Info = P->rule(Rule);
          Rules.push_back(llvm::json::Object{{"id", std::string(Info.Id)},
                                             {"file", std::string(Info.File)},
                                             {"line", int64_t(Info.Line)}});
        }
        Opts.OnViolation(llvm::json::Object{{"file", Files[Me.File]},
                                            {"line", int64_t(Me.Line)},
                                            {"id", Me.Id},
                                            {"decision", "deny"},
                                            {"rule", Key},
                                            {"rules", std::move(Rules)},
                                            {"request", describeRow(R)}});
      }
      continue;
    }
    // Allowed: the obligations it owes.
    if (!DecisionOwedKnown[Id]) {
      DecisionOwedKnown[Id] = true;
      for (uint32_t O : Dec.obligations()) {
        rt::ObligationInstance OI = P->obligationInstance(O);
        std::optional<int64_t> Duration;
        if (OI.HasArg && P->obligationParamKind(OI.Obligation) == rt::AttrKind::Duration)
          Duration = OI.Arg;
        DecisionOwed[Id].push_back({&S.Obligations[P->describeObligationInstance(O)], Duration});
      }
    }
    for (auto &[O, Duration] : DecisionOwed[Id]) {
      ++O->Count;
      if (!Duration || !Me.Collected)
        continue;
      int64_t DueAt = *Me.Collected + *Duration;
      ++O->WithDueDate;
      O->Due += DueAt <= Opts.Now;
      if (!O->EarliestDue || DueAt < *O->EarliestDue)
        O->EarliestDue = DueAt;
      if (!O->LatestDue || DueAt > *O->LatestDue)
        O->LatestDue = DueAt;
    }
  }
  for (auto &C : Cols)
    C.clear();
  Offsets.assign(1, 0);
  DataIds.clear();
  for (auto &V : AttrVals)
    V.clear();
  for (auto &V : AttrSet)
    V.clear();
  Meta.clear();
}

void Auditor::Impl::jsonLine(uint32_t File, uint64_t Line, llvm::StringRef Text) {
  if (!isValidUtf8(Text)) {
    size_t Bad = 0;
    llvm::json::isUTF8(Text, &Bad);
    return gap("invalid UTF-8", File, Line, "", "at byte " + std::to_string(Bad + 1), 0);
  }
  static thread_local FlatMembers Members;
  if (scanFlatObject(Text, Members)) {
    std::fill(SlotValue.begin(), SlotValue.end(), FieldValue());
    // In member order, so that a repeated key's last value wins, as in llvm::json.
    for (size_t K = 0; K < Members.size(); ++K) {
      llvm::StringRef Key = Members[K].first;
      if (K >= MemberKey.size()) {
        MemberKey.emplace_back();
        MemberSlot.push_back(~0u);
      }
      if (!sameBytes(MemberKey[K], Key)) {
        MemberKey[K].assign(Key.data(), Key.size());
        auto It = SlotOfName.find(Key);
        MemberSlot[K] = It == SlotOfName.end() ? ~0u : It->second;
      }
      if (MemberSlot[K] != ~0u)
        SlotValue[MemberSlot[K]] = Members[K].second;
    }
    From = Source::Flat;
    FlatLine = &Members;
    return event(File, Line);
  }
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  if (!V)
    return gap("malformed JSON", File, Line, "", llvm::toString(V.takeError()), 0);
  const llvm::json::Object *O = V->getAsObject();
  if (!O)
    return gap("an event is not a JSON object", File, Line, "", "", 0);
  From = Source::Tree;
  TreeLine = O;
  event(File, Line);
}

void Auditor::Impl::csvLine(uint32_t File, uint64_t Line, llvm::StringRef Text,
                            std::vector<std::string> &Header, llvm::StringMap<unsigned> &Index) {
  if (!isValidUtf8(Text)) {
    size_t Bad = 0;
    llvm::json::isUTF8(Text, &Bad);
    return gap("invalid UTF-8", File, Line, "", "at byte " + std::to_string(Bad + 1), 0);
  }
  static thread_local std::vector<std::string> Fields;
  std::string Error;
  if (!splitCsv(Text, M.CsvDelimiter, Fields, Error))
    return gap("malformed CSV", File, Line, "", Error, 0);
  if (Header.empty()) {
    Header = Fields;
    for (unsigned I = 0; I < Header.size(); ++I)
      Index.try_emplace(Header[I], I);
    // The mapping's fields resolved to this header's columns once, rather than a hash lookup
    // per field per event; get() finds them by the address of the mapping's own strings.
    CsvColumns.clear();
    auto Note = [&](const std::string &Field) {
      if (Field.empty())
        return;
      auto It = Index.find(Field);
      CsvColumns.push_back({&Field, It == Index.end() ? ~0u : It->second});
    };
    for (const std::string &F : {std::cref(M.IdField), std::cref(M.SystemField),
                                 std::cref(M.TimeField), std::cref(M.CollectedField)})
      Note(F);
    for (const std::string &F : M.DimField)
      Note(F);
    for (const Mapping::AttrField &AF : M.AttrFields)
      Note(AF.Field);
    return;
  }
  if (Fields.size() != Header.size())
    return gap("malformed CSV", File, Line, "",
               std::to_string(Fields.size()) + " fields where the header has " +
                   std::to_string(Header.size()),
               0);
  From = Source::Csv;
  CsvFields = &Fields;
  CsvIndex = &Index;
  event(File, Line);
}

void Auditor::Impl::text(uint32_t File, llvm::StringRef Data, uint64_t &LineNo, bool Csv,
                         std::vector<std::string> &Header, llvm::StringMap<unsigned> &Index) {
  while (!Data.empty()) {
    auto [Line, Rest] = Data.split('\n');
    Data = Rest;
    ++LineNo;
    Line.consume_back("\r");
    if (trimBlankEnds(Line).empty())
      continue; // blank lines hold no event
    if (Line.size() > Opts.MaxLineBytes) {
      gap("line longer than " + std::to_string(Opts.MaxLineBytes) + " bytes", File, LineNo, "",
          std::to_string(Line.size()) + " bytes", 0);
      continue;
    }
    if (Csv)
      csvLine(File, LineNo, Line, Header, Index);
    else
      jsonLine(File, LineNo, Line);
  }
}

Auditor::Auditor(std::shared_ptr<const rt::CompiledPolicy> Policy, Mapping M, AuditOptions Opts)
    : I(std::make_unique<Impl>(std::move(Policy), std::move(M), std::move(Opts))) {}
Auditor::~Auditor() = default;

void Auditor::auditText(llvm::StringRef Name, llvm::StringRef Text) {
  uint32_t File = I->fileIndex(Name);
  uint64_t LineNo = 0;
  std::vector<std::string> Header;
  llvm::StringMap<unsigned> Index;
  I->text(File, Text, LineNo, I->isCsv(Name), Header, Index);
}

llvm::Error Auditor::auditFile(const std::string &Path) {
  gzFile F = Path == "-" ? gzdopen(dup(0), "rb") : gzopen(Path.c_str(), "rb");
  if (!F) {
    std::string Reason = errno ? std::strerror(errno) : "cannot allocate the reader";
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot open `%s`: %s",
                                   Path.c_str(), Reason.c_str());
  }
  gzbuffer(F, ReadBlock);
  const std::string Name = Path == "-" ? "<stdin>" : Path;
  uint32_t File = I->fileIndex(Name);
  const bool Csv = I->isCsv(Name);
  std::vector<std::string> Header;
  llvm::StringMap<unsigned> Index;
  uint64_t LineNo = 0;
  std::string Buf;
  std::vector<char> Block(ReadBlock);
  bool Skipping = false; // inside a line longer than allowed
  uint64_t SkippedBytes = 0;
  for (;;) {
    int N = gzread(F, Block.data(), unsigned(Block.size()));
    if (N <= 0)
      break;
    llvm::StringRef Chunk(Block.data(), size_t(N));
    while (!Chunk.empty()) {
      size_t NL = Chunk.find('\n');
      if (Skipping) {
        if (NL == llvm::StringRef::npos) {
          SkippedBytes += Chunk.size();
          break;
        }
        SkippedBytes += NL;
        ++LineNo;
        I->gap("line longer than " + std::to_string(I->Opts.MaxLineBytes) + " bytes", File, LineNo,
               "", std::to_string(SkippedBytes) + " bytes", 0);
        Skipping = false;
        Chunk = Chunk.drop_front(NL + 1);
        continue;
      }
      if (NL == llvm::StringRef::npos) {
        Buf.append(Chunk.data(), Chunk.size());
        if (Buf.size() > I->Opts.MaxLineBytes) {
          Skipping = true;
          SkippedBytes = Buf.size();
          Buf.clear();
        }
        break;
      }
      if (Buf.empty()) {
        // Whole lines straight from the block, without copying.
        size_t LastNL = Chunk.rfind('\n');
        I->text(File, Chunk.take_front(LastNL), LineNo, Csv, Header, Index);
        Chunk = Chunk.drop_front(LastNL + 1);
        continue;
      }
      Buf.append(Chunk.data(), NL);
      I->text(File, Buf, LineNo, Csv, Header, Index);
      Buf.clear();
      Chunk = Chunk.drop_front(NL + 1);
    }
  }
  int Err = Z_OK;
  const char *Msg = gzerror(F, &Err);
  std::string ErrText = Msg ? Msg : "";
  // zlib prefixes its message with the path, which the gap's location already gives.
  if (llvm::StringRef(ErrText).startswith(Path + ": "))
    ErrText = ErrText.substr(Path.size() + 2);
  gzclose(F);
  if (Err != Z_OK && Err != Z_STREAM_END) {
    // A truncated or corrupt stream: what was read is audited, the rest is one located gap.
    I->gap(Err == Z_BUF_ERROR ? "truncated gzip stream" : "unreadable input", File, LineNo + 1, "",
           ErrText + (Buf.empty() ? "" : "; a partial line is not audited"), 0);
    return llvm::Error::success();
  }
  if (Skipping) {
    ++LineNo;
    I->gap("line longer than " + std::to_string(I->Opts.MaxLineBytes) + " bytes", File, LineNo, "",
           std::to_string(SkippedBytes) + " bytes", 0);
  } else if (!Buf.empty()) {
    I->text(File, Buf, LineNo, Csv, Header, Index);
  }
  return llvm::Error::success();
}

Summary Auditor::finish() {
  Impl &X = *I;
  X.flush();
  Summary &S = X.S;
  for (uint32_t Id = 0; Id < X.DecisionCounts.size(); ++Id) {
    const Counts &C = X.DecisionCounts[Id];
    if (!C.total())
      continue;
    const rt::Decision &D = X.Batch.decision(Id);
    if (D.isError())
      continue;
    if (D.rules().empty())
      S.ByRule[DefaultDeny].merge(C);
    for (uint32_t R : D.rules())
      S.ByRule[std::string(X.P->rule(R).Id)].merge(C);
  }
  for (uint32_t Sys = 0; Sys < X.SystemNames.size(); ++Sys)
    if (X.SystemCounts[Sys].total())
      S.BySystem[Sys ? X.SystemNames[Sys] : "(none)"].merge(X.SystemCounts[Sys]);
  for (uint32_t V = 0; V < X.PurposeCounts.size(); ++V)
    if (X.PurposeCounts[V].total())
      S.ByPurpose[std::string(X.P->valueName(rt::Dim::Purpose, V))].merge(X.PurposeCounts[V]);
  if (X.NoPurpose.total())
    S.ByPurpose["(none)"].merge(X.NoPurpose);
  for (uint32_t V = 0; V < X.DataCounts.size(); ++V)
    if (X.DataCounts[V].total())
      S.ByData[std::string(X.P->valueName(rt::Dim::Data, V))].merge(X.DataCounts[V]);
  if (X.NoData.total())
    S.ByData["(none)"].merge(X.NoData);
  return std::move(S);
}

} // namespace privet::audit
