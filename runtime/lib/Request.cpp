//===- Request.cpp - Building a request by ids or by names, with typed attributes ----===//
//
// Mistakes (unknown names, ids out of range, wrong types) are recorded rather than thrown, and
// the request then decides as an error: fail-closed without forcing callers to check each call.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace privet::rt {

namespace {

const char *noun(Dim D) {
  switch (D) {
  case Dim::Data:
    return "data category";
  case Dim::Basis:
    return "legal basis";
  default:
    return nullptr;
  }
}

std::string dimNoun(Dim D) {
  const char *N = noun(D);
  return N ? N : std::string(dimensionName(D));
}

/// Levenshtein distance, for near names; Limit+1 as soon as it must exceed Limit.
size_t editDistance(std::string_view A, std::string_view B, size_t Limit) {
  if ((A.size() > B.size() ? A.size() - B.size() : B.size() - A.size()) > Limit)
    return Limit + 1;
  std::vector<size_t> Row(B.size() + 1);
  for (size_t J = 0; J <= B.size(); ++J)
    Row[J] = J;
  for (size_t I = 1; I <= A.size(); ++I) {
    size_t Diagonal = Row[0], Best = ++Row[0];
    for (size_t J = 1; J <= B.size(); ++J) {
      size_t Up = Row[J];
      Row[J] = std::min({Row[J] + 1, Row[J - 1] + 1, Diagonal + (A[I - 1] != B[J - 1])});
      Diagonal = Up;
      Best = std::min(Best, Row[J]);
    }
    if (Best > Limit)
      return Limit + 1;
  }
  return Row[B.size()];
}

/// The part of a qualified name after its last dot (`taxonomy.use` -> `use`).
std::string_view baseName(std::string_view Name) {
  size_t Dot = Name.rfind('.');
  return Dot == std::string_view::npos ? Name : Name.substr(Dot + 1);
}

/// "; did you mean `X`?" for an unknown Name, or empty. Only on the error path. In order:
/// - names from imported modules are qualified (`taxonomy.use`): when the caller wrote the bare
///   name and exactly one qualified name ends with it, that one (two: no suggestion);
/// - else the one name (or unqualified part of one) that starts with Name, for a truncated name
///   of three or more characters (`email` -> `email_address`);
/// - else the nearest name by edit distance, within a third of Name's length (at least 1), when
///   no other is as near (`marketin` -> `marketing`).
std::string suggestion(std::string_view Name, uint32_t Count,
                       const std::function<std::string_view(uint32_t)> &NameOf) {
  auto Say = [](std::string_view Found) {
    return Found.empty() ? std::string() : "; did you mean `" + std::string(Found) + "`?";
  };
  std::string_view Found;
  for (uint32_t I = 0; I < Count; ++I) {
    std::string_view Candidate = NameOf(I);
    if (Candidate.size() > Name.size() + 1 &&
        Candidate.substr(Candidate.size() - Name.size()) == Name &&
        Candidate[Candidate.size() - Name.size() - 1] == '.') {
      if (!Found.empty())
        return "";
      Found = Candidate;
    }
  }
  if (!Found.empty() || Name.empty())
    return Say(Found);
  bool Ambiguous = false;
  if (Name.size() >= 3) {
    for (uint32_t I = 0; I < Count; ++I) {
      std::string_view Candidate = NameOf(I);
      std::string_view Base = baseName(Candidate);
      bool Prefix = (Candidate.size() > Name.size() && Candidate.substr(0, Name.size()) == Name) ||
                    (Base.size() > Name.size() && Base.substr(0, Name.size()) == Name);
      if (!Prefix)
        continue;
      Ambiguous |= !Found.empty();
      Found = Candidate;
    }
    if (!Found.empty())
      return Ambiguous ? "" : Say(Found);
  }
  size_t Limit = std::max<size_t>(1, Name.size() / 3), Best = Limit + 1;
  for (uint32_t I = 0; I < Count; ++I) {
    std::string_view Candidate = NameOf(I);
    size_t D = std::min(editDistance(Name, Candidate, Limit),
                        editDistance(baseName(Name), baseName(Candidate), Limit));
    if (D < Best) {
      Best = D;
      Found = Candidate;
      Ambiguous = false;
    } else if (D == Best && D <= Limit && Candidate != Found) {
      Ambiguous = true;
    }
  }
  return Best <= Limit && !Ambiguous ? Say(Found) : "";
}

std::string unknownValue(const CompiledPolicy &P, Dim D, std::string_view Name) {
  return "unknown " + dimNoun(D) + " `" + std::string(Name) + "`" + P.suggestValue(D, Name);
}

std::string attrOutOfRange(const CompiledPolicy &P, uint32_t Attr) {
  return "attribute id " + std::to_string(Attr) + " is out of range (the policy has " +
         std::to_string(P.numAttributes()) + ")";
}

std::string wrongAttrKind(const CompiledPolicy &P, uint32_t Attr, AttrKind Want) {
  if (Attr >= P.numAttributes())
    return attrOutOfRange(P, Attr);
  AttrKind Have = P.attributeKind(Attr);
  return "attribute `" + std::string(P.attributeName(Attr)) + "` is " +
         (Have == AttrKind::Enum
              ? "of enum `" + std::string(P.enumName(P.attributeEnum(Attr))) + "`"
              : std::string(attrKindName(Have))) +
         ", not " + std::string(attrKindName(Want));
}

std::string unknownAttr(const CompiledPolicy &P, std::string_view Name) {
  return "unknown attribute `" + std::string(Name) + "`" + P.suggestAttribute(Name);
}

} // namespace

