//===- Witness.cpp - Concrete requests for counterexamples, written as a test would -----===//
#include "privet/Analysis/Witness.h"
#include "privet/Analysis/Checks.h"
#include "privet/Domain.h"

#include "fmt/format.h"

using namespace privet;
using namespace privet::analysis;

std::vector<bool> privet::analysis::freeVariables(const RequestSpace &S, Mdd &M, Mdd::Ref Set,
                                                  llvm::ArrayRef<uint32_t> Point,
                                                  const std::vector<bool> &Keep) {
  unsigned N = M.numVars();
  std::vector<bool> Free(N, false);
  std::vector<llvm::BitVector> Single(N);
  for (unsigned V = 0; V != N; ++V) {
    Single[V] = llvm::BitVector(M.domain(V));
    Single[V].set(Point[V]);
  }
  std::vector<unsigned> Order;
  for (unsigned V = NumDimensions; V < N; ++V)
    Order.push_back(V);
  for (unsigned D = NumDimensions; D-- > 0;)
    if (S.dimVar(Dimension(D)) < N)
      Order.push_back(S.dimVar(Dimension(D)));
  for (unsigned V : Order) {
    if (V < Keep.size() && Keep[V])
      continue;
    std::vector<const llvm::BitVector *> PerVar(N);
    for (unsigned W = 0; W != N; ++W)
      PerVar[W] = Free[W] || W == V ? nullptr : &Single[W];
    if (M.subset(M.cube(PerVar), Set))
      Free[V] = true;
  }
  return Free;
}

Request privet::analysis::pointToRequest(const RequestSpace &S, unsigned Which,
                                         llvm::ArrayRef<uint32_t> Point,
                                         const std::vector<bool> &Free) {
  auto IsFree = [&](unsigned Var) { return Var < Free.size() && Free[Var]; };
  const PolicyView &V = S.view(Which);
  const Policy &P = V.policy();
  Request R;
  for (unsigned D = 0; D != NumDimensions; ++D) {
    Dimension Dim = Dimension(D);
    if (P.Vocab[D].Nodes.empty())
      continue;
    if (IsFree(S.dimVar(Dim)))
      continue;
    NodeId N = V.localNode(Dim, Point[S.dimVar(Dim)]);
    if (N != NoIndex)
      R.dim(Dim).push_back(N);
  }
  for (uint32_t A = 0; A != P.Attributes.size(); ++A) {
    uint32_t Shared = V.sharedAttr(A);
    if (IsFree(S.attrVar(Shared)))
      continue;
    const AttrDomain &Dom = S.attrs()[Shared];
    int64_t Value = Dom.representative(Point[S.attrVar(Shared)]);
    const Attribute &Attr = P.Attributes[A];
    if (Attr.Kind == AttrKind::Enum && Attr.Enum < P.Enums.size()) {
      const auto &Vals = P.Enums[Attr.Enum].Values;
      auto It = std::find(Vals.begin(), Vals.end(),
                          size_t(Value) < Dom.EnumValues.size() ? Dom.EnumValues[Value] : "");
      Value = It == Vals.end() ? 0 : It - Vals.begin();
    }
    R.Attrs.push_back({A, Value});
  }
  return R;
}

std::string privet::analysis::formatAttrValue(const Policy &P, uint32_t Attr, int64_t V) {
  const Attribute &A = P.Attributes[Attr];
  switch (A.Kind) {
  case AttrKind::Bool:
    return V ? "true" : "false";
  case AttrKind::Enum:
    if (A.Enum < P.Enums.size() && V >= 0 && size_t(V) < P.Enums[A.Enum].Values.size())
      return P.Enums[A.Enum].Values[V];
    return std::to_string(V);
  case AttrKind::Int:
  case AttrKind::Duration:
    break;
  }
  return formatNumber(A.Kind, V);
}

std::string privet::analysis::describeRequest(const Policy &P, const Request &R) {
  std::string Out;
  auto Append = [&](llvm::StringRef S) {
    if (!Out.empty())
      Out += ' ';
    Out += S.str();
  };
  for (unsigned D = 0; D != NumDimensions; ++D) {
    const auto &Vals = R.Values[D];
    const Vocabulary &Voc = P.Vocab[D];
    if (Vals.empty())
      continue;
    // The built-in actor is what an omitted actor means: a request by the controller says none.
    if (D == unsigned(Dimension::Actor) && Vals.size() == 1 && Vals[0] < Voc.Nodes.size() &&
        Voc.Nodes[Vals[0]].Name == domain::ControllerActor)
      continue;
    std::string List;
    for (NodeId N : Vals) {
      if (!List.empty())
        List += ", ";
      List += N < Voc.Nodes.size() ? Voc.Nodes[N].Name : "?";
    }
    llvm::StringRef Prep(domain::DimensionPrepositions[D].data(),
                         domain::DimensionPrepositions[D].size());
    if (!Prep.empty())
      Append(Prep);
    Append(List);
  }
  if (!R.Attrs.empty()) {
    std::string Given;
    for (auto [A, V] : R.Attrs) {
      if (A >= P.Attributes.size())
        continue;
      Given += Given.empty() ? "given " : ", ";
      Given += P.Attributes[A].Name + " = " + formatAttrValue(P, A, V);
    }
    Append(Given);
  }
  return Out;
}
