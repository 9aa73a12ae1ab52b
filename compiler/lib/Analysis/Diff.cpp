//===- Diff.cpp - What changed in what two policies permit, summarised for people -------===//
#include "privet/Analysis/Diff.h"
#include "privet/Analysis/Regions.h"
#include "privet/Domain.h"

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <map>

using namespace privet;
using namespace privet::analysis;

llvm::StringRef privet::analysis::changeKindName(DiffChange::Kind K) {
  static const char *const Names[] = {"now-allowed",        "now-denied",
                                      "obligation-added",   "obligation-removed",
                                      "obligation-changed", "new-value-covered"};
  return Names[K];
}

llvm::StringRef privet::analysis::changeKindTitle(DiffChange::Kind K) {
  static const char *const Names[] = {"now allowed",        "now denied",
                                      "obligation added",   "obligation removed",
                                      "obligation changed", "new value covered"};
  return Names[K];
}

unsigned DiffResult::count(DiffChange::Kind K) const {
  return std::count_if(Changes.begin(), Changes.end(),
                       [&](const DiffChange &C) { return C.K == K; }) +
         Omitted[K];
}

bool DiffResult::morePermissive() const {
  return count(DiffChange::NowAllowed) || count(DiffChange::ObligationRemoved) ||
         count(DiffChange::ObligationChanged) || count(DiffChange::NewValueCovered);
}

bool DiffResult::lessPermissive() const {
  return count(DiffChange::NowDenied) || count(DiffChange::ObligationAdded) ||
         count(DiffChange::ObligationChanged);
}

namespace {

/// A named set of shared values: a hierarchy node of either policy. Sparse while small: a bitset
/// over every leaf for each of N nodes would be N² bits for a large flat vocabulary.
struct Candidate {
  std::string Name;
  LeafSet Cover;
};

class Differ {
public:
  Differ(const Policy &Old, const Policy &New, unsigned Max)
      : Old(Old), New(New), Max(Max), S({&Old, &New}), RO(S, 0), RN(S, 1), M(S.mdd()) {
    for (unsigned D = 0; D != NumDimensions; ++D)
      buildCandidates(Dimension(D));
  }

  DiffResult run() {
    Mdd::Ref NowAllowed = M.diff(RN.allowed(), RO.allowed());
    NowAllowed = M.diff(NowAllowed, newValuesCovered(NowAllowed));
    summarise(NowAllowed, DiffChange::NowAllowed, "");
    summarise(M.diff(RO.allowed(), RN.allowed()), DiffChange::NowDenied, "");
    Mdd::Ref Both = M.conj(RO.allowed(), RN.allowed());
    for (const auto &[Key, Name] : obligationKeys()) {
      auto Matches = [&, &K = Key](const Policy &P) {
        return [&P, &K](const ObligationRef &O) {
          return O.Obligation < P.Obligations.Nodes.size() &&
                 P.Obligations.Nodes[O.Obligation].Name == K.first && O.Arg == K.second;
        };
      };
      Mdd::Ref WasCarried = RO.carrying(Matches(Old));
      Mdd::Ref IsCarried = RN.carrying(Matches(New));
      summarise(M.diff(M.conj(Both, IsCarried), WasCarried), DiffChange::ObligationAdded, Name);
      summarise(M.diff(M.conj(Both, WasCarried), IsCarried), DiffChange::ObligationRemoved, Name);
    }
    pairObligationChanges();
    std::stable_sort(Result.Changes.begin(), Result.Changes.end(),
                     [](const DiffChange &A, const DiffChange &B) {
                       return std::tie(A.K, A.Obligation, A.Value, A.Text) <
                              std::tie(B.K, B.Obligation, B.Value, B.Text);
                     });
    return std::move(Result);
  }

private:
  /// Reports each value only New declares, within NowAllowed, that rules already in Old (by id)
  /// allow, as one NewValueCovered finding; returns the part of NowAllowed so explained.
  Mdd::Ref newValuesCovered(Mdd::Ref NowAllowed) {
    Mdd::Ref Explained = Mdd::False;
    if (NowAllowed == Mdd::False)
      return Explained;
    llvm::StringSet<> OldIds;
    for (const Rule &R : Old.Rules)
      if (!R.Id.empty())
        OldIds.insert(R.Id);
    std::vector<uint32_t> Existing;
    for (uint32_t R = 0; R != New.Rules.size(); ++R)
      if (New.Rules[R].IsAllow && OldIds.count(New.Rules[R].Id))
        Existing.push_back(R);
    for (unsigned DI = 0; DI != NumDimensions; ++DI) {
      auto D = Dimension(DI);
      const DimDomain &Dom = S.dim(D);
      for (uint32_t L = 0; L != Dom.Names.size(); ++L) {
        if (S.view(0).localLeaf(D, L) != NoIndex || S.view(1).localLeaf(D, L) == NoIndex)
          continue;
        llvm::BitVector One(Dom.size());
        One.set(L);
        Mdd::Ref Here = M.conj(NowAllowed, M.literal(S.dimVar(D), One));
        if (Here == Mdd::False)
          continue;
        DiffChange C;
        C.K = DiffChange::NewValueCovered;
        C.Value = Dom.Names[L];
        Mdd::Ref Covered = Mdd::False;
        std::vector<std::string> Ids;
        for (uint32_t R : Existing) {
          Mdd::Ref ByR = M.conj(Here, RN.origin(R));
          if (ByR == Mdd::False)
            continue;
          Covered = M.disj(Covered, ByR);
          C.Rules.push_back({1, R});
          Ids.push_back("`" + New.Rules[R].Id + "`");
        }
        if (Ids.empty())
          continue;
        C.Values[DI] = {C.Value};
        C.Text = fmt::format("new {} `{}` is covered by {} existing rule{} ({})",
                             domain::DimensionNouns[DI], C.Value, Ids.size(),
                             Ids.size() == 1 ? "" : "s", llvm::join(Ids, ", "));
        Result.Changes.push_back(std::move(C));
        Explained = M.disj(Explained, Covered);
      }
    }
    return Explained;
  }

