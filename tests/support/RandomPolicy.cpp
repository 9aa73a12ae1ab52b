//===- RandomPolicy.cpp - Random policies and requests for the tests and the benchmarks ------===//
#include "RandomPolicy.h"

#include "privet/Domain.h"

#include <algorithm>
#include <functional>
#include <sstream>

namespace privet::testing {

using domain::DimensionKeys;

void closeVocabulary(Vocabulary &V) {
  V.Leaves.clear();
  V.LeafOf.assign(V.Nodes.size(), NoIndex);
  for (NodeId N = 0; N < V.Nodes.size(); ++N)
    if (V.Nodes[N].Children.empty()) {
      V.LeafOf[N] = V.Leaves.size();
      V.Leaves.push_back(N);
    }
  V.Covers.assign(V.Nodes.size(), LeafSet(V.Leaves.size()));
  // Parents are declared before children in every generated vocabulary, so a reverse sweep
  // finishes each node before its parents read it.
  std::function<void(NodeId)> Fill = [&](NodeId N) {
    if (V.LeafOf[N] != NoIndex)
      V.Covers[N].set(V.LeafOf[N]);
    for (NodeId C : V.Nodes[N].Children) {
      if (V.Covers[C].none())
        Fill(C);
      V.Covers[N] |= V.Covers[C];
    }
  };
  for (NodeId N = V.Nodes.size(); N-- > 0;)
    Fill(N);
}

NodeId pickNode(Draw &G, const Vocabulary &V, double PLeaf) {
  if (G.chance(PLeaf))
    return V.Leaves[G.below(V.numLeaves())];
  return G.below(V.Nodes.size());
}

void addScopeItem(Scope &S, const Vocabulary &V, unsigned D, NodeId N, bool Negated) {
  if (!S.Dims[D])
    S.Dims[D] = llvm::BitVector(V.numLeaves());
  llvm::BitVector Item = V.Covers[N].bits();
  if (Negated)
    Item.flip();
  *S.Dims[D] |= Item;
  S.Written[D].push_back({N, Negated});
}

static void randomVocabulary(Draw &G, Vocabulary &V, const std::string &Prefix, unsigned MaxNodes) {
  unsigned N = 1 + G.below(MaxNodes);
  for (unsigned I = 0; I < N; ++I) {
    VocabNode Node;
    Node.Name = Prefix + std::to_string(I);
    if (I > 0 && G.chance(0.6)) {
      Node.Parents.push_back(G.below(I));
      // A second parent makes the hierarchy a DAG.
      if (I > 1 && G.chance(0.2)) {
        NodeId Second = G.below(I);
        if (Second != Node.Parents[0])
          Node.Parents.push_back(Second);
      }
    }
    V.Nodes.push_back(Node);
  }
  for (NodeId I = 0; I < V.Nodes.size(); ++I)
    for (NodeId Parent : V.Nodes[I].Parents)
      V.Nodes[Parent].Children.push_back(I);
  closeVocabulary(V);
}

static Cond randomCond(Draw &G, const Policy &P, unsigned Depth) {
  Cond C;
  if (Depth > 0 && G.chance(0.35)) {
    unsigned K = G.below(3);
    if (K == 0) {
      C.K = Cond::Not;
      C.Ops.push_back(randomCond(G, P, Depth - 1));
    } else {
      C.K = K == 1 ? Cond::And : Cond::Or;
      C.Ops.push_back(randomCond(G, P, Depth - 1));
      C.Ops.push_back(randomCond(G, P, Depth - 1));
    }
    return C;
  }
  if (P.Attributes.empty()) {
    C.K = G.chance(0.5) ? Cond::True : Cond::False;
    return C;
  }
  C.Attr = G.below(P.Attributes.size());
  const Attribute &A = P.Attributes[C.Attr];
  switch (A.Kind) {
  case AttrKind::Bool:
    if (G.chance(0.7)) {
      C.K = Cond::BoolAttr;
    } else {
      C.K = Cond::Compare;
      C.Op = G.chance(0.5) ? CmpOp::Eq : CmpOp::Ne;
      C.Value = G.below(2);
    }
    break;
  case AttrKind::Enum: {
    unsigned N = P.Enums[A.Enum].Values.size();
    if (G.chance(0.5)) {
      C.K = Cond::Compare;
      C.Op = G.chance(0.5) ? CmpOp::Eq : CmpOp::Ne;
      C.Value = G.below(N);
    } else {
      C.K = Cond::InSet;
      for (unsigned V = 0; V < N; ++V)
        if (G.chance(0.5))
          C.Set.push_back(V);
    }
    break;
  }
  case AttrKind::Int:
  case AttrKind::Duration:
    if (G.chance(0.8)) {
      C.K = Cond::Compare;
      C.Op = CmpOp(G.below(6));
      C.Value = G.below(11);
    } else {
      C.K = Cond::InSet;
      C.Set = {int64_t(G.below(11)), int64_t(G.below(11))};
    }
    break;
  }
  return C;
}

static RecipientFacts randomFacts(Draw &G, const Policy &P, unsigned Depth) {
  RecipientFacts F;
  if (Depth > 0 && G.chance(0.4)) {
    unsigned K = G.below(3);
    F.K = K == 0 ? RecipientFacts::Not : K == 1 ? RecipientFacts::And : RecipientFacts::Or;
    F.Ops.push_back(randomFacts(G, P, Depth - 1));
    if (F.K != RecipientFacts::Not)
      F.Ops.push_back(randomFacts(G, P, Depth - 1));
    return F;
  }
  const Vocabulary &Regions = P.vocab(Dimension::Region);
  unsigned K = G.below(Regions.empty() ? 2 : 3);
  F.K = K == 0 ? RecipientFacts::Contract : K == 1 ? RecipientFacts::Role : RecipientFacts::Located;
  if (F.K == RecipientFacts::Role)
    F.Node = G.below(P.vocab(Dimension::Recipient).Nodes.size());
  else if (F.K == RecipientFacts::Located)
    F.Node = G.below(Regions.Nodes.size());
  return F;
}

static Scope randomScope(Draw &G, const Policy &P) {
  Scope S;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const Vocabulary &V = P.Vocab[D];
    if (V.empty() || !G.chance(0.45))
      continue;
    unsigned Items = 1 + G.below(2);
    for (unsigned I = 0; I < Items; ++I) {
      if (!S.Dims[D])
        S.Dims[D] = llvm::BitVector(V.numLeaves());
      // `recipients where ...`: the set is computed by Sema's function; the reference
      // evaluator decides membership from the facts itself.
      if (D == unsigned(Dimension::Recipient) && G.chance(0.3)) {
        RecipientFacts F = randomFacts(G, P, 2);
        *S.Dims[D] |= P.recipientsWhere(F);
        S.Where.push_back(std::move(F));
        continue;
      }
      // `not (a, b)`: neither a nor b.
      if (G.chance(0.15)) {
        std::vector<NodeId> Group{NodeId(G.below(V.Nodes.size())), NodeId(G.below(V.Nodes.size()))};
        llvm::BitVector Covered(V.numLeaves());
        for (NodeId N : Group)
          V.Covers[N].addTo(Covered);
        Covered.flip();
        *S.Dims[D] |= Covered;
        S.Neither[D].push_back(std::move(Group));
        continue;
      }
      NodeId N = G.below(V.Nodes.size());
      addScopeItem(S, V, D, N, G.chance(0.2));
    }
  }
  return S;
}

