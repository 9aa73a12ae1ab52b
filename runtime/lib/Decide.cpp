//===- Decide.cpp - Answering requests: diagram walks, combinations, explanations ----===//
//
// The semantics are docs/language.md's; the compiler has already folded rules, exceptions,
// hierarchies and non-leaf values into the diagram, so a data category costs one walk. The
// single-category path allocates nothing: the Decision points at the terminal's lists.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <algorithm>

namespace privet::rt {

using namespace format;

Span<uint32_t> Decision::rules() const {
  return {Owned ? Storage.data() : RulePtr, NumRules};
}

Span<uint32_t> Decision::obligations() const {
  return {Owned ? Storage.data() + NumRules : ObligationPtr, NumObligations};
}

void Decision::setError(std::string Msg) {
  K = Kind::Error;
  Owned = false;
  NumRules = NumObligations = 0;
  RulePtr = ObligationPtr = nullptr;
  Message = std::move(Msg);
}

namespace {

constexpr uint32_t NoMissing = UINT32_MAX;

/// Walks the diagram from Ref for one data value. Returns the terminal index, or sets Missing to
/// an attribute without a value or default on which the decision depends.
uint32_t walkFrom(const CompiledPolicy::Impl &I, uint32_t Ref, const uint32_t *Values,
                  uint32_t DataValue, const int64_t *AttrValue, const uint8_t *AttrSet,
                  uint32_t &Missing) {
  while (!(Ref & TerminalBit)) {
    const NodeRecord &N = I.Nodes[Ref];
    const uint32_t *Children = I.U32s + N.Children.Offset;
    if (N.Kind == Node::DimensionTest) {
      uint32_t V = N.Var == unsigned(Dim::Data) ? DataValue : Values[N.Var];
      Ref = Children[I.DimClass[N.Var][V]];
      continue;
    }
    const AttributeRecord &A = I.Attributes[N.Var];
    int64_t V;
    if (AttrSet[N.Var])
      V = AttrValue[N.Var];
    else if (A.HasDefault)
      V = A.Default;
    else {
      // A test on a missing attribute is an error only if the decision depends on it
      // (docs/language.md): every child must lead to the same terminal.
      uint32_t Common = UINT32_MAX;
      for (uint32_t C = 0; C < N.Children.Size; ++C) {
        uint32_t T = walkFrom(I, Children[C], Values, DataValue, AttrValue, AttrSet, Missing);
        if (Missing != NoMissing)
          return 0;
        if (Common != UINT32_MAX && T != Common) {
          Missing = N.Var;
          return 0;
        }
        Common = T;
      }
      return Common;
    }
    switch (AttrKind(A.Kind)) {
    case AttrKind::Bool:
      Ref = Children[V != 0];
      break;
    case AttrKind::Enum:
      Ref = Children[V];
      break;
    case AttrKind::Int:
    case AttrKind::Duration: {
      const int64_t *Th = I.I64s + N.Thresholds.Offset;
      Ref = Children[std::upper_bound(Th, Th + N.Thresholds.Size, V) - Th];
      break;
    }
    }
  }
  return Ref & ~TerminalBit;
}

inline uint32_t walk(const CompiledPolicy::Impl &I, const uint32_t *Values, uint32_t DataValue,
                     const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing) {
  return walkFrom(I, I.Root, Values, DataValue, AttrValue, AttrSet, Missing);
}

std::string missingMessage(const CompiledPolicy &P, uint32_t Attr) {
  return "missing attribute `" + std::string(P.attributeName(Attr)) +
         "`: it has no default and the decision depends on it";
}

/// The data set after applying combination rules until nothing changes.
void combine(const CompiledPolicy::Impl &I, std::vector<uint32_t> &Set) {
  std::sort(Set.begin(), Set.end());
  Set.erase(std::unique(Set.begin(), Set.end()), Set.end());
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (uint32_t C = 0; C < I.NumCombinations; ++C) {
      const CombinationRecord &R = I.Combinations[C];
      if (std::binary_search(Set.begin(), Set.end(), R.Result))
        continue;
      const uint8_t *First = I.Flags + R.UnderFirst.Offset;
      const uint8_t *Second = I.Flags + R.UnderSecond.Offset;
      bool Applies = false;
      for (uint32_t A : Set) {
        if (!First[A])
          continue;
        for (uint32_t B : Set)
          if (B != A && Second[B]) {
            Applies = true;
            break;
          }
        if (Applies)
          break;
      }
      if (Applies) {
        Set.insert(std::upper_bound(Set.begin(), Set.end(), R.Result), R.Result);
        Changed = true;
      }
    }
  }
}

} // namespace

