//===- Mapping.cpp - Parsing and checking an audit mapping file (docs/audit.md) ----------===//
//
// llvm::json keeps no source positions, so a mistake is located by finding its key path in the
// text: each key is searched after the previous one, which finds the key at fault in any file
// that does not repeat a key inside its own object.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Audit/Audit.h"

#include "llvm/ADT/StringExtras.h"

namespace privet::audit {

using rt::NumDimensions;

Mapping::Constants::Constants() {
  for (uint32_t &V : Values)
    V = rt::InvalidId;
}

namespace {} // namespace

std::string didYouMean(llvm::StringRef Name, const std::vector<std::string> &Candidates) {
  unsigned Best = ~0u;
  llvm::StringRef Found;
  for (const std::string &C : Candidates) {
    llvm::StringRef Short = llvm::StringRef(C).rsplit('.').second;
    unsigned D = std::min(llvm::StringRef(C).edit_distance(Name, true, 4),
                          Short.empty() ? ~0u : Short.edit_distance(Name, true, 4));
    if (D < Best) {
      Best = D;
      Found = C;
    }
  }
  if (Found.empty() || Best > std::min<size_t>(3, std::max<size_t>(1, Name.size() / 4)))
    return "";
  return "; did you mean `" + Found.str() + "`?";
}

namespace {

std::string nearest(llvm::StringRef Name, const std::vector<std::string> &Candidates) {
  return didYouMean(Name, Candidates);
}

class MappingParser {
public:
  MappingParser(llvm::StringRef Path, llvm::StringRef Text, const rt::CompiledPolicy &P)
      : Path(Path), Text(Text), P(P) {
    for (unsigned D = 0; D < NumDimensions; ++D)
      DimNames.push_back(std::string(rt::dimensionName(rt::Dim(D))));
    for (uint32_t A = 0; A < P.numAttributes(); ++A)
      AttrNames.push_back(std::string(P.attributeName(A)));
  }

  llvm::Expected<Mapping> run();

private:
  void error(const std::vector<std::string> &KeyPath, const std::string &Message);
  std::optional<rt::Dim> dimension(llvm::StringRef Name, const std::vector<std::string> &At);
  uint32_t attribute(llvm::StringRef Name, const std::vector<std::string> &At);
  uint32_t value(rt::Dim D, const llvm::json::Value &V, const std::vector<std::string> &At);
  std::optional<int64_t> attrValue(uint32_t Attr, const llvm::json::Value &V,
                                   const std::vector<std::string> &At);
  std::string field(const llvm::json::Value &V, const std::vector<std::string> &At);
  void constants(const llvm::json::Object &O, Mapping::Constants &C, std::vector<std::string> At);
  std::vector<std::string> valueNames(rt::Dim D) const {
    std::vector<std::string> Names;
    for (uint32_t V = 0; V < P.numValues(D); ++V)
      Names.emplace_back(P.valueName(D, V));
    return Names;
  }