/// Recipient facts: some recipients under contract, some located in a region; the nodes under
/// them inherit both.
static void randomRecipientFacts(Draw &G, Policy &P) {
  Vocabulary &Recipients = P.vocab(Dimension::Recipient);
  const Vocabulary &Regions = P.vocab(Dimension::Region);
  for (VocabNode &N : Recipients.Nodes) {
    N.UnderContract = G.chance(0.3);
    if (!Regions.empty() && G.chance(0.4))
      N.LocatedIn = G.below(Regions.Nodes.size());
  }
}

static uint32_t addRule(Draw &G, Policy &P, bool IsAllow, uint32_t Parent, unsigned Depth) {
  uint32_t Index = P.Rules.size();
  P.Rules.emplace_back();
  {
    Rule &R = P.Rules.back();
    R.Id = "r" + std::to_string(Index);
    R.Named = true;
    R.IsAllow = IsAllow;
    R.Parent = Parent;
  }
  Scope S = randomScope(G, P);
  // As sema does: a top-level allow that names no actor is the controller's (`us`) alone (a
  // deny that names none binds every actor).
  if (Parent == NoIndex && IsAllow && !S.dim(Dimension::Actor))
    if (std::optional<LeafIndex> Us = P.controllerActorLeaf()) {
      S.dim(Dimension::Actor) = llvm::BitVector(P.vocab(Dimension::Actor).numLeaves());
      S.dim(Dimension::Actor)->set(*Us);
    }
  std::optional<Cond> C;
  if (G.chance(0.4))
    C = randomCond(G, P, 2);
  std::vector<ObligationRef> Obls;
  if (IsAllow && !P.Obligations.empty()) {
    unsigned N = G.below(3);
    for (unsigned I = 0; I < N; ++I) {
      ObligationRef O;
      O.Obligation = G.below(P.Obligations.Nodes.size());
      if (P.Obligations.Nodes[O.Obligation].LimitsAttr != NoIndex)
        O.Arg = int64_t(G.below(11)); // the range the conditions compare durations in
      else if (P.Obligations.Nodes[O.Obligation].ParamKind)
        O.Arg = int64_t(G.below(3)) * 86400;
      Obls.push_back(O);
    }
    std::sort(Obls.begin(), Obls.end());
    Obls.erase(std::unique(Obls.begin(), Obls.end()), Obls.end());
  }
  P.Rules[Index].S = std::move(S);
  P.Rules[Index].Condition = std::move(C);
  P.Rules[Index].Obligations = std::move(Obls);
  if (Depth < 3) {
    unsigned NumExceptions = G.chance(0.4) ? 1 + G.below(2) : 0;
    for (unsigned E = 0; E < NumExceptions; ++E) {
      uint32_t Child = addRule(G, P, !IsAllow, Index, Depth + 1);
      P.Rules[Index].Exceptions.push_back(Child);
    }
  }
  return Index;
}

