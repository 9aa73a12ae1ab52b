//===- DecisionDiagram.cpp - Building the reduced ordered decision diagram of a policy -------===//
//
// Construction is top-down over the dimensions, like a packet classifier's: at each dimension the
// live rules (those whose scope holds the values chosen above, exceptions only under a live parent)
// are split by the dimension's leaf classes, and a subdiagram is built once per distinct set of
// live rules. Cost follows the diagram's size, not the product of rule count and diagram size as
// joining one diagram per rule did. Below the last dimension the attribute conditions remain: there
// each live rule's outcome (its effect overridden by its live exceptions', guarded by its
// condition) is a small diagram, joined with deny-overrides, and what nothing decides becomes the
// default deny.
//
// A second pass adds edges for the derived classes (non-leaf values, omitted), each the meet of
// its leaf classes' subdiagrams, breadth-first from the root while DiagramOptions::
// DerivedStepBudget lasts; a node keeps a prefix of them, and the runtime meets the leaf-class
// children for the rest. Then what is reachable is copied into compact storage.
//
// Over the node or work budget, build() starts again in rule-list mode (the indexed rule
// evaluator): the same construction stops after DiagramOptions::RuleListLevels tested dimensions,
// and each leaf lists the live rules for the runtime to evaluate.
//
//===----------------------------------------------------------------------------------------===//
#include "DiagramImpl.h"

#include "privet/Basic/Memory.h"
#include "privet/Space/AttrClasses.h"
#include "privet/Space/NodeStore.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <numeric>

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
};

/// An interned outcome: its kind, and its rules then its obligations at Offset in the builder's
/// OutcomePool. A million of them at 100,000 rules, most of them intermediate joins: two
/// vectors each (56 bytes and two allocations) were over 100 MB of the build's peak.
struct StoredOutcome {
  uint64_t Offset = 0;
  uint32_t NumRules = 0, NumObligations = 0;
  Outcome::Kind K = Outcome::None;
};

/// Memo keys are two 32-bit references packed into 64 bits. DenseMap's default hash for integers
/// (the value times 37, truncated to 32 bits) ignores the high half, so every pair with the same
/// second operand would collide; mix all 64 bits instead.
struct PairKeyInfo {
  static uint64_t getEmptyKey() { return ~0ull; }
  static uint64_t getTombstoneKey() { return ~0ull - 1; }
  static unsigned getHashValue(uint64_t K) {
    K ^= K >> 33;
    K *= 0xff51afd7ed558ccdull;
    K ^= K >> 33;
    K *= 0xc4ceb9fe1a85ec53ull;
    K ^= K >> 33;
    return unsigned(K);
  }
  static bool isEqual(uint64_t A, uint64_t B) { return A == B; }
};

enum Op : uint8_t { And, Or, Not, Guard, Join, Override, Finish, Meet, NumOps };

// Terminal ids fixed by construction.
constexpr Ref NoneT = TerminalBit | 0;
constexpr Ref TrueT = TerminalBit | 1;
constexpr Ref DefaultDenyT = TerminalBit | 2;
/// No reference: a node store never hands out this index.
constexpr Ref NoRef = space::NodeStore::Full;

std::vector<uint32_t> unite(llvm::ArrayRef<uint32_t> A, llvm::ArrayRef<uint32_t> B) {
  std::vector<uint32_t> U;
  U.reserve(A.size() + B.size());
  std::set_union(A.begin(), A.end(), B.begin(), B.end(), std::back_inserter(U));
  return U;
}

/// The order that picks which part explains a group decision: an explicit deny (a non-empty rule
/// set) before the default deny, then the earliest-declared rules first (allows always have
/// rules). A total order, so the meet it defines is commutative, associative and idempotent.
bool denyPrecedes(llvm::ArrayRef<uint32_t> A, llvm::ArrayRef<uint32_t> B) {
  if (A.empty() != B.empty())
    return B.empty();
  return std::lexicographical_compare(A.begin(), A.end(), B.begin(), B.end());
}

class Builder {
public:
  Builder(DecisionDiagram::Impl &D, const DiagramOptions &Opts)
      : D(D), P(D.P), Opts(Opts), Store(space::Budget{Opts.NodeBudget, UINT64_MAX}) {}

  llvm::Error run();
  bool RuleLists = false;

private:
  DecisionDiagram::Impl &D;
  const Policy &P;
  const DiagramOptions &Opts;

