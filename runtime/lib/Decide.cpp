//===- Decide.cpp - Answering requests: diagram walks, combinations, explanations ----===//
//
// The semantics are docs/language.md's; the compiler has already folded rules, exceptions,
// hierarchies and non-leaf values into the diagram, so a data category costs one walk. The
// single-category path allocates nothing: the Decision points at the terminal's lists.
//
//===------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

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
/// Set as Missing by the walks when the request needs the meet of several walks: a derived class
/// (non-leaf value, omitted) that a node has no child for, or a rule list to evaluate.
constexpr uint32_t NeedsMeet = UINT32_MAX - 1;
/// Set when a request would need more leaf requests evaluated under a rule list than allowed.
constexpr uint32_t TooBroad = UINT32_MAX - 2;
/// Set by walk() when its one path ends at a rule list; it then returns the list's reference.
constexpr uint32_t AtRuleList = UINT32_MAX - 3;

using NodeView = CompiledPolicy::Impl::NodeView;

/// The child a set (or defaulted) attribute value selects.
inline uint32_t attributeChild(const NodeView &N, const AttributeRecord &A, int64_t V) {
  const uint32_t *Children = N.Children;
  switch (AttrKind(A.Kind)) {
  case AttrKind::Bool:
    return Children[V != 0];
  case AttrKind::Enum:
    return Children[V];
  case AttrKind::Int:
  case AttrKind::Duration:
    break;
  }
  const int64_t *Th = N.Thresholds;
  return Children[std::upper_bound(Th, Th + N.NumChildren - 1, V) - Th];
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

/// One step of a walk (walk(), walkToTerminals) from the node Ref: true with Ref moved to the
/// child the node's test selects, or false where the walk ends short of a terminal, with
/// walk()'s result in Result and Missing set as walk() sets it. Classes are looked up when the
/// request is built, and a reference carries the dimension its node tests, so a dimension node
/// costs one dependent load: its child.
inline bool step(const CompiledPolicy::Impl &I, uint32_t &Ref, const uint32_t *Classes,
                 const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing,
                 uint32_t &Result) {
  const uint32_t Code = Ref & 15;
  const uint32_t *W = I.Nodes + (Ref >> 4);
  if (Code < NumDimensions) {
    const uint32_t C = Classes[Code];
    // Leaf classes always have a child; a derived class may not (then meet its leaf classes).
    if (C >= I.DimNumLeafClasses[Code] && C >= (W[0] >> 4)) {
      Missing = NeedsMeet;
      Result = 0;
      return false;
    }
    Ref = W[1 + C];
    return true;
  }
  if (Code == RuleListCode) { // the indexed rule evaluator
    Missing = AtRuleList;
    Result = Ref;
    return false;
  }
  const NodeView N = I.node(Ref);
  const AttributeRecord &A = I.Attributes[N.Var];
  if (AttrSet[N.Var]) {
    Ref = attributeChild(N, A, AttrValue[N.Var]);
  } else if (A.HasDefault) {
    Ref = attributeChild(N, A, A.Default);
  } else {
    Result = resolveMissing(I, Ref, Classes, AttrValue, AttrSet, Missing);
    return false;
  }
  return true;
}

/// Walks the diagram with the class of each dimension's value (Classes, data included). Returns
/// the terminal index, or sets Missing to an attribute without a value or default on which the
/// decision depends (NeedsMeet: a group value to meet; AtRuleList: the path ends at a rule list,
/// whose reference is returned), one step() at a time.
inline uint32_t walk(const CompiledPolicy::Impl &I, const uint32_t *Classes,
                     const int64_t *AttrValue, const uint8_t *AttrSet, uint32_t &Missing) {
  uint32_t Ref = I.Root, Result = 0;
  while (!(Ref & TerminalBit))
    if (!step(I, Ref, Classes, AttrValue, AttrSet, Missing, Result))
      return Result;
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
  bool Meet = false;
  auto Followed = [&](const NodeView &N, uint32_t &Single) -> bool {
    if (N.IsList) {
      Meet = true; // left to the general evaluation
      Single = TerminalBit;
      return false;
    }
    if (N.IsDimension) {
      if (Classes[N.Var] >= N.NumChildren) {
        Meet = true; // left to the general evaluation
        Single = TerminalBit;
        return false;
      }
      Single = N.Children[Classes[N.Var]];
      return false;
    }
    const AttributeRecord &A = I.Attributes[N.Var];
    if (AttrSet[N.Var] || A.HasDefault) {
      Single = attributeChild(N, A, AttrSet[N.Var] ? AttrValue[N.Var] : A.Default);
      return false;
    }
    return true;
  };
  while (!Stack.empty() && !Meet) {
    uint32_t Ref = Stack.back();
    if (Memo.count(Ref)) {
      Stack.pop_back();
      continue;
    }
    NodeView N = I.node(Ref);
    uint32_t Single = 0;
    bool All = Followed(N, Single);
    const uint32_t *Children = All ? N.Children : &Single;
    const uint32_t NumChildren = All ? N.NumChildren : 1;
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
  if (Meet) {
    Missing = NeedsMeet;
    return 0;
  }
  uint32_t Result = Memo[Start];
  if (Result & ConflictBit) {
    Missing = Result & ~ConflictBit;
    return 0;
  }
  return Result;
}

std::string missingMessage(const CompiledPolicy &P, uint32_t Attr) {
  if (Attr == TooBroad)
    return "the request stands for too many leaf requests to evaluate under this policy's rule "
           "index; name narrower values";
  return "missing attribute `" + std::string(P.attributeName(Attr)) +
         "`: it has no default and the decision depends on it";
}

/// A decision met from several parts (docs/language.md, "Requests that are not leaves"): deny if
/// any part denies; the rules of the least part with the result's effect (an explicit deny before
/// the default deny, then the earliest-declared rules); an allow owes every part's obligations.
struct MeetResult {
  bool Any = false;
  bool Allow = true;
  std::vector<uint32_t> Rules;
  std::vector<uint32_t> Obligations;

  bool operator==(const MeetResult &O) const {
    return Allow == O.Allow && Rules == O.Rules && Obligations == O.Obligations;
  }
  void add(bool A, const uint32_t *R, uint32_t NumR, const uint32_t *Obl, uint32_t NumObl) {
    if (!Any || (Allow && !A)) {
      Any = true;
      Allow = A;
      Rules.assign(R, R + NumR);
      Obligations.clear();
      if (A)
        Obligations.assign(Obl, Obl + NumObl);
      return;
    }
    if (Allow != A)
      return; // an allowed part cannot change a deny
    bool Precedes = (NumR == 0) != Rules.empty()
                        ? Rules.empty()
                        : std::lexicographical_compare(R, R + NumR, Rules.begin(), Rules.end());
    if (Precedes)
      Rules.assign(R, R + NumR);
    if (Allow && NumObl) {
      size_t Old = Obligations.size();
      Obligations.insert(Obligations.end(), Obl, Obl + NumObl);
      std::inplace_merge(Obligations.begin(), Obligations.begin() + Old, Obligations.end());
      Obligations.erase(std::unique(Obligations.begin(), Obligations.end()), Obligations.end());
    }
  }
  void add(const CompiledPolicy::Impl &I, uint32_t Terminal) {
    const TerminalRecord &T = I.Terminals[Terminal];
    add(T.Allow != 0, I.U32s + T.Rules.Offset, T.Rules.Size, I.U32s + T.Obligations.Offset,
        T.Obligations.Size);
  }
  void add(const MeetResult &M) {
    add(M.Allow, M.Rules.data(), uint32_t(M.Rules.size()), M.Obligations.data(),
        uint32_t(M.Obligations.size()));
  }
};

/// A rule's condition (CondOp code) on the attribute values; -1 with NeedAttr set when it reads
/// an attribute without a value.
int evaluateCondition(const CompiledPolicy::Impl &I, ListRef Cond, const int64_t *Values,
                      const uint8_t *Known, uint32_t &NeedAttr, std::vector<uint8_t> &Stack) {
  if (!Cond.Size)
    return 1;
  const uint32_t *Code = I.U32s + Cond.Offset;
  Stack.clear();
  auto Operand = [&](uint32_t Attr, int64_t &V) {
    if (!Known[Attr]) {
      NeedAttr = Attr;
      return false;
    }
    V = Values[Attr];
    return true;
  };
  auto Wide = [&](uint64_t Pc) {
    return int64_t(uint64_t(Code[Pc]) | (uint64_t(Code[Pc + 1]) << 32));
  };
  for (uint64_t Pc = 0; Pc < Cond.Size;) {
    int64_t V = 0;
    switch (CondOp(Code[Pc])) {
    case CondOp::True:
    case CondOp::False:
      Stack.push_back(CondOp(Code[Pc]) == CondOp::True);
      ++Pc;
      break;
    case CondOp::Not:
      Stack.back() = !Stack.back();
      ++Pc;
      break;
    case CondOp::And:
    case CondOp::Or: {
      bool IsAnd = CondOp(Code[Pc]) == CondOp::And;
      uint32_t N = Code[Pc + 1];
      bool R = IsAnd;
      for (uint32_t K = 0; K < N; ++K) {
        R = IsAnd ? (R && Stack.back()) : (R || Stack.back());
        Stack.pop_back();
      }
      Stack.push_back(R);
      Pc += 2;
      break;
    }
    case CondOp::Bool:
      if (!Operand(Code[Pc + 1], V))
        return -1;
      Stack.push_back(V != 0);
      Pc += 2;
      break;
    case CondOp::Compare: {
      if (!Operand(Code[Pc + 1], V))
        return -1;
      int64_t C = Wide(Pc + 3);
      static constexpr bool (*Ops[])(int64_t, int64_t) = {
          [](int64_t A, int64_t B) { return A == B; }, [](int64_t A, int64_t B) { return A != B; },
          [](int64_t A, int64_t B) { return A < B; },  [](int64_t A, int64_t B) { return A <= B; },
          [](int64_t A, int64_t B) { return A > B; },  [](int64_t A, int64_t B) { return A >= B; }};
      Stack.push_back(Ops[Code[Pc + 2]](V, C));
      Pc += 5;
      break;
    }
    case CondOp::InSet: {
      if (!Operand(Code[Pc + 1], V))
        return -1;
      uint32_t N = Code[Pc + 2];
      bool In = false;
      for (uint32_t K = 0; K < N; ++K)
        In = In || Wide(Pc + 3 + 2 * uint64_t(K)) == V;
      Stack.push_back(In);
      Pc += 3 + 2 * uint64_t(N);
      break;
    }
    }
  }
  return Stack.back() ? 1 : 0;
}

/// The outcome of rules being joined (docs/language.md, "Decision for a leaf request"): deny
/// overrides; among outcomes of one effect the rules unite. The obligations of an allow are
/// those of its rules (each rule's list includes its enclosing allows'), gathered at the end.
struct Joined {
  enum Kind : uint8_t { None, Allow, Deny } K = None;
  std::vector<uint32_t> Rules;

  void join(const Joined &O) {
    if (O.K == None || (K == Deny && O.K == Allow))
      return;
    if (K == None || (K == Allow && O.K == Deny)) {
      *this = O;
      return;
    }
    std::vector<uint32_t> U;
    std::set_union(Rules.begin(), Rules.end(), O.Rules.begin(), O.Rules.end(),
                   std::back_inserter(U));
    Rules = std::move(U);
  }
};

/// A hint that P will be read soon; no effect on the result.
inline void prefetch(const void *P) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(P);
#else
  (void)P;
#endif
}

/// Scratch for evaluating rule lists, reused on each thread so that a warm evaluation allocates
/// nothing.
struct ListScratch {
  std::vector<int8_t> Applies;
  std::vector<int32_t> ParentPos, ExIndex;
  std::vector<Joined> Ex;
  std::vector<uint32_t> DenyRules, AllowRules, AllowObls;
  std::vector<uint8_t> Stack;
  const uint64_t *Rows[NumDimensions];
};

/// Which of the Size listed rules apply to the cell (into S.Applies, with each exception's parent
/// position in S.ParentPos), parents first: an exception is evaluated only where its parent
/// applies (its parent is listed before it, rules being ascending and parents first). Returns
/// false with NeedAttr set when a condition reads an attribute without a value.
bool findApplying(const CompiledPolicy::Impl &I, ListScratch &S, const uint32_t *List,
                  uint32_t Size, const uint32_t *Classes, const int64_t *Values,
                  const uint8_t *Known, uint32_t &NeedAttr) {
  const CompiledPolicy::Impl::RuleFacts *Facts = I.RuleFactsByRule.data();
  // The scope rows of this cell's classes: a rule is in scope if its bit is set in each.
  unsigned NumRows = 0;
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (I.ScopeByRow >> D & 1)
      S.Rows[NumRows++] = I.ScopeRows[D].data() + size_t(Classes[D]) * I.RuleWords;
  auto InScope = [&](uint32_t Rule) {
    for (unsigned K = 0; K < NumRows; ++K)
      if (!(S.Rows[K][Rule / 64] >> (Rule % 64) & 1))
        return false;
    for (uint32_t Left = I.ScopeByRecord; Left; Left &= Left - 1) {
      unsigned D = unsigned(__builtin_ctz(Left));
      uint32_t Off = I.U32s[I.Rules[Rule].Scope.Offset + D], C = Classes[D];
      if (Off != UINT32_MAX && !(I.U32s[Off + C / 32] >> (C % 32) & 1))
        return false;
    }
    return true;
  };
  std::vector<int8_t> &Applies = S.Applies;
  Applies.resize(Size);
  S.ParentPos.assign(Size, -1);
  // What a rule's test reads is scattered (its facts, its bits in the rows): ask for it some
  // rules early. Conditions are shared by many rules (the serializer interns them) and cached.
  constexpr uint32_t Ahead = 8;
  auto Prefetch = [&](uint32_t K) {
    uint32_t Rule = List[K];
    prefetch(Facts + Rule);
    for (unsigned R = 0; R < NumRows; ++R)
      prefetch(S.Rows[R] + Rule / 64);
  };
  for (uint32_t K = 0; K < std::min(Ahead, Size); ++K)
    Prefetch(K);
  for (uint32_t K = 0; K < Size; ++K) {
    if (K + Ahead < Size)
      Prefetch(K + Ahead);
    const CompiledPolicy::Impl::RuleFacts &F = Facts[List[K]];
    Applies[K] = 0;
    if (F.Parent != UINT32_MAX) {
      const uint32_t *P = std::lower_bound(List, List + K, F.Parent);
      if (P == List + K || *P != F.Parent || !Applies[P - List])
        continue;
      S.ParentPos[K] = int32_t(P - List);
    }
    if (!InScope(List[K]))
      continue;
    int C = evaluateCondition(I, ListRef{F.ConditionOffset, F.ConditionSize}, Values, Known,
                              NeedAttr, S.Stack);
    if (C < 0)
      return false;
    Applies[K] = int8_t(C);
  }
  return true;
}

void sortUnique(std::vector<uint32_t> &V) {
  std::sort(V.begin(), V.end());
  V.erase(std::unique(V.begin(), V.end()), V.end());
}

/// The decision of the applying rules findApplying marked, bottom-up: a rule's outcome is its
/// applying exceptions' joined outcome (kept in S.Ex, for the few rules that have one), or its
/// own effect. Top-level outcomes are joined as the decision: deny if any is deny, with the deny
/// rules; otherwise the allows' rules and obligations.
void joinApplying(const CompiledPolicy::Impl &I, ListScratch &S, const uint32_t *List,
                  uint32_t Size, MeetResult &Out) {
  const CompiledPolicy::Impl::RuleFacts *Facts = I.RuleFactsByRule.data();
  std::vector<int32_t> &ExIndex = S.ExIndex;
  std::vector<Joined> &Ex = S.Ex;
  std::vector<uint32_t> &DenyRules = S.DenyRules, &AllowRules = S.AllowRules,
                        &AllowObls = S.AllowObls;
  ExIndex.assign(Size, -1);
  Ex.clear();
  DenyRules.clear();
  AllowRules.clear();
  AllowObls.clear();
  bool AnyDeny = false, AnyAllow = false;
  for (uint32_t K = Size; K-- > 0;) {
    if (!S.Applies[K])
      continue;
    const bool IsAllow = Facts[List[K]].IsAllow;
    bool FromExceptions = ExIndex[K] >= 0 && Ex[ExIndex[K]].K != Joined::None;
    if (S.ParentPos[K] >= 0) {
      int32_t &Slot = ExIndex[S.ParentPos[K]];
      if (Slot < 0) {
        Slot = int32_t(Ex.size());
        Ex.emplace_back();
      }
      Joined Own;
      if (FromExceptions) {
        Own = Ex[ExIndex[K]];
      } else {
        Own.K = IsAllow ? Joined::Allow : Joined::Deny;
        Own.Rules = {List[K]};
      }
      Ex[Slot].join(Own);
      continue;
    }
    if (FromExceptions) {
      const Joined &J = Ex[ExIndex[K]];
      bool Deny = J.K == Joined::Deny;
      (Deny ? AnyDeny : AnyAllow) = true;
      (Deny ? DenyRules : AllowRules)
          .insert((Deny ? DenyRules : AllowRules).end(), J.Rules.begin(), J.Rules.end());
    } else if (IsAllow) {
      AnyAllow = true;
      AllowRules.push_back(List[K]);
    } else {
      AnyDeny = true;
      DenyRules.push_back(List[K]);
    }
  }
  if (AnyDeny) {
    sortUnique(DenyRules);
    Out.add(false, DenyRules.data(), uint32_t(DenyRules.size()), nullptr, 0);
  } else if (AnyAllow) {
    sortUnique(AllowRules);
    for (uint32_t Rule : AllowRules) {
      ListRef Obl = I.Rules[Rule].Obligations;
      AllowObls.insert(AllowObls.end(), I.U32s + Obl.Offset, I.U32s + Obl.Offset + Obl.Size);
    }
    sortUnique(AllowObls);
    Out.add(true, AllowRules.data(), uint32_t(AllowRules.size()), AllowObls.data(),
            uint32_t(AllowObls.size()));
  } else {
    Out.add(false, nullptr, 0, nullptr, 0); // denied by default
  }
}

/// Decides one leaf request (Classes are leaf classes outside IndexedDims) from the rules a list
/// names. Returns false with NeedAttr set when a condition reads an attribute without a value.
bool evaluateCell(const CompiledPolicy::Impl &I, const uint32_t *List, uint32_t Size,
                  const uint32_t *Classes, const int64_t *Values, const uint8_t *Known,
                  MeetResult &Out, uint32_t &NeedAttr) {
  thread_local ListScratch S;
  if (!findApplying(I, S, List, Size, Classes, Values, Known, NeedAttr))
    return false;
  joinApplying(I, S, List, Size, Out);
  return true;
}

/// More leaf requests than this under one rule list are not evaluated: the request is an error.
constexpr uint64_t MaxListCells = uint64_t(1) << 22;

/// Meets the decisions of the leaf requests under Classes that reach a rule list: dimensions the
/// walk decided (IndexedDims) are taken as walked; for the others, a non-leaf value or omitted is
/// expanded into its leaf classes where some listed rule tells them apart.
bool evaluateRuleList(const CompiledPolicy::Impl &I, const CompiledPolicy::Impl::NodeView &N,
                      const uint32_t *Classes, const int64_t *Values, const uint8_t *Known,
                      MeetResult &Out, uint32_t &NeedAttr) {
  uint32_t Cell[NumDimensions];
  std::copy(Classes, Classes + NumDimensions, Cell);
  std::vector<unsigned> Expand;
  uint64_t Cells = 1;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if ((I.IndexedDims >> D & 1) || Cell[D] < I.DimNumLeafClasses[D])
      continue;
    const uint32_t *Starts = I.DimCoverStarts[D];
    uint32_t K = Cell[D] - I.DimNumLeafClasses[D];
    bool Distinguished = false;
    for (uint32_t E = 0; E < N.NumChildren && !Distinguished; ++E)
      Distinguished = I.U32s[I.Rules[N.Children[E]].Scope.Offset + D] != UINT32_MAX;
    // Every leaf class under it decides alike when no listed rule constrains the dimension.
    Cell[D] = I.DimCovers[D][Starts[K]];
    if (Distinguished) {
      Expand.push_back(D);
      Cells *= Starts[K + 1] - Starts[K];
    }
  }
  if (Cells > MaxListCells) {
    NeedAttr = TooBroad;
    return false;
  }
  // Odometer over the expanded dimensions' covered leaf classes.
  std::vector<uint32_t> Pos(Expand.size(), 0);
  while (true) {
    for (size_t J = 0; J < Expand.size(); ++J) {
      unsigned D = Expand[J];
      uint32_t K = Classes[D] - I.DimNumLeafClasses[D];
      Cell[D] = I.DimCovers[D][I.DimCoverStarts[D][K] + Pos[J]];
    }
    if (!evaluateCell(I, N.Children, N.NumChildren, Cell, Values, Known, Out, NeedAttr))
      return false;
    size_t J = 0;
    for (; J < Expand.size(); ++J) {
      unsigned D = Expand[J];
      uint32_t K = Classes[D] - I.DimNumLeafClasses[D];
      if (++Pos[J] < I.DimCoverStarts[D][K + 1] - I.DimCoverStarts[D][K])
        break;
      Pos[J] = 0;
    }
    if (J == Expand.size())
      return true;
  }
}

