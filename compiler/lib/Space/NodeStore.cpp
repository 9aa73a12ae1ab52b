//===- NodeStore.cpp - The hash-consed node table under every request-space diagram ---------===//
#include "privet/Space/NodeStore.h"

#include "llvm/ADT/Hashing.h"

#include <algorithm>

using namespace privet::space;

NodeStore::NodeStore(Budget B) : Limits(B) { Table.assign(1024, 0); }

uint32_t NodeStore::hash(uint32_t Var, llvm::ArrayRef<uint32_t> Children) {
  return uint32_t(
      llvm::hash_combine(Var, llvm::hash_combine_range(Children.begin(), Children.end())));
}

void NodeStore::grow() {
  Table.assign(Table.size() * 2, 0);
  size_t Mask = Table.size() - 1;
  for (uint32_t N = 0; N != Nodes.size(); ++N) {
    size_t Slot = Hashes[N] & Mask;
    while (Table[Slot])
      Slot = (Slot + 1) & Mask;
    Table[Slot] = N + 1;
  }
}

uint32_t NodeStore::intern(uint32_t Var, llvm::ArrayRef<uint32_t> Children, bool Budgeted) {
  uint32_t H = hash(Var, Children);
  size_t Mask = Table.size() - 1;
  size_t Slot = H & Mask;
  while (uint32_t Entry = Table[Slot]) {
    uint32_t N = Entry - 1;
    const Node &Rec = Nodes[N];
    if (Hashes[N] == H && Rec.Var == Var && Rec.Count == Children.size() &&
        std::equal(Children.begin(), Children.end(), Pool.begin() + Rec.First))
      return N;
    Slot = (Slot + 1) & Mask;
  }
  // The index Full stays free as the sentinel.
  if ((Budgeted && Nodes.size() >= Limits.Nodes) || Nodes.size() >= Full - 1) {
    NodesExhausted = true;
    return Full;
  }
  uint32_t Id = Nodes.size();
  Nodes.push_back({Var, uint32_t(Pool.size()), uint32_t(Children.size())});
  Hashes.push_back(H);
  Pool.insert(Pool.end(), Children.begin(), Children.end());
  Table[Slot] = Id + 1;
  if (Nodes.size() * 2 > Table.size())
    grow();
  return Id;
}

llvm::Error NodeStore::budgetError(llvm::StringRef What) const {
  if (NodesExhausted)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s exceeds the node budget of %llu nodes", What.str().c_str(),
                                   (unsigned long long)Limits.Nodes);
  if (Steps > Limits.Steps)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "building %s exceeds the work budget of %llu steps",
                                   What.str().c_str(), (unsigned long long)Limits.Steps);
  return llvm::Error::success();
}