  llvm::StringRef Path, Text;
  const rt::CompiledPolicy &P;
  std::vector<std::string> DimNames, AttrNames;
  struct Located {
    size_t Line, Col;
    std::string Text;
  };
  std::vector<Located> Errors;
};

void MappingParser::error(const std::vector<std::string> &KeyPath, const std::string &Message) {
  size_t Pos = 0;
  for (const std::string &Key : KeyPath) {
    size_t Found = Text.find("\"" + Key + "\"", Pos);
    if (Found == llvm::StringRef::npos)
      break;
    Pos = Found;
  }
  size_t LineStart = Text.rfind('\n', Pos);
  LineStart = LineStart == llvm::StringRef::npos ? 0 : LineStart + 1;
  size_t Line = 1 + Text.take_front(Pos).count('\n');
  Errors.push_back({Line, Pos - LineStart + 1,
                    Path.str() + ":" + std::to_string(Line) + ":" +
                        std::to_string(Pos - LineStart + 1) + ": error: " + Message});
}

std::optional<rt::Dim> MappingParser::dimension(llvm::StringRef Name,
                                                const std::vector<std::string> &At) {
  std::optional<rt::Dim> D = rt::dimensionFromName(Name);
  if (!D)
    error(At, "unknown dimension `" + Name.str() + "`" + nearest(Name, DimNames));
  return D;
}

uint32_t MappingParser::attribute(llvm::StringRef Name, const std::vector<std::string> &At) {
  uint32_t A = P.attributeId(Name);
  if (A == rt::InvalidId)
    error(At, "unknown attribute `" + Name.str() + "`" + nearest(Name, AttrNames));
  return A;
}

uint32_t MappingParser::value(rt::Dim D, const llvm::json::Value &V,
                              const std::vector<std::string> &At) {
  auto S = V.getAsString();
  if (!S) {
    error(At, "expected a " + std::string(rt::dimensionName(D)) + " name (a string)");
    return rt::InvalidId;
  }
  uint32_t Id = P.valueId(D, *S);
  if (Id == rt::InvalidId)
    error(At, "unknown " + std::string(rt::dimensionName(D)) + " `" + S->str() + "`" +
                  nearest(*S, valueNames(D)));
  return Id;
}

std::optional<int64_t> MappingParser::attrValue(uint32_t A, const llvm::json::Value &V,
                                                const std::vector<std::string> &At) {
  std::string Name(P.attributeName(A));
  switch (P.attributeKind(A)) {
  case rt::AttrKind::Bool:
    if (auto B = V.getAsBoolean())
      return *B;
    break;
  case rt::AttrKind::Int:
    if (auto I = V.getAsInteger())
      return *I;
    break;
  case rt::AttrKind::Duration:
    if (auto I = V.getAsInteger())
      return *I;
    if (auto S = V.getAsString())
      if (auto Secs = rt::parseDuration(*S))
        return *Secs;
    break;
  case rt::AttrKind::Enum:
    if (auto S = V.getAsString()) {
      uint32_t E = P.attributeEnum(A);
      uint32_t Id = P.enumValueId(E, *S);
      if (Id != rt::InvalidId)
        return Id;
      std::vector<std::string> Names;
      for (uint32_t I = 0; I < P.numEnumValues(E); ++I)
        Names.emplace_back(P.enumValueName(E, I));
      error(At,
            "`" + S->str() + "` is not a value of attribute `" + Name + "`" + nearest(*S, Names));
      return std::nullopt;
    }
    break;
  }
  error(At, "attribute `" + Name + "` is " + std::string(rt::attrKindName(P.attributeKind(A))) +
                ": this value is not one");
  return std::nullopt;
}

std::string MappingParser::field(const llvm::json::Value &V, const std::vector<std::string> &At) {
  auto S = V.getAsString();
  if (!S || S->empty()) {
    error(At, "expected the name of an event field (a non-empty string)");
    return "";
  }
  return S->str();
}

void MappingParser::constants(const llvm::json::Object &O, Mapping::Constants &C,
                              std::vector<std::string> At) {
  for (const auto &[Key, V] : O) {
    std::vector<std::string> Here = At;
    Here.push_back(Key.str());
    if (Key == "attributes") {
      const llvm::json::Object *Attrs = V.getAsObject();
      if (!Attrs) {
        error(Here, "`attributes` must be an object of attribute names to values");
        continue;
      }
      for (const auto &[AName, AV] : *Attrs) {
        std::vector<std::string> AAt = Here;
        AAt.push_back(AName.str());
        uint32_t A = attribute(AName, AAt);
        if (A == rt::InvalidId)
          continue;
        if (auto X = attrValue(A, AV, AAt))
          C.Attrs.push_back({A, *X});
      }
      continue;
    }
    std::optional<rt::Dim> D = dimension(Key, Here);
    if (!D)
      continue;
    if (*D == rt::Dim::Data) {
      error(Here, "data categories come from the events, not from constants");
      continue;
    }
    C.Values[unsigned(*D)] = value(*D, V, Here);
  }
}

llvm::Expected<Mapping> MappingParser::run() {
  llvm::Expected<llvm::json::Value> Root = llvm::json::parse(Text);
  if (!Root) {
    // llvm::json says "[3:14, byte=40]: Invalid JSON value"; keep our file:line:col form.
    std::string Msg = llvm::toString(Root.takeError());
    llvm::StringRef M(Msg);
    unsigned Line = 0, Col = 0;
    if (M.consume_front("[")) {
      llvm::StringRef L = M.take_until([](char C) { return C == ':'; });
      M = M.drop_front(L.size() + 1);
      llvm::StringRef C = M.take_until([](char Ch) { return Ch == ','; });
      L.getAsInteger(10, Line);
      C.getAsInteger(10, Col);
      M = M.drop_until([](char Ch) { return Ch == ']'; }).drop_front(1).ltrim(": ");
    }
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s:%u:%u: error: %s",
                                   Path.str().c_str(), Line, Col, M.str().c_str());
  }
  Mapping M;
  M.EnumMap.resize(P.numAttributes());
  const llvm::json::Object *O = Root->getAsObject();
  if (!O)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s:1:1: error: a mapping is a JSON object", Path.str().c_str());
  static const char *Known[] = {"format", "csv",     "fields",   "attributes", "metadata",
                                "values", "sources", "defaults", "description"};
  for (const auto &[Key, V] : *O) {
    (void)V;
    if (std::find(std::begin(Known), std::end(Known), Key.str()) == std::end(Known)) {
      std::vector<std::string> KnownNames(std::begin(Known), std::end(Known));
      error({Key.str()}, "unknown section `" + Key.str() + "`" + nearest(Key, KnownNames));
    }
  }
  if (const llvm::json::Value *F = O->get("format")) {
    auto S = F->getAsString();
    if (S && *S == "jsonl")
      M.InputFormat = Mapping::Format::Jsonl;
    else if (S && *S == "csv")
      M.InputFormat = Mapping::Format::Csv;
    else
      error({"format"}, "`format` is `jsonl` or `csv`");
  }
  if (const llvm::json::Object *Csv = O->getObject("csv")) {
    for (const auto &[Key, V] : *Csv) {
      auto S = V.getAsString();
      char *Target = Key == "delimiter"        ? &M.CsvDelimiter
                     : Key == "list_separator" ? &M.ListSeparator
                                               : nullptr;
      if (!Target) {
        error({"csv", Key.str()}, "unknown `csv` setting `" + Key.str() +
                                      "` (expected `delimiter` or `list_separator`)");
        continue;
      }
      if (!S || S->size() != 1) {
        error({"csv", Key.str()}, "`" + Key.str() + "` is one character");
        continue;
      }
      *Target = (*S)[0];
    }
  }
  if (const llvm::json::Object *Fields = O->getObject("fields"))
    for (const auto &[Key, V] : *Fields)
      if (auto D = dimension(Key, {"fields", Key.str()}))
        M.DimField[unsigned(*D)] = field(V, {"fields", Key.str()});
  if (const llvm::json::Object *Attrs = O->getObject("attributes"))
    for (const auto &[Key, V] : *Attrs) {
      uint32_t A = attribute(Key, {"attributes", Key.str()});
      if (A != rt::InvalidId)
        M.AttrFields.push_back({A, field(V, {"attributes", Key.str()})});
    }
  if (const llvm::json::Object *Meta = O->getObject("metadata"))
    for (const auto &[Key, V] : *Meta) {
      std::string *Target = Key == "id"          ? &M.IdField
                            : Key == "time"      ? &M.TimeField
                            : Key == "system"    ? &M.SystemField
                            : Key == "collected" ? &M.CollectedField
                                                 : nullptr;
      if (!Target) {
        error({"metadata", Key.str()}, "unknown metadata `" + Key.str() +
                                           "` (expected `id`, `time`, `system` or `collected`)" +
                                           nearest(Key, {"id", "time", "system", "collected"}));
        continue;
      }
      *Target = field(V, {"metadata", Key.str()});
    }
  if (const llvm::json::Object *Values = O->getObject("values"))
    for (const auto &[Key, V] : *Values) {
      const llvm::json::Object *Table = V.getAsObject();
      if (!Table) {
        error({"values", Key.str()}, "a value map is an object of raw values to policy names");
        continue;
      }
      if (std::optional<rt::Dim> D = rt::dimensionFromName(Key.str())) {
        for (const auto &[Raw, Name] : *Table) {
          uint32_t Id = value(*D, Name, {"values", Key.str(), Raw.str()});
          if (Id != rt::InvalidId)
            M.ValueMap[unsigned(*D)][Raw] = Id;
        }
        continue;
      }
      uint32_t A = P.attributeId(Key.str());
      if (A == rt::InvalidId || P.attributeKind(A) != rt::AttrKind::Enum) {
        std::vector<std::string> Names = DimNames;
        for (uint32_t X = 0; X < P.numAttributes(); ++X)
          if (P.attributeKind(X) == rt::AttrKind::Enum)
            Names.emplace_back(P.attributeName(X));
        error({"values", Key.str()}, "`" + Key.str() +
                                         "` is neither a dimension nor an enum attribute" +
                                         nearest(Key, Names));
        continue;
      }
      for (const auto &[Raw, Name] : *Table)
        if (auto X = attrValue(A, Name, {"values", Key.str(), Raw.str()}))
          M.EnumMap[A][Raw] = *X;
    }
  if (const llvm::json::Object *Sources = O->getObject("sources")) {
    if (M.SystemField.empty() && !Sources->empty())
      error({"sources"}, "`sources` needs `metadata.system`, the field that names the source");
    for (const auto &[Key, V] : *Sources) {
      const llvm::json::Object *C = V.getAsObject();
      if (!C) {
        error({"sources", Key.str()}, "a source's constants are an object");
        continue;
      }
      constants(*C, M.Sources[Key], {"sources", Key.str()});
    }
  }
  if (const llvm::json::Object *Defaults = O->getObject("defaults"))
    constants(*Defaults, M.Defaults, {"defaults"});
  for (const char *Section :
       {"fields", "attributes", "metadata", "values", "sources", "defaults", "csv"})
    if (const llvm::json::Value *V = O->get(Section); V && !V->getAsObject())
      error({Section}, "`" + std::string(Section) + "` must be an object");
  bool AnyField = !M.AttrFields.empty();
  for (const std::string &F : M.DimField)
    AnyField |= !F.empty();
  if (!AnyField && Errors.empty())
    error({}, "the mapping maps no event field to the request (`fields` or `attributes`)");
  if (!Errors.empty()) {
    // The object's keys come in hash order: report in the file's order.
    std::stable_sort(Errors.begin(), Errors.end(), [](const Located &A, const Located &B) {
      return std::tie(A.Line, A.Col) < std::tie(B.Line, B.Col);
    });
    std::string All;
    for (const Located &E : Errors)
      All += (All.empty() ? "" : "\n") + E.Text;
    return llvm::createStringError(llvm::inconvertibleErrorCode(), All);
  }
  return M;
}

} // namespace

llvm::Expected<Mapping> parseMapping(llvm::StringRef Path, llvm::StringRef Text,
                                     const rt::CompiledPolicy &Policy) {
  return MappingParser(Path, Text, Policy).run();
}

} // namespace privet::audit