  /// Joins an added and a removed form of one obligation on the same region into one change.
  void pairObligationChanges() {
    auto Base = [](const std::string &O) { return O.substr(0, O.find('(')); };
    std::vector<DiffChange> &Cs = Result.Changes;
    for (size_t A = 0; A != Cs.size(); ++A) {
      if (Cs[A].K != DiffChange::ObligationAdded)
        continue;
      for (size_t R = 0; R != Cs.size(); ++R) {
        if (Cs[R].K != DiffChange::ObligationRemoved || Cs[R].Text != Cs[A].Text ||
            Base(Cs[R].Obligation) != Base(Cs[A].Obligation))
          continue;
        Cs[A].K = DiffChange::ObligationChanged;
        Cs[A].To = Cs[A].Obligation;
        Cs[A].Obligation = Cs[R].Obligation;
        Cs.erase(Cs.begin() + R);
        if (R < A)
          --A;
        break;
      }
    }
  }

  using Key = std::pair<std::string, std::optional<int64_t>>;

  std::map<Key, std::string> obligationKeys() const {
    std::map<Key, std::string> Keys;
    for (const Policy *P : {&Old, &New})
      for (const Rule &R : P->Rules)
        for (const ObligationRef &O : R.Obligations) {
          if (O.Obligation >= P->Obligations.Nodes.size())
            continue;
          const VocabNode &N = P->Obligations.Nodes[O.Obligation];
          // The argument as the author reads it: `retain_for(360 days)`, not seconds.
          std::string Arg;
          if (O.Arg && N.ParamKind &&
              (*N.ParamKind == AttrKind::Duration || *N.ParamKind == AttrKind::Int))
            Arg = formatNumber(*N.ParamKind, *O.Arg);
          else if (O.Arg)
            Arg = std::to_string(*O.Arg);
          Keys[{N.Name, O.Arg}] = O.Arg ? fmt::format("{}({})", N.Name, Arg) : N.Name;
        }
    return Keys;
  }

  void buildCandidates(Dimension D) {
    auto &Out = Cands[unsigned(D)];
    uint32_t Size = S.dim(D).size();
    llvm::StringMap<bool> Seen;
    // The new policy names things first: that is the vocabulary a reviewer reads.
    for (unsigned W : {1u, 0u}) {
      const PolicyView &V = S.view(W);
      const Vocabulary &Voc = V.policy().vocab(D);
      for (NodeId N = 0; N != Voc.Nodes.size() && N < Voc.Covers.size(); ++N) {
        if (!Seen.try_emplace(Voc.Nodes[N].Name, true).second)
          continue;
        LeafSet Cover(Size);
        for (unsigned L : Voc.Covers[N].leaves())
          Cover.set(V.sharedLeaf(D, L));
        if (!Cover.none())
          Out.push_back({Voc.Nodes[N].Name, std::move(Cover)});
      }
    }
    std::stable_sort(Out.begin(), Out.end(), [](const Candidate &A, const Candidate &B) {
      return A.Cover.count() > B.Cover.count();
    });
  }