/// A `controller` block: contacts, sometimes a representative and a DPO, and up to two
/// `processor for` entries on random purposes. It decides nothing, so its draws come from a
/// generator seeded by the policy itself: the policies (and requests) drawn after it are the
/// same as before the block existed.
static void randomController(Policy &P) {
  std::mt19937_64 Own(P.Rules.size() * 7919 + P.vocab(Dimension::Data).Nodes.size() * 31 +
                      P.vocab(Dimension::Purpose).Nodes.size());
  Draw G{Own};
  if (G.chance(0.2))
    return;
  auto Party = [&](const std::string &Name) {
    ContactParty X;
    X.Name = Name;
    for (unsigned C = G.below(3); C > 0; --C)
      X.Contacts.push_back("contact-" + std::to_string(C) + "@" + Name + ".example");
    return X;
  };
  ControllerRecord Rec;
  Rec.Controller = Party("controller");
  if (G.chance(0.4))
    Rec.Representative = Party("representative");
  if (G.chance(0.5))
    Rec.Dpo = Party("dpo");
  const Vocabulary &Purposes = P.vocab(Dimension::Purpose);
  if (!Purposes.empty())
    for (unsigned C = G.below(3); C > 0; --C) {
      ProcessingClient Client;
      static_cast<ContactParty &>(Client) = Party("client" + std::to_string(C));
      for (unsigned K = 1 + G.below(2); K > 0; --K)
        Client.Purposes.push_back(pickNode(G, Purposes, 0.5));
      Rec.Clients.push_back(std::move(Client));
    }
  P.Controller = std::move(Rec);
}

