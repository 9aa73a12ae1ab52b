//===- Policy.cpp - Out-of-line helpers of the checked Policy ----------------------------===//
#include "privet/Sema/Policy.h"
#include "privet/Domain.h"
#include "privet/Sema/Condition.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cassert>

namespace privet {

static_assert(NumDimensions == domain::NumDimensions, "the dimensions are Domain.h's");

static llvm::StringRef ref(std::string_view S) { return llvm::StringRef(S.data(), S.size()); }

llvm::StringRef dimensionName(Dimension D) { return ref(domain::DimensionKeys[unsigned(D)]); }

llvm::StringRef dimensionKeyword(Dimension D) {
  return ref(domain::DimensionKeywords[unsigned(D)]);
}

llvm::StringRef dimensionPreposition(Dimension D) {
  return ref(domain::DimensionPrepositions[unsigned(D)]);
}

std::optional<NodeId> Vocabulary::lookup(llvm::StringRef Name) const {
  for (NodeId I = 0; I < Nodes.size(); ++I)
    if (Nodes[I].Name == Name)
      return I;
  return std::nullopt;
}

bool Vocabulary::isAtOrUnder(NodeId N, NodeId Ancestor) const {
  std::vector<NodeId> Work{N};
  std::vector<bool> Seen(Nodes.size(), false);
  while (!Work.empty()) {
    NodeId X = Work.back();
    Work.pop_back();
    if (X == Ancestor)
      return true;
    if (X >= Nodes.size() || Seen[X])
      continue;
    Seen[X] = true;
    for (NodeId Up : Nodes[X].Parents)
      Work.push_back(Up);
  }
  return false;
}

void Policy::addRetentionExceptions() {
  const size_t Written = Rules.size();
  for (uint32_t R = 0; R < Written; ++R) {
    if (!Rules[R].IsAllow || Rules[R].RetentionOf)
      continue;
    unsigned K = 0;
    const std::vector<ObligationRef> Os = Rules[R].Obligations;
    for (const ObligationRef &O : Os) {
      if (!O.Arg || O.Obligation >= Obligations.Nodes.size())
        continue;
      const VocabNode &Node = Obligations.Nodes[O.Obligation];
      if (Node.LimitsAttr >= Attributes.size())
        continue;
      const Attribute &A = Attributes[Node.LimitsAttr];
      llvm::StringRef Short = llvm::StringRef(Node.Name).rsplit('.').second;
      if (Short.empty())
        Short = Node.Name;
      Rule X;
      X.IsAllow = false;
      X.Parent = R;
      X.Module = Rules[R].Module;
      X.Location = O.Location.Line ? O.Location : Rules[R].Location;
      X.Id = Rules[R].Id + "." + Short.str() + (K ? "." + std::to_string(K + 1) : "");
      ++K;
      X.Named = false;
      Cond C;
      C.K = Cond::Compare;
      C.Attr = Node.LimitsAttr;
      C.Op = CmpOp::Gt;
      C.Value = *O.Arg;
      C.Location = X.Location;
      X.Condition = C;
      std::string Limit = Node.Name + "(" + domain::formatDuration(*O.Arg) + ")";
      X.SourceText = "deny when " + A.Name + " > " + domain::formatDuration(*O.Arg) +
                     "  // retention limit " + Limit + " of `" + Rules[R].Id + "`";
      X.Sources = Node.Sources;
      X.RetentionOf = O;
      uint32_t Index = Rules.size();
      Rules.push_back(std::move(X));
      Rules[R].Exceptions.push_back(Index);
    }
  }
}

std::optional<NodeId> Policy::controllerActor() const {
  const Vocabulary &V = vocab(Dimension::Actor);
  std::string_view Us = domain::ControllerActor;
  return V.lookup(llvm::StringRef(Us.data(), Us.size()));
}

std::optional<LeafIndex> Policy::controllerActorLeaf() const {
  std::optional<NodeId> N = controllerActor();
  const Vocabulary &V = vocab(Dimension::Actor);
  if (!N || *N >= V.LeafOf.size() || V.LeafOf[*N] == NoIndex)
    return std::nullopt;
  return V.LeafOf[*N];
}

std::optional<uint32_t> Policy::findAttribute(llvm::StringRef Name) const {
  for (uint32_t I = 0; I < Attributes.size(); ++I)
    if (Attributes[I].Name == Name)
      return I;
  return std::nullopt;
}

std::optional<uint32_t> Policy::findRule(llvm::StringRef Id) const {
  for (uint32_t I = 0; I < Rules.size(); ++I)
    if (Rules[I].Id == Id)
      return I;
  return std::nullopt;
}

/// Makes Parents and Children mirror each other, numbers the leaves and computes, bottom-up,
/// the leaves each node covers. Iterative, so deep hierarchies cannot overflow the stack; an
/// edge that would close a cycle (sema reports and removes those first) is ignored.
static void closeVocabulary(Vocabulary &V) {
  size_t N = V.Nodes.size();
  for (NodeId I = 0; I < N; ++I) {
    for (NodeId P : V.Nodes[I].Parents)
      if (P < N)
        V.Nodes[P].Children.push_back(I);
    for (NodeId C : V.Nodes[I].Children)
      if (C < N)
        V.Nodes[C].Parents.push_back(I);
  }
  for (auto &Node : V.Nodes) {
    for (auto *List : {&Node.Parents, &Node.Children}) {
      List->erase(std::remove_if(List->begin(), List->end(), [N](NodeId X) { return X >= N; }),
                  List->end());
      std::sort(List->begin(), List->end());
      List->erase(std::unique(List->begin(), List->end()), List->end());
    }
  }
  V.Leaves.clear();
  V.LeafOf.assign(N, NoIndex);
  for (NodeId I = 0; I < N; ++I)
    if (V.Nodes[I].Children.empty()) {
      V.LeafOf[I] = V.Leaves.size();
      V.Leaves.push_back(I);
    }
  unsigned NumLeaves = V.Leaves.size();
  V.Covers.assign(N, LeafSet(NumLeaves));
  // 0 unvisited, 1 on the stack, 2 done.
  std::vector<uint8_t> State(N, 0);
  for (NodeId Root = 0; Root < N; ++Root) {
    if (State[Root])
      continue;
    std::vector<std::pair<NodeId, size_t>> Stack{{Root, 0}};
    State[Root] = 1;
    while (!Stack.empty()) {
      auto &[Node, NextChild] = Stack.back();
      const auto &Children = V.Nodes[Node].Children;
      if (NextChild < Children.size()) {
        NodeId C = Children[NextChild++];
        if (State[C] == 0) {
          State[C] = 1;
          Stack.push_back({C, 0});
        }
        continue;
      }
      NodeId Done = Node;
      Stack.pop_back();
      if (V.LeafOf[Done] != NoIndex)
        V.Covers[Done].set(V.LeafOf[Done]);
      for (NodeId C : V.Nodes[Done].Children)
        if (State[C] == 2)
          V.Covers[Done] |= V.Covers[C];
      State[Done] = 2;
    }
  }
}

void Policy::closeHierarchies() {
  for (auto &V : Vocab)
    closeVocabulary(V);
  closeVocabulary(Obligations);
}

llvm::BitVector Policy::recipientLocation(NodeId Recipient) const {
  const VocabNode &N = vocab(Dimension::Recipient).Nodes[Recipient];
  const Vocabulary &Regions = vocab(Dimension::Region);
  if (N.LocatedIn)
    return Regions.Covers[*N.LocatedIn].bits();
  llvm::BitVector Out(Regions.numLeaves());
  for (NodeId Parent : N.Parents)
    Out |= recipientLocation(Parent);
  return Out;
}

bool Policy::recipientUnderContract(NodeId Recipient) const {
  const VocabNode &N = vocab(Dimension::Recipient).Nodes[Recipient];
  return N.UnderContract ||
         llvm::any_of(N.Parents, [&](NodeId Parent) { return recipientUnderContract(Parent); });
}

llvm::BitVector Policy::recipientsWhere(const RecipientFacts &F) const {
  const Vocabulary &V = vocab(Dimension::Recipient);
  llvm::BitVector Out(V.numLeaves());
  switch (F.K) {
  case RecipientFacts::Role:
    return V.Covers[F.Node].bits();
  case RecipientFacts::Contract:
    for (LeafIndex L = 0; L < V.numLeaves(); ++L)
      if (recipientUnderContract(V.Leaves[L]))
        Out.set(L);
    return Out;
  case RecipientFacts::Located: {
    const llvm::BitVector Within = vocab(Dimension::Region).Covers[F.Node].bits();
    for (LeafIndex L = 0; L < V.numLeaves(); ++L) {
      llvm::BitVector Where = recipientLocation(V.Leaves[L]);
      if (Where.any() && !Where.test(Within))
        Out.set(L);
    }
    return Out;
  }
  case RecipientFacts::Not:
    Out = recipientsWhere(F.Ops[0]);
    Out.flip();
    return Out;
  case RecipientFacts::And:
    Out.set();
    for (const auto &Op : F.Ops)
      Out &= recipientsWhere(Op);
    return Out;
  case RecipientFacts::Or:
    for (const auto &Op : F.Ops)
      Out |= recipientsWhere(Op);
    return Out;
  }
  return Out;
}

bool compare(CmpOp Op, int64_t L, int64_t R) {
  switch (Op) {
  case CmpOp::Eq:
    return L == R;
  case CmpOp::Ne:
    return L != R;
  case CmpOp::Lt:
    return L < R;
  case CmpOp::Le:
    return L <= R;
  case CmpOp::Gt:
    return L > R;
  case CmpOp::Ge:
    return L >= R;
  }
  return false;
}

bool attrCondHolds(const Cond &C, int64_t V) {
  switch (C.K) {
  case Cond::BoolAttr:
    return V != 0;
  case Cond::Compare:
    return compare(C.Op, V, C.Value);
  case Cond::InSet:
    return std::find(C.Set.begin(), C.Set.end(), V) != C.Set.end();
  default:
    assert(false && "not an attribute condition");
    return false;
  }
}

bool evaluateCondition(const Cond &C, llvm::ArrayRef<int64_t> AttrValues) {
  switch (C.K) {
  case Cond::True:
    return true;
  case Cond::False:
    return false;
  case Cond::Not:
    return !evaluateCondition(C.Ops[0], AttrValues);
  case Cond::And:
    for (const Cond &Op : C.Ops)
      if (!evaluateCondition(Op, AttrValues))
        return false;
    return true;
  case Cond::Or:
    for (const Cond &Op : C.Ops)
      if (evaluateCondition(Op, AttrValues))
        return true;
    return false;
  case Cond::BoolAttr:
  case Cond::Compare:
  case Cond::InSet:
    return attrCondHolds(C, C.Attr < AttrValues.size() ? AttrValues[C.Attr] : 0);
  }
  return false;
}

} // namespace privet