  /// The nodes; the work budget is counted here in Steps, since the derived-class phase has
  /// budgets of its own.
  space::NodeStore Store;
  std::vector<StoredOutcome> Outcomes;
  std::vector<uint32_t> OutcomePool;
  llvm::ArrayRef<uint32_t> rulesOf(const StoredOutcome &O) const {
    return llvm::ArrayRef<uint32_t>(OutcomePool.data() + O.Offset, O.NumRules);
  }
  llvm::ArrayRef<uint32_t> obligationsOf(const StoredOutcome &O) const {
    return llvm::ArrayRef<uint32_t>(OutcomePool.data() + O.Offset + O.NumRules, O.NumObligations);
  }
  llvm::DenseMap<uint64_t, uint32_t> OutcomeIndex; ///< Content hash -> first outcome of its chain.
  std::vector<uint32_t> OutcomeNext;
  std::vector<ObligationRef> ObligationIds;
  std::map<ObligationRef, uint32_t> ObligationIndex;
  std::array<llvm::DenseMap<uint64_t, Ref, PairKeyInfo>, NumOps> Memo;
  uint64_t Steps = 0; ///< Apply steps not answered by the memo, for the work budget.
  /// Steps at which freed memory is next returned: builds shorter than ReturnMemoryEvery never
  /// pay for it.
  uint64_t NextMemoryReturn = Opts.ReturnMemoryEvery;
  bool OverBudget = false;
  /// Giving up early: when the rule index can stand in, the work and size of the whole diagram
  /// are projected from the first split's subdiagrams built so far (and the first of those from
  /// its own), and a projection far over budget stops the build there rather than at the budget.
  struct Progress {
    uint32_t Done = 0, Count = 0;  ///< First-split subdiagrams built, of how many.
    uint64_t Steps = 0, Nodes = 0; ///< Work and size when the current one began.
  } FirstSplit;
  bool Projected = false; ///< OverBudget was set by a projection.
  void checkProjection(uint32_t Depth, uint32_t Done, uint32_t Count);
  /// Derived classes: the step count at which precomputing their edges stops, whether it has,
  /// and the edges computed so far (node -> one child per derived class, in class order).
  uint64_t DerivedLimit = 0;
  bool DerivedStopped = false;
  /// One derived edge may take at most this many steps, so that one expensive group (omitted
  /// data at the root, say) does not use up the budget of every other.
  uint64_t EdgeLimit = 0;
  bool EdgeAborted = false;
  std::vector<uint64_t> MeetLog; ///< Meet memo keys added while computing the current edge.
  llvm::DenseMap<Ref, std::vector<Ref>> Derived;

  void computeClasses();
  void computeOrder();
  uint32_t arity(uint32_t Var) const {
    if (Var < NumDimensions)
      return D.Classes[Var].NumLeafClasses;
    return D.Domains[Var - NumDimensions].Size;
  }
  uint32_t level(Ref R) const {
    return (R & TerminalBit) ? uint32_t(D.Order.size()) : D.LevelOf[Store.var(R)];
  }
  Ref cofactor(Ref R, uint32_t Var, uint32_t K) const {
    if ((R & TerminalBit) || Store.var(R) != Var)
      return R;
    return Store.child(R, K);
  }

  Ref mk(uint32_t Var, llvm::ArrayRef<Ref> Children);
  Ref intern(Outcome O);
  Ref apply(Op O, Ref A, Ref B);
  Ref shortcut(Op O, Ref A, Ref B);
  Ref applyTerminals(Op O, Ref A, Ref B);
  Ref joinAll(std::vector<Ref> Rs, Op O);

  Ref condition(const Cond &C);
  std::vector<uint32_t> ownObligations(uint32_t RuleIndex);
  void addDerivedEdges(Ref Root);

  // Top-down construction over the dimensions (see buildFrom).
  uint32_t FirstAttrLevel = 0;
  /// Per dimension and rule: the leaf classes its scope covers, or empty with Unconstrained set.
  /// Rule R's classes in dimension Dim are ClassData[Dim][ClassStart[Dim][R] ..
  /// ClassStart[Dim][R + 1]): one array per dimension, not a vector per rule.
  std::array<std::vector<size_t>, NumDimensions> ClassStart;
  std::array<std::vector<uint32_t>, NumDimensions> ClassData;
  llvm::ArrayRef<uint32_t> ruleClasses(unsigned Dim, uint32_t R) const {
    return llvm::ArrayRef<uint32_t>(ClassData[Dim])
        .slice(ClassStart[Dim][R], ClassStart[Dim][R + 1] - ClassStart[Dim][R]);
  }
  std::array<std::vector<uint8_t>, NumDimensions> Unconstrained;
  std::vector<Ref> RuleCondition, RuleOwn;
  /// Memo of buildFrom: (level, live rules) -> subdiagram, the keys stored back to back.
  struct SetEntry {
    uint32_t Level, Offset, Size;
    Ref Result;
    uint32_t Next; ///< Next entry with the same hash, or ~0u.
  };
  llvm::DenseMap<uint64_t, uint32_t, PairKeyInfo> SetMemo;
  std::vector<SetEntry> SetEntries;
  std::vector<uint32_t> SetKeys;
  struct ScratchBuffers {
    std::vector<uint32_t> Start, Fill, Rules;
  };
  std::vector<ScratchBuffers> Scratch; ///< Per recursion depth.
  void prepareTopDown();
  /// Rule-list mode (the fallback): at this level and below, a node lists the live rules
  /// instead of deciding them; UINT32_MAX builds the full diagram.
  uint32_t CutLevel = UINT32_MAX;
  Ref mkList(llvm::ArrayRef<uint32_t> Rules);
  /// Drops exceptions whose parent is not live: they cannot apply.
  uint32_t pruneExceptions(uint32_t *Active, uint32_t Size);
  std::vector<uint32_t> Stamp;
  std::vector<uint8_t> NeverApplies; ///< Some dimension's set is empty.
  uint32_t CurrentStamp = 0;
  bool ParentsFirst = true;
  Ref buildFrom(uint32_t Level, llvm::ArrayRef<uint32_t> Active, uint32_t Depth);
  void splitByClasses(unsigned Dim, llvm::ArrayRef<uint32_t> Active, uint32_t Depth);
  Ref attributePart(llvm::ArrayRef<uint32_t> Active);
  Ref outcomeIn(uint32_t RuleIndex, llvm::ArrayRef<uint32_t> Active);
  void compact(Ref Root);
  /// Fills the statistics of derived edges and rule lists from the compacted nodes.
  void countDerivedEdges();
};

