//===- Regions.cpp - Where each rule applies, decides, and what the policy allows ------===//
#include "privet/Analysis/Regions.h"

#include <algorithm>

using namespace privet;
using namespace privet::analysis;

PolicyRegions::PolicyRegions(RequestSpace &Sp, unsigned W)
    : S(Sp), P(Sp.view(W).policy()), Which(W) {
  Mdd &M = S.mdd();
  const PolicyView &V = S.view(W);
  size_t N = P.Rules.size();
  Applies.assign(N, Mdd::False);
  ExcAny = ExcDeny = DenyOut = AllowOut = Own = Blocked = Applies;
  Guards.assign(N, Mdd::True);
  Origins.assign(N, NoIndex);
  EffObligations.resize(N);
  EffDims.resize(N);

  // Parents before exceptions: walk each rule's ancestor chain once, top-down.
  std::vector<uint8_t> Done(N, 0);
  std::vector<uint32_t> Chain;
  for (uint32_t R = 0; R != N; ++R) {
    Chain.clear();
    for (uint32_t X = R; X != NoIndex && X < N && !Done[X]; X = P.Rules[X].Parent) {
      if (std::find(Chain.begin(), Chain.end(), X) != Chain.end())
        break; // A malformed parent cycle; sema never produces one.
      Chain.push_back(X);
    }
    for (auto It = Chain.rbegin(); It != Chain.rend(); ++It) {
      uint32_t X = *It;
      const Rule &Rl = P.Rules[X];
      Mdd::Ref Local = S.scope(W, Rl.S);
      if (Rl.Condition) {
        Guards[X] = S.condition(W, *Rl.Condition);
        Local = M.conj(Local, Guards[X]);
      }
      for (unsigned D = 0; D != NumDimensions; ++D)
        EffDims[X][D] = V.mapLeaves(Dimension(D), Rl.S.Dims[D]);
      EffObligations[X] = Rl.IsAllow ? Rl.Obligations : std::vector<ObligationRef>{};
      if (Rl.Parent != NoIndex && Rl.Parent < N) {
        Local = M.conj(Local, Applies[Rl.Parent]);
        Guards[X] = M.conj(Guards[X], Guards[Rl.Parent]);
        for (unsigned D = 0; D != NumDimensions; ++D)
          EffDims[X][D] &= EffDims[Rl.Parent][D];
        // Every enclosing allow rule's obligations, also across a deny in between.
        for (uint32_t A = Rl.Parent; Rl.IsAllow && A != NoIndex && A < N; A = P.Rules[A].Parent)
          if (P.Rules[A].IsAllow)
            EffObligations[X].insert(EffObligations[X].end(), P.Rules[A].Obligations.begin(),
                                     P.Rules[A].Obligations.end());
        llvm::sort(EffObligations[X]);
        EffObligations[X].erase(std::unique(EffObligations[X].begin(), EffObligations[X].end()),
                                EffObligations[X].end());
      }
      Applies[X] = Local;
      Done[X] = 1;
    }
  }

  std::vector<uint8_t> State(N, 0);
  std::vector<Mdd::Ref> TopDeny, TopAllow;
  for (uint32_t R = 0; R != N; ++R) {
    computeOutcome(R, State);
    if (P.Rules[R].isTopLevel()) {
      TopDeny.push_back(DenyOut[R]);
      TopAllow.push_back(AllowOut[R]);
    }
  }
  Denied = M.disjAll(std::move(TopDeny));
  Allowed = M.diff(M.disjAll(std::move(TopAllow)), Denied);

  for (uint32_t R = 0; R != N; ++R) {
    Mdd::Ref B = Mdd::False;
    for (uint32_t A = P.Rules[R].Parent; A != NoIndex && A < N; A = P.Rules[A].Parent)
      B = M.disj(B, ExcDeny[A]);
    Blocked[R] = B;
  }
}

void PolicyRegions::computeOutcome(uint32_t R, std::vector<uint8_t> &State) {
  if (State[R])
    return;
  State[R] = 1;
  Mdd &M = S.mdd();
  const Rule &Rl = P.Rules[R];
  std::vector<Mdd::Ref> Any, Den, All;
  for (uint32_t E : Rl.Exceptions) {
    if (E >= P.Rules.size() || State[E] == 1)
      continue;
    computeOutcome(E, State);
    Any.push_back(Applies[E]);
    Den.push_back(DenyOut[E]);
    All.push_back(AllowOut[E]);
  }
  ExcAny[R] = M.disjAll(std::move(Any));
  ExcDeny[R] = M.disjAll(std::move(Den));
  Mdd::Ref ExcAllow = M.disjAll(std::move(All));
  Own[R] = M.diff(Applies[R], ExcAny[R]);
  if (Rl.IsAllow) {
    DenyOut[R] = ExcDeny[R];
    AllowOut[R] = M.diff(Applies[R], ExcDeny[R]);
  } else {
    DenyOut[R] = M.disj(ExcDeny[R], Own[R]);
    AllowOut[R] = M.diff(ExcAllow, ExcDeny[R]);
  }
  State[R] = 2;
}

Mdd::Ref PolicyRegions::origin(uint32_t R) {
  if (Origins[R] != NoIndex)
    return Origins[R];
  Mdd &M = S.mdd();
  Mdd::Ref O = P.Rules[R].IsAllow ? M.conj(M.diff(Own[R], Blocked[R]), Allowed) : Own[R];
  Origins[R] = O;
  return O;
}

Mdd::Ref PolicyRegions::carrying(const std::function<bool(const ObligationRef &)> &Pred) {
  std::vector<Mdd::Ref> Parts;
  for (uint32_t R = 0; R != P.Rules.size(); ++R) {
    if (!P.Rules[R].IsAllow)
      continue;
    const auto &Obls = EffObligations[R];
    if (std::any_of(Obls.begin(), Obls.end(), Pred))
      Parts.push_back(origin(R));
  }
  return S.mdd().disjAll(std::move(Parts));
}

PointDecision PolicyRegions::decide(llvm::ArrayRef<uint32_t> Point) const {
  const Mdd &M = S.mdd();
  PointDecision D;
  D.Allow = M.contains(Allowed, Point);
  for (uint32_t R = 0; R != P.Rules.size(); ++R) {
    const Rule &Rl = P.Rules[R];
    if (Rl.IsAllow != D.Allow || !M.contains(Own[R], Point))
      continue;
    if (D.Allow && M.contains(Blocked[R], Point))
      continue;
    D.Rules.push_back(R);
    if (D.Allow)
      D.Obligations.insert(D.Obligations.end(), EffObligations[R].begin(), EffObligations[R].end());
  }
  llvm::sort(D.Obligations);
  D.Obligations.erase(std::unique(D.Obligations.begin(), D.Obligations.end()), D.Obligations.end());
  return D;
}