/// Meets every walk the request's classes lead to: where a node has no child for a derived class,
/// the children of all the leaf classes it covers are followed. Each node is visited once (the
/// meet is idempotent), so the work is linear in the nodes reached, whatever the artifact's
/// shape. Returns false, with NeedAttr set, on reaching a test of an attribute without a value.
bool meetWalks(const CompiledPolicy::Impl &I, const uint32_t *Classes, const int64_t *Values,
               const uint8_t *Known, MeetResult &Out, uint32_t &NeedAttr) {
  std::vector<uint32_t> Stack{I.Root};
  std::unordered_set<uint32_t> Visited;
  while (!Stack.empty()) {
    uint32_t Ref = Stack.back();
    Stack.pop_back();
    while (true) {
      if (Ref & TerminalBit) {
        Out.add(I, Ref & ~TerminalBit);
        break;
      }
      if (!Visited.insert(Ref).second)
        break;
      NodeView N = I.node(Ref);
      const uint32_t *Children = N.Children;
      if (N.IsList) {
        if (!evaluateRuleList(I, N, Classes, Values, Known, Out, NeedAttr))
          return false;
        break;
      }
      if (!N.IsDimension) {
        if (!Known[N.Var]) {
          NeedAttr = N.Var;
          return false;
        }
        Ref = attributeChild(N, I.Attributes[N.Var], Values[N.Var]);
        continue;
      }
      uint32_t C = Classes[N.Var];
      if (C < N.NumChildren) {
        Ref = Children[C];
        continue;
      }
      const uint32_t *Starts = I.DimCoverStarts[N.Var];
      uint32_t K = C - I.DimNumLeafClasses[N.Var];
      for (uint32_t J = Starts[K]; J < Starts[K + 1]; ++J)
        Stack.push_back(Children[I.DimCovers[N.Var][J]]);
      break;
    }
  }
  return true;
}