Ref Builder::mk(uint32_t Var, llvm::ArrayRef<Ref> Children) {
  if (std::all_of(Children.begin(), Children.end(), [&](Ref C) { return C == Children[0]; }))
    return Children[0];
  uint32_t Id = Store.intern(Var, Children);
  if (Id == space::NodeStore::Full) {
    OverBudget = true;
    return NoneT;
  }
  return Id;
}

Ref Builder::mkList(llvm::ArrayRef<uint32_t> Rules) {
  // No live rule: the default deny. Otherwise a node whose "children" are rule indexes, shared
  // like any node; the runtime evaluates the rules it lists. Their number is bounded by the
  // levels above them, not by the node budget.
  if (std::none_of(Rules.begin(), Rules.end(), [&](uint32_t R) { return P.Rules[R].isTopLevel(); }))
    return DefaultDenyT;
  return Store.intern(RuleListVar, Rules, /*Budgeted=*/false);
}

Ref Builder::intern(Outcome O) {
  uint64_t H =
      llvm::hash_combine(unsigned(O.K), llvm::hash_combine_range(O.Rules.begin(), O.Rules.end()),
                         llvm::hash_combine_range(O.Obligations.begin(), O.Obligations.end()));
  auto [It, Inserted] = OutcomeIndex.try_emplace(H, uint32_t(Outcomes.size()));
  if (!Inserted)
    for (uint32_t T = It->second; T != ~0u; T = OutcomeNext[T])
      if (Outcomes[T].K == O.K && rulesOf(Outcomes[T]) == llvm::ArrayRef<uint32_t>(O.Rules) &&
          obligationsOf(Outcomes[T]) == llvm::ArrayRef<uint32_t>(O.Obligations))
        return TerminalBit | T;
  uint32_t Id = Outcomes.size();
  OutcomeNext.push_back(Inserted ? ~0u : It->second);
  Outcomes.push_back(
      {OutcomePool.size(), uint32_t(O.Rules.size()), uint32_t(O.Obligations.size()), O.K});
  OutcomePool.insert(OutcomePool.end(), O.Rules.begin(), O.Rules.end());
  OutcomePool.insert(OutcomePool.end(), O.Obligations.begin(), O.Obligations.end());
  It->second = Id;
  return TerminalBit | Id;
}

Ref Builder::applyTerminals(Op O, Ref A, Ref B) {
  // (Valid until the next intern, which ends each case that calls it.)
  const StoredOutcome &X = Outcomes[A & ~TerminalBit];
  const StoredOutcome &Y = Outcomes[B & ~TerminalBit];
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
    U.Rules = unite(rulesOf(X), rulesOf(Y));
    U.Obligations = unite(obligationsOf(X), obligationsOf(Y));
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
    bool YFirst = denyPrecedes(rulesOf(Y), rulesOf(X));
    if (!XAllow)
      return YFirst ? B : A;
    Outcome U;
    U.K = X.K;
    U.Rules = rulesOf(YFirst ? Y : X).vec();
    U.Obligations = unite(obligationsOf(X), obligationsOf(Y));
    if (U.Obligations.size() == (YFirst ? Y : X).NumObligations)
      return YFirst ? B : A;
    Steps += U.Obligations.size();
    return intern(std::move(U));
  }
  case NumOps:
    break;
  }
  llvm_unreachable("unknown diagram operation");
}

/// The result of O where one side decides it without recursion, else NoRef.
Ref Builder::shortcut(Op O, Ref A, Ref B) {
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
  return NoRef;
}