Policy randomPolicy(std::mt19937_64 &Rng) {
  Draw G{Rng};
  Policy P;
  P.Modules.push_back(Module{"random", "", "", "", true, 0});
  P.Files.push_back("random.privet");
  for (unsigned D = 0; D < NumDimensions; ++D) {
    // Action and data are always present; the others are often empty or tiny.
    bool Present = D <= 1 || G.chance(0.45);
    if (!Present)
      continue;
    bool Actor = D == unsigned(Dimension::Actor);
    randomVocabulary(G, P.Vocab[D], Actor ? "who" : std::string(DimensionKeys[D].substr(0, 3)),
                     D == 1 ? 7 : 4);
    if (Actor) {
      // Declared actors come with the built-in `us`, a leaf, as sema adds it.
      VocabNode Us;
      Us.Name = std::string(domain::ControllerActor);
      P.Vocab[D].Nodes.push_back(Us);
      closeVocabulary(P.Vocab[D]);
    }
  }
  randomRecipientFacts(G, P);
  // Obligations: a plain one, one with a duration argument, and a parent of both.
  for (const char *Name : {"notify", "retain_for", "duties"}) {
    VocabNode N;
    N.Name = Name;
    P.Obligations.Nodes.push_back(N);
  }
  P.Obligations.Nodes[1].ParamKind = AttrKind::Duration;
  P.Obligations.Nodes[0].Parents = {2};
  P.Obligations.Nodes[1].Parents = {2};
  P.Obligations.Nodes[2].Children = {0, 1};
  closeVocabulary(P.Obligations);

  P.Enums.push_back(EnumType{"state", "", {"given", "withdrawn", "not_asked"}, Loc(), 0});
  unsigned NumAttrs = G.below(4);
  for (unsigned A = 0; A < NumAttrs; ++A) {
    Attribute Attr;
    Attr.Name = "a" + std::to_string(A);
    Attr.Kind = AttrKind(G.below(4));
    if (Attr.Kind == AttrKind::Enum)
      Attr.Enum = 0;
    if (G.chance(0.5))
      Attr.Default = Attr.Kind == AttrKind::Bool   ? int64_t(G.below(2))
                     : Attr.Kind == AttrKind::Enum ? int64_t(G.below(3))
                                                   : int64_t(G.below(11));
    P.Attributes.push_back(Attr);
  }
  // Sometimes the duration obligation is a retention limit (`limits`) on a duration attribute.
  for (uint32_t A = 0; A < P.Attributes.size(); ++A)
    if (P.Attributes[A].Kind == AttrKind::Duration && G.chance(0.6)) {
      P.Obligations.Nodes[1].LimitsAttr = A;
      break;
    }
  unsigned NumRules = 1 + G.below(6);
  for (unsigned R = 0; R < NumRules; ++R)
    addRule(G, P, G.chance(0.65), NoIndex, 1);
  P.addRetentionExceptions();
  const Vocabulary &Data = P.vocab(Dimension::Data);
  unsigned NumComb = G.chance(0.4) ? 1 + G.below(2) : 0;
  for (unsigned C = 0; C < NumComb; ++C) {
    Combination Comb;
    Comb.First = G.below(Data.Nodes.size());
    Comb.Second = G.below(Data.Nodes.size());
    Comb.Result = G.below(Data.Nodes.size());
    if (G.chance(0.5)) {
      // `treated as`: the result is the second part or a node above it.
      Comb.TreatedAs = true;
      Comb.Result = Comb.Second;
      while (!Data.Nodes[Comb.Result].Parents.empty() && G.chance(0.5))
        Comb.Result =
            Data.Nodes[Comb.Result].Parents[G.below(Data.Nodes[Comb.Result].Parents.size())];
    }
    P.Combinations.push_back(Comb);
  }
  randomController(P);
  return P;
}