/// Every value worth trying for an attribute the request leaves without a value: one per
/// interval of its domain.
std::vector<int64_t> domainValues(const CompiledPolicy::Impl &I, uint32_t Attr) {
  const AttributeRecord &A = I.Attributes[Attr];
  std::vector<int64_t> Out;
  switch (AttrKind(A.Kind)) {
  case AttrKind::Bool:
    return {0, 1};
  case AttrKind::Enum:
    for (uint32_t V = 0; V < I.Enums[A.Enum].Values.Size; ++V)
      Out.push_back(V);
    return Out;
  case AttrKind::Int:
  case AttrKind::Duration:
    Out.push_back(INT64_MIN);
    Out.insert(Out.end(), I.I64s + A.Domain.Offset, I.I64s + A.Domain.Offset + A.Domain.Size);
    return Out;
  }
  return Out;
}

/// Each attribute's value for evaluation: the request's, else the default; Known says which
/// attributes have either.
void attributeValues(const CompiledPolicy::Impl &I, const Request &Req,
                     std::vector<int64_t> &Values, std::vector<uint8_t> &Known) {
  Values.resize(I.NumAttributes);
  Known.resize(I.NumAttributes);
  for (uint32_t A = 0; A < I.NumAttributes; ++A) {
    Known[A] = Req.hasAttribute(A) || I.Attributes[A].HasDefault;
    Values[A] = Req.hasAttribute(A) ? Req.attribute(A) : I.Attributes[A].Default;
  }
}