Ref Builder::apply(Op O, Ref A, Ref B) {
  if (OverBudget || EdgeAborted)
    return NoneT;
  if (Ref Known = shortcut(O, A, B); Known != NoRef)
    return Known;
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
    if (O == Meet)
      MeetLog.push_back(Key);
    return R;
  }

  uint32_t LA = level(A), LB = level(B);
  uint32_t Var = varKey(D.Order[std::min(LA, LB)]);
  uint32_t N = arity(Var);
  // Each child is a recursive call (mostly memo hits): count them, so the budget bounds time.
  Steps += N;
  if (O == Meet && Steps > EdgeLimit) {
    EdgeAborted = true;
    return NoneT;
  }
  if (Steps > Opts.StepBudget) {
    OverBudget = true;
    return NoneT;
  }
  llvm::SmallVector<Ref, 16> Children(N);
  for (uint32_t K = 0; K < N; ++K)
    Children[K] = apply(O, cofactor(A, Var, K), cofactor(B, Var, K));
  Ref R = mk(Var, Children);
  Memo[O][Key] = R;
  if (O == Meet)
    MeetLog.push_back(Key);
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
    for (uint32_t I = 0; I < Dom.Size; ++I)
      Children.push_back(space::attrCondHolds(C, Dom.representative(I)) ? TrueT : NoneT);
    return mk(NumDimensions + C.Attr, Children);
  }
  }
  return NoneT;
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

void Builder::prepareTopDown() {
  FirstAttrLevel = 0;
  while (FirstAttrLevel < D.Order.size() && D.Order[FirstAttrLevel].IsDimension)
    ++FirstAttrLevel;
  RuleCondition.assign(P.Rules.size(), ~0u);
  RuleOwn.assign(P.Rules.size(), ~0u);
  NeverApplies.assign(P.Rules.size(), 0);
  Stamp.assign(P.Rules.size(), 0);
  for (uint32_t R = 0; R < P.Rules.size(); ++R)
    if (P.Rules[R].Parent != NoIndex && P.Rules[R].Parent >= R)
      ParentsFirst = false;
  for (unsigned Dim = 0; Dim < NumDimensions; ++Dim) {
    const DimensionClasses &DC = D.Classes[Dim];
    ClassStart[Dim].assign(P.Rules.size() + 1, 0);
    ClassData[Dim].clear();
    Unconstrained[Dim].assign(P.Rules.size(), 1);
    if (P.Vocab[Dim].empty())
      continue;
    std::vector<uint32_t> &Data = ClassData[Dim];
    for (uint32_t R = 0; R < P.Rules.size(); ++R) {
      const auto &Set = P.Rules[R].S.Dims[Dim];
      size_t Begin = Data.size();
      if (Set) {
        for (uint32_t K = 0; K < DC.NumLeafClasses; ++K) {
          LeafIndex L = DC.Members[K].front();
          if (L < Set->size() && Set->test(L))
            Data.push_back(K);
        }
        if (Data.size() - Begin == DC.NumLeafClasses) {
          Data.resize(Begin); // every class: unconstrained
        } else {
          if (Data.size() == Begin)
            NeverApplies[R] = 1;
          Unconstrained[Dim][R] = 0;
        }
      }
      ClassStart[Dim][R + 1] = Data.size();
    }
    Data.shrink_to_fit();
  }
}

uint32_t Builder::pruneExceptions(uint32_t *Active, uint32_t Size) {
  if (ParentsFirst) {
    ++CurrentStamp;
    uint32_t Out = 0;
    for (uint32_t I = 0; I < Size; ++I) {
      uint32_t R = Active[I];
      uint32_t Parent = P.Rules[R].Parent;
      if (Parent != NoIndex && Stamp[Parent] != CurrentStamp)
        continue;
      Stamp[R] = CurrentStamp;
      Active[Out++] = R;
    }
    return Out;
  }
  for (bool Changed = true; Changed;) {
    auto Dead = [&](uint32_t R) {
      uint32_t Parent = P.Rules[R].Parent;
      return Parent != NoIndex && !std::binary_search(Active, Active + Size, Parent);
    };
    uint32_t *End = std::remove_if(Active, Active + Size, Dead);
    Changed = End != Active + Size;
    Size = End - Active;
  }
  return Size;
}

