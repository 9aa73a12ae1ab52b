//===- PolicyBuilder.h - Small checked policies built in code, for the analysis tests -===//
#ifndef PRIVET_TESTS_ANALYSIS_POLICYBUILDER_H
#define PRIVET_TESTS_ANALYSIS_POLICYBUILDER_H

#include "privet/Sema/Policy.h"

#include <initializer_list>
#include <string>

namespace privet::testing {

/// Builds a Policy the way sema would, without parsing: vocabularies by name, rules by sets.
class PolicyBuilder {
public:
  PolicyBuilder() {
    P.Modules.push_back({"test", "", "", "", true, 0});
    P.Files.push_back("test.privet");
  }

  NodeId node(Dimension D, const std::string &Name, std::initializer_list<std::string> Parents = {},
              uint32_t Module = 0) {
    return addNode(P.vocab(D), Name, Parents, Module);
  }
  NodeId obligation(const std::string &Name, std::initializer_list<std::string> Parents = {}) {
    return addNode(P.Obligations, Name, Parents, 0);
  }
  NodeId id(Dimension D, const std::string &Name) const { return find(P.vocab(D), Name); }

  uint32_t attribute(const std::string &Name, AttrKind K, std::optional<int64_t> Default = {},
                     std::vector<std::string> EnumValues = {}) {
    Attribute A;
    A.Name = Name;
    A.Kind = K;
    A.Default = Default;
    if (K == AttrKind::Enum) {
      A.Enum = P.Enums.size();
      P.Enums.push_back({Name + "_t", "", std::move(EnumValues), {}, 0});
    }
    A.Location = at(1);
    P.Attributes.push_back(A);
    return P.Attributes.size() - 1;
  }

  /// Closes hierarchies (what sema's closeHierarchies does) so leaves and covers are known.
  void close() {
    for (unsigned D = 0; D != NumDimensions; ++D)
      closeVocab(P.Vocab[D]);
    closeVocab(P.Obligations);
  }

  /// A scope: per dimension the named nodes; "!x" writes `not x`.
  Scope scope(std::initializer_list<std::pair<Dimension, std::vector<std::string>>> Dims) const {
    Scope S;
    for (auto &[D, Names] : Dims) {
      const Vocabulary &V = P.vocab(D);
      llvm::BitVector Set(V.numLeaves());
      for (const std::string &N : Names) {
        bool Neg = !N.empty() && N[0] == '!';
        NodeId Id = find(V, Neg ? N.substr(1) : N);
        S.Written[unsigned(D)].push_back({Id, Neg});
        if (Neg) {
          llvm::BitVector Not = V.Covers[Id].bits();
          Not.flip();
          Set |= Not;
        } else {
          V.Covers[Id].addTo(Set);
        }
      }
      S.Dims[unsigned(D)] = Set;
    }
    return S;
  }

  uint32_t rule(const std::string &Id, bool Allow, Scope S, std::optional<Cond> C = {},
                std::vector<ObligationRef> Obls = {}, uint32_t Parent = NoIndex) {
    Rule R;
    R.Id = Id;
    R.Named = true;
    R.IsAllow = Allow;
    R.S = std::move(S);
    R.Condition = std::move(C);
    R.Obligations = std::move(Obls);
    R.Parent = Parent;
    R.Location = at(10 + P.Rules.size());
    P.Rules.push_back(std::move(R));
    uint32_t Index = P.Rules.size() - 1;
    if (Parent != NoIndex)
      P.Rules[Parent].Exceptions.push_back(Index);
    return Index;
  }

  static Cond boolAttr(uint32_t A) {
    Cond C;
    C.K = Cond::BoolAttr;
    C.Attr = A;
    return C;
  }
  static Cond cmp(uint32_t A, CmpOp Op, int64_t V) {
    Cond C;
    C.K = Cond::Compare;
    C.Attr = A;
    C.Op = Op;
    C.Value = V;
    return C;
  }
  static Cond negate(Cond X) {
    Cond C;
    C.K = Cond::Not;
    C.Ops.push_back(std::move(X));
    return C;
  }
  static Cond both(Cond A, Cond B) {
    Cond C;
    C.K = Cond::And;
    C.Ops.push_back(std::move(A));
    C.Ops.push_back(std::move(B));
    return C;
  }

  Policy &policy() { return P; }
  static Loc at(uint32_t Line) { return Loc{0, Line, 1, {}}; }

private:
  static NodeId find(const Vocabulary &V, const std::string &Name) {
    for (NodeId N = 0; N != V.Nodes.size(); ++N)
      if (V.Nodes[N].Name == Name)
        return N;
    return NoIndex;
  }
  NodeId addNode(Vocabulary &V, const std::string &Name, std::initializer_list<std::string> Parents,
                 uint32_t Module) {
    VocabNode N;
    N.Name = Name;
    N.Module = Module;
    N.Location = at(100 + V.Nodes.size());
    NodeId Id = V.Nodes.size();
    for (const std::string &Up : Parents) {
      NodeId U = find(V, Up);
      N.Parents.push_back(U);
      V.Nodes[U].Children.push_back(Id);
    }
    V.Nodes.push_back(std::move(N));
    return Id;
  }
  static void closeVocab(Vocabulary &V) {
    V.Leaves.clear();
    V.LeafOf.assign(V.Nodes.size(), NoIndex);
    for (NodeId N = 0; N != V.Nodes.size(); ++N)
      if (V.Nodes[N].Children.empty()) {
        V.LeafOf[N] = V.Leaves.size();
        V.Leaves.push_back(N);
      }
    V.Covers.assign(V.Nodes.size(), LeafSet(V.Leaves.size()));
    // Children are declared after parents here, so one reverse pass closes the DAG.
    for (NodeId N = V.Nodes.size(); N-- > 0;) {
      if (V.LeafOf[N] != NoIndex)
        V.Covers[N].set(V.LeafOf[N]);
      for (NodeId C : V.Nodes[N].Children)
        V.Covers[N] |= V.Covers[C];
    }
  }

  Policy P;
};

} // namespace privet::testing

#endif
