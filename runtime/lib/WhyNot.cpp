//===- WhyNot.cpp - Why a request is denied: split values and the nearest allowing rule ===//
//
// Work done only for explanations (explain(), whyNot(), the explained JSON answers): decide()
// never calls into this file. A dimension whose value in the request covers several values (a
// group value, several data categories, an omission) is split into the values allowed and denied
// on their own; each denied part, or the request taken whole, is matched against every allowing
// rule of the rule table to find the one with the fewest unmet parts (a dimension or a
// condition). Dimensions are iterated generically, so a new one needs no change here.
//
//===------------------------------------------------------------------------------------===//
#include "JsonImpl.h"
#include "PolicyImpl.h"

#include "privet/Json.h"

#include <algorithm>

namespace privet::rt {

using namespace format;

namespace {

/// The leaf classes of dimension D's class C.
std::vector<uint32_t> leafClasses(const CompiledPolicy::Impl &I, unsigned D, uint32_t C) {
  if (C < I.DimNumLeafClasses[D])
    return {C};
  const uint32_t *Starts = I.DimCoverStarts[D];
  uint32_t K = C - I.DimNumLeafClasses[D];
  return std::vector<uint32_t>(I.DimCovers[D] + Starts[K], I.DimCovers[D] + Starts[K + 1]);
}

/// The request's values in D: the data categories, one value, or none when omitted.
std::vector<uint32_t> requestValues(const Request &R, unsigned D) {
  if (Dim(D) == Dim::Data)
    return std::vector<uint32_t>(R.data().begin(), R.data().end());
  uint32_t V = R.value(Dim(D));
  return V == InvalidId ? std::vector<uint32_t>() : std::vector<uint32_t>{V};
}

/// The leaf classes the request's values in D stand for (the omitted value's when none).
std::vector<uint32_t> requestClasses(const CompiledPolicy::Impl &I, const Request &R, unsigned D) {
  std::vector<uint32_t> Values = requestValues(R, D), Out;
  if (Values.empty())
    return leafClasses(I, D, I.DimClass[D][I.DimNumValues[D]]);
  for (uint32_t V : Values) {
    std::vector<uint32_t> C = leafClasses(I, D, I.DimClass[D][V]);
    Out.insert(Out.end(), C.begin(), C.end());
  }
  std::sort(Out.begin(), Out.end());
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

/// Whether Rule's own scope (not its parents') holds leaf class C of D.
bool ownScopeHolds(const CompiledPolicy::Impl &I, uint32_t Rule, unsigned D, uint32_t C) {
  uint32_t Off = I.U32s[I.Rules[Rule].Scope.Offset + D];
  return Off == UINT32_MAX || (I.U32s[Off + C / 32] >> (C % 32) & 1);
}

bool ownScopeHoldsAll(const CompiledPolicy::Impl &I, uint32_t Rule, unsigned D,
                      const std::vector<uint32_t> &Classes) {
  return std::all_of(Classes.begin(), Classes.end(),
                     [&](uint32_t C) { return ownScopeHolds(I, Rule, D, C); });
}

/// The rule and its enclosing rules, the rule first.
std::vector<uint32_t> chain(const CompiledPolicy::Impl &I, uint32_t Rule) {
  std::vector<uint32_t> Out;
  for (uint32_t R = Rule; R != UINT32_MAX && Out.size() <= I.NumRules; R = I.Rules[R].Parent)
    Out.push_back(R);
  return Out;
}

/// The attributes a condition's code reads, ascending.
std::vector<uint32_t> conditionAttributes(const CompiledPolicy::Impl &I, uint32_t Rule) {
  ListRef Cond = I.Rules[Rule].Condition;
  const uint32_t *Code = I.U32s + Cond.Offset;
  std::vector<uint32_t> Out;
  for (uint64_t Pc = 0; Pc < Cond.Size;) {
    switch (CondOp(Code[Pc])) {
    case CondOp::True:
    case CondOp::False:
    case CondOp::Not:
      Pc += 1;
      break;
    case CondOp::And:
    case CondOp::Or:
      Pc += 2;
      break;
    case CondOp::Bool:
      Out.push_back(Code[Pc + 1]);
      Pc += 2;
      break;
    case CondOp::Compare:
      Out.push_back(Code[Pc + 1]);
      Pc += 5;
      break;
    case CondOp::InSet:
      Out.push_back(Code[Pc + 1]);
      Pc += 3 + 2 * uint64_t(Code[Pc + 2]);
      break;
    }
  }
  std::sort(Out.begin(), Out.end());
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

class Explainer {
public:
  Explainer(const CompiledPolicy &P, const CompiledPolicy::Impl &I) : P(P), I(I) {}

  WhyNotReason reason(const Request &Q, const Decision &Dec) const {
    WhyNotReason Out;
    if (Dec.isError()) {
      Out.Error = Dec.error();
      return Out;
    }
    Out.DenyRules.assign(Dec.rules().begin(), Dec.rules().end());
    if (!I.HasRuleTable)
      return Out;
    std::vector<int64_t> Values(I.NumAttributes);
    std::vector<uint8_t> Known(I.NumAttributes);
    for (uint32_t A = 0; A < I.NumAttributes; ++A) {
      Known[A] = Q.hasAttribute(A) || I.Attributes[A].HasDefault;
      Values[A] = Q.hasAttribute(A) ? Q.attribute(A) : I.Attributes[A].Default;
    }
    std::vector<uint32_t> Classes[NumDimensions];
    for (unsigned D = 0; D < NumDimensions; ++D)
      Classes[D] = requestClasses(I, Q, D);
    uint32_t Best = UINT32_MAX;
    for (uint32_t R = 0; R < I.NumRules; ++R) {
      if (!I.Rules[R].IsAllow)
        continue;
      std::vector<WhyNotMismatch> M = mismatches(R, Q, Classes, Values, Known, false);
      uint32_t Distance = uint32_t(M.size());
      if (Distance < Best) {
        Best = Distance;
        Out.Nearest = R;
        Out.Tied = 1;
      } else if (Distance == Best) {
        ++Out.Tied;
      }
    }
    if (Out.Nearest != InvalidId)
      Out.Mismatches = mismatches(Out.Nearest, Q, Classes, Values, Known, true);
    return Out;
  }

  /// The parts of Rule (and its enclosing rules) the request does not meet: at most one per
  /// dimension (the innermost rule that excludes it), one per failing condition. Details (the
  /// rule's values) only when Full.
  std::vector<WhyNotMismatch> mismatches(uint32_t Rule, const Request &Q,
                                         const std::vector<uint32_t> *Classes,
                                         const std::vector<int64_t> &Values,
                                         const std::vector<uint8_t> &Known, bool Full) const {
    std::vector<WhyNotMismatch> Out;
    std::vector<uint32_t> Chain = chain(I, Rule);
    for (unsigned D = 0; D < NumDimensions; ++D)
      for (uint32_t X : Chain) {
        if (ownScopeHoldsAll(I, X, D, Classes[D]))
          continue;
        WhyNotMismatch M;
        M.K = WhyNotMismatch::Kind::Dimension;
        M.Rule = X;
        M.D = Dim(D);
        if (Full) {
          M.RuleValues = ruleValues(Chain, D);
          M.RequestValues = requestValues(Q, D);
        }
        Out.push_back(std::move(M));
        break;
      }
    for (uint32_t X : Chain) {
      if (!I.Rules[X].Condition.Size)
        continue;
      uint32_t Need = UINT32_MAX;
      if (evaluateRuleCondition(I, X, Values.data(), Known.data(), Need) == 1)
        continue;
      WhyNotMismatch M;
      M.K = WhyNotMismatch::Kind::Condition;
      M.Rule = X;
      if (Full) {
        M.Attributes = conditionAttributes(I, X);
        for (uint32_t A : M.Attributes) {
          M.AttributeValues.push_back(Known[A] ? Values[A] : 0);
          M.AttributeSources.push_back(Q.hasAttribute(A) ? WhyNotMismatch::Source::Given
                                       : Known[A]        ? WhyNotMismatch::Source::Default
                                                         : WhyNotMismatch::Source::None);
        }
      }
      Out.push_back(std::move(M));
    }
    return Out;
  }

  /// The broadest values of D wholly within the scope of every rule of Chain.
  std::vector<uint32_t> ruleValues(const std::vector<uint32_t> &Chain, unsigned D) const {
    uint32_t N = I.DimNumValues[D];
    std::vector<uint8_t> Covered(N);
    for (uint32_t V = 0; V < N; ++V) {
      std::vector<uint32_t> C = leafClasses(I, D, I.DimClass[D][V]);
      Covered[V] = std::all_of(Chain.begin(), Chain.end(),
                               [&](uint32_t X) { return ownScopeHoldsAll(I, X, D, C); });
    }
    std::vector<uint32_t> Out;
    for (uint32_t V = 0; V < N; ++V) {
      if (!Covered[V])
        continue;
      Span<uint32_t> Parents = P.parents(Dim(D), V);
      if (std::none_of(Parents.begin(), Parents.end(), [&](uint32_t Q) { return Covered[Q]; }))
        Out.push_back(V);
    }
    return Out;
  }

  /// The values D splits into: each data category after combination rules when there are
  /// several, else the leaf values under the request's value (every leaf value when omitted).
  std::vector<uint32_t> parts(const Request &R, unsigned D) const {
    std::vector<uint32_t> Given = requestValues(R, D);
    if (Dim(D) == Dim::Data && Given.size() > 1) {
      combineData(I, Given);
      return Given;
    }
    uint32_t N = I.DimNumValues[D];
    std::vector<uint32_t> Out;
    if (Given.size() == 1 && P.isLeaf(Dim(D), Given[0]))
      return Out;
    // Under[V]: V is the request's value or below it.
    std::vector<int8_t> Under(N, Given.empty() ? 1 : -1);
    if (!Given.empty())
      Under[Given[0]] = 1;
    std::vector<uint32_t> Stack;
    for (uint32_t V = 0; V < N; ++V) {
      // Iterative: follow parents until one is known.
      Stack.assign(1, V);
      while (!Stack.empty()) {
        uint32_t X = Stack.back();
        if (Under[X] >= 0) {
          Stack.pop_back();
          continue;
        }
        Span<uint32_t> Parents = P.parents(Dim(D), X);
        bool Ready = true, Any = false;
        for (uint32_t Q : Parents) {
          if (Under[Q] < 0) {
            Ready = false;
            Stack.push_back(Q);
          } else if (Under[Q] == 1) {
            Any = true;
          }
        }
        if (Ready || Any) {
          Under[X] = Any ? 1 : 0;
          Stack.pop_back();
        }
        if (Stack.size() > size_t(N) + 1) // a cycle the loader would have rejected: fail safe
          return {};
      }
      if (Under[V] == 1 && P.isLeaf(Dim(D), V))
        Out.push_back(V);
    }
    return Out;
  }

  const CompiledPolicy &P;
  const CompiledPolicy::Impl &I;
};

bool sameReason(const WhyNotReason &A, const WhyNotReason &B, Dim Split) {
  if (A.DenyRules != B.DenyRules || A.Error != B.Error || A.Nearest != B.Nearest ||
      A.Tied != B.Tied || A.Mismatches.size() != B.Mismatches.size())
    return false;
  for (size_t K = 0; K < A.Mismatches.size(); ++K) {
    const WhyNotMismatch &X = A.Mismatches[K], &Y = B.Mismatches[K];
    bool SplitDim = X.K == WhyNotMismatch::Kind::Dimension && X.D == Split;
    if (X.K != Y.K || X.Rule != Y.Rule || X.D != Y.D || X.RuleValues != Y.RuleValues ||
        X.Attributes != Y.Attributes || (!SplitDim && X.RequestValues != Y.RequestValues))
      return false;
  }
  return true;
}

} // namespace

Result<WhyNot> CompiledPolicy::whyNot(const Request &Req) const {
  if (&Req.policy() != this)
    return Error{"the request was built for a different policy"};
  if (Req.hasError())
    return Error{Req.error()};
  WhyNot Out;
  Decision Dec = decide(Req);
  if (Dec.kind() != Decision::Kind::Deny)
    return Out;
  Out.Denied = true;
  Explainer E(*this, *I);
  Decision Sub;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    std::vector<uint32_t> Parts = E.parts(Req, D);
    if (Parts.size() < 2)
      continue;
    WhyNotSplit S;
    S.D = Dim(D);
    S.RequestValues = requestValues(Req, D);
    Request Q = Req;
    for (uint32_t V : Parts) {
      Q.set(Dim(D), V);
      decide(Q, Sub);
      if (Sub.permitted()) {
        S.Allowed.push_back(V);
        continue;
      }
      WhyNotReason R = E.reason(Q, Sub);
      auto Same = std::find_if(S.Denied.begin(), S.Denied.end(), [&](const WhyNotSplit::Part &X) {
        return sameReason(X.Reason, R, Dim(D));
      });
      if (Same == S.Denied.end()) {
        S.Denied.push_back({{V}, std::move(R)});
        continue;
      }
      Same->Values.push_back(V);
      for (WhyNotMismatch &M : Same->Reason.Mismatches)
        if (M.K == WhyNotMismatch::Kind::Dimension && M.D == Dim(D))
          M.RequestValues = Same->Values;
    }
    if (!S.Allowed.empty() && !S.Denied.empty())
      Out.Splits.push_back(std::move(S));
  }
  if (Out.Splits.empty())
    Out.Whole = E.reason(Req, Dec);
  return Out;
}

namespace {

std::string joinValues(const CompiledPolicy &P, Dim D, const std::vector<uint32_t> &Values) {
  std::string Out;
  for (size_t K = 0; K < Values.size(); ++K)
    Out += (K ? ", " : "") + std::string(P.valueName(D, Values[K]));
  return Out;
}

std::string ruleRef(const CompiledPolicy &P, uint32_t R) {
  RuleInfo Info = P.rule(R);
  return "`" + std::string(Info.Id) + "` at " + std::string(Info.File) + ":" +
         std::to_string(Info.Line) + ":" + std::to_string(Info.Col);
}

void appendReasonText(const CompiledPolicy &P, const WhyNotReason &R, const std::string &Indent,
                      std::string &Out, const std::vector<std::string> &AttrTexts,
                      bool HasRuleTable) {
  if (R.Nearest == InvalidId) {
    Out += Indent + (HasRuleTable ? "no rule of the policy allows anything\n"
                                  : "no nearest allowing rule: the artifact has no rule table "
                                    "(rebuild it)\n");
    return;
  }
  Out += Indent + "nearest allowing rule: " + ruleRef(P, R.Nearest);
  if (R.Tied > 1)
    Out += " (the first in policy order of " + std::to_string(R.Tied) + " equally near)";
  Out += "\n";
  if (R.Mismatches.empty()) {
    Out += Indent + "  it applies, but ";
    if (R.DenyRules.empty()) {
      Out += "the request is still denied\n";
    } else {
      Out += "a deny overrides it: ";
      for (size_t K = 0; K < R.DenyRules.size(); ++K)
        Out += (K ? ", " : "") + ruleRef(P, R.DenyRules[K]);
      Out += "\n";
    }
    return;
  }
  size_t AttrIndex = 0;
  for (const WhyNotMismatch &M : R.Mismatches) {
    std::string Id = "`" + std::string(P.rule(M.Rule).Id) + "`";
    if (M.K == WhyNotMismatch::Kind::Dimension) {
      Out += Indent + "  " + std::string(dimensionName(M.D)) + ": " + Id + " covers " +
             (M.RuleValues.empty() ? std::string("no value") : joinValues(P, M.D, M.RuleValues)) +
             "; the request " +
             (M.RequestValues.empty() ? std::string("omits it (every value)")
                                      : "has " + joinValues(P, M.D, M.RequestValues)) +
             "\n";
      continue;
    }
    Out += Indent + "  condition of " + Id + " does not hold";
    Out += AttrIndex < AttrTexts.size() ? AttrTexts[AttrIndex] : std::string();
    ++AttrIndex;
    Out += "\n";
  }
}

} // namespace

std::string CompiledPolicy::whyNotText(const WhyNot &W) const {
  std::string Out;
  if (!W.Denied)
    return Out;
  // Attribute values are the request's; the text shows each condition's attributes by name.
  auto AttrTexts = [&](const WhyNotReason &R) {
    std::vector<std::string> T;
    for (const WhyNotMismatch &M : R.Mismatches) {
      if (M.K != WhyNotMismatch::Kind::Condition)
        continue;
      std::string S;
      for (size_t K = 0; K < M.Attributes.size(); ++K) {
        uint32_t A = M.Attributes[K];
        S += (K ? ", " : " with ") + std::string(attributeName(A));
        if (M.AttributeSources[K] == WhyNotMismatch::Source::None) {
          S += " not given (no default)";
          continue;
        }
        S += " = " + formatValue(attributeKind(A), attributeEnum(A), M.AttributeValues[K]);
        if (M.AttributeSources[K] == WhyNotMismatch::Source::Default)
          S += " (its default)";
      }
      T.push_back(S);
    }
    return T;
  };
  Out += "why not:\n";
  for (const WhyNotSplit &S : W.Splits) {
    Out += "  " + std::string(dimensionName(S.D)) + " " +
           (S.RequestValues.empty() ? std::string("(omitted)")
                                    : joinValues(*this, S.D, S.RequestValues)) +
           ": allowed for " + joinValues(*this, S.D, S.Allowed) + "; denied for ";
    std::vector<uint32_t> Denied;
    for (const WhyNotSplit::Part &Part : S.Denied)
      Denied.insert(Denied.end(), Part.Values.begin(), Part.Values.end());
    std::sort(Denied.begin(), Denied.end());
    Out += joinValues(*this, S.D, Denied) + "\n";
    for (const WhyNotSplit::Part &Part : S.Denied) {
      Out += "    denied for " + joinValues(*this, S.D, Part.Values);
      const WhyNotReason &R = Part.Reason;
      if (!R.Error.empty()) {
        Out += ": error: " + R.Error + "\n";
        continue;
      }
      if (R.DenyRules.empty()) {
        Out += " by default\n";
      } else {
        Out += R.DenyRules.size() == 1 ? " by rule " : " by rules ";
        for (size_t K = 0; K < R.DenyRules.size(); ++K)
          Out += (K ? ", " : "") + ruleRef(*this, R.DenyRules[K]);
        Out += "\n";
      }
      appendReasonText(*this, R, "      ", Out, AttrTexts(R), I->HasRuleTable);
    }
  }
  if (W.Whole)
    appendReasonText(*this, *W.Whole, "  ", Out, AttrTexts(*W.Whole), I->HasRuleTable);
  return Out;
}

namespace {

void appendValues(std::string &Out, const CompiledPolicy &P, Dim D,
                  const std::vector<uint32_t> &Values) {
  Out += '[';
  for (size_t K = 0; K < Values.size(); ++K) {
    if (K)
      Out += ',';
    appendJsonString(Out, P.valueName(D, Values[K]));
  }
  Out += ']';
}

void appendReasonJson(std::string &Out, const CompiledPolicy &P, const WhyNotReason &R) {
  Out += "{\"denied_by\":[";
  for (size_t K = 0; K < R.DenyRules.size(); ++K) {
    if (K)
      Out += ',';
    json::appendRule(Out, P, R.DenyRules[K]);
  }
  Out += ']';
  if (!R.Error.empty()) {
    Out += ",\"error\":";
    appendJsonString(Out, R.Error);
    Out += '}';
    return;
  }
  Out += ",\"nearest\":";
  if (R.Nearest == InvalidId) {
    Out += "null}";
    return;
  }
  Out += "{\"rule\":";
  json::appendRule(Out, P, R.Nearest);
  Out += ",\"tied\":" + std::to_string(R.Tied);
  Out += ",\"applies\":";
  Out += R.Mismatches.empty() ? "true" : "false";
  Out += ",\"mismatches\":[";
  for (size_t K = 0; K < R.Mismatches.size(); ++K) {
    const WhyNotMismatch &M = R.Mismatches[K];
    if (K)
      Out += ',';
    Out += "{\"kind\":";
    Out += M.K == WhyNotMismatch::Kind::Dimension ? "\"dimension\"" : "\"condition\"";
    Out += ",\"rule\":";
    appendJsonString(Out, P.rule(M.Rule).Id);
    if (M.K == WhyNotMismatch::Kind::Dimension) {
      Out += ",\"dimension\":";
      appendJsonString(Out, dimensionName(M.D));
      Out += ",\"rule_values\":";
      appendValues(Out, P, M.D, M.RuleValues);
      Out += ",\"request_values\":";
      appendValues(Out, P, M.D, M.RequestValues);
    } else {
      Out += ",\"attributes\":[";
      for (size_t A = 0; A < M.Attributes.size(); ++A) {
        uint32_t Attr = M.Attributes[A];
        Out += A ? ",{\"name\":" : "{\"name\":";
        appendJsonString(Out, P.attributeName(Attr));
        Out += ",\"value\":";
        if (M.AttributeSources[A] == WhyNotMismatch::Source::None)
          Out += "null";
        else
          appendJsonString(Out, P.formatValue(P.attributeKind(Attr), P.attributeEnum(Attr),
                                              M.AttributeValues[A]));
        Out += ",\"source\":";
        Out += M.AttributeSources[A] == WhyNotMismatch::Source::Given     ? "\"given\"}"
               : M.AttributeSources[A] == WhyNotMismatch::Source::Default ? "\"default\"}"
                                                                          : "\"none\"}";
      }
      Out += ']';
    }
    Out += '}';
  }
  Out += "]}}";
}

} // namespace

std::string whyNotJson(const CompiledPolicy &P, const WhyNot &W) {
  if (!W.Denied)
    return "null";
  std::string Out = "{\"splits\":[";
  for (size_t K = 0; K < W.Splits.size(); ++K) {
    const WhyNotSplit &S = W.Splits[K];
    if (K)
      Out += ',';
    Out += "{\"dimension\":";
    appendJsonString(Out, dimensionName(S.D));
    Out += ",\"request_values\":";
    appendValues(Out, P, S.D, S.RequestValues);
    Out += ",\"allowed\":";
    appendValues(Out, P, S.D, S.Allowed);
    Out += ",\"denied\":[";
    for (size_t J = 0; J < S.Denied.size(); ++J) {
      if (J)
        Out += ',';
      Out += "{\"values\":";
      appendValues(Out, P, S.D, S.Denied[J].Values);
      Out += ",\"reason\":";
      appendReasonJson(Out, P, S.Denied[J].Reason);
      Out += '}';
    }
    Out += "]}";
  }
  Out += "],\"whole\":";
  if (W.Whole)
    appendReasonJson(Out, P, *W.Whole);
  else
    Out += "null";
  Out += '}';
  return Out;
}

std::string explainedDecisionJson(const CompiledPolicy &P, const Request &Req, const Decision &D,
                                  std::string_view RawId) {
  std::string Out = decisionJson(P, D, RawId);
  std::string Member = "null";
  if (D.kind() == Decision::Kind::Deny) {
    Result<WhyNot> W = P.whyNot(Req);
    if (W)
      Member = whyNotJson(P, *W);
  }
  // The decision object ends with '}': the member goes before it.
  Out.insert(Out.size() - 1, ",\"why_not\":" + Member);
  return Out;
}

} // namespace privet::rt