Ref Builder::outcomeIn(uint32_t RuleIndex, llvm::ArrayRef<uint32_t> Active) {
  const Rule &R = P.Rules[RuleIndex];
  if (RuleOwn[RuleIndex] == ~0u) {
    Outcome Own;
    Own.K = R.IsAllow ? Outcome::Allow : Outcome::Deny;
    Own.Rules = {RuleIndex};
    if (R.IsAllow)
      Own.Obligations = ownObligations(RuleIndex);
    RuleOwn[RuleIndex] = intern(std::move(Own));
    RuleCondition[RuleIndex] = R.Condition ? condition(*R.Condition) : TrueT;
  }
  Ref Result = RuleOwn[RuleIndex];
  std::vector<Ref> Exceptions;
  for (uint32_t E : R.Exceptions)
    if (E < P.Rules.size() && std::binary_search(Active.begin(), Active.end(), E))
      Exceptions.push_back(outcomeIn(E, Active));
  if (!Exceptions.empty())
    Result = apply(Override, joinAll(std::move(Exceptions), Join), Result);
  return apply(Guard, RuleCondition[RuleIndex], Result);
}

Ref Builder::attributePart(llvm::ArrayRef<uint32_t> Active) {
  std::vector<Ref> Top;
  for (uint32_t R : Active)
    if (P.Rules[R].isTopLevel())
      Top.push_back(outcomeIn(R, Active));
  Ref Decided = joinAll(std::move(Top), Join);
  return apply(Finish, Decided, Decided);
}

/// Splits the live rules by dimension Dim's leaf classes into Scratch[Depth], one flat buffer
/// per depth (counting sort), so that no allocation happens once the buffers have grown.
void Builder::splitByClasses(unsigned Dim, llvm::ArrayRef<uint32_t> Active, uint32_t Depth) {
  uint32_t N = D.Classes[Dim].NumLeafClasses;
  if (Scratch.size() <= Depth)
    Scratch.resize(Depth + 1);
  ScratchBuffers &B = Scratch[Depth];
  B.Start.assign(N + 1, 0);
  const uint8_t *Free = Unconstrained[Dim].data();
  uint32_t NumFree = 0;
  for (uint32_t R : Active) {
    if (Free[R])
      ++NumFree;
    else
      for (uint32_t K : ruleClasses(Dim, R))
        ++B.Start[K + 1];
  }
  for (uint32_t K = 0; K < N; ++K)
    B.Start[K + 1] += B.Start[K] + NumFree;
  B.Rules.resize(B.Start[N]);
  B.Fill.assign(B.Start.begin(), B.Start.end() - 1);
  for (uint32_t R : Active) {
    if (Free[R]) {
      for (uint32_t K = 0; K < N; ++K)
        B.Rules[B.Fill[K]++] = R;
    } else {
      for (uint32_t K : ruleClasses(Dim, R))
        B.Rules[B.Fill[K]++] = R;
    }
  }
}

/// The diagram below Level for the requests whose values on the dimensions above it lie in the
/// scopes of exactly the Active rules (ascending; exceptions included). Memoised on Active: the
/// same set of live rules gives the same subdiagram.
Ref Builder::buildFrom(uint32_t Level, llvm::ArrayRef<uint32_t> Active, uint32_t Depth) {
  // Skip dimensions no live rule constrains.
  while (Level < FirstAttrLevel) {
    const uint8_t *Free = Unconstrained[D.Order[Level].Index].data();
    if (!std::all_of(Active.begin(), Active.end(), [&](uint32_t R) { return Free[R]; }))
      break;
    ++Level;
  }
  uint64_t H = llvm::hash_combine(Level, llvm::hash_combine_range(Active.begin(), Active.end()));
  auto Head = SetMemo.find(H);
  if (Head != SetMemo.end())
    for (uint32_t E = Head->second; E != ~0u; E = SetEntries[E].Next) {
      const SetEntry &Entry = SetEntries[E];
      if (Entry.Level == Level && Entry.Size == Active.size() &&
          std::equal(Active.begin(), Active.end(), SetKeys.begin() + Entry.Offset))
        return Entry.Result;
    }
  if (OverBudget)
    return NoneT;
  Ref Result;
  if (Level >= CutLevel) {
    Result = mkList(Active);
  } else if (Level >= FirstAttrLevel) {
    Result = attributePart(Active);
  } else {
    unsigned Dim = D.Order[Level].Index;
    uint32_t N = D.Classes[Dim].NumLeafClasses;
    splitByClasses(Dim, Active, Depth);
    Steps += Active.size() + N;
    if (Steps > Opts.StepBudget) {
      OverBudget = true;
      return NoneT;
    }
    llvm::SmallVector<Ref, 16> Children(N);
    for (uint32_t K = 0; K < N; ++K) {
      if (Depth == 0)
        FirstSplit = {K, N, Steps, Store.size()};
      // Scratch may grow during the recursion below (deeper depths only): re-read it.
      ScratchBuffers &Mine = Scratch[Depth];
      uint32_t *Rules = Mine.Rules.data() + Mine.Start[K];
      uint32_t Size = pruneExceptions(Rules, Mine.Fill[K] - Mine.Start[K]);
      Children[K] = buildFrom(Level + 1, llvm::ArrayRef<uint32_t>(Rules, Size), Depth + 1);
      if (Depth <= 1)
        checkProjection(Depth, K + 1, N);
      if (OverBudget)
        return NoneT;
    }
    Result = mk(Dim, Children);
  }
  if (Opts.ReturnMemoryEvery && Steps >= NextMemoryReturn) {
    releaseFreedMemory();
    ++D.Stats.MemoryReturns;
    NextMemoryReturn = Steps + Opts.ReturnMemoryEvery;
  }
  uint32_t Index = SetEntries.size();
  auto [It, Inserted] = SetMemo.try_emplace(H, Index);
  SetEntries.push_back({Level, uint32_t(SetKeys.size()), uint32_t(Active.size()), Result,
                        Inserted ? ~0u : It->second});
  It->second = Index;
  SetKeys.insert(SetKeys.end(), Active.begin(), Active.end());
  return Result;
}