Request randomRequest(const Policy &P, std::mt19937_64 &Rng) {
  Draw G{Rng};
  Request R;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const Vocabulary &V = P.Vocab[D];
    if (V.empty() || G.chance(0.15))
      continue;
    unsigned Count = D == unsigned(Dimension::Data) && G.chance(0.3) ? 2 + G.below(2) : 1;
    for (unsigned I = 0; I < Count; ++I) {
      // Mostly leaves: that is what services send.
      NodeId N = pickNode(G, V, 0.6);
      if (std::find(R.Values[D].begin(), R.Values[D].end(), N) == R.Values[D].end())
        R.Values[D].push_back(N);
    }
  }
  for (uint32_t A = 0; A < P.Attributes.size(); ++A) {
    if (G.chance(0.2))
      continue;
    const Attribute &Attr = P.Attributes[A];
    int64_t V = Attr.Kind == AttrKind::Bool   ? G.below(2)
                : Attr.Kind == AttrKind::Enum ? G.below(3)
                                              : int64_t(G.below(13)) - 1;
    // A duration is never negative (the runtime refuses one as an error): the same draw, clamped,
    // so the generated requests stay in step with earlier runs.
    if (Attr.Kind == AttrKind::Duration && V < 0)
      V = 0;
    R.Attrs.push_back({A, V});
  }
  return R;
}

void removeRule(Policy &P, uint32_t Victim) {
  std::vector<bool> Dead(P.Rules.size(), false);
  std::function<void(uint32_t)> Mark = [&](uint32_t R) {
    Dead[R] = true;
    for (uint32_t E : P.Rules[R].Exceptions)
      Mark(E);
  };
  Mark(Victim);
  std::vector<uint32_t> NewIndex(P.Rules.size(), NoIndex);
  std::vector<Rule> Kept;
  for (uint32_t R = 0; R < P.Rules.size(); ++R)
    if (!Dead[R]) {
      NewIndex[R] = Kept.size();
      Kept.push_back(P.Rules[R]);
    }
  for (Rule &R : Kept) {
    if (R.Parent != NoIndex)
      R.Parent = NewIndex[R.Parent];
    std::vector<uint32_t> Exceptions;
    for (uint32_t E : R.Exceptions)
      if (NewIndex[E] != NoIndex)
        Exceptions.push_back(NewIndex[E]);
    R.Exceptions = Exceptions;
  }
  P.Rules = std::move(Kept);
}

static std::string condText(const Policy &P, const Cond &C) {
  static const char *const Ops[] = {"==", "!=", "<", "<=", ">", ">="};
  auto Name = [&]() { return C.Attr < P.Attributes.size() ? P.Attributes[C.Attr].Name : "?"; };
  switch (C.K) {
  case Cond::True:
    return "true";
  case Cond::False:
    return "false";
  case Cond::Not:
    return "not (" + condText(P, C.Ops[0]) + ")";
  case Cond::And:
  case Cond::Or: {
    std::string S = "(";
    for (size_t I = 0; I < C.Ops.size(); ++I)
      S += (I ? (C.K == Cond::And ? " and " : " or ") : "") + condText(P, C.Ops[I]);
    return S + ")";
  }
  case Cond::BoolAttr:
    return Name();
  case Cond::Compare:
    return Name() + " " + Ops[unsigned(C.Op)] + " " + std::to_string(C.Value);
  case Cond::InSet: {
    std::string S = Name() + " in {";
    for (size_t I = 0; I < C.Set.size(); ++I)
      S += (I ? ", " : "") + std::to_string(C.Set[I]);
    return S + "}";
  }
  }
  return "?";
}

static std::string factsText(const Policy &P, const RecipientFacts &F) {
  switch (F.K) {
  case RecipientFacts::Role:
    return "role " + P.vocab(Dimension::Recipient).Nodes[F.Node].Name;
  case RecipientFacts::Located:
    return "located in " + P.vocab(Dimension::Region).Nodes[F.Node].Name;
  case RecipientFacts::Contract:
    return "under contract";
  case RecipientFacts::Not:
    return "not " + factsText(P, F.Ops[0]);
  case RecipientFacts::And:
  case RecipientFacts::Or: {
    std::string S = "(";
    for (size_t I = 0; I < F.Ops.size(); ++I)
      S += (I ? (F.K == RecipientFacts::And ? " and " : " or ") : "") + factsText(P, F.Ops[I]);
    return S + ")";
  }
  }
  return "";
}

