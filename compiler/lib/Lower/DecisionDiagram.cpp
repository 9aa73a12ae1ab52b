//===- DecisionDiagram.cpp - Building the reduced ordered decision diagram of a policy -------===//
//
// Construction follows the semantics rule by rule: each rule's applicability (scope and condition)
// is a Boolean diagram; a rule's outcome is its own effect overridden by the joined outcomes of its
// exceptions, guarded by its applicability; top-level outcomes are joined with deny-overrides and
// what nothing decides becomes the default deny. All of this works on leaf classes only. A final
// pass adds the derived classes (non-leaf values, omitted) as the meet of their leaf classes'
// subdiagrams, then copies what is reachable into compact storage.
//
//===----------------------------------------------------------------------------------------===//
#include "DiagramImpl.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace privet {

namespace {

using Ref = DecisionDiagram::Ref;
constexpr Ref TerminalBit = DecisionDiagram::TerminalBit;

/// An intermediate terminal: a rule outcome, "no outcome", or a Boolean.
struct Outcome {
  enum Kind : uint8_t { None, True, Allow, Deny };
  Kind K = None;
  std::vector<uint32_t> Rules;       ///< Sorted.
  std::vector<uint32_t> Obligations; ///< Sorted ids into Builder::ObligationIds.

  bool operator==(const Outcome &O) const {
    return K == O.K && Rules == O.Rules && Obligations == O.Obligations;
  }
};

enum Op : uint8_t { And, Or, Not, Guard, Join, Override, Finish, Meet, NumOps };

// Terminal ids fixed by construction.
constexpr Ref NoneT = TerminalBit | 0;
constexpr Ref TrueT = TerminalBit | 1;
constexpr Ref DefaultDenyT = TerminalBit | 2;

std::vector<uint32_t> unite(const std::vector<uint32_t> &A, const std::vector<uint32_t> &B) {
  std::vector<uint32_t> U;
  U.reserve(A.size() + B.size());
  std::set_union(A.begin(), A.end(), B.begin(), B.end(), std::back_inserter(U));
  return U;
}

/// The order that picks which part explains a group decision: an explicit deny (a non-empty rule
/// set) before the default deny, then the earliest-declared rules first (allows always have
/// rules). A total order, so the meet it defines is commutative, associative and idempotent.
bool denyPrecedes(const std::vector<uint32_t> &A, const std::vector<uint32_t> &B) {
  if (A.empty() != B.empty())
    return B.empty();
  return A < B;
}

class Builder {
public:
  Builder(DecisionDiagram::Impl &D, const DiagramOptions &Opts) : D(D), P(D.P), Opts(Opts) {}

  llvm::Error run();

private:
  DecisionDiagram::Impl &D;
  const Policy &P;
  const DiagramOptions &Opts;

  struct NodeRec {
    uint32_t Var, First, Count, Next;
  };
  std::vector<NodeRec> Nodes;
  std::vector<Ref> Pool;
  llvm::DenseMap<uint64_t, uint32_t> Unique; ///< Content hash -> first node of its chain.
  std::vector<Outcome> Outcomes;
  llvm::DenseMap<uint64_t, uint32_t> OutcomeIndex; ///< Content hash -> first outcome of its chain.
  std::vector<uint32_t> OutcomeNext;
  std::vector<ObligationRef> ObligationIds;
  std::map<ObligationRef, uint32_t> ObligationIndex;
  std::array<llvm::DenseMap<uint64_t, Ref>, NumOps> Memo;
  bool Completed = false; ///< Dimension nodes carry derived classes too.
  uint64_t Steps = 0;     ///< Apply steps not answered by the memo, for the work budget.
  bool OverBudget = false;

  void computeClasses();
  void computeOrder();
  uint32_t arity(uint32_t Var) const {
    if (Var < NumDimensions)
      return Completed ? D.Classes[Var].NumClasses : D.Classes[Var].NumLeafClasses;
    return D.Domains[Var - NumDimensions].Size;
  }
  uint32_t level(Ref R) const {
    return (R & TerminalBit) ? uint32_t(D.Order.size()) : D.LevelOf[Nodes[R].Var];
  }
  Ref cofactor(Ref R, uint32_t Var, uint32_t K) const {
    if ((R & TerminalBit) || Nodes[R].Var != Var)
      return R;
    return Pool[Nodes[R].First + K];
  }