void Builder::checkProjection(uint32_t Depth, uint32_t Done, uint32_t Count) {
  // Only where a fallback exists, and once the build has done enough to extrapolate from: the
  // subdiagrams built later share more of what is already built, so the projection errs high,
  // and only one four times the budget gives up.
  if (!Opts.AllowRuleLists || RuleLists || OverBudget)
    return;
  if (Steps < Opts.StepBudget / 16 && Store.size() < Opts.NodeBudget / 16)
    return;
  auto Project = [&](uint64_t Now, uint64_t AtFirst) {
    if (Depth == 0) // Done of Count first-split subdiagrams built
      return double(Now) * Count / Done;
    // Done of Count built in first-split subdiagram FirstSplit.Done: finish it, then the rest.
    double Current = double(Now - AtFirst) * Count / Done;
    return (double(AtFirst) + Current) * FirstSplit.Count / (FirstSplit.Done + 1);
  };
  if (Project(Steps, FirstSplit.Steps) > 4.0 * double(Opts.StepBudget) ||
      Project(Store.size(), FirstSplit.Nodes) > 4.0 * double(Opts.NodeBudget)) {
    OverBudget = true;
    Projected = true;
  }
}

void Builder::addDerivedEdges(Ref Root) {
  // Breadth-first from the root, so that the budget goes to the nodes nearest the root: a group
  // value there saves the most walks. Meet results are ordinary nodes over leaf classes and are
  // visited in turn.
  std::vector<Ref> Queue;
  llvm::DenseSet<Ref> Seen;
  auto Enqueue = [&](Ref R) {
    if (!(R & TerminalBit) && Seen.insert(R).second)
      Queue.push_back(R);
  };
  Enqueue(Root);
  for (size_t Head = 0; Head < Queue.size(); ++Head) {
    Ref R = Queue[Head];
    uint32_t Var = Store.var(R);
    std::vector<Ref> Edges;
    if (Var < NumDimensions && !DerivedStopped) {
      const DimensionClasses &DC = D.Classes[Var];
      // Edges are kept for a prefix of the derived classes: the runtime meets the rest.
      for (uint32_t C = DC.NumLeafClasses; C < DC.NumClasses; ++C) {
        std::vector<Ref> Parts;
        for (uint32_t K : DC.Covers[C])
          Parts.push_back(Store.child(R, K));
        Steps += Parts.size();
        EdgeLimit = std::min(DerivedLimit, Steps + std::max<uint64_t>(DerivedLimit / 16, 1000));
        MeetLog.clear();
        Ref E = Steps > DerivedLimit ? NoneT : joinAll(std::move(Parts), Meet);
        if (Steps > DerivedLimit)
          DerivedStopped = true;
        if (EdgeAborted || DerivedStopped) {
          // What this meet memoised may be unfinished results.
          for (uint64_t Key : MeetLog)
            Memo[Meet].erase(Key);
          EdgeAborted = false;
          break;
        }
        Edges.push_back(E);
      }
    }
    for (Ref C : Store.children(R))
      Enqueue(C);
    for (Ref E : Edges)
      Enqueue(E);
    if (!Edges.empty())
      Derived[R] = std::move(Edges);
  }
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
    auto ClassOf = [&](const std::vector<uint32_t> &Leaves) {
      std::vector<uint32_t> Set;
      for (uint32_t L : Leaves)
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
      DC.NodeClass[N] = ClassOf(V.Covers[N].leaves());
    // An omitted dimension is every value, except the actor: omitted, it is `us`.
    std::optional<LeafIndex> Us = P.controllerActorLeaf();
    if (Dim == unsigned(Dimension::Actor) && Us) {
      DC.OmittedClass = ClassOf({*Us});
    } else {
      std::vector<uint32_t> All(NumLeaves);
      std::iota(All.begin(), All.end(), 0u);
      DC.OmittedClass = ClassOf(All);
    }
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
      const StoredOutcome &O = Outcomes[R & ~TerminalBit];
      DiagramTerminal DT;
      DT.Allow = O.K == Outcome::Allow;
      DT.Rules = rulesOf(O).vec();
      for (uint32_t Id : obligationsOf(O))
        DT.Obligations.push_back(ObligationIds[Id]);
      std::sort(DT.Obligations.begin(), DT.Obligations.end());
      T = D.Terminals.size();
      D.Terminals.push_back(std::move(DT));
    }
    return TerminalBit | T;
  };
  auto ExtraOf = [&](Ref R) -> const std::vector<Ref> * {
    auto It = Derived.find(R);
    return It == Derived.end() ? nullptr : &It->second;
  };
  // First the order: an iterative post-order, so children come before their parents, and each
  // node's new index is its place in it. Then the copy, into storage reserved to its exact size
  // (grown by doubling, the old and the new copy of the edges were both alive at the build's
  // peak).
  std::vector<Ref> Order;
  size_t NumEdges = 0, NumTerminals = 0;
  std::vector<uint8_t> SeenTerminal(Outcomes.size(), 0);
  std::vector<std::pair<Ref, uint32_t>> Stack;
  // Terminals are never stacked; rule-list nodes have no children to visit.
  auto Pending = [&](Ref R) { return !(R & TerminalBit) && !NewRef.count(R); };
  if (Pending(Root))
    Stack.push_back({Root, 0});
  while (!Stack.empty()) {
    auto &[R, K] = Stack.back();
    const space::NodeStore::Node &N = Store.node(R);
    llvm::ArrayRef<Ref> Kids = Store.children(R);
    const std::vector<Ref> *Extra = N.Var == RuleListVar ? nullptr : ExtraOf(R);
    uint32_t Count = N.Count + (Extra ? Extra->size() : 0);
    if (N.Var != RuleListVar && K < Count) {
      Ref C = K < N.Count ? Kids[K] : (*Extra)[K - N.Count];
      ++K;
      if (Pending(C))
        Stack.push_back({C, 0});
      continue;
    }
    if (N.Var != RuleListVar) {
      auto Note = [&](Ref C) {
        if ((C & TerminalBit) && !SeenTerminal[C & ~TerminalBit]) {
          SeenTerminal[C & ~TerminalBit] = 1;
          ++NumTerminals;
        }
      };
      llvm::for_each(Kids, Note);
      if (Extra)
        llvm::for_each(*Extra, Note);
    }
    NewRef[R] = Order.size();
    Order.push_back(R);
    NumEdges += Count;
    Stack.pop_back();
  }
  D.Terminals.reserve(NumTerminals + 1);
  auto Visit = [&](Ref R) -> Ref {
    if (R & TerminalBit)
      return MapTerminal(R);
    return NewRef.find(R)->second;
  };
  D.Nodes.reserve(Order.size());
  D.BottomUp.reserve(Order.size());
  D.Pool.reserve(NumEdges);
  for (Ref R : Order) {
    const space::NodeStore::Node &N = Store.node(R);
    llvm::ArrayRef<Ref> Kids = Store.children(R);
    DecisionDiagram::Impl::NodeRec Rec{N.Var, uint32_t(D.Pool.size()), N.Count};
    if (N.Var == RuleListVar) { // rule indexes, copied as they are
      D.Pool.insert(D.Pool.end(), Kids.begin(), Kids.end());
    } else {
      for (Ref C : Kids)
        D.Pool.push_back(Visit(C));
      if (const std::vector<Ref> *Extra = ExtraOf(R)) {
        Rec.Count += Extra->size();
        for (Ref C : *Extra)
          D.Pool.push_back(Visit(C));
      }
    }
    D.BottomUp.push_back(D.Nodes.size());
    D.Nodes.push_back(Rec);
  }
  D.Root = Visit(Root);
}