  /// The fewest highest nodes whose covers union to exactly X (greedy, largest first).
  std::vector<std::string> cover(Dimension D, const llvm::BitVector &X) const {
    std::vector<std::string> Names;
    llvm::BitVector Covered(X.size());
    for (const Candidate &C : Cands[unsigned(D)]) {
      if (!C.Cover.isSubsetOf(X) || C.Cover.isSubsetOf(Covered))
        continue;
      Names.push_back(C.Name);
      C.Cover.addTo(Covered);
      if (Covered == X)
        break;
    }
    return Names;
  }

  std::string quoteList(const std::vector<std::string> &Names) const {
    std::string Out;
    for (const std::string &N : Names)
      Out += (Out.empty() ? "`" : ", `") + N + "`";
    return Out;
  }

  std::string describeAttr(uint32_t A, const llvm::BitVector &Classes) const {
    const AttrDomain &Dom = S.attrs()[A];
    switch (Dom.Kind) {
    case AttrKind::Bool:
      return Classes[1] ? Dom.Name : "not " + Dom.Name;
    case AttrKind::Enum: {
      std::vector<std::string> Vals;
      for (unsigned I : Classes.set_bits())
        Vals.push_back(Dom.describeClass(I));
      if (Vals.size() == 1)
        return Dom.Name + " == " + Vals[0];
      return Dom.Name + " in { " + llvm::join(Vals, ", ") + " }";
    }
    case AttrKind::Int:
    case AttrKind::Duration:
      break;
    }
    // Contiguous runs of intervals read as ranges.
    std::vector<std::string> Runs;
    int Size = Classes.size();
    for (int I = Classes.find_first(); I != -1;) {
      int J = I;
      while (J + 1 < Size && Classes[J + 1])
        ++J;
      std::optional<int64_t> Lo, Hi;
      if (I > 0)
        Lo = Dom.Cuts[I - 1];
      if (J + 1 < Size)
        Hi = Dom.Cuts[J];
      std::string N = Dom.Name;
      // A duration cut one second past a round value (`retain_for(1 year)` denies from
      // 1 year + 1 second) reads as `> 1 year` / `<= 1 year`, not in seconds.
      auto Round = [&](int64_t V) { return Dom.Kind == AttrKind::Duration && V % 60 == 0; };
      auto From = [&](int64_t V) {
        return Round(V - 1) && !Round(V) ? "> " + formatNumber(Dom.Kind, V - 1)
                                         : ">= " + formatNumber(Dom.Kind, V);
      };
      auto Below = [&](int64_t V) {
        return Round(V - 1) && !Round(V) ? "<= " + formatNumber(Dom.Kind, V - 1)
                                         : "< " + formatNumber(Dom.Kind, V);
      };
      if (Lo && Hi && *Hi == *Lo + 1)
        Runs.push_back(N + " == " + formatNumber(Dom.Kind, *Lo));
      else if (Lo && Hi)
        Runs.push_back(fmt::format("{} {} and {} {}", N, From(*Lo), N, Below(*Hi)));
      else if (Lo)
        Runs.push_back(N + " " + From(*Lo));
      else if (Hi)
        Runs.push_back(N + " " + Below(*Hi));
      I = J + 1 < Size ? Classes.find_next(J + 1) : -1;
    }
    if (Runs.size() == 1)
      return Runs[0];
    return "(" + llvm::join(Runs, " or ") + ")";
  }