/// More combinations of missing attribute values than this are not tried: the request is an
/// error (never an allow) naming the first of them.
constexpr size_t MaxMissingCombinations = 4096;

/// Decides one data category by meeting walks (meetWalks). An attribute without a value the
/// decision reaches is tried at every interval of its domain; if the decisions differ the
/// request is an error blaming an attribute whose own values change it (docs/language.md,
/// "Attributes"). Returns false with Missing set on such an error.
bool decideByMeet(const CompiledPolicy::Impl &I, const uint32_t *Classes, const Request &Req,
                  MeetResult &Out, uint32_t &Missing) {
  std::vector<int64_t> Values;
  std::vector<uint8_t> Known;
  attributeValues(I, Req, Values, Known);
  std::vector<uint32_t> Tried;               // attributes being tried at every interval
  std::vector<std::vector<int64_t>> Choices; // their values
  std::vector<MeetResult> Results;           // per combination, mixed radix, first fastest
  while (true) {
    size_t Total = 1;
    for (const auto &C : Choices)
      Total *= C.size();
    Results.assign(Total, MeetResult());
    uint32_t NeedAttr = NoMissing;
    for (size_t T = 0; T < Total && NeedAttr == NoMissing; ++T) {
      size_t Digits = T;
      for (size_t K = 0; K < Tried.size(); ++K) {
        Values[Tried[K]] = Choices[K][Digits % Choices[K].size()];
        Digits /= Choices[K].size();
      }
      meetWalks(I, Classes, Values.data(), Known.data(), Results[T], NeedAttr);
    }
    if (NeedAttr == NoMissing)
      break;
    if (NeedAttr == TooBroad) {
      Missing = TooBroad;
      return false;
    }
    std::vector<int64_t> More = domainValues(I, NeedAttr);
    // An empty domain (the loader rejects empty enums) would leave no combination: fail closed.
    if (More.empty() || Total * More.size() > MaxMissingCombinations) {
      Missing = Tried.empty() ? NeedAttr : Tried[0];
      return false;
    }
    Tried.push_back(NeedAttr);
    Choices.push_back(std::move(More));
    Known[NeedAttr] = 1;
  }
  bool Same = std::all_of(Results.begin(), Results.end(),
                          [&](const MeetResult &R) { return R == Results[0]; });
  if (Same) {
    Out = std::move(Results[0]);
    return true;
  }
  // Blame the first attribute whose values alone change the decision somewhere.
  size_t Stride = 1;
  for (size_t K = 0; K < Tried.size(); ++K) {
    size_t N = Choices[K].size();
    for (size_t T = 0; T < Results.size(); ++T)
      if ((T / Stride) % N + 1 < N && !(Results[T] == Results[T + Stride])) {
        Missing = Tried[K];
        return false;
      }
    Stride *= N;
  }
  Missing = Tried[0];
  return false;
}

