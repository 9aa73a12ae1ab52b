//===- Domain.h - The request space's names and units, defined once for every layer -*- C++ -*-===//
//
// The nine request dimensions, their names in requests, declarations and written patterns, the
// duration units and the attribute type names. The runtime, the compiler (through
// privet/Basic/Domain.h) and every tool read these tables, so a dimension's name or a duration's
// spelling cannot differ between `privet check`, `privet test`, `privet query` and the runtime.
// C++ standard library only: the runtime includes it.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_DOMAIN_H
#define PRIVET_DOMAIN_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace privet::domain {

/// Dimensions in their fixed order: the compiler's Dimension and the runtime's Dim both follow it.
constexpr unsigned NumDimensions = 9;

/// The key of each dimension in a request ("data", not "category").
constexpr std::string_view DimensionKeys[NumDimensions] = {
    "action", "data", "subject", "purpose", "basis", "recipient", "region", "context", "actor"};

/// The keyword that declares a vocabulary node of each dimension.
constexpr std::string_view DimensionKeywords[NumDimensions] = {
    "action", "category", "subject", "purpose", "basis", "recipient", "region", "context", "actor"};

/// What a dimension's values are called in messages ("an unknown legal basis").
constexpr std::string_view DimensionNouns[NumDimensions] = {"action",  "data category", "subject",
                                                            "purpose", "legal basis",   "recipient",
                                                            "region",  "context",       "actor"};

/// The word introducing a dimension in a written pattern ("" for action and data). The actor is
/// introduced by `as` ("use email_address for newsletters as email_delivery"): `by` already
/// names the deciding rule at the end of an expectation.
constexpr std::string_view DimensionPrepositions[NumDimensions] = {
    "", "", "about", "for", "under", "to", "in", "from", "as"};

/// The built-in actor: the controller itself. It exists once a policy declares an actor; a rule,
/// invariant or request that names no actor is about it.
constexpr std::string_view ControllerActor = "us";

/// The dimension whose request key (or, when AcceptKeyword, declaration keyword) is Name.
inline std::optional<unsigned> dimensionFromKey(std::string_view Name, bool AcceptKeyword = true) {
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (Name == DimensionKeys[D] || (AcceptKeyword && Name == DimensionKeywords[D]))
      return D;
  return std::nullopt;
}

/// Attribute types in their fixed order (bool, int, duration, enum), as written in declarations.
constexpr unsigned NumAttrKinds = 4;
constexpr std::string_view AttrKindNames[NumAttrKinds] = {"bool", "int", "duration", "enum"};

/// A duration unit: its singular name and length. A month is 30 days and a year 365 days.
struct DurationUnit {
  std::string_view Name;
  int64_t Seconds;
};
constexpr DurationUnit DurationUnits[] = {
    {"second", 1},       {"minute", 60},        {"hour", 3600},       {"day", 86400},
    {"week", 7 * 86400}, {"month", 30 * 86400}, {"year", 365 * 86400}};

/// The length of a unit written singular or plural ("day", "days"), if it is one.
inline std::optional<int64_t> durationUnitSeconds(std::string_view Unit) {
  if (Unit.size() > 1 && Unit.back() == 's')
    Unit.remove_suffix(1);
  for (const DurationUnit &U : DurationUnits)
    if (Unit == U.Name)
      return U.Seconds;
  return std::nullopt;
}

/// "seconds, minutes, hours, days, weeks, months and years", for help texts.
constexpr std::string_view DurationUnitList =
    "seconds, minutes, hours, days, weeks, months and years";

/// Parses a duration as the language writes it ("30 days", "1 hour"): digits, one or more spaces,
/// a unit. Nothing for anything else (signs, leading zeros, "29days", no unit), or on overflow.
inline std::optional<int64_t> parseDuration(std::string_view Text) {
  size_t Pos = 0;
  while (Pos < Text.size() && Text[Pos] == ' ')
    ++Pos;
  size_t Start = Pos;
  int64_t N = 0;
  while (Pos < Text.size() && Text[Pos] >= '0' && Text[Pos] <= '9') {
    if (N > (INT64_MAX - (Text[Pos] - '0')) / 10)
      return std::nullopt;
    N = N * 10 + (Text[Pos] - '0');
    ++Pos;
  }
  if (Pos == Start || (Text[Start] == '0' && Pos - Start > 1))
    return std::nullopt;
  size_t UnitStart = Pos;
  if (UnitStart >= Text.size() || Text[UnitStart] != ' ')
    return std::nullopt;
  while (UnitStart < Text.size() && Text[UnitStart] == ' ')
    ++UnitStart;
  std::string_view Unit = Text.substr(UnitStart);
  while (!Unit.empty() && Unit.back() == ' ')
    Unit.remove_suffix(1);
  std::optional<int64_t> Seconds = durationUnitSeconds(Unit);
  if (!Seconds || N > INT64_MAX / *Seconds)
    return std::nullopt;
  return N * *Seconds;
}

/// The one written form of a duration everywhere Privet prints one: the largest of years, days,
/// hours and minutes that divides it exactly, else seconds ("30 days", "7 days", "1 year",
/// "90 minutes"). Weeks and months are accepted on input but never chosen on output, so a value
/// reads the same whichever of its spellings the author used ("4 weeks" and "28 days" are both
/// "28 days"; "1 month" is "30 days").
inline std::string formatDuration(int64_t Seconds) {
  static constexpr DurationUnit Output[] = {
      {"year", 365 * 86400}, {"day", 86400}, {"hour", 3600}, {"minute", 60}};
  for (const DurationUnit &U : Output)
    if (Seconds != 0 && Seconds % U.Seconds == 0) {
      int64_t N = Seconds / U.Seconds;
      return std::to_string(N) + " " + std::string(U.Name) + (N == 1 || N == -1 ? "" : "s");
    }
  return std::to_string(Seconds) + (Seconds == 1 || Seconds == -1 ? " second" : " seconds");
}

} // namespace privet::domain

#endif // PRIVET_DOMAIN_H