llvm::Error Builder::run() {
  D.Domains = space::attributeClasses(P);
  computeClasses();
  computeOrder();
  if (RuleLists) {
    // Lists below the first RuleListLevels tested dimensions, or below them all.
    uint32_t Tested = 0;
    CutLevel = 0;
    while (CutLevel < D.Order.size() && D.Order[CutLevel].IsDimension &&
           D.Classes[D.Order[CutLevel].Index].NumLeafClasses > 1 && Tested < Opts.RuleListLevels) {
      ++CutLevel;
      ++Tested;
    }
    D.UsesRuleLists = true;
  }

  Outcomes.reserve(1024);
  intern(Outcome{Outcome::None, {}, {}});
  intern(Outcome{Outcome::True, {}, {}});
  intern(Outcome{Outcome::Deny, {}, {}});

  using Clock = std::chrono::steady_clock;
  auto Start = Clock::now();
  prepareTopDown();
  std::vector<uint32_t> Live;
  for (uint32_t R = 0; R < P.Rules.size(); ++R)
    if (!NeverApplies[R])
      Live.push_back(R);
  Live.resize(pruneExceptions(Live.data(), Live.size()));
  Ref Final = buildFrom(0, Live, 0);
  release(SetMemo);
  release(SetEntries);
  release(SetKeys);
  release(Scratch);
  if (Projected)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the decision diagram is projected to exceed its budgets (%llu steps, %llu nodes) "
        "several times over, after %llu steps",
        (unsigned long long)Opts.StepBudget, (unsigned long long)Opts.NodeBudget,
        (unsigned long long)Steps);
  if (OverBudget && Steps > Opts.StepBudget)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "building the decision diagram exceeds the work budget of %llu steps",
        (unsigned long long)Opts.StepBudget);
  if (OverBudget)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the decision diagram exceeds the node budget of %llu nodes",
                                   (unsigned long long)Opts.NodeBudget);

  auto LeafDone = Clock::now();
  D.Stats.LeafSeconds = std::chrono::duration<double>(LeafDone - Start).count();

  // Each phase's caches are freed once no later phase reads them: at 100,000 rules the memos
  // are over 150 MB, alive at the build's peak (compaction) otherwise. The derived edges below
  // only meet; compaction reads the nodes, the outcomes and the derived edges.
  for (unsigned O = 0; O < NumOps; ++O)
    if (O != Meet)
      release(Memo[O]);
  release(RuleCondition);
  release(RuleOwn);
  for (unsigned Dim = 0; Dim < NumDimensions; ++Dim) {
    release(ClassStart[Dim]);
    release(ClassData[Dim]);
    release(Unconstrained[Dim]);
  }

  // Derived classes: precomputed while the budget lasts, met at decision time after that.
  // Lists cannot be met ahead of time: with them, every group value is met by the runtime.
  Steps = 0;
  DerivedLimit = Opts.DerivedStepBudget;
  if (!RuleLists)
    addDerivedEdges(Final);
  if (OverBudget)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the decision diagram exceeds the node budget of %llu nodes",
                                   (unsigned long long)Opts.NodeBudget);
  release(Memo[Meet]);
  release(MeetLog);
  release(OutcomeIndex);
  release(OutcomeNext);
  Store.dropIndex();
  // The memos and indexes just freed lie between blocks still in use: return their pages before
  // compaction copies the reachable nodes (at 100,000 rules, 150 MB of them were resident). Only
  // for builds long enough to have returned memory already: a small one has little to return.
  if (D.Stats.MemoryReturns)
    releaseFreedMemory();
  compact(Final);
  // The compacted diagram is all that is read from here on.
  release(Outcomes);
  release(OutcomePool);
  release(Derived);
  release(ObligationIds);
  Store.releaseNodes();
  D.Stats.DerivedSeconds = std::chrono::duration<double>(Clock::now() - LeafDone).count();
  countDerivedEdges();
  return llvm::Error::success();
}