/// Whether Set holds a category under R's first part and a different one under its second.
bool fires(const CompiledPolicy::Impl &I, const CombinationRecord &R,
           const std::vector<uint32_t> &Set) {
  const uint8_t *First = I.Flags + R.UnderFirst.Offset;
  const uint8_t *Second = I.Flags + R.UnderSecond.Offset;
  for (uint32_t A : Set) {
    if (!First[A])
      continue;
    for (uint32_t B : Set)
      if (B != A && Second[B])
        return true;
  }
  return false;
}

/// The data set after applying `as` combinations until nothing changes, then dropping, all at
/// once, the parts every firing `treated as` combination governs as its result (unless that
/// would leave nothing).
void combine(const CompiledPolicy::Impl &I, std::vector<uint32_t> &Set) {
  std::sort(Set.begin(), Set.end());
  Set.erase(std::unique(Set.begin(), Set.end()), Set.end());
  bool Changed = true;
  bool AnyTreated = false;
  while (Changed) {
    Changed = false;
    for (uint32_t C = 0; C < I.NumCombinations; ++C) {
      const CombinationRecord &R = I.Combinations[C];
      if (R.Kind != 0) {
        AnyTreated = true;
        continue;
      }
      if (std::binary_search(Set.begin(), Set.end(), R.Result))
        continue;
      if (fires(I, R, Set)) {
        Set.insert(std::upper_bound(Set.begin(), Set.end(), R.Result), R.Result);
        Changed = true;
      }
    }
  }
  if (!AnyTreated)
    return;
  std::vector<uint8_t> Drop(Set.size(), 0);
  bool AnyDrop = false;
  for (uint32_t C = 0; C < I.NumCombinations; ++C) {
    const CombinationRecord &R = I.Combinations[C];
    if (R.Kind != 1 || !fires(I, R, Set))
      continue;
    const uint8_t *First = I.Flags + R.UnderFirst.Offset;
    const uint8_t *Result = I.Flags + R.UnderResult.Offset;
    for (size_t K = 0; K < Set.size(); ++K)
      if (First[Set[K]] && !Result[Set[K]])
        Drop[K] = 1, AnyDrop = true;
  }
  if (!AnyDrop)
    return;
  std::vector<uint32_t> Kept;
  for (size_t K = 0; K < Set.size(); ++K)
    if (!Drop[K])
      Kept.push_back(Set[K]);
  if (!Kept.empty())
    Set = std::move(Kept);
}

