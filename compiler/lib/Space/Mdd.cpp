//===- Mdd.cpp - Hash-consed multi-valued decision diagrams over finite sets ------------===//
#include "privet/Space/Mdd.h"

#include "llvm/ADT/DenseSet.h"

#include <algorithm>

using namespace privet::space;

void Mdd::ComputedTable::resize(unsigned NewBits) {
  std::vector<Entry> Old = std::move(Entries);
  Bits = std::max(1u, NewBits);
  Entries.assign(size_t(1) << Bits, Entry{Empty, 0});
  // Kept entries stay useful: rehash them (a collision drops one, as any insert may).
  if (Old.size() < Entries.size())
    for (const Entry &E : Old)
      if (E.Key != Empty)
        Entries[slot(E.Key)] = E;
}

Mdd::Mdd(std::vector<uint32_t> Doms, Budget B, unsigned CacheBits)
    : Domains(std::move(Doms)), Store(B), ApplyCache(CacheBits), TestCache(CacheBits) {
  for (uint32_t &D : Domains)
    D = std::max<uint32_t>(D, 1);
}

Mdd::Ref Mdd::node(unsigned Var, llvm::ArrayRef<Ref> Children) {
  assert(Var < Domains.size() && Children.size() == Domains[Var] && "malformed node");
  if (std::all_of(Children.begin(), Children.end(), [&](Ref C) { return C == Children[0]; }))
    return Children[0];
  uint32_t N = Store.intern(Var, Children);
  return N == NodeStore::Full ? False : N + FirstNode;
}

Mdd::Ref Mdd::literal(unsigned Var, const llvm::BitVector &Values) {
  std::vector<Ref> Kids(Domains[Var], False);
  for (unsigned I = 0, E = std::min<unsigned>(Values.size(), Domains[Var]); I != E; ++I)
    if (Values[I])
      Kids[I] = True;
  return node(Var, Kids);
}

Mdd::Ref Mdd::cube(llvm::ArrayRef<const llvm::BitVector *> PerVar) {
  Ref R = True;
  std::vector<Ref> Kids;
  for (unsigned V = std::min<unsigned>(PerVar.size(), Domains.size()); V-- > 0;) {
    const llvm::BitVector *Values = PerVar[V];
    if (!Values)
      continue;
    Kids.assign(Domains[V], False);
    for (unsigned I = 0, E = std::min<unsigned>(Values->size(), Domains[V]); I != E; ++I)
      if ((*Values)[I])
        Kids[I] = R;
    R = node(V, Kids);
    if (R == False)
      return False;
  }
  return R;
}

Mdd::Ref Mdd::apply(Op O, Ref A, Ref B) {
  switch (O) {
  case OpAnd:
    if (A == False || B == False)
      return False;
    if (A == True || A == B)
      return B;
    if (B == True)
      return A;
    if (A > B)
      std::swap(A, B);
    break;
  case OpOr:
    if (A == True || B == True)
      return True;
    if (A == False || A == B)
      return B;
    if (B == False)
      return A;
    if (A > B)
      std::swap(A, B);
    break;
  case OpDiff:
    if (A == False || B == True || A == B)
      return False;
    if (B == False)
      return A;
    break;
  }
  uint64_t Key = (uint64_t(O) << 62) | (uint64_t(A) << 31) | uint64_t(B);
  uint32_t Cached;
  if (ApplyCache.lookup(Key, Cached))
    return Cached;
  unsigned V = std::min(var(A), var(B));
  uint32_t N = Domains[V];
  // Over a budget nothing more is built; the result is unfinished and never cached.
  if (!Store.step(N) || Store.exhausted())
    return False;
  llvm::SmallVector<Ref, 16> Kids(N);
  for (uint32_t I = 0; I != N; ++I)
    Kids[I] = apply(O, cofactor(A, V, I), cofactor(B, V, I));
  Ref R = node(V, Kids);
  if (!Store.exhausted())
    ApplyCache.insert(Key, R, Store.size());
  return R;
}

Mdd::Ref Mdd::disjAll(std::vector<Ref> Sets) {
  if (Sets.empty())
    return False;
  while (Sets.size() > 1) {
    size_t Out = 0;
    for (size_t I = 0; I < Sets.size(); I += 2)
      Sets[Out++] = I + 1 < Sets.size() ? disj(Sets[I], Sets[I + 1]) : Sets[I];
    Sets.resize(Out);
  }
  return Sets[0];
}