void Builder::countDerivedEdges() {
  for (const auto &N : D.Nodes) {
    if (N.Var == RuleListVar)
      ++D.Stats.RuleLists;
    if (N.Var >= NumDimensions)
      continue;
    const DimensionClasses &DC = D.Classes[N.Var];
    if (DC.NumClasses == DC.NumLeafClasses)
      continue;
    ++(N.Count == DC.NumClasses ? D.Stats.GroupNodes : D.Stats.DeferredNodes);
    D.Stats.DerivedEdges += N.Count - DC.NumLeafClasses;
    D.Stats.DeferredEdges += DC.NumClasses - N.Count;
  }
}

} // namespace

DecisionDiagram::DecisionDiagram(std::unique_ptr<Impl> I) : I(std::move(I)) {}
DecisionDiagram::~DecisionDiagram() = default;

llvm::Expected<std::unique_ptr<DecisionDiagram>>
DecisionDiagram::build(const Policy &P, const DiagramOptions &Opts) {
  auto State = std::make_unique<Impl>(P);
  using Built = llvm::Expected<std::unique_ptr<DecisionDiagram>>;
  llvm::Error Failed = llvm::Error::success();
  if (!Opts.ForceRuleLists) {
    Builder B(*State, Opts);
    Failed = B.run();
    if (!Failed)
      return std::unique_ptr<DecisionDiagram>(new DecisionDiagram(std::move(State)));
    if (!Opts.AllowRuleLists)
      return Built(std::move(Failed));
  }
  // Over budget: the indexed rule evaluator. A diagram over the first dimensions indexes, for
  // every combination of their values, the rules that can apply; the runtime evaluates those.
  std::string Why = Failed ? llvm::toString(std::move(Failed)) : "requested";
  State = std::make_unique<Impl>(P);
  Builder B(*State, Opts);
  B.RuleLists = true;
  if (llvm::Error E = B.run())
    return Built(std::move(E));
  State->Stats.FallbackReason = Why;
  return std::unique_ptr<DecisionDiagram>(new DecisionDiagram(std::move(State)));
}

} // namespace privet