  DiffChange render(const std::vector<llvm::BitVector> &Cube, DiffChange::Kind K,
                    const std::string &Obligation) const {
    DiffChange C;
    C.K = K;
    C.Obligation = Obligation;
    std::string Text;
    auto Append = [&](const std::string &Part) {
      if (!Text.empty())
        Text += ' ';
      Text += Part;
    };
    // The order a sentence reads in: "share `x` to `y` for `z` under `w`".
    static const Dimension Order[] = {Dimension::Action,    Dimension::Data,    Dimension::Subject,
                                      Dimension::Recipient, Dimension::Purpose, Dimension::Basis,
                                      Dimension::Region,    Dimension::Context, Dimension::Actor};
    for (Dimension Dim : Order) {
      unsigned D = unsigned(Dim);
      const llvm::BitVector &X = Cube[S.dimVar(Dim)];
      if (X.all()) {
        if (Dim == Dimension::Action)
          Append("any");
        continue;
      }
      std::vector<std::string> Direct = cover(Dim, X);
      llvm::BitVector Rest = X;
      Rest.flip();
      std::vector<std::string> Except = cover(Dim, Rest);
      std::string Phrase;
      if (!Except.empty() && Except.size() < Direct.size()) {
        C.Values[D] = Except;
        C.Negated[D] = true;
        Phrase = Except.size() == 1 ? "not " + quoteList(Except) : "none of " + quoteList(Except);
      } else {
        C.Values[D] = Direct;
        // Actions read as verbs, unquoted, as in a written rule.
        Phrase = Dim == Dimension::Action ? llvm::join(Direct, ", ") : quoteList(Direct);
      }
      llvm::StringRef Prep(domain::DimensionPrepositions[unsigned(Dim)].data(),
                           domain::DimensionPrepositions[unsigned(Dim)].size());
      Append(Prep.empty() ? Phrase : Prep.str() + " " + Phrase);
    }
    for (uint32_t A = 0; A != S.attrs().size(); ++A) {
      const llvm::BitVector &X = Cube[S.attrVar(A)];
      if (!X.all())
        C.Conditions.push_back(describeAttr(A, X));
    }
    if (!C.Conditions.empty())
      Append("when " + llvm::join(C.Conditions, " and "));
    C.Text = Text;
    return C;
  }

  void summarise(Mdd::Ref Region, DiffChange::Kind K, const std::string &Obligation) {
    if (Region == Mdd::False)
      return;
    std::vector<std::vector<llvm::BitVector>> Cubes;
    // Bounded: past this many products merging would cost more than the listing is worth.
    const size_t Limit = 4096;
    M.forEachCube(Region, [&](const std::vector<llvm::BitVector> &Cube) {
      Cubes.push_back(Cube);
      return Cubes.size() < Limit;
    });
    mergeCubes(Cubes);
    unsigned Listed = 0;
    for (const auto &Cube : Cubes) {
      if (Listed == Max) {
        ++Result.Omitted[K];
        continue;
      }
      Result.Changes.push_back(render(Cube, K, Obligation));
      addRules(Result.Changes.back(), Cube);
      ++Listed;
    }
  }

  /// The rules deciding one request of the region, for reviewers to jump to.
  void addRules(DiffChange &C, const std::vector<llvm::BitVector> &Cube) {
    std::vector<uint32_t> Point(Cube.size(), 0);
    for (size_t V = 0; V != Cube.size(); ++V)
      Point[V] = Cube[V].find_first();
    PointDecision Now = RN.decide(Point);
    for (uint32_t R : Now.Rules)
      C.Rules.push_back({1, R});
    if (C.K == DiffChange::NowDenied && Now.Rules.empty())
      for (uint32_t R : RO.decide(Point).Rules)
        C.Rules.push_back({0, R});
  }

  /// Joins products that differ in one variable only, until none do.
  static void mergeCubes(std::vector<std::vector<llvm::BitVector>> &Cubes) {
    bool Changed = true;
    while (Changed) {
      Changed = false;
      for (size_t I = 0; I < Cubes.size(); ++I)
        for (size_t J = I + 1; J < Cubes.size(); ++J) {
          int Differ = -1;
          bool Mergeable = true;
          for (size_t V = 0; V != Cubes[I].size(); ++V) {
            if (Cubes[I][V] == Cubes[J][V])
              continue;
            if (Differ != -1) {
              Mergeable = false;
              break;
            }
            Differ = V;
          }
          if (!Mergeable || Differ == -1)
            continue;
          Cubes[I][Differ] |= Cubes[J][Differ];
          Cubes.erase(Cubes.begin() + J);
          Changed = true;
          --J;
        }
    }
  }

  const Policy &Old, &New;
  unsigned Max;
  RequestSpace S;
  PolicyRegions RO, RN;
  Mdd &M;
  std::array<std::vector<Candidate>, NumDimensions> Cands;
  DiffResult Result;
};

} // namespace

DiffResult privet::analysis::diffPolicies(const Policy &Old, const Policy &New,
                                          unsigned MaxPerKind) {
  return Differ(Old, New, MaxPerKind).run();
}