std::string CompiledPolicy::suggestValue(Dim D, std::string_view Name) const {
  return suggestion(Name, numValues(D), [&](uint32_t I) { return valueName(D, I); });
}

std::string CompiledPolicy::suggestAttribute(std::string_view Name) const {
  return suggestion(Name, numAttributes(), [&](uint32_t I) { return attributeName(I); });
}

Request::Request(const CompiledPolicy &P) : Policy(&P) {
  AttrValue.assign(P.numAttributes(), 0);
  AttrSet.assign(P.numAttributes(), 0);
  clear();
}

// A service builds a request, usually by names, for every decision, so the setters cost as much
// as the decision itself: they read the policy's tables directly rather than through
// CompiledPolicy's accessors (another translation unit), and build a message only for the first
// mistake, in the functions above, out of the success paths.

void Request::clear() {
  const CompiledPolicy::Impl &P = *Policy->I;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    Values[D] = P.DimNumValues[D];
    Classes[D] = P.ValueByName[D].OmittedClass;
  }
  DataValues.clear(); // keeps its capacity for the next request
  std::fill(AttrSet.begin(), AttrSet.end(), 0);
  Err.clear();
}

// Only this file calls it, and it is on every setter's path.
inline void Request::setValue(Dim D, uint32_t Value) {
  Values[unsigned(D)] = Value;
  Classes[unsigned(D)] = Policy->I->DimClass[unsigned(D)][Value];
}

void Request::recordError(std::string Message) {
  if (Err.empty())
    Err = std::move(Message);
}

uint32_t Request::value(Dim D) const {
  if (D == Dim::Data)
    return DataValues.empty() ? InvalidId : DataValues.front();
  return Values[unsigned(D)] == Policy->numValues(D) ? InvalidId : Values[unsigned(D)];
}

Span<uint32_t> Request::data() const { return {DataValues.data(), DataValues.size()}; }

Request &Request::set(Dim D, uint32_t Value) {
  if (Value >= Policy->I->DimNumValues[unsigned(D)]) {
    recordError(dimNoun(D) + " id " + std::to_string(Value) + " is out of range (the policy has " +
                std::to_string(Policy->numValues(D)) + ")");
    return *this;
  }
  if (D == Dim::Data)
    DataValues.assign(1, Value);
  else
    setValue(D, Value);
  return *this;
}

Request &Request::set(Dim D, std::string_view Name) {
  uint32_t Class;
  uint32_t Id = Policy->I->ValueByName[unsigned(D)].find(Name, Class);
  if (Id == InvalidId) {
    if (!hasError()) // the message (and its suggestion scan) only matters if it is the first
      recordError(unknownValue(*Policy, D, Name));
    return *this;
  }
  if (D == Dim::Data) {
    DataValues.clear(); // keeps the capacity: no allocation after the first request
    DataValues.push_back(Id);
  } else {
    // The name table keeps each value's class beside its id: no second lookup.
    Values[unsigned(D)] = Id;
    Classes[unsigned(D)] = Class;
  }
  return *this;
}

Request &Request::addData(uint32_t Value) {
  if (Value >= Policy->I->DimNumValues[unsigned(Dim::Data)]) {
    recordError("data category id " + std::to_string(Value) + " is out of range (the policy has " +
                std::to_string(Policy->numValues(Dim::Data)) + ")");
    return *this;
  }
  DataValues.push_back(Value);
  return *this;
}