/// Decides, into Out, one data category whose walk stopped short of a terminal (Missing and
/// Stopped as walk() left them). A path ending at a rule list is evaluated there, with the
/// request's attribute values and defaults; anything else, or a list that reads an attribute
/// without either, goes to decideByMeet. Returns false with Missing set on an error.
bool finishWalk(const CompiledPolicy::Impl &I, const uint32_t *Classes, const Request &Req,
                uint32_t Stopped, MeetResult &Out, uint32_t &Missing) {
  if (Missing == AtRuleList) {
    thread_local std::vector<int64_t> Values;
    thread_local std::vector<uint8_t> Known;
    attributeValues(I, Req, Values, Known);
    uint32_t NeedAttr = NoMissing;
    if (evaluateRuleList(I, I.node(Stopped), Classes, Values.data(), Known.data(), Out, NeedAttr))
      return true;
    if (NeedAttr == TooBroad) {
      Missing = TooBroad;
      return false;
    }
    Out = MeetResult(); // an attribute without a value: try each of its intervals
    Missing = NeedsMeet;
  }
  return Missing == NeedsMeet && decideByMeet(I, Classes, Req, Out, Missing);
}

} // namespace

int evaluateRuleCondition(const CompiledPolicy::Impl &I, uint32_t Rule, const int64_t *Values,
                          const uint8_t *Known, uint32_t &NeedAttr) {
  std::vector<uint8_t> Stack;
  return evaluateCondition(I, I.Rules[Rule].Condition, Values, Known, NeedAttr, Stack);
}