void CompiledPolicy::decide(const Request &Req, Decision &Out) const {
  if (Req.Policy != this) {
    Out.setError("the request was built for a different policy");
    return;
  }
  if (!Req.Err.empty()) {
    Out.setError(Req.Err);
    return;
  }
  Out.Message.clear();
  const Impl &P = *I;
  uint32_t Missing = NoMissing;
  const uint32_t NumData = uint32_t(Req.DataValues.size());

  // One data category, or none (the "omitted" value): a single walk, no allocation.
  if (NumData <= 1) {
    uint32_t Data = NumData ? Req.DataValues[0] : P.DimNumValues[unsigned(Dim::Data)];
    uint32_t T = walk(P, Req.Values, Data, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
    if (Missing != NoMissing) {
      Out.setError(missingMessage(*this, Missing));
      return;
    }
    const TerminalRecord &TR = P.Terminals[T];
    Out.K = TR.Allow ? Decision::Kind::Allow : Decision::Kind::Deny;
    Out.Owned = false;
    Out.RulePtr = P.U32s + TR.Rules.Offset;
    Out.NumRules = TR.Rules.Size;
    Out.ObligationPtr = P.U32s + TR.Obligations.Offset;
    Out.NumObligations = TR.Obligations.Size;
    return;
  }

  // Several categories: combination rules, then the meet of one walk per category.
  std::vector<uint32_t> Set(Req.DataValues.begin(), Req.DataValues.end());
  combine(P, Set);
  std::vector<uint32_t> Terms;
  Terms.reserve(Set.size());
  bool Allow = true;
  for (uint32_t V : Set) {
    uint32_t T = walk(P, Req.Values, V, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
    if (Missing != NoMissing) {
      Out.setError(missingMessage(*this, Missing));
      return;
    }
    Terms.push_back(T);
    Allow = Allow && P.Terminals[T].Allow;
  }
  std::vector<uint32_t> &S = Out.Storage;
  S.clear();
  for (uint32_t T : Terms) {
    const TerminalRecord &TR = P.Terminals[T];
    // On deny the deciding rules are the denying categories' rules only.
    if (Allow || !TR.Allow)
      S.insert(S.end(), P.U32s + TR.Rules.Offset, P.U32s + TR.Rules.Offset + TR.Rules.Size);
  }
  std::sort(S.begin(), S.end());
  S.erase(std::unique(S.begin(), S.end()), S.end());
  size_t NumRules = S.size();
  if (Allow) {
    for (uint32_t T : Terms) {
      const TerminalRecord &TR = P.Terminals[T];
      S.insert(S.end(), P.U32s + TR.Obligations.Offset,
               P.U32s + TR.Obligations.Offset + TR.Obligations.Size);
    }
    std::sort(S.begin() + NumRules, S.end());
    S.erase(std::unique(S.begin() + NumRules, S.end()), S.end());
  }
  Out.K = Allow ? Decision::Kind::Allow : Decision::Kind::Deny;
  Out.Owned = true;
  Out.NumRules = uint32_t(NumRules);
  Out.NumObligations = uint32_t(S.size() - NumRules);
  Out.RulePtr = Out.ObligationPtr = nullptr;
}

Result<std::vector<uint32_t>> CompiledPolicy::permittedValues(const Request &Req, Dim D) const {
  if (Req.Policy != this)
    return Error{"the request was built for a different policy"};
  if (Req.hasError())
    return Error{Req.error()};
  Request Probe = Req;
  Decision Dec;
  std::vector<uint32_t> Out;
  for (uint32_t V = 0; V < numValues(D); ++V) {
    Probe.set(D, V);
    decide(Probe, Dec);
    if (Dec.permitted())
      Out.push_back(V);
  }
  return Out;
}

namespace {

void describeRequest(const CompiledPolicy &P, const Request &R, std::string &Out) {
  // The request in the language's own pattern syntax, as a test would write it.
  uint32_t Action = R.value(Dim::Action);
  Out += Action == InvalidId ? "any" : std::string(P.valueName(Dim::Action, Action));
  Span<uint32_t> Data = R.data();
  for (size_t K = 0; K < Data.size(); ++K) {
    Out += K ? ", " : " ";
    Out += P.valueName(Dim::Data, Data[K]);
  }
  static const std::pair<Dim, const char *> Parts[] = {
      {Dim::Subject, "about"}, {Dim::Purpose, "for"}, {Dim::Basis, "under"},
      {Dim::Recipient, "to"},  {Dim::Region, "in"},   {Dim::Context, "from"}};
  for (auto [D, Word] : Parts) {
    uint32_t V = R.value(D);
    if (V == InvalidId)
      continue;
    Out += " ";
    Out += Word;
    Out += " ";
    Out += P.valueName(D, V);
  }
  bool First = true;
  for (uint32_t A = 0; A < P.numAttributes(); ++A) {
    if (!R.hasAttribute(A))
      continue;
    Out += First ? " given " : ", ";
    First = false;
    Out += P.attributeName(A);
    Out += " = ";
    Out += P.formatValue(P.attributeKind(A), P.attributeEnum(A), R.attribute(A));
  }
}

} // namespace

std::string CompiledPolicy::explain(const Request &Req) const {
  std::string Out;
  Decision Dec = decide(Req);
  if (Req.Policy == this && !Req.hasError()) {
    Out += "request: ";
    describeRequest(*this, Req, Out);
    Out += "\n";
  }
  if (Dec.isError()) {
    Out += "decision: error: " + Dec.error() + "\n";
    return Out;
  }
  Out += Dec.permitted() ? "decision: allow\n" : "decision: deny\n";
  if (Dec.rules().empty() && !Dec.permitted())
    Out += "no rule allows this request: denied by default\n";
  for (uint32_t R : Dec.rules()) {
    RuleInfo Info = rule(R);
    Out += Dec.permitted() ? "allowed by " : "denied by ";
    Out += "`" + std::string(Info.Id) + "` at " + std::string(Info.File) + ":" +
           std::to_string(Info.Line) + ":" + std::to_string(Info.Col) + "\n";
    if (Info.Parent != UINT32_MAX)
      Out += "  an exception of `" + std::string(rule(Info.Parent).Id) + "`\n";
    if (!Info.SourceText.empty())
      Out += "  " + std::string(Info.SourceText) + "\n";
    for (size_t K = 0; K < Info.NumSources; ++K)
      Out += "  notice: \"" + std::string(ruleSource(R, K)) + "\"\n";
  }
  if (!Dec.obligations().empty()) {
    Out += "obligations:\n";
    for (uint32_t O : Dec.obligations()) {
      Out += "  " + describeObligationInstance(O);
      std::string_view Title = obligationTitle(obligationInstance(O).Obligation);
      if (!Title.empty())
        Out += ": " + std::string(Title);
      Out += "\n";
    }
  }
  return Out;
}

} // namespace privet::rt