  Ref mk(uint32_t Var, llvm::ArrayRef<Ref> Children);
  Ref intern(Outcome O);
  Ref apply(Op O, Ref A, Ref B);
  Ref applyTerminals(Op O, Ref A, Ref B);
  Ref joinAll(std::vector<Ref> Rs, Op O);

  Ref condition(const Cond &C);
  Ref applicability(const Rule &R);
  Ref outcome(uint32_t RuleIndex);
  std::vector<uint32_t> ownObligations(uint32_t RuleIndex);
  Ref complete(Ref R, llvm::DenseMap<Ref, Ref> &Done);
  void compact(Ref Root);
};

Ref Builder::mk(uint32_t Var, llvm::ArrayRef<Ref> Children) {
  if (std::all_of(Children.begin(), Children.end(), [&](Ref C) { return C == Children[0]; }))
    return Children[0];
  uint64_t H = llvm::hash_combine(Var, llvm::hash_combine_range(Children.begin(), Children.end()));
  auto [It, Inserted] = Unique.try_emplace(H, uint32_t(Nodes.size()));
  if (!Inserted) {
    for (uint32_t N = It->second; N != ~0u; N = Nodes[N].Next) {
      const NodeRec &Rec = Nodes[N];
      if (Rec.Var == Var && Rec.Count == Children.size() &&
          std::equal(Children.begin(), Children.end(), Pool.begin() + Rec.First))
        return N;
    }
  }
  if (Nodes.size() >= Opts.NodeBudget) {
    OverBudget = true;
    if (Inserted)
      Unique.erase(It);
    return NoneT;
  }
  uint32_t Next = Inserted ? ~0u : It->second;
  uint32_t Id = Nodes.size();
  Nodes.push_back({Var, uint32_t(Pool.size()), uint32_t(Children.size()), Next});
  Pool.insert(Pool.end(), Children.begin(), Children.end());
  It->second = Id;
  return Id;
}

Ref Builder::intern(Outcome O) {
  uint64_t H = llvm::hash_combine(
      unsigned(O.K), llvm::hash_combine_range(O.Rules.begin(), O.Rules.end()),
      llvm::hash_combine_range(O.Obligations.begin(), O.Obligations.end()));
  auto [It, Inserted] = OutcomeIndex.try_emplace(H, uint32_t(Outcomes.size()));
  if (!Inserted)
    for (uint32_t T = It->second; T != ~0u; T = OutcomeNext[T])
      if (Outcomes[T] == O)
        return TerminalBit | T;
  uint32_t Id = Outcomes.size();
  OutcomeNext.push_back(Inserted ? ~0u : It->second);
  Outcomes.push_back(std::move(O));
  It->second = Id;
  return TerminalBit | Id;
}

Ref Builder::applyTerminals(Op O, Ref A, Ref B) {
  const Outcome &X = Outcomes[A & ~TerminalBit];
  const Outcome &Y = Outcomes[B & ~TerminalBit];
  switch (O) {
  case And:
    return X.K == Outcome::True && Y.K == Outcome::True ? TrueT : NoneT;
  case Or:
    return X.K == Outcome::True || Y.K == Outcome::True ? TrueT : NoneT;
  case Not:
    return X.K == Outcome::True ? NoneT : TrueT;
  case Guard:
    return X.K == Outcome::True ? B : NoneT;
  case Override:
    return X.K == Outcome::None ? B : A;
  case Finish:
    return X.K == Outcome::None ? DefaultDenyT : A;
  case Join: {
    // Deny overrides; among outcomes of the same effect, rules and obligations unite.
    if (X.K == Outcome::None)
      return B;
    if (Y.K == Outcome::None || A == B)
      return A;
    if (X.K != Y.K)
      return X.K == Outcome::Deny ? A : B;
    Outcome U;
    U.K = X.K;
    U.Rules = unite(X.Rules, Y.Rules);
    U.Obligations = unite(X.Obligations, Y.Obligations);
    Steps += U.Rules.size();
    return intern(std::move(U));
  }
  case Meet: {
    // Every part must allow. The result keeps one part's rules, the least by denyPrecedes:
    // uniting them gave nearly every combination of group values a terminal of its own. An allow
    // still owes the union of the parts' obligations.
    if (A == B)
      return A;
    bool XAllow = X.K == Outcome::Allow, YAllow = Y.K == Outcome::Allow;
    if (XAllow != YAllow)
      return XAllow ? B : A;
    bool YFirst = denyPrecedes(Y.Rules, X.Rules);
    if (!XAllow)
      return YFirst ? B : A;
    Outcome U;
    U.K = X.K;
    U.Rules = YFirst ? Y.Rules : X.Rules;
    U.Obligations = unite(X.Obligations, Y.Obligations);
    if (U.Obligations.size() == (YFirst ? Y : X).Obligations.size())
      return YFirst ? B : A;
    Steps += U.Obligations.size();
    return intern(std::move(U));
  }
  case NumOps:
    break;
  }
  llvm_unreachable("unknown diagram operation");
}

Ref Builder::apply(Op O, Ref A, Ref B) {
  if (OverBudget)
    return NoneT;
  // Shortcuts that avoid recursion where one side decides the result.
  switch (O) {
  case And:
    if (A == NoneT || B == NoneT)
      return NoneT;
    if (A == TrueT)
      return B;
    if (B == TrueT)
      return A;
    break;
  case Or:
    if (A == TrueT || B == TrueT)
      return TrueT;
    if (A == NoneT)
      return B;
    if (B == NoneT)
      return A;
    break;
  case Guard:
    if (A == NoneT)
      return NoneT;
    if (A == TrueT)
      return B;
    break;
  case Join:
    if (A == NoneT)
      return B;
    if (B == NoneT || A == B)
      return A;
    break;
  case Override:
    if (A == NoneT)
      return B;
    if ((A & TerminalBit) && (B & TerminalBit))
      return applyTerminals(O, A, B);
    break;
  case Meet:
    if (A == B)
      return A;
    break;
  default:
    break;
  }
  bool Terminals = (A & TerminalBit) && (B & TerminalBit);
  // Uniting rule sets is the expensive part of Join and Meet: memoise terminal pairs too.
  if (Terminals && O != Join && O != Meet)
    return applyTerminals(O, A, B);
  if ((O == Join || O == Meet || O == And || O == Or) && A > B)
    std::swap(A, B); // commutative: one memo entry for both orders
  uint64_t Key = (uint64_t(A) << 32) | B;
  auto Found = Memo[O].find(Key);
  if (Found != Memo[O].end())
    return Found->second;
  if (Terminals) {
    Ref R = applyTerminals(O, A, B);
    Memo[O][Key] = R;
    return R;
  }

  uint32_t LA = level(A), LB = level(B);
  uint32_t Var = varKey(D.Order[std::min(LA, LB)]);
  uint32_t N = arity(Var);
  // Each child is a recursive call (mostly memo hits): count them, so the budget bounds time.
  Steps += N;
  if (Steps > Opts.StepBudget) {
    OverBudget = true;
    return NoneT;
  }
  llvm::SmallVector<Ref, 16> Children(N);
  for (uint32_t K = 0; K < N; ++K)
    Children[K] = apply(O, cofactor(A, Var, K), cofactor(B, Var, K));
  Ref R = mk(Var, Children);
  Memo[O][Key] = R;
  return R;
}

Ref Builder::joinAll(std::vector<Ref> Rs, Op O) {
  if (Rs.empty())
    return O == And ? TrueT : NoneT;
  // Pairwise rounds keep the operands of each apply of similar size.
  while (Rs.size() > 1 && !OverBudget) {
    std::vector<Ref> Next;
    Next.reserve((Rs.size() + 1) / 2);
    for (size_t I = 0; I + 1 < Rs.size(); I += 2)
      Next.push_back(apply(O, Rs[I], Rs[I + 1]));
    if (Rs.size() % 2)
      Next.push_back(Rs.back());
    Rs = std::move(Next);
  }
  return Rs[0];
}

static bool compare(CmpOp Op, int64_t A, int64_t B) {
  switch (Op) {
  case CmpOp::Eq:
    return A == B;
  case CmpOp::Ne:
    return A != B;
  case CmpOp::Lt:
    return A < B;
  case CmpOp::Le:
    return A <= B;
  case CmpOp::Gt:
    return A > B;
  case CmpOp::Ge:
    return A >= B;
  }
  return false;
}

Ref Builder::condition(const Cond &C) {
  switch (C.K) {
  case Cond::True:
    return TrueT;
  case Cond::False:
    return NoneT;
  case Cond::Not: {
    Ref X = condition(C.Ops[0]);
    return apply(Not, X, X);
  }
  case Cond::And:
  case Cond::Or: {
    std::vector<Ref> Ops;
    for (const Cond &Sub : C.Ops)
      Ops.push_back(condition(Sub));
    return joinAll(std::move(Ops), C.K == Cond::And ? And : Or);
  }
  case Cond::BoolAttr:
  case Cond::Compare:
  case Cond::InSet: {
    if (C.Attr >= D.Domains.size())
      return NoneT;
    const AttributeDomain &Dom = D.Domains[C.Attr];
    llvm::SmallVector<Ref, 16> Children;
    for (uint32_t I = 0; I < Dom.Size; ++I) {
      int64_t V = Dom.representative(I);
      bool Holds = false;
      if (C.K == Cond::BoolAttr)
        Holds = V != 0;
      else if (C.K == Cond::Compare)
        Holds = compare(C.Op, V, C.Value);
      else
        Holds = std::find(C.Set.begin(), C.Set.end(), V) != C.Set.end();
      Children.push_back(Holds ? TrueT : NoneT);
    }
    return mk(NumDimensions + C.Attr, Children);
  }
  }
  return NoneT;
}

Ref Builder::applicability(const Rule &R) {
  std::vector<Ref> Parts;
  for (unsigned Dim = 0; Dim < NumDimensions; ++Dim) {
    const auto &Set = R.S.Dims[Dim];
    if (!Set || P.Vocab[Dim].empty())
      continue;
    const DimensionClasses &DC = D.Classes[Dim];
    llvm::SmallVector<Ref, 16> Children(DC.NumLeafClasses);
    for (uint32_t K = 0; K < DC.NumLeafClasses; ++K) {
      LeafIndex L = DC.Members[K].front();
      Children[K] = L < Set->size() && Set->test(L) ? TrueT : NoneT;
    }
    Parts.push_back(mk(Dim, Children));
  }
  if (R.Condition)
    Parts.push_back(condition(*R.Condition));
  return joinAll(std::move(Parts), And);
}

std::vector<uint32_t> Builder::ownObligations(uint32_t RuleIndex) {
  // An allowing rule carries its own obligations and those of every enclosing allow.
  std::vector<uint32_t> Ids;
  for (uint32_t R = RuleIndex; R != NoIndex && R < P.Rules.size(); R = P.Rules[R].Parent) {
    if (!P.Rules[R].IsAllow)
      continue;
    for (const ObligationRef &O : P.Rules[R].Obligations) {
      ObligationRef Key = O;
      Key.Location = Loc();
      auto [It, Inserted] = ObligationIndex.try_emplace(Key, uint32_t(ObligationIds.size()));
      if (Inserted)
        ObligationIds.push_back(Key);
      Ids.push_back(It->second);
    }
  }
  std::sort(Ids.begin(), Ids.end());
  Ids.erase(std::unique(Ids.begin(), Ids.end()), Ids.end());
  return Ids;
}

Ref Builder::outcome(uint32_t RuleIndex) {
  const Rule &R = P.Rules[RuleIndex];
  Ref Applies = applicability(R);
  if (Applies == NoneT)
    return NoneT;
  Outcome Own;
  Own.K = R.IsAllow ? Outcome::Allow : Outcome::Deny;
  Own.Rules = {RuleIndex};
  if (R.IsAllow)
    Own.Obligations = ownObligations(RuleIndex);
  Ref Result = intern(std::move(Own));
  std::vector<Ref> Exceptions;
  for (uint32_t E : R.Exceptions)
    if (E < P.Rules.size())
      Exceptions.push_back(outcome(E));
  if (!Exceptions.empty())
    Result = apply(Override, joinAll(std::move(Exceptions), Join), Result);
  return apply(Guard, Applies, Result);
}

Ref Builder::complete(Ref R, llvm::DenseMap<Ref, Ref> &Done) {
  if ((R & TerminalBit) || OverBudget)
    return R;
  auto Found = Done.find(R);
  if (Found != Done.end())
    return Found->second;
  uint32_t Var = Nodes[R].Var;
  llvm::SmallVector<Ref, 16> Children;
  for (uint32_t K = 0; K < Nodes[R].Count; ++K)
    Children.push_back(complete(Pool[Nodes[R].First + K], Done));
  if (Var < NumDimensions) {
    const DimensionClasses &DC = D.Classes[Var];
    for (uint32_t C = DC.NumLeafClasses; C < DC.NumClasses; ++C) {
      std::vector<Ref> Parts;
      for (uint32_t K : DC.Covers[C])
        Parts.push_back(Children[K]);
      Children.push_back(joinAll(std::move(Parts), Meet));
    }
  }
  Ref Result = mk(Var, Children);
  Done[R] = Result;
  return Result;
}

void Builder::computeClasses() {
  for (unsigned Dim = 0; Dim < NumDimensions; ++Dim) {
    const Vocabulary &V = P.Vocab[Dim];
    DimensionClasses &DC = D.Classes[Dim];
    if (V.empty()) {
      DC = DimensionClasses();
      DC.Covers = {{0}};
      DC.Members = {{}};
      continue;
    }
    unsigned NumLeaves = V.numLeaves();
    // Refine the partition of leaves by every scope that constrains this dimension.
    std::vector<uint32_t> Cls(NumLeaves, 0);
    uint32_t NumCls = 1;
    std::vector<uint32_t> Remap;
    auto Refine = [&](const std::optional<llvm::BitVector> &Set) {
      if (!Set)
        return;
      Remap.assign(2 * NumCls, ~0u);
      uint32_t Next = 0;
      for (unsigned L = 0; L < NumLeaves; ++L) {
        uint32_t Key = 2 * Cls[L] + (L < Set->size() && Set->test(L));
        if (Remap[Key] == ~0u)
          Remap[Key] = Next++;
        Cls[L] = Remap[Key];
      }
      NumCls = Next;
    };
    for (const Rule &R : P.Rules)
      Refine(R.S.Dims[Dim]);
    for (const Invariant &Inv : P.Invariants)
      Refine(Inv.S.Dims[Dim]);

    DC.NumLeafClasses = NumCls;
    DC.LeafClass = Cls;
    DC.Members.assign(NumCls, {});
    for (unsigned L = 0; L < NumLeaves; ++L)
      DC.Members[Cls[L]].push_back(L);
    DC.Covers.clear();
    for (uint32_t K = 0; K < NumCls; ++K)
      DC.Covers.push_back({K});

    std::map<std::vector<uint32_t>, uint32_t> Derived;
    auto ClassOf = [&](const llvm::BitVector &Leaves) {
      std::vector<uint32_t> Set;
      for (unsigned L : Leaves.set_bits())
        Set.push_back(Cls[L]);
      std::sort(Set.begin(), Set.end());
      Set.erase(std::unique(Set.begin(), Set.end()), Set.end());
      if (Set.size() == 1)
        return Set[0];
      auto [It, Inserted] = Derived.try_emplace(Set, uint32_t(DC.Covers.size()));
      if (Inserted)
        DC.Covers.push_back(Set);
      return It->second;
    };
    DC.NodeClass.resize(V.Nodes.size());
    for (NodeId N = 0; N < V.Nodes.size(); ++N)
      DC.NodeClass[N] = ClassOf(V.Covers[N]);
    DC.OmittedClass = ClassOf(llvm::BitVector(NumLeaves, true));
    DC.NumClasses = DC.Covers.size();
  }
}

void Builder::computeOrder() {
  std::array<unsigned, NumDimensions> Dims;
  std::array<uint64_t, NumDimensions> Constrained{};
  for (unsigned Dim = 0; Dim < NumDimensions; ++Dim) {
    Dims[Dim] = Dim;
    for (const Rule &R : P.Rules)
      if (R.S.Dims[Dim] && !R.S.Dims[Dim]->all())
        ++Constrained[Dim];
  }
  auto LeafClasses = [&](unsigned Dim) { return D.Classes[Dim].NumLeafClasses; };
  switch (Opts.Order) {
  case DimensionOrder::Heuristic:
    std::stable_sort(Dims.begin(), Dims.end(), [&](unsigned A, unsigned B) {
      if (Constrained[A] != Constrained[B])
        return Constrained[A] > Constrained[B];
      return LeafClasses(A) < LeafClasses(B);
    });
    break;
  case DimensionOrder::Declaration:
    break;
  case DimensionOrder::FewestClasses:
    std::stable_sort(Dims.begin(), Dims.end(),
                     [&](unsigned A, unsigned B) { return LeafClasses(A) < LeafClasses(B); });
    break;
  case DimensionOrder::MostClasses:
    std::stable_sort(Dims.begin(), Dims.end(),
                     [&](unsigned A, unsigned B) { return LeafClasses(A) > LeafClasses(B); });
    break;
  case DimensionOrder::Explicit:
    for (unsigned I = 0; I < NumDimensions; ++I)
      Dims[I] = unsigned(Opts.ExplicitOrder[I]);
    break;
  }
  // Dimensions no rule distinguishes are never tested; keep them last.
  std::stable_partition(Dims.begin(), Dims.end(),
                        [&](unsigned Dim) { return LeafClasses(Dim) > 1; });
  D.Order.clear();
  for (unsigned Dim : Dims)
    D.Order.push_back(DiagramVar::dim(Dimension(Dim)));
  for (uint32_t A = 0; A < P.Attributes.size(); ++A)
    D.Order.push_back(DiagramVar::attr(A));
  D.LevelOf.assign(NumDimensions + P.Attributes.size(), 0);
  for (uint32_t L = 0; L < D.Order.size(); ++L)
    D.LevelOf[varKey(D.Order[L])] = L;
}

void Builder::compact(Ref Root) {
  llvm::DenseMap<Ref, Ref> NewRef;
  std::vector<uint32_t> TerminalMap(Outcomes.size(), ~0u);
  auto MapTerminal = [&](Ref R) {
    uint32_t &T = TerminalMap[R & ~TerminalBit];
    if (T == ~0u) {
      const Outcome &O = Outcomes[R & ~TerminalBit];
      DiagramTerminal DT;
      DT.Allow = O.K == Outcome::Allow;
      DT.Rules = O.Rules;
      for (uint32_t Id : O.Obligations)
        DT.Obligations.push_back(ObligationIds[Id]);
      std::sort(DT.Obligations.begin(), DT.Obligations.end());
      T = D.Terminals.size();
      D.Terminals.push_back(std::move(DT));
    }
    return TerminalBit | T;
  };
  // Iterative post-order: children are copied before their parents.
  std::vector<std::pair<Ref, uint32_t>> Stack;
  auto Visit = [&](Ref R) -> Ref {
    if (R & TerminalBit)
      return MapTerminal(R);
    auto Found = NewRef.find(R);
    return Found == NewRef.end() ? ~0u : Found->second;
  };
  if (Visit(Root) == ~0u)
    Stack.push_back({Root, 0});
  while (!Stack.empty()) {
    auto &[R, K] = Stack.back();
    const NodeRec &N = Nodes[R];
    if (K < N.Count) {
      Ref C = Pool[N.First + K++];
      if (Visit(C) == ~0u)
        Stack.push_back({C, 0});
      continue;
    }
    DecisionDiagram::Impl::NodeRec Rec{N.Var, uint32_t(D.Pool.size()), N.Count};
    for (uint32_t I = 0; I < N.Count; ++I)
      D.Pool.push_back(Visit(Pool[N.First + I]));
    Ref New = D.Nodes.size();
    D.Nodes.push_back(Rec);
    D.BottomUp.push_back(New);
    NewRef[R] = New;
    Stack.pop_back();
  }
  D.Root = Visit(Root);
}

llvm::Error Builder::run() {
  D.Domains = computeAttributeDomains(P);
  computeClasses();
  computeOrder();

  Outcomes.reserve(1024);
  intern(Outcome{Outcome::None, {}, {}});
  intern(Outcome{Outcome::True, {}, {}});
  intern(Outcome{Outcome::Deny, {}, {}});

  std::vector<Ref> TopLevel;
  for (uint32_t R = 0; R < P.Rules.size() && !OverBudget; ++R)
    if (P.Rules[R].isTopLevel())
      TopLevel.push_back(outcome(R));
  Ref Decided = joinAll(std::move(TopLevel), Join);
  Ref Final = apply(Finish, Decided, Decided);
  for (auto &M : Memo)
    M.clear();
  Completed = true;
  llvm::DenseMap<Ref, Ref> Done;
  Ref Root = complete(Final, Done);
  if (OverBudget && Steps > Opts.StepBudget)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "building the decision diagram exceeds the work budget of %llu steps",
        (unsigned long long)Opts.StepBudget);
  if (OverBudget)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the decision diagram exceeds the node budget of %llu nodes",
        (unsigned long long)Opts.NodeBudget);
  compact(Root);
  return llvm::Error::success();
}

} // namespace

DecisionDiagram::DecisionDiagram(std::unique_ptr<Impl> I) : I(std::move(I)) {}
DecisionDiagram::~DecisionDiagram() = default;

llvm::Expected<std::unique_ptr<DecisionDiagram>>
DecisionDiagram::build(const Policy &P, const DiagramOptions &Opts) {
  auto State = std::make_unique<Impl>(P);
  {
    Builder B(*State, Opts);
    if (llvm::Error E = B.run())
      return E;
  }
  return std::unique_ptr<DecisionDiagram>(new DecisionDiagram(std::move(State)));
}

} // namespace privet
