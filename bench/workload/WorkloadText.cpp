//===- WorkloadText.cpp - The generated workload policy as `.privet` source text -------------===//
//
// bench::generatePolicy builds a Policy directly; the end-to-end timings of `privet check` and
// `privet build` need the same policy as a file. This renders the subset of the language the
// generator uses (flat vocabulary declarations with their parents, one enum, four attributes,
// labelled rules with nested exceptions, conditions, obligations, one combination).
//
//===----------------------------------------------------------------------------------------===//
#include "Workload.h"

#include "privet/Domain.h"

#include <string>

namespace privet::bench {

namespace {

const char *cmpText(CmpOp Op) {
  switch (Op) {
  case CmpOp::Eq:
    return "==";
  case CmpOp::Ne:
    return "!=";
  case CmpOp::Lt:
    return "<";
  case CmpOp::Le:
    return "<=";
  case CmpOp::Gt:
    return ">";
  case CmpOp::Ge:
    return ">=";
  }
  return "==";
}

std::string constant(const Policy &P, const Attribute &A, int64_t V) {
  switch (A.Kind) {
  case AttrKind::Bool:
    return V ? "true" : "false";
  case AttrKind::Enum:
    return A.Enum < P.Enums.size() && V >= 0 && size_t(V) < P.Enums[A.Enum].Values.size()
               ? P.Enums[A.Enum].Values[V]
               : std::to_string(V);
  case AttrKind::Duration:
    return domain::formatDuration(V);
  default:
    return std::to_string(V);
  }
}

std::string condText(const Policy &P, const Cond &C) {
  switch (C.K) {
  case Cond::True:
    return "true";
  case Cond::False:
    return "false";
  case Cond::Not:
    return "not (" + condText(P, C.Ops[0]) + ")";
  case Cond::And:
  case Cond::Or: {
    std::string Out;
    for (const Cond &Op : C.Ops)
      Out += (Out.empty() ? "(" : C.K == Cond::And ? " and (" : " or (") + condText(P, Op) + ")";
    return Out;
  }
  case Cond::BoolAttr:
    return P.Attributes[C.Attr].Name;
  case Cond::Compare:
    return P.Attributes[C.Attr].Name + " " + cmpText(C.Op) + " " +
           constant(P, P.Attributes[C.Attr], C.Value);
  case Cond::InSet: {
    std::string Out = P.Attributes[C.Attr].Name + " in {";
    for (size_t I = 0; I != C.Set.size(); ++I)
      Out += (I ? ", " : " ") + constant(P, P.Attributes[C.Attr], C.Set[I]);
    return Out + " }";
  }
  }
  return "true";
}

/// The rule's pattern in the order docs/language.md lists the parts.
std::string patternText(const Policy &P, const Scope &S) {
  static const struct {
    Dimension D;
    const char *Word;
  } Parts[] = {
      {Dimension::Action, ""},     {Dimension::Data, ""},        {Dimension::Subject, "about"},
      {Dimension::Purpose, "for"}, {Dimension::Basis, "under"},  {Dimension::Recipient, "to"},
      {Dimension::Region, "in"},   {Dimension::Context, "from"}, {Dimension::Actor, "as"}};
  std::string Out;
  for (const auto &Part : Parts) {
    const auto &Items = S.Written[unsigned(Part.D)];
    if (Items.empty()) {
      if (Part.D == Dimension::Action)
        Out += " any";
      continue;
    }
    Out += *Part.Word ? std::string(" ") + Part.Word : std::string();
    for (size_t I = 0; I != Items.size(); ++I)
      Out += std::string(I ? ", " : " ") + (Items[I].second ? "not " : "") +
             P.vocab(Part.D).Nodes[Items[I].first].Name;
  }
  return Out;
}

void ruleText(const Policy &P, uint32_t R, std::string &Out) {
  const Rule &X = P.Rules[R];
  Out += X.Id + ": " + (X.IsAllow ? "allow" : "deny") + patternText(P, X.S);
  if (X.Condition)
    Out += " when " + condText(P, *X.Condition);
  for (size_t I = 0; I != X.Obligations.size(); ++I) {
    const ObligationRef &O = X.Obligations[I];
    Out += (I ? ", " : " with ") + P.Obligations.Nodes[O.Obligation].Name;
    if (O.Arg)
      Out += "(" + domain::formatDuration(*O.Arg) + ")";
  }
  if (X.Exceptions.empty()) {
    Out += ";\n";
    return;
  }
  Out += " except {\n";
  for (uint32_t E : X.Exceptions) {
    Out += "  ";
    ruleText(P, E, Out);
  }
  Out += "};\n";
}

} // namespace

std::string policyAsPrivet(const Policy &P) {
  std::string Out = "policy " + (P.Modules.empty() ? std::string("workload") : P.Modules[0].Name);
  if (!P.Modules.empty() && !P.Modules[0].Title.empty())
    Out += " \"" + P.Modules[0].Title + "\"";
  Out += ";\n\n";
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const Vocabulary &V = P.Vocab[D];
    for (const VocabNode &N : V.Nodes) {
      Out += std::string(domain::DimensionKeywords[D]) + " " + N.Name;
      for (size_t I = 0; I != N.Parents.size(); ++I)
        Out += (I ? ", " : " : ") + V.Nodes[N.Parents[I]].Name;
      Out += ";\n";
    }
  }
  for (const VocabNode &N : P.Obligations.Nodes)
    Out += "obligation " + N.Name + (N.ParamKind ? "(duration)" : "") + ";\n";
  for (const EnumType &E : P.Enums) {
    Out += "enum " + E.Name + " {";
    for (size_t I = 0; I != E.Values.size(); ++I)
      Out += (I ? ", " : " ") + E.Values[I];
    Out += " }\n";
  }
  for (const Attribute &A : P.Attributes) {
    const char *Type = A.Kind == AttrKind::Bool       ? "bool"
                       : A.Kind == AttrKind::Int      ? "int"
                       : A.Kind == AttrKind::Duration ? "duration"
                                                      : nullptr;
    Out += "attribute " + A.Name + ": " + (Type ? Type : P.Enums[A.Enum].Name);
    if (A.Default)
      Out += " = " + (A.Kind == AttrKind::Duration && *A.Default == 0 ? std::string("0 days")
                                                                      : constant(P, A, *A.Default));
    Out += ";\n";
  }
  const Vocabulary &Data = P.vocab(Dimension::Data);
  for (const Combination &C : P.Combinations)
    Out += "combine " + Data.Nodes[C.First].Name + " with " + Data.Nodes[C.Second].Name +
           (C.TreatedAs ? " treated as " : " as ") + Data.Nodes[C.Result].Name + ";\n";
  Out += "\n";
  for (uint32_t R = 0; R != P.Rules.size(); ++R)
    if (P.Rules[R].isTopLevel())
      ruleText(P, R, Out);
  return Out;
}

} // namespace privet::bench
