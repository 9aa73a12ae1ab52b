//===- Types.cpp - Attribute types and typed constants ----------------------------------------===//
#include "SemaContext.h"

#include "privet/Domain.h"

using namespace llvm;

namespace privet::sema {

namespace {
/// "`a`, `b` and `c`" (at most 12, then "and N more").
std::string joinValues(const std::vector<std::string> &Values) {
  std::string Out;
  size_t Shown = std::min<size_t>(Values.size(), 12);
  for (size_t I = 0; I < Shown; ++I) {
    if (I)
      Out += I + 1 == Shown && Shown == Values.size() ? " and " : ", ";
    Out += "`" + Values[I] + "`";
  }
  if (Shown < Values.size())
    Out += " and " + std::to_string(Values.size() - Shown) + " more";
  return Out;
}
} // namespace

std::optional<std::pair<AttrKind, uint32_t>> resolveType(Context &Ctx, uint32_t M,
                                                         const ast::QualName &Q) {
  if (!Q.isQualified()) {
    // The built-in types: every kind but Enum, which is spelled by the enum's name.
    for (unsigned K = 0; K < unsigned(AttrKind::Enum); ++K)
      if (Q.Parts[0] == domain::AttrKindNames[K])
        return std::make_pair(AttrKind(K), NoIndex);
  }
  // An enum, possibly from another module; anything else is not a type.
  uint32_t Scope = M;
  if (Q.isQualified()) {
    auto S = lookup(Ctx, M, Q, {Symbol::Enum});
    if (!S)
      return std::nullopt;
    if (S->K == Symbol::Enum)
      return std::make_pair(AttrKind::Enum, S->Index);
    Ctx.Diags.report<diag::not_a_type>(Q.Range, Q.str())
        .note(S->Range, "`" + Q.Parts.back() + "` is " + describe(*S));
    return std::nullopt;
  }
  Want EnumWant{Symbol::Enum};
  const Symbol *Found = Ctx.Mods[Scope].Symbols.find(Q.Parts[0], EnumWant.ns());
  if (Found && Found->K == Symbol::Enum)
    return std::make_pair(AttrKind::Enum, Found->Index);
  auto B = Ctx.Diags.report<diag::not_a_type>(Q.Range, Q.str());
  if (Found)
    B.note(Found->Range, "`" + Q.Parts[0] + "` is " + describe(*Found));
  std::vector<std::string> Candidates;
  for (unsigned K = 0; K < unsigned(AttrKind::Enum); ++K)
    Candidates.emplace_back(domain::AttrKindNames[K]);
  for (auto &Name : Ctx.Mods[Scope].Symbols.names(EnumWant.ns()))
    Candidates.push_back(Name);
  if (auto Near = closestName(Q.Parts[0], Candidates))
    B.didYouMean(Q.Range, *Near);
  else
    B.help("types are `bool`, `int`, `duration` and declared enums");
  return std::nullopt;
}

std::string typeName(Context &Ctx, AttrKind K, uint32_t Enum) {
  switch (K) {
  case AttrKind::Bool:
    return "a `bool`";
  case AttrKind::Int:
    return "an `int`";
  case AttrKind::Duration:
    return "a `duration` such as `30 days`";
  case AttrKind::Enum:
    return "a value of enum `" + Ctx.P.Enums[Enum].Name + "`";
  }
  return "a value";
}

std::string shortTypeName(Context &Ctx, AttrKind K, uint32_t Enum) {
  if (K == AttrKind::Enum)
    return Ctx.P.Enums[Enum].Name;
  return std::string(domain::AttrKindNames[unsigned(K)]);
}

static std::string valueDescription(const ast::Value &V) {
  switch (V.K) {
  case ast::Value::Bool:
    return V.BoolValue ? "`true`" : "`false`";
  case ast::Value::Int:
    return "the integer `" + V.Digits + "`";
  case ast::Value::Duration:
    return "the duration `" + V.Digits + " " + V.Unit + "`";
  case ast::Value::String:
    return "a string";
  case ast::Value::Name:
    return "`" + V.NameValue.str() + "`";
  }
  return "a value";
}

std::optional<int64_t> integer(Context &Ctx, const ast::Value &V) {
  uint64_t N = 0;
  if (StringRef(V.Digits).getAsInteger(10, N) || N > uint64_t(INT64_MAX)) {
    Ctx.Diags.report<diag::integer_out_of_range>(V.Range, V.Digits);
    return std::nullopt;
  }
  return int64_t(N);
}

std::optional<int64_t> duration(Context &Ctx, const ast::Value &V) {
  std::optional<int64_t> Unit = domain::durationUnitSeconds(V.Unit);
  if (!Unit) {
    auto B = Ctx.Diags.report<diag::bad_duration_unit>(V.UnitRange, V.Unit);
    std::vector<std::string> Names;
    for (const domain::DurationUnit &U : domain::DurationUnits) {
      Names.emplace_back(U.Name);
      Names.push_back(std::string(U.Name) + "s");
    }
    if (auto Near = closestName(V.Unit, Names))
      B.didYouMean(V.UnitRange, *Near);
    else
      B.help("units are " + std::string(domain::DurationUnitList));
    return std::nullopt;
  }
  int64_t Scale = *Unit;
  auto N = integer(Ctx, V);
  if (!N)
    return std::nullopt;
  if (*N > INT64_MAX / Scale) {
    Ctx.Diags.report<diag::integer_out_of_range>(V.Range, V.Digits + " " + V.Unit);
    return std::nullopt;
  }
  return *N * Scale;
}

/// A constant of the given type (bool 0/1, enum index, duration in seconds).
std::optional<int64_t> constant(Context &Ctx, uint32_t M, const ast::Value &V, AttrKind K,
                                uint32_t Enum) {
  switch (K) {
  case AttrKind::Bool:
    if (V.K == ast::Value::Bool)
      return V.BoolValue ? 1 : 0;
    break;
  case AttrKind::Int:
    if (V.K == ast::Value::Int)
      return integer(Ctx, V);
    break;
  case AttrKind::Duration:
    if (V.K == ast::Value::Duration)
      return duration(Ctx, V);
    if (V.K == ast::Value::Int) {
      Ctx.Diags.report<diag::type_mismatch>(V.Range, typeName(Ctx, K, Enum), valueDescription(V))
          .help("add a unit: `" + V.Digits + " days`");
      return std::nullopt;
    }
    break;
  case AttrKind::Enum:
    if (V.K == ast::Value::Name) {
      const EnumType &T = Ctx.P.Enums[Enum];
      const std::string &Name = V.NameValue.Parts.back();
      bool QualifierOk = !V.NameValue.isQualified();
      if (!QualifierOk) {
        // `consent_state.given` or `gdpr.consent_state.given`: the prefix must name the enum.
        ast::QualName Prefix = V.NameValue;
        Prefix.Parts.pop_back();
        auto S = lookup(Ctx, M, Prefix, {Symbol::Enum});
        if (!S)
          return std::nullopt;
        QualifierOk = S->K == Symbol::Enum && S->Index == Enum;
      }
      auto It = llvm::find(T.Values, Name);
      if (QualifierOk && It != T.Values.end())
        return It - T.Values.begin();
      auto B = Ctx.Diags.report<diag::unknown_enum_value>(V.Range, V.NameValue.str(), T.Name);
      B.note(T.Location.Range, "enum `" + T.Name + "` is declared here");
      if (auto Near = closestName(Name, T.Values))
        B.didYouMean(V.Range, *Near);
      else
        B.help("its values are " + joinValues(T.Values));
      return std::nullopt;
    }
    break;
  }
  Ctx.Diags.report<diag::type_mismatch>(V.Range, typeName(Ctx, K, Enum), valueDescription(V));
  return std::nullopt;
}

} // namespace privet::sema