Request &Request::addData(std::string_view Name) {
  uint32_t Id = Policy->I->ValueByName[unsigned(Dim::Data)].find(Name);
  if (Id == InvalidId) {
    if (!hasError())
      recordError(unknownValue(*Policy, Dim::Data, Name));
    return *this;
  }
  DataValues.push_back(Id);
  return *this;
}

Request &Request::omit(Dim D) {
  if (D == Dim::Data)
    DataValues.clear();
  else
    setValue(D, Policy->I->DimNumValues[unsigned(D)]);
  return *this;
}

inline bool Request::checkAttr(uint32_t Attr, AttrKind Want) {
  const CompiledPolicy::Impl &P = *Policy->I;
  if (Attr < P.NumAttributes && AttrKind(P.Attributes[Attr].Kind) == Want)
    return true;
  recordError(wrongAttrKind(*Policy, Attr, Want));
  return false;
}

inline uint32_t Request::lookupAttr(std::string_view Name) {
  uint32_t Id = Policy->I->AttributeByName.find(Name);
  if (Id == InvalidId && !hasError())
    recordError(unknownAttr(*Policy, Name));
  return Id;
}

Request &Request::setBool(uint32_t Attr, bool V) {
  if (checkAttr(Attr, AttrKind::Bool))
    AttrValue[Attr] = V, AttrSet[Attr] = 1;
  return *this;
}

Request &Request::setInt(uint32_t Attr, int64_t V) {
  if (checkAttr(Attr, AttrKind::Int))
    AttrValue[Attr] = V, AttrSet[Attr] = 1;
  return *this;
}

Request &Request::setDuration(uint32_t Attr, int64_t Seconds) {
  // A duration is a length of time: a negative one would satisfy every `age < N days`.
  if (Seconds < 0) {
    recordError("attribute `" +
                std::string(Attr < Policy->numAttributes() ? Policy->attributeName(Attr) : "?") +
                "` is a duration: " + std::to_string(Seconds) + " seconds is negative");
    return *this;
  }
  if (checkAttr(Attr, AttrKind::Duration))
    AttrValue[Attr] = Seconds, AttrSet[Attr] = 1;
  return *this;
}

Request &Request::setEnum(uint32_t Attr, uint32_t EnumValue) {
  if (!checkAttr(Attr, AttrKind::Enum))
    return *this;
  const CompiledPolicy::Impl &P = *Policy->I;
  uint32_t E = P.Attributes[Attr].Enum;
  if (EnumValue >= P.Enums[E].Values.Size) {
    recordError("enum value id " + std::to_string(EnumValue) + " is out of range for attribute `" +
                std::string(Policy->attributeName(Attr)) + "`");
    return *this;
  }
  AttrValue[Attr] = EnumValue, AttrSet[Attr] = 1;
  return *this;
}

Request &Request::setEnum(uint32_t Attr, std::string_view EnumValue) {
  if (!checkAttr(Attr, AttrKind::Enum))
    return *this;
  const CompiledPolicy::Impl &P = *Policy->I;
  uint32_t E = P.Attributes[Attr].Enum;
  uint32_t V = P.EnumValueByName[E].find(EnumValue);
  if (V == InvalidId) {
    recordError("`" + std::string(EnumValue) + "` is not a value of enum `" +
                std::string(Policy->enumName(E)) + "` (attribute `" +
                std::string(Policy->attributeName(Attr)) + "`)");
    return *this;
  }
  AttrValue[Attr] = V, AttrSet[Attr] = 1;
  return *this;
}

Request &Request::setBool(std::string_view Attr, bool V) {
  uint32_t Id = lookupAttr(Attr);
  return Id == InvalidId ? *this : setBool(Id, V);
}
Request &Request::setInt(std::string_view Attr, int64_t V) {
  uint32_t Id = lookupAttr(Attr);
  return Id == InvalidId ? *this : setInt(Id, V);
}
Request &Request::setDuration(std::string_view Attr, int64_t Seconds) {
  uint32_t Id = lookupAttr(Attr);
  return Id == InvalidId ? *this : setDuration(Id, Seconds);
}
Request &Request::setEnum(std::string_view Attr, std::string_view EnumValue) {
  uint32_t Id = lookupAttr(Attr);
  return Id == InvalidId ? *this : setEnum(Id, EnumValue);
}

Request &Request::unset(uint32_t Attr) {
  if (Attr >= Policy->I->NumAttributes) {
    recordError(attrOutOfRange(*Policy, Attr));
    return *this;
  }
  AttrSet[Attr] = 0;
  return *this;
}

} // namespace privet::rt