void combineData(const CompiledPolicy::Impl &I, std::vector<uint32_t> &Set) { combine(I, Set); }

uint32_t walkToTerminal(const CompiledPolicy::Impl &I, const uint32_t *Classes,
                        const int64_t *AttrValue, const uint8_t *AttrSet) {
  uint32_t Missing = NoMissing;
  uint32_t T = walk(I, Classes, AttrValue, AttrSet, Missing);
  return Missing == NoMissing ? T : InvalidId;
}

void walkToTerminals(const CompiledPolicy::Impl &I, size_t N, const uint32_t *Classes,
                     const int64_t *AttrValues, const uint8_t *AttrSets, uint32_t *Out) {
  // A walk is a chain of dependent loads, each a likely cache miss in a large diagram, so one
  // walk at a time waits on every node. Here up to Lanes walks advance one node per round, and
  // each step prefetches the word its walk reads next (a reference carries its node's
  // dimension, so that word is known exactly): a round's misses overlap. Each step is walk()'s
  // own step(), so the terminals reached are the same.
  constexpr unsigned Lanes = 16;
  const size_t NA = I.NumAttributes;
  if (I.Root & TerminalBit) {
    std::fill(Out, Out + N, I.Root & ~TerminalBit);
    return;
  }
  auto Prefetch = [&](uint32_t Ref, const uint32_t *C) {
    const uint32_t Code = Ref & 15;
    __builtin_prefetch(I.Nodes + (Ref >> 4) + (Code < NumDimensions ? 1 + C[Code] : 0));
  };
  uint32_t Ref[Lanes], Row[Lanes];
  unsigned Active = 0;
  size_t Next = 0;
  for (; Active < Lanes && Next < N; ++Active, ++Next) {
    Row[Active] = uint32_t(Next);
    Ref[Active] = I.Root;
    Prefetch(I.Root, Classes + Next * NumDimensions);
  }
  while (Active) {
    for (unsigned K = 0; K < Active;) {
      const size_t R = Row[K];
      const uint32_t *C = Classes + R * NumDimensions;
      uint32_t Cur = Ref[K], Missing = NoMissing, Result = InvalidId;
      bool Done = !step(I, Cur, C, AttrValues + R * NA, AttrSets + R * NA, Missing, Result);
      if (Done) { // what walkToTerminal answers for a walk that ends there
        Result = Missing == NoMissing ? Result : InvalidId;
      } else if (Cur & TerminalBit) {
        Done = true;
        Result = Cur & ~TerminalBit;
      }
      if (!Done) {
        Prefetch(Cur, C);
        Ref[K++] = Cur;
        continue;
      }
      Out[R] = Result;
      if (Next < N) { // the lane takes the next walk, stepped from the next round on
        Row[K] = uint32_t(Next);
        Ref[K] = I.Root;
        Prefetch(I.Root, Classes + Next * NumDimensions);
        ++Next;
        ++K;
      } else { // the last lane moves here and is stepped in this round still
        --Active;
        Row[K] = Row[Active];
        Ref[K] = Ref[Active];
      }
    }
  }
}

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
  MeetResult Met;
  if (NumData <= 1) {
    Classes[unsigned(Dim::Data)] =
        DataClass[NumData ? Req.DataValues[0] : P.DimNumValues[unsigned(Dim::Data)]];
    uint32_t T = walk(P, Classes, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
    if (Missing == NoMissing) {
      const TerminalRecord &TR = P.Terminals[T];
      Out.K = TR.Allow ? Decision::Kind::Allow : Decision::Kind::Deny;
      Out.Owned = false;
      Out.RulePtr = P.U32s + TR.Rules.Offset;
      Out.NumRules = TR.Rules.Size;
      Out.ObligationPtr = P.U32s + TR.Obligations.Offset;
      Out.NumObligations = TR.Obligations.Size;
      return;
    }
    // A rule list, or a group value whose edge the compiler did not precompute.
    if (!finishWalk(P, Classes, Req, T, Met, Missing)) {
      Out.setError(missingMessage(*this, Missing));
      return;
    }
  } else {
    // Several categories: combination rules, then the meet of the categories' decisions.
    std::vector<uint32_t> Set(Req.DataValues.begin(), Req.DataValues.end());
    combine(P, Set);
    for (uint32_t V : Set) {
      Classes[unsigned(Dim::Data)] = DataClass[V];
      Missing = NoMissing;
      uint32_t T = walk(P, Classes, Req.AttrValue.data(), Req.AttrSet.data(), Missing);
      if (Missing == NoMissing) {
        Met.add(P, T);
        continue;
      }
      MeetResult Part;
      if (!finishWalk(P, Classes, Req, T, Part, Missing)) {
        Out.setError(missingMessage(*this, Missing));
        return;
      }
      Met.add(Part);
    }
  }
  // The result is not a stored terminal: the rules, then the obligations, in owned storage.
  std::vector<uint32_t> &S = Out.Storage;
  S.assign(Met.Rules.begin(), Met.Rules.end());
  S.insert(S.end(), Met.Obligations.begin(), Met.Obligations.end());
  Out.K = Met.Allow ? Decision::Kind::Allow : Decision::Kind::Deny;
  Out.Owned = true;
  Out.NumRules = uint32_t(Met.Rules.size());
  Out.NumObligations = uint32_t(Met.Obligations.size());
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
      {Dim::Recipient, "to"},  {Dim::Region, "in"},   {Dim::Context, "from"},
      {Dim::Actor, "as"}};
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
    if (Set != Given) {
      Out += "data after combination rules:";
      for (size_t K = 0; K < Set.size(); ++K)
        Out += (K ? ", " : " ") + std::string(valueName(Dim::Data, Set[K]));
      Out += "\n";
    }
  }
  Out += Dec.permitted() ? "decision: allow\n" : "decision: deny\n";
  std::optional<WhyNot> Why; // only for a deny: decide() never computes it
  if (!Dec.permitted()) {
    Result<WhyNot> W = whyNot(Req);
    if (W)
      Why = W.take();
  }
  if (Dec.rules().empty() && !Dec.permitted())
    Out += Why && !Why->Splits.empty()
               ? "no rule allows all of this request: part of it is denied by default\n"
               : "no rule allows this request: denied by default\n";
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
  if (Why)
    Out += whyNotText(*Why);
  return Out;
}

} // namespace privet::rt