std::string describePolicy(const Policy &P) {
  std::ostringstream OS;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    const Vocabulary &V = P.Vocab[D];
    if (V.empty())
      continue;
    OS << DimensionKeys[D] << ":";
    for (const VocabNode &N : V.Nodes) {
      OS << " " << N.Name;
      if (N.UnderContract)
        OS << "[contract]";
      if (N.LocatedIn)
        OS << "[in " << P.vocab(Dimension::Region).Nodes[*N.LocatedIn].Name << "]";
      if (!N.Parents.empty()) {
        OS << "<";
        for (size_t I = 0; I < N.Parents.size(); ++I)
          OS << (I ? "," : "") << V.Nodes[N.Parents[I]].Name;
        OS << ">";
      }
    }
    OS << "\n";
  }
  for (const Attribute &A : P.Attributes) {
    OS << "attribute " << A.Name << ": " << domain::AttrKindNames[unsigned(A.Kind)];
    if (A.Default)
      OS << " = " << *A.Default;
    OS << "\n";
  }
  std::function<void(uint32_t, unsigned)> Print = [&](uint32_t Index, unsigned Indent) {
    const Rule &R = P.Rules[Index];
    OS << std::string(Indent, ' ') << R.Id << ": " << (R.IsAllow ? "allow" : "deny");
    for (unsigned D = 0; D < NumDimensions; ++D) {
      if (!R.S.Dims[D])
        continue;
      OS << " " << DimensionKeys[D] << "=[";
      for (size_t I = 0; I < R.S.Written[D].size(); ++I) {
        auto [N, Neg] = R.S.Written[D][I];
        OS << (I ? "," : "") << (Neg ? "not " : "") << P.Vocab[D].Nodes[N].Name;
      }
      for (const auto &Group : R.S.Neither[D]) {
        OS << ",not (";
        for (size_t I = 0; I < Group.size(); ++I)
          OS << (I ? "," : "") << P.Vocab[D].Nodes[Group[I]].Name;
        OS << ")";
      }
      if (D == unsigned(Dimension::Recipient))
        for (const RecipientFacts &F : R.S.Where)
          OS << ",recipients where " << factsText(P, F);
      OS << "]";
    }
    if (R.Condition)
      OS << " when " << condText(P, *R.Condition);
    for (const ObligationRef &O : R.Obligations) {
      OS << " with " << P.Obligations.Nodes[O.Obligation].Name;
      if (O.Arg)
        OS << "(" << *O.Arg << ")";
    }
    OS << "\n";
    for (uint32_t E : R.Exceptions)
      Print(E, Indent + 2);
  };
  for (uint32_t R = 0; R < P.Rules.size(); ++R)
    if (P.Rules[R].isTopLevel())
      Print(R, 0);
  if (P.Controller) {
    OS << "controller " << P.Controller->Controller.Name << " {";
    if (P.Controller->Representative)
      OS << " representative;";
    if (P.Controller->Dpo)
      OS << " dpo;";
    for (const ProcessingClient &C : P.Controller->Clients) {
      OS << " processor for " << C.Name << " purpose";
      for (NodeId N : C.Purposes)
        OS << " " << P.vocab(Dimension::Purpose).Nodes[N].Name;
      OS << ";";
    }
    OS << " }\n";
  }
  for (const Combination &C : P.Combinations) {
    const Vocabulary &V = P.vocab(Dimension::Data);
    OS << "combine " << V.Nodes[C.First].Name << " with " << V.Nodes[C.Second].Name
       << (C.TreatedAs ? " treated as " : " as ") << V.Nodes[C.Result].Name << "\n";
  }
  return OS.str();
}

std::string describeRequest(const Policy &P, const Request &R) {
  std::ostringstream OS;
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (R.Values[D].empty())
      continue;
    OS << DimensionKeys[D] << "=";
    for (size_t I = 0; I < R.Values[D].size(); ++I)
      OS << (I ? "," : "") << P.Vocab[D].Nodes[R.Values[D][I]].Name;
    OS << " ";
  }
  for (auto [A, V] : R.Attrs)
    OS << P.Attributes[A].Name << "=" << V << " ";
  return OS.str();
}

} // namespace privet::testing
