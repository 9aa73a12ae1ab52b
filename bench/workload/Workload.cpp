//===- Workload.cpp - Generated policies and requests of realistic size for benchmarks -------===//
#include "Workload.h"

#include "RandomPolicy.h"
#include "privet/Domain.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>

namespace privet::bench {

namespace {

NodeId add(Vocabulary &V, std::string Name, std::vector<NodeId> Parents = {}) {
  NodeId Id = V.Nodes.size();
  VocabNode N;
  N.Name = std::move(Name);
  N.Parents = Parents;
  V.Nodes.push_back(N);
  for (NodeId P : Parents)
    V.Nodes[P].Children.push_back(Id);
  return Id;
}

/// Groups -> subgroups -> leaves, named "<prefix><g>", "<prefix><g>_<s>", "<prefix><g>_<s>_<l>".
void tree(Vocabulary &V, const std::string &Prefix, unsigned Groups, unsigned Subgroups,
          unsigned Leaves) {
  for (unsigned G = 0; G < Groups; ++G) {
    NodeId GId = add(V, Prefix + std::to_string(G));
    for (unsigned S = 0; S < Subgroups; ++S) {
      std::string SName = Prefix + std::to_string(G) + "_" + std::to_string(S);
      if (!Leaves) {
        add(V, SName, {GId});
        continue;
      }
      NodeId SId = add(V, SName, {GId});
      for (unsigned L = 0; L < Leaves; ++L)
        add(V, SName + "_" + std::to_string(L), {SId});
    }
  }
}

using testing::Draw;

void constrain(Draw &R, const Policy &P, Scope &S, Dimension D, unsigned MaxItems, double PLeaf,
               double PNegate = 0) {
  const Vocabulary &V = P.vocab(D);
  unsigned Items = 1 + R.below(MaxItems);
  for (unsigned I = 0; I < Items; ++I) {
    NodeId N = testing::pickNode(R, V, PLeaf);
    testing::addScopeItem(S, V, unsigned(D), N, R.chance(PNegate));
  }
}

Cond compare(uint32_t Attr, CmpOp Op, int64_t V) {
  Cond C;
  C.K = Cond::Compare;
  C.Attr = Attr;
  C.Op = Op;
  C.Value = V;
  return C;
}

Cond randomCondition(Draw &R) {
  switch (R.below(4)) {
  case 0: {
    Cond C;
    C.K = Cond::BoolAttr;
    C.Attr = 0; // marketing_opt_out
    if (R.chance(0.5)) {
      Cond Not;
      Not.K = Cond::Not;
      Not.Ops.push_back(C);
      return Not;
    }
    return C;
  }
  case 1:
    return compare(1, CmpOp::Eq, R.below(3)); // consent_status
  case 2:
    return compare(2, CmpOp::Ge, R.chance(0.5) ? 16 : 18); // age
  default:
    return compare(3, CmpOp::Lt, int64_t(1 + R.below(24)) * 30 * 86400); // data_age
  }
}

} // namespace

Policy generatePolicy(unsigned NumRules, uint64_t Seed) {
  std::mt19937_64 Rng(Seed);
  Draw R{Rng};
  Policy P;
  P.Modules.push_back(Module{"workload", "Generated workload", "1", "", true, 0});
  P.Files.push_back("workload.privet");

  Vocabulary &Actions = P.vocab(Dimension::Action);
  for (const char *A :
       {"collect", "use", "share", "transfer", "store", "delete", "sell", "analyse"})
    add(Actions, A);
  Vocabulary &Data = P.vocab(Dimension::Data);
  tree(Data, "d", 6, 7, 6); // 6 + 42 + 252 = 300 nodes
  // Some categories sit under a second subgroup, as cookies do under two parents.
  auto Find = [&](const std::string &Name) {
    for (NodeId N = 0; N < Data.Nodes.size(); ++N)
      if (Data.Nodes[N].Name == Name)
        return N;
    return NodeId(0);
  };
  for (unsigned I = 0; I < 12; ++I) {
    NodeId Leaf = Find("d" + std::to_string(I % 6) + "_" + std::to_string(I % 7) + "_" +
                       std::to_string(I % 6));
    NodeId Extra = Find("d" + std::to_string((I + 1) % 6) + "_" + std::to_string((I + 2) % 7));
    Data.Nodes[Leaf].Parents.push_back(Extra);
    Data.Nodes[Extra].Children.push_back(Leaf);
  }
  tree(P.vocab(Dimension::Purpose), "p", 8, 7, 0);   // 8 + 56 = 64
  tree(P.vocab(Dimension::Recipient), "r", 4, 4, 0); // 4 + 16 = 20
  for (const char *B : {"consent", "contract", "legal_obligation", "vital_interests", "public_task",
                        "legitimate_interests"})
    add(P.vocab(Dimension::Basis), B);
  tree(P.vocab(Dimension::Subject), "s", 2, 3, 0);
  tree(P.vocab(Dimension::Region), "g", 2, 4, 0);
  tree(P.vocab(Dimension::Context), "c", 2, 2, 0);
  for (const char *O : {"unsubscribe_link", "notify_subject", "encrypt", "pseudonymise",
                        "log_access", "retain_for"})
    add(P.Obligations, O);
  P.Obligations.Nodes.back().ParamKind = AttrKind::Duration;
  P.closeHierarchies();

  P.Enums.push_back(EnumType{"consent_state", "", {"given", "withdrawn", "not_asked"}, Loc(), 0});
  auto Attr = [&](const char *Name, AttrKind K, std::optional<int64_t> Default) {
    Attribute A;
    A.Name = Name;
    A.Kind = K;
    A.Enum = K == AttrKind::Enum ? 0 : NoIndex;
    A.Default = Default;
    P.Attributes.push_back(A);
  };
  Attr("marketing_opt_out", AttrKind::Bool, 0);
  Attr("consent_status", AttrKind::Enum, 2);
  Attr("age", AttrKind::Int, 30);
  Attr("data_age", AttrKind::Duration, 0);

  std::function<uint32_t(bool, uint32_t, unsigned)> AddRule = [&](bool Allow, uint32_t Parent,
                                                                  unsigned Depth) {
    uint32_t Index = P.Rules.size();
    P.Rules.emplace_back();
    Scope S;
    if (Parent == NoIndex) {
      if (!R.chance(0.1))
        constrain(R, P, S, Dimension::Action, 2, 1.0);
      constrain(R, P, S, Dimension::Data, 3, 0.6);
      if (!R.chance(0.15))
        constrain(R, P, S, Dimension::Purpose, 2, 0.7);
      if (R.chance(0.3))
        constrain(R, P, S, Dimension::Recipient, 2, 0.5, 0.1);
      if (R.chance(0.4))
        constrain(R, P, S, Dimension::Basis, 2, 1.0);
      if (R.chance(0.15))
        constrain(R, P, S, Dimension::Subject, 1, 0.5);
      if (R.chance(0.1))
        constrain(R, P, S, Dimension::Region, 1, 0.5, 0.3);
      if (R.chance(0.1))
        constrain(R, P, S, Dimension::Context, 1, 0.5);
    } else {
      // Exceptions narrow their parent: a category, a purpose or a recipient.
      switch (R.below(3)) {
      case 0:
        constrain(R, P, S, Dimension::Data, 1, 0.8);
        break;
      case 1:
        constrain(R, P, S, Dimension::Purpose, 1, 0.8);
        break;
      default:
        constrain(R, P, S, Dimension::Recipient, 1, 0.6);
        break;
      }
    }
    std::optional<Cond> C;
    if (R.chance(Parent == NoIndex ? 0.2 : 0.5))
      C = randomCondition(R);
    std::vector<ObligationRef> Obls;
    if (Allow && R.chance(0.3)) {
      ObligationRef O;
      O.Obligation = R.below(P.Obligations.Nodes.size());
      if (P.Obligations.Nodes[O.Obligation].ParamKind)
        O.Arg = int64_t(1 + R.below(3)) * 365 * 86400;
      Obls.push_back(O);
    }
    Rule &Rl = P.Rules[Index];
    Rl.Id = "rule" + std::to_string(Index);
    Rl.Named = true;
    Rl.IsAllow = Allow;
    Rl.Parent = Parent;
    Rl.S = std::move(S);
    Rl.Condition = std::move(C);
    Rl.Obligations = std::move(Obls);
    Rl.Location = Loc{0, Index + 1, 1, {}};
    Rl.SourceText = (Allow ? "allow ..." : "deny ...");
    if (Depth < 2 && R.chance(Allow ? 0.15 : 0.05)) {
      uint32_t E = AddRule(!Allow, Index, Depth + 1);
      P.Rules[Index].Exceptions.push_back(E);
    }
    return Index;
  };
  while (P.Rules.size() < NumRules)
    AddRule(R.chance(0.85), NoIndex, 0);

  // `combine` as notices use it: identifiers with anything become personal data.
  P.Combinations.push_back(Combination{1, 8, 0, Loc(), 0});
  return P;
}

const Policy &cachedPolicy(unsigned NumRules) {
  static std::map<unsigned, Policy> Cache;
  auto It = Cache.find(NumRules);
  if (It == Cache.end())
    It = Cache.emplace(NumRules, generatePolicy(NumRules)).first;
  return It->second;
}

std::vector<LeafRequest> generateRequests(const Policy &P, unsigned Count, uint64_t Seed) {
  std::mt19937_64 Rng(Seed);
  Draw R{Rng};
  std::vector<LeafRequest> Out;
  for (unsigned I = 0; I < Count; ++I) {
    LeafRequest Q;
    const Rule *Target = nullptr;
    if (!P.Rules.empty() && R.chance(0.5))
      Target = &P.Rules[R.below(P.Rules.size())];
    for (unsigned D = 0; D < NumDimensions; ++D) {
      const Vocabulary &V = P.Vocab[D];
      if (V.empty()) {
        Q.Values[D] = UINT32_MAX;
        continue;
      }
      LeafIndex L = R.below(V.numLeaves());
      if (Target && Target->S.Dims[D] && Target->S.Dims[D]->any()) {
        // A leaf inside the rule's scope.
        std::vector<unsigned> In;
        for (unsigned Bit : Target->S.Dims[D]->set_bits())
          In.push_back(Bit);
        L = In[R.below(In.size())];
      }
      Q.Values[D] = V.Leaves[L];
    }
    Q.Attrs = {int64_t(R.below(2)), int64_t(R.below(3)), int64_t(10 + R.below(20)),
               int64_t(R.below(800)) * 86400};
    Out.push_back(std::move(Q));
  }
  return Out;
}

std::string requestsAsJsonl(const Policy &P, const std::vector<LeafRequest> &Requests) {
  std::string Out;
  for (const LeafRequest &Q : Requests) {
    Out += "{";
    bool First = true;
    for (unsigned D = 0; D < NumDimensions; ++D) {
      if (Q.Values[D] == UINT32_MAX)
        continue;
      Out += First ? "\"" : ",\"";
      First = false;
      Out += domain::DimensionKeys[D];
      Out += "\":\"" + P.Vocab[D].Nodes[Q.Values[D]].Name + "\"";
    }
    Out += ",\"attributes\":{\"marketing_opt_out\":";
    Out += Q.Attrs[0] ? "true" : "false";
    Out += ",\"consent_status\":\"" + P.Enums[0].Values[Q.Attrs[1]] + "\"";
    Out += ",\"age\":" + std::to_string(Q.Attrs[2]);
    Out += ",\"data_age\":" + std::to_string(Q.Attrs[3]) + "}}\n";
  }
  return Out;
}

} // namespace privet::bench