bool Mdd::subset(Ref A, Ref B) {
  if (A == False || B == True || A == B)
    return true;
  if (A == True || B == False)
    return false;
  uint64_t Key = (uint64_t(A) << 31) | B;
  uint32_t Cached;
  if (TestCache.lookup(Key, Cached))
    return Cached;
  unsigned V = std::min(var(A), var(B));
  bool Result = true;
  for (uint32_t I = 0, N = Domains[V]; I != N && Result; ++I)
    Result = subset(cofactor(A, V, I), cofactor(B, V, I));
  TestCache.insert(Key, Result, Store.size());
  return Result;
}

bool Mdd::intersects(Ref A, Ref B) {
  if (A == False || B == False)
    return false;
  if (A == True || B == True || A == B)
    return true;
  if (A > B)
    std::swap(A, B);
  uint64_t Key = (uint64_t(1) << 62) | (uint64_t(A) << 31) | B;
  uint32_t Cached;
  if (TestCache.lookup(Key, Cached))
    return Cached;
  unsigned V = std::min(var(A), var(B));
  bool Result = false;
  for (uint32_t I = 0, N = Domains[V]; I != N && !Result; ++I)
    Result = intersects(cofactor(A, V, I), cofactor(B, V, I));
  TestCache.insert(Key, Result, Store.size());
  return Result;
}

bool Mdd::contains(Ref A, llvm::ArrayRef<uint32_t> Point) const {
  while (!isTerminal(A))
    A = Store.child(A - FirstNode, Point[var(A)]);
  return A == True;
}

std::optional<std::vector<uint32_t>> Mdd::pick(Ref A, llvm::ArrayRef<uint32_t> Preferred) const {
  if (A == False)
    return std::nullopt;
  std::vector<uint32_t> Point(Domains.size(), 0);
  for (unsigned V = 0; V != Domains.size(); ++V)
    if (V < Preferred.size() && Preferred[V] < Domains[V])
      Point[V] = Preferred[V];
  // In a reduced diagram every non-False node has a path to True, so a greedy walk succeeds.
  while (A != True) {
    unsigned V = var(A);
    llvm::ArrayRef<Ref> Kids = children(A);
    if (Kids[Point[V]] == False)
      Point[V] =
          std::find_if(Kids.begin(), Kids.end(), [](Ref C) { return C != False; }) - Kids.begin();
    A = Kids[Point[V]];
  }
  return Point;
}

llvm::BitVector Mdd::project(Ref A, unsigned Var) {
  llvm::BitVector Result(Domains[Var]);
  llvm::DenseSet<Ref> Seen;
  std::vector<Ref> Work{A};
  while (!Work.empty() && !Result.all()) {
    Ref R = Work.back();
    Work.pop_back();
    if (R == False || !Seen.insert(R).second)
      continue;
    if (var(R) > Var) {
      Result.set();
      break;
    }
    llvm::ArrayRef<Ref> Kids = children(R);
    if (var(R) == Var) {
      for (uint32_t I = 0; I != Kids.size(); ++I)
        if (Kids[I] != False)
          Result.set(I);
      continue;
    }
    Work.insert(Work.end(), Kids.begin(), Kids.end());
  }
  return Result;
}

bool Mdd::cubeWalk(Ref R, unsigned Var, std::vector<llvm::BitVector> &Acc,
                   const std::function<bool(const std::vector<llvm::BitVector> &)> &F) const {
  if (R == False)
    return true;
  if (R == True)
    return F(Acc);
  unsigned V = var(R);
  llvm::ArrayRef<Ref> Kids = children(R);
  // One product per distinct child: values leading to the same subdiagram share a box.
  llvm::SmallVector<Ref, 8> Distinct;
  for (Ref C : Kids)
    if (C != False && std::find(Distinct.begin(), Distinct.end(), C) == Distinct.end())
      Distinct.push_back(C);
  llvm::BitVector Saved = Acc[V];
  for (Ref C : Distinct) {
    Acc[V].reset();
    for (uint32_t I = 0; I != Kids.size(); ++I)
      if (Kids[I] == C)
        Acc[V].set(I);
    if (!cubeWalk(C, V + 1, Acc, F)) {
      Acc[V] = Saved;
      return false;
    }
  }
  Acc[V] = Saved;
  return true;
}

void Mdd::forEachCube(Ref A,
                      const std::function<bool(const std::vector<llvm::BitVector> &)> &F) const {
  std::vector<llvm::BitVector> Acc;
  for (uint32_t D : Domains)
    Acc.emplace_back(D, true);
  cubeWalk(A, 0, Acc, F);
}

void Mdd::clearCaches() {
  ApplyCache.clear();
  TestCache.clear();
}
