//===- Decide.cpp - Answering requests: diagram walks, combinations, explanations ----===//
//
// The semantics are docs/language.md's; the compiler has already folded rules, exceptions,
// hierarchies and non-leaf values into the diagram, so a data category costs one walk. The
// single-category path allocates nothing: the Decision points at the terminal's lists.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <algorithm>
#include <unordered_map>

namespace privet::rt {

using namespace format;

Span<uint32_t> Decision::rules() const { return {Owned ? Storage.data() : RulePtr, NumRules}; }

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

/// The child a set (or defaulted) attribute value selects.
inline uint32_t attributeChild(const CompiledPolicy::Impl &I, const NodeRecord &N,
                               const AttributeRecord &A, int64_t V) {
  const uint32_t *Children = I.U32s + N.Children.Offset;
  switch (AttrKind(A.Kind)) {
  case AttrKind::Bool:
    return Children[V != 0];
  case AttrKind::Enum:
    return Children[V];
  case AttrKind::Int:
  case AttrKind::Duration:
    break;
  }
  const int64_t *Th = I.I64s + N.Thresholds.Offset;
  return Children[std::upper_bound(Th, Th + N.Thresholds.Size, V) - Th];
}

bool sameTerminal(const CompiledPolicy::Impl &I, uint32_t A, uint32_t B) {
  if (A == B)
    return true;
  const TerminalRecord &X = I.Terminals[A], &Y = I.Terminals[B];
  auto SameList = [&](ListRef L, ListRef R) {
    return L.Size == R.Size &&
           std::equal(I.U32s + L.Offset, I.U32s + L.Offset + L.Size, I.U32s + R.Offset);
  };
  return X.Allow == Y.Allow && SameList(X.Rules, Y.Rules) && SameList(X.Obligations, Y.Obligations);
}

uint32_t resolveMissing(const CompiledPolicy::Impl &I, uint32_t Start, const uint32_t *Classes,
                        const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing);

/// Walks the diagram with the class of each dimension's value (Classes, data included). Returns
/// the terminal index, or sets Missing to an attribute without a value or default on which the
/// decision depends. Classes are looked up when the request is built so that each dimension
/// node costs one dependent load.
inline uint32_t walk(const CompiledPolicy::Impl &I, const uint32_t *Classes,
                     const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing) {
  uint32_t Ref = I.Root;
  while (!(Ref & TerminalBit)) {
    const NodeRecord &N = I.Nodes[Ref];
    if (N.Kind == Node::DimensionTest) {
      Ref = I.U32s[N.Children.Offset + Classes[N.Var]];
      continue;
    }
    const AttributeRecord &A = I.Attributes[N.Var];
    if (AttrSet[N.Var])
      Ref = attributeChild(I, N, A, AttrValue[N.Var]);
    else if (A.HasDefault)
      Ref = attributeChild(I, N, A, A.Default);
    else
      return resolveMissing(I, Ref, Classes, AttrValue, AttrSet, Missing);
  }
  return Ref & ~TerminalBit;
}

/// A reduced diagram may test an attribute the request omits (and that has no default) on a path
/// where every value of it leads to the same decision, e.g. `when a or b` with b true; that is
/// not an error (docs/language.md). So from the first such test, every value of every missing
/// attribute is followed, and the request is an error only if the decisions reached differ; the
/// attribute blamed is the one whose own values lead to different decisions. Iterative and
/// memoized per node: linear in the nodes reached, whatever the artifact's shape.
uint32_t resolveMissing(const CompiledPolicy::Impl &I, uint32_t Start, const uint32_t *Classes,
                        const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing) {
  // Result per node: a terminal index, or ConflictBit | the attribute to blame.
  constexpr uint32_t ConflictBit = 0x80000000u;
  std::unordered_map<uint32_t, uint32_t> Memo;
  std::vector<uint32_t> Stack{Start};
  auto ResultOf = [&](uint32_t Ref, bool &Known) -> uint32_t {
    if (Ref & TerminalBit)
      return Known = true, Ref & ~TerminalBit;
    auto It = Memo.find(Ref);
    Known = It != Memo.end();
    return Known ? It->second : 0;
  };
  // The children a node's value follows: one, or all of them for a missing attribute.
  auto Followed = [&](const NodeRecord &N, uint32_t &Single) -> bool {
    if (N.Kind == Node::DimensionTest) {
      Single = I.U32s[N.Children.Offset + Classes[N.Var]];
      return false;
    }
    const AttributeRecord &A = I.Attributes[N.Var];
    if (AttrSet[N.Var] || A.HasDefault) {
      Single = attributeChild(I, N, A, AttrSet[N.Var] ? AttrValue[N.Var] : A.Default);
      return false;
    }
    return true;
  };
  while (!Stack.empty()) {
    uint32_t Ref = Stack.back();
    if (Memo.count(Ref)) {
      Stack.pop_back();
      continue;
    }
    const NodeRecord &N = I.Nodes[Ref];
    uint32_t Single = 0;
    bool All = Followed(N, Single);
    const uint32_t *Children = All ? I.U32s + N.Children.Offset : &Single;
    const uint32_t NumChildren = All ? N.Children.Size : 1;
    bool Ready = true;
    for (uint32_t C = 0; C < NumChildren; ++C) {
      bool Known;
      ResultOf(Children[C], Known);
      if (!Known) {
        Stack.push_back(Children[C]); // children have smaller indexes: no cycles
        Ready = false;
      }
    }
    if (!Ready)
      continue;
    Stack.pop_back();
    bool Known;
    uint32_t Result = ResultOf(Children[0], Known);
    for (uint32_t C = 1; C < NumChildren && !(Result & ConflictBit); ++C) {
      uint32_t Other = ResultOf(Children[C], Known);
      if (Other & ConflictBit)
        Result = Other;
      else if (!sameTerminal(I, Result, Other))
        Result = ConflictBit | N.Var;
    }
    Memo.emplace(Ref, Result);
  }
  uint32_t Result = Memo[Start];
  if (Result & ConflictBit) {
    Missing = Result & ~ConflictBit;
    return 0;
  }
  return Result;
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
  const uint32_t *DataClass = P.DimClass[unsigned(Dim::Data)];
  uint32_t Classes[NumDimensions];
  std::copy(Req.Classes, Req.Classes + NumDimensions, Classes);

  // One data category, or none (the "omitted" value): a single walk, no allocation.
  if (NumData <= 1) {
    Classes[unsigned(Dim::Data)] =
        DataClass[NumData ? Req.DataValues[0] : P.DimNumValues[unsigned(Dim::Data)]];
    uint32_t T = walk(P, Classes, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
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
    Classes[unsigned(Dim::Data)] = DataClass[V];
    uint32_t T = walk(P, Classes, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
    if (Missing != NoMissing) {
      Out.setError(missingMessage(*this, Missing));
      return;
    }
    Terms.push_back(T);
    Allow = Allow && P.Terminals[T].Allow;
  }
  // The deciding rules are one category's among those with the group's outcome: an explicit
  // deny before the default deny (no rules), then the earliest-declared rules (artifact rule
  // order is declaration order). This is the meet the compiler uses for non-leaf values, so the
  // result never depends on the order of the categories.
  const TerminalRecord *Best = nullptr;
  for (uint32_t T : Terms) {
    const TerminalRecord &TR = P.Terminals[T];
    if (TR.Allow != Allow)
      continue;
    if (!Best) {
      Best = &TR;
      continue;
    }
    const uint32_t *A = P.U32s + TR.Rules.Offset, *B = P.U32s + Best->Rules.Offset;
    bool Precedes =
        (TR.Rules.Size == 0) != (Best->Rules.Size == 0)
            ? Best->Rules.Size == 0
            : std::lexicographical_compare(A, A + TR.Rules.Size, B, B + Best->Rules.Size);
    if (Precedes)
      Best = &TR;
  }
  if (!Allow) {
    Out.K = Decision::Kind::Deny;
    Out.Owned = false;
    Out.RulePtr = P.U32s + Best->Rules.Offset;
    Out.NumRules = Best->Rules.Size;
    Out.ObligationPtr = P.U32s + Best->Obligations.Offset;
    Out.NumObligations = 0;
    return;
  }
  // An allow still owes every category's obligations, so only their union needs owned storage;
  // the rules are copied beside it because an owned decision keeps both in one buffer.
  std::vector<uint32_t> &S = Out.Storage;
  S.assign(P.U32s + Best->Rules.Offset, P.U32s + Best->Rules.Offset + Best->Rules.Size);
  size_t NumRules = S.size();
  for (uint32_t T : Terms) {
    const TerminalRecord &TR = P.Terminals[T];
    S.insert(S.end(), P.U32s + TR.Obligations.Offset,
             P.U32s + TR.Obligations.Offset + TR.Obligations.Size);
  }
  std::sort(S.begin() + NumRules, S.end());
  S.erase(std::unique(S.begin() + NumRules, S.end()), S.end());
  Out.K = Decision::Kind::Allow;
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
  if (Req.DataValues.size() > 1) {
    // Show the categories the combination rules added, since they can decide the request.
    std::vector<uint32_t> Given(Req.DataValues.begin(), Req.DataValues.end());
    std::sort(Given.begin(), Given.end());
    Given.erase(std::unique(Given.begin(), Given.end()), Given.end());
    std::vector<uint32_t> Set = Given;
    combine(*I, Set);
    if (Set.size() > Given.size()) {
      Out += "data after combination rules:";
      for (size_t K = 0; K < Set.size(); ++K)
        Out += (K ? ", " : " ") + std::string(valueName(Dim::Data, Set[K]));
      Out += "\n";
    }
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
