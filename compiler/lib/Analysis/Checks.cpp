//===- Checks.cpp - The analyses of `privet check`, exact over the whole request space ---===//
#include "privet/Analysis/Checks.h"

#include "ScopeIndex.h"
#include "privet/Analysis/Regions.h"
#include "privet/Analysis/Witness.h"
#include "privet/Domain.h"
#include "llvm/ADT/DenseMap.h"

#include "fmt/format.h"

#include <algorithm>
#include <map>
#include <set>

using namespace privet;
using namespace privet::analysis;

namespace {

class Analyzer {
public:
  Analyzer(const Policy &P, const AnalysisOptions &Opts)
      : P(P), Opts(Opts), S({&P}, Opts.SetBudget), R(S, 0), M(S.mdd()) {}

  std::vector<Finding> run() {
    checkSuppressions();
    checkReachability();
    checkRedundancy();
    checkCoveringLists();
    checkRepeatedGuards();
    checkUnused();
    checkUnprocessedData();
    checkLegalBasis();
    checkInvariants();
    checkRetentionConflicts();
    checkRetentionCutShort();
    checkActorContracts();
    // Over its budget the set diagram answers "empty" to everything: the findings (and their
    // absence) mean nothing, so they are replaced by the one error that says so.
    if (M.failed()) {
      Out.clear();
      add(diag::analysis_budget_exceeded, Loc{}, {llvm::toString(M.takeError())});
    }
    std::stable_sort(Out.begin(), Out.end(), [](const Finding &A, const Finding &B) {
      return std::tie(A.Location.File, A.Location.Line, A.Location.Col) <
             std::tie(B.Location.File, B.Location.Line, B.Location.Col);
    });
    return std::move(Out);
  }

private:
  bool reportable(const Loc &L) const { return !Opts.Reportable || Opts.Reportable(L.File); }

  std::string ruleRef(uint32_t Rl) const { return "`" + P.Rules[Rl].Id + "`"; }
  const char *ruleKind(uint32_t Rl) const {
    const Rule &X = P.Rules[Rl];
    if (!X.isTopLevel())
      return "exception";
    return X.IsAllow ? "allow rule" : "deny rule";
  }

  bool suppressed(const Rule &Rl, diag::Kind K) const {
    for (const Suppression &Sup : Rl.Suppressions)
      if (const CheckInfo *C = findCheck(Sup.Check); C && C->Kind == K)
        return true;
    return false;
  }

  Finding &add(diag::Kind K, const Loc &L, std::vector<std::string> Args) {
    Out.push_back({K, std::move(Args), L, {}, {}});
    return Out.back();
  }

  /// A finding on a rule: reported unless the rule lives in a library file or suppresses it.
  Finding *addOnRule(diag::Kind K, uint32_t Rl, std::vector<std::string> Args) {
    const Rule &X = P.Rules[Rl];
    // A retention exception is implied by its parent's obligation: that it never applies (the
    // parent's condition already bounds the age) or is covered elsewhere is no finding.
    if (!reportable(X.Location) || suppressed(X, K) || X.RetentionOf)
      return nullptr;
    return &add(K, X.Location, std::move(Args));
  }

  void note(Finding &F, const Loc &L, std::string Message) {
    F.Notes.push_back({L, std::move(Message)});
  }

  /// Adds notes at Rules (at most MaxNotes), mentioning the remainder in the last one.
  void noteRules(Finding &F, const std::vector<uint32_t> &Rules,
                 const std::function<std::string(uint32_t)> &Message) {
    for (size_t I = 0; I != Rules.size() && I != Opts.MaxNotes; ++I)
      note(F, P.Rules[Rules[I]].Location, Message(Rules[I]));
    if (Rules.size() > Opts.MaxNotes)
      F.Notes.back().Message += fmt::format(" (and {} more rules)", Rules.size() - Opts.MaxNotes);
  }

  // ---- @suppress names -----------------------------------------------------------------

  void checkSuppressions() {
    for (const Rule &X : P.Rules)
      for (const Suppression &Sup : X.Suppressions)
        if (!findCheck(Sup.Check) && reportable(Sup.Location)) {
          Finding &F = add(diag::unknown_suppression, Sup.Location.Line ? Sup.Location : X.Location,
                           {Sup.Check});
          if (auto Near = closestCheckName(Sup.Check))
            F.Help = "did you mean `" + *Near + "`?";
        }
  }

  // ---- Rules that never apply or never take effect --------------------------------------

  void checkReachability() {
    Dead.assign(P.Rules.size(), false);
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (R.applies(Rl) == Mdd::False) {
        Dead[Rl] = true;
        reportUnreachable(Rl);
        continue;
      }
      if (!X.IsAllow)
        continue;
      Mdd::Ref Reach = M.diff(R.own(Rl), R.blocked(Rl));
      if (Reach != Mdd::False && !M.subset(Reach, R.denied()))
        continue;
      Dead[Rl] = true;
      reportDead(Rl, Reach);
    }
  }

  void reportUnreachable(uint32_t Rl) {
    const Rule &X = P.Rules[Rl];
    if (!X.isTopLevel() && R.applies(X.Parent) == Mdd::False)
      return; // The parent is reported; its exceptions follow from it.
    Mdd::Ref Sc = S.scope(0, X.S);
    Mdd::Ref Local = X.Condition ? M.conj(Sc, S.condition(0, *X.Condition)) : Sc;
    Finding *F;
    if (Sc == Mdd::False) {
      F = addOnRule(diag::unreachable_rule, Rl,
                    {ruleKind(Rl), X.Id, "its pattern matches no request"});
    } else if (Local == Mdd::False) {
      F = addOnRule(diag::unreachable_rule, Rl,
                    {ruleKind(Rl), X.Id, "its condition is never satisfied"});
    } else {
      F = addOnRule(diag::unreachable_rule, Rl,
                    {ruleKind(Rl), X.Id,
                     fmt::format("its pattern and condition do not overlap those of its parent "
                                 "rule {}",
                                 ruleRef(X.Parent))});
      if (F)
        note(*F, P.Rules[X.Parent].Location,
             fmt::format("parent rule {} is declared here", ruleRef(X.Parent)));
    }
  }

  /// A rule without exceptions: its own region is applies(), its effective scope's cube times
  /// its guard.
  bool plain(uint32_t Rl) const { return P.Rules[Rl].Exceptions.empty(); }

  void reportDead(uint32_t Rl, Mdd::Ref Reach) {
    const Rule &X = P.Rules[Rl];
    if (R.own(Rl) == Mdd::False) {
      Finding *F = addOnRule(diag::dead_rule, Rl,
                             {ruleKind(Rl), X.Id, "its exceptions cover its whole scope"});
      if (F)
        noteRules(*F, X.Exceptions,
                  [&](uint32_t E) { return fmt::format("exception {} overrides it", ruleRef(E)); });
      return;
    }
    if (Reach == Mdd::False) {
      std::vector<uint32_t> Blockers;
      for (uint32_t A = X.Parent; A != NoIndex; A = P.Rules[A].Parent)
        for (uint32_t E : P.Rules[A].Exceptions)
          if (!P.Rules[E].IsAllow && M.intersects(R.denyOut(E), R.own(Rl)))
            Blockers.push_back(E);
      Finding *F = addOnRule(
          diag::dead_rule, Rl,
          {ruleKind(Rl), X.Id, "sibling deny exceptions override it wherever it applies"});
      if (F)
        noteRules(*F, Blockers, [&](uint32_t E) {
          return fmt::format("deny exception {} overrides it", ruleRef(E));
        });
      return;
    }
    // The denies (top-level or exceptions) whose own region meets what the rule would allow:
    // only those whose scopes overlap its own can, and the index finds them without a scan.
    if (!DenyIndex) {
      DenyIndex.emplace(R);
      for (uint32_t D = 0; D != P.Rules.size(); ++D)
        if (!P.Rules[D].IsAllow)
          DenyIndex->add(D);
    }
    std::vector<uint32_t> Covering;
    DenyIndex->overlapping(Rl, Covering);
    if (NoteTests + Covering.size() > Opts.MaxNoteTests) {
      NoteTests = Opts.MaxNoteTests;
      if (Finding *F = addOnRule(diag::dead_rule, Rl,
                                 {ruleKind(Rl), X.Id, "deny rules cover its whole scope"}))
        note(*F, X.Location,
             fmt::format("the rules that cover it are not listed: the check's search for them "
                         "reached its limit of {} tests",
                         Opts.MaxNoteTests));
      return;
    }
    NoteTests += Covering.size();
    // A rule without exceptions decides on all of applies(), which is the cube of its
    // effective scope times its guard; so is Reach when the rule has no exceptions and no
    // sibling deny overrides it. Two such products meet exactly when their cubes overlap (the
    // index checked that) and their guards do, and one holds the other exactly when its cube
    // and its guard hold the other's: tests on the small guard diagrams over the attributes,
    // the same for every pair of rules with the same conditions.
    bool PlainRl = plain(Rl) && R.blocked(Rl) == Mdd::False;
    llvm::erase_if(Covering, [&](uint32_t D) {
      if (PlainRl && plain(D))
        return !M.intersects(R.guard(D), R.guard(Rl));
      return !M.intersects(R.own(D), Reach);
    });
    auto Covers = [&](uint32_t D) {
      if (PlainRl && plain(D))
        return DenyIndex->contains(D, Rl) && M.subset(R.guard(Rl), R.guard(D));
      return M.subset(Reach, R.own(D));
    };
    // One deny that covers the whole scope by itself is the one to point at.
    for (uint32_t D : Covering)
      if (Covers(D)) {
        Finding *F =
            addOnRule(diag::dead_rule, Rl,
                      {ruleKind(Rl), X.Id,
                       fmt::format("{} {} covers its whole scope", ruleKind(D), ruleRef(D))});
        if (F)
          note(*F, P.Rules[D].Location,
               fmt::format("{} {} denies everything it allows", ruleKind(D), ruleRef(D)));
        return;
      }
    Finding *F =
        addOnRule(diag::dead_rule, Rl, {ruleKind(Rl), X.Id, "deny rules cover its whole scope"});
    if (F)
      noteRules(*F, Covering, [&](uint32_t D) {
        return fmt::format("{} {} denies part of its scope", ruleKind(D), ruleRef(D));
      });
  }

  // ---- Redundant rules -------------------------------------------------------------------

  void checkRedundancy() {
    // Candidates must contain the rule's scope dimension by dimension: index the top-level
    // rules by effect and scope, and ask for the containers of each rule.
    std::array<std::optional<ScopeIndex>, 2> ByEffect;
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      if (!P.Rules[Rl].isTopLevel() || Dead[Rl])
        continue;
      std::optional<ScopeIndex> &Index = ByEffect[P.Rules[Rl].IsAllow];
      if (!Index)
        Index.emplace(R);
      Index->add(Rl);
    }
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (!X.isTopLevel() || Dead[Rl] || !X.Exceptions.empty())
        continue;
      if (!reportable(X.Location) || suppressed(X, diag::redundant_rule))
        continue;
      Mdd::Ref Mine = R.applies(Rl);
      ByEffect[X.IsAllow]->containing(Rl, [&](uint32_t Other) {
        if (Other == Rl)
          return true;
        const Rule &Y = P.Rules[Other];
        if (X.IsAllow && !std::includes(Y.Obligations.begin(), Y.Obligations.end(),
                                        X.Obligations.begin(), X.Obligations.end()))
          return true;
        // applies() is the effective scope's cube times the guard, and X's cube lies in Y's
        // (the index checked it; X is not dead, so neither part is empty). Then X's region
        // lies in Y's exactly when X's guard implies Y's: a test on two small diagrams over the
        // attributes only, shared by every pair with the same conditions.
        if (!M.subset(R.guard(Rl), R.guard(Other)))
          return true;
        // Without exceptions Y's own and deny regions are applies(Y), so that settled it.
        Mdd::Ref Theirs = X.IsAllow ? R.own(Other) : R.denyOut(Other);
        if (!Y.Exceptions.empty() && !M.subset(Mine, Theirs))
          return true;
        // Of two identical rules only the later one is reported.
        if (Mine == Theirs && Other > Rl && Y.Exceptions.empty() &&
            (!X.IsAllow || X.Obligations == Y.Obligations))
          return true;
        Finding &F =
            add(diag::redundant_rule, X.Location,
                {ruleKind(Rl), X.Id,
                 fmt::format("{} {} already {} every request it applies to{}", ruleKind(Other),
                             ruleRef(Other), X.IsAllow ? "allows" : "denies",
                             X.IsAllow && !X.Obligations.empty()
                                 ? ", with at least the same obligations"
                                 : "")});
        note(F, Y.Location, fmt::format("{} {} is declared here", ruleKind(Other), ruleRef(Other)));
        return false;
      });
    }
  }

  // ---- Lists that cover a whole dimension (`for not a, not b`) ---------------------------

  /// The dimensions of S whose written list has two or more items, at least one negated, and
  /// covers every leaf: the union of complements that reads like "neither".
  void coveringLists(const Scope &Sc, const std::function<void(unsigned)> &Report) {
    for (unsigned D = 0; D != NumDimensions; ++D) {
      const auto &Bits = Sc.Dims[D];
      if (!Bits || Bits->size() == 0 || !Bits->all())
        continue;
      size_t Items = Sc.Written[D].size() + Sc.Neither[D].size();
      bool Negated = !Sc.Neither[D].empty() ||
                     llvm::any_of(Sc.Written[D], [](const auto &W) { return W.second; });
      if (Items >= 2 && Negated)
        Report(D);
    }
  }

  std::string coveringHint(const Scope &Sc, unsigned D) const {
    const Vocabulary &V = P.Vocab[D];
    std::vector<std::string> Names;
    for (auto [N, Negated] : Sc.Written[D])
      if (Negated && N < V.Nodes.size())
        Names.push_back(V.Nodes[N].Name);
    if (Names.size() < 2)
      return "the items together leave nothing out";
    std::string List;
    for (const auto &N : Names)
      List += (List.empty() ? "" : ", ") + N;
    std::string Spelled;
    for (const auto &N : Names)
      Spelled += (Spelled.empty() ? "not " : ", not ") + N;
    return fmt::format("`{}` is \"not one of them\", not \"none of them\"; write `not ({})`",
                       Spelled, List);
  }

  void checkCoveringLists() {
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      coveringLists(X.S, [&](unsigned D) {
        addOnRule(diag::list_covers_dimension, Rl,
                  {dimensionName(Dimension(D)).str(), ruleKind(Rl), X.Id,
                   std::string(domain::DimensionNouns[D]), coveringHint(X.S, D)});
      });
    }
    for (const Invariant &I : P.Invariants) {
      if (!reportable(I.Location))
        continue;
      coveringLists(I.S, [&](unsigned D) {
        add(diag::list_covers_dimension, I.Location,
            {dimensionName(Dimension(D)).str(), "invariant", I.Id,
             std::string(domain::DimensionNouns[D]), coveringHint(I.S, D)});
      });
    }
  }

  // ---- Exceptions that repeat their rule's condition -------------------------------------

  static bool sameCond(const Cond &A, const Cond &B) {
    if (A.K != B.K || A.Attr != B.Attr || A.Op != B.Op || A.Value != B.Value || A.Set != B.Set ||
        A.Ops.size() != B.Ops.size())
      return false;
    for (size_t I = 0; I != A.Ops.size(); ++I)
      if (!sameCond(A.Ops[I], B.Ops[I]))
        return false;
    return true;
  }

  /// Whether E is the whole of C or one of its top-level `and` parts.
  static bool repeats(const Cond &E, const Cond &C) {
    if (sameCond(E, C))
      return true;
    if (C.K == Cond::And)
      return llvm::any_of(C.Ops, [&](const Cond &Op) { return repeats(E, Op); });
    return false;
  }

  void checkRepeatedGuards() {
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (X.isTopLevel() || !X.Condition || X.Condition->K == Cond::True)
        continue;
      // The exception's whole condition is the condition of the rule or of an enclosing rule,
      // or one of its `and` parts.
      for (uint32_t A = X.Parent; A != NoIndex; A = P.Rules[A].Parent) {
        const Rule &Anc = P.Rules[A];
        if (!Anc.Condition)
          continue;
        if (!repeats(*X.Condition, *Anc.Condition))
          continue;
        if (Finding *F = addOnRule(diag::exception_repeats_guard, Rl, {X.Id, Anc.Id}))
          note(*F, Anc.Location, fmt::format("{} {} is declared here", ruleKind(A), ruleRef(A)));
        break;
      }
    }
  }

  // ---- Unused declarations ---------------------------------------------------------------

  void mentionScope(const Scope &Sc) {
    for (unsigned D = 0; D != NumDimensions; ++D)
      for (auto [N, Negated] : Sc.Written[D])
        mention(D, N);
    for (unsigned D = 0; D != NumDimensions; ++D)
      for (const auto &Group : Sc.Neither[D])
        for (NodeId N : Group)
          mention(D, N);
    for (const RecipientFacts &F : Sc.Where)
      mentionFacts(F);
  }
  void mentionFacts(const RecipientFacts &F) {
    if (F.K == RecipientFacts::Role)
      mention(unsigned(Dimension::Recipient), F.Node);
    else if (F.K == RecipientFacts::Located)
      mention(unsigned(Dimension::Region), F.Node);
    for (const RecipientFacts &Op : F.Ops)
      mentionFacts(Op);
  }
  void mention(unsigned D, NodeId N) {
    if (N < Mentioned[D].size())
      Mentioned[D][N] = true;
  }
  void mentionObligation(NodeId N) {
    if (N < MentionedObl.size())
      MentionedObl[N] = true;
  }
  void mentionCond(const Cond &C) {
    if (C.Attr < AttrUsed.size())
      AttrUsed[C.Attr] = true;
    for (const Cond &Op : C.Ops)
      mentionCond(Op);
  }

  void collectMentions() {
    for (unsigned D = 0; D != NumDimensions; ++D)
      Mentioned[D].assign(P.Vocab[D].Nodes.size(), false);
    MentionedObl.assign(P.Obligations.Nodes.size(), false);
    AttrUsed.assign(P.Attributes.size(), false);
    CombinationResult.assign(P.vocab(Dimension::Data).Nodes.size(), false);
    for (const Rule &X : P.Rules) {
      mentionScope(X.S);
      if (X.Condition)
        mentionCond(*X.Condition);
      for (const ObligationRef &O : X.Obligations)
        mentionObligation(O.Obligation);
    }
    for (const Invariant &I : P.Invariants) {
      mentionScope(I.S);
      if (I.Condition)
        mentionCond(*I.Condition);
      for (const ObligationRef &O : I.Required)
        mentionObligation(O.Obligation);
    }
    for (const TestCase &T : P.Tests)
      for (const Expectation &E : T.Expectations) {
        for (unsigned D = 0; D != NumDimensions; ++D)
          for (NodeId N : E.Req.Values[D])
            mention(D, N);
        for (auto [A, V] : E.Req.Attrs)
          if (A < AttrUsed.size())
            AttrUsed[A] = true;
        for (const ObligationRef &O : E.Obligations)
          mentionObligation(O.Obligation);
      }
    unsigned Data = unsigned(Dimension::Data);
    for (const Combination &C : P.Combinations) {
      mention(Data, C.First);
      mention(Data, C.Second);
      mention(Data, C.Result);
      if (C.Result < CombinationResult.size())
        CombinationResult[C.Result] = true;
    }
    const Vocabulary &Rec = P.vocab(Dimension::Recipient);
    for (const VocabNode &N : Rec.Nodes)
      if (N.LocatedIn)
        mention(unsigned(Dimension::Region), *N.LocatedIn);
    // The built-in actor is what every rule that names no actor is about.
    if (std::optional<NodeId> Us = P.controllerActor())
      mention(unsigned(Dimension::Actor), *Us);
    for (const Invariant &I : P.Invariants)
      if (I.K == Invariant::Within && I.WithinActor != NoIndex)
        mention(unsigned(Dimension::Actor), I.WithinActor);
    // A `processor for` entry of the controller block names its purposes (whether a rule
    // serves them is W0430's business).
    if (P.Controller)
      for (const ProcessingClient &C : P.Controller->Clients)
        for (NodeId N : C.Purposes)
          mention(unsigned(Dimension::Purpose), N);
  }

  /// Nodes of Voc covering some leaf a mention covers (so a mention of `email_address` uses
  /// `contact` above it, and one of `contact` uses everything below it).
  static std::vector<bool> usedNodes(const Vocabulary &Voc, const std::vector<bool> &Mentioned) {
    llvm::BitVector UsedLeaves(Voc.Leaves.size());
    for (NodeId N = 0; N != Voc.Nodes.size(); ++N)
      if (Mentioned[N] && N < Voc.Covers.size())
        Voc.Covers[N].addTo(UsedLeaves);
    std::vector<bool> Used(Voc.Nodes.size(), false);
    for (NodeId N = 0; N != Voc.Nodes.size(); ++N)
      Used[N] = N < Voc.Covers.size() && Voc.Covers[N].anyCommon(UsedLeaves);
    return Used;
  }

  void reportUnusedNodes(const Vocabulary &Voc, const std::vector<bool> &Used,
                         llvm::StringRef Keyword) {
    for (NodeId N = 0; N != Voc.Nodes.size(); ++N) {
      const VocabNode &Node = Voc.Nodes[N];
      if (Used[N] || Node.Module != 0 || !reportable(Node.Location))
        continue;
      // Report the highest unused node only: its descendants are unused because it is.
      bool ParentUnused = std::any_of(Node.Parents.begin(), Node.Parents.end(), [&](NodeId Up) {
        return Up < Used.size() && !Used[Up] && Voc.Nodes[Up].Module == 0;
      });
      if (ParentUnused)
        continue;
      add(diag::unused_declaration, Node.Location,
          {Keyword.str(), Node.Name, Node.Children.empty() ? "" : " or anything under it"});
    }
  }

  void checkUnused() {
    collectMentions();
    for (unsigned D = 0; D != NumDimensions; ++D) {
      UsedByDim[D] = usedNodes(P.Vocab[D], Mentioned[D]);
      reportUnusedNodes(P.Vocab[D], UsedByDim[D], std::string(domain::DimensionKeywords[D]));
    }
    reportUnusedNodes(P.Obligations, usedNodes(P.Obligations, MentionedObl), "obligation");
    for (uint32_t A = 0; A != P.Attributes.size(); ++A) {
      const Attribute &Attr = P.Attributes[A];
      if (AttrUsed[A] || Attr.Module != 0 || !reportable(Attr.Location))
        continue;
      add(diag::unused_attribute, Attr.Location, {Attr.Name});
    }
  }

  // ---- Data nothing may process ---------------------------------------------------------

  void checkUnprocessedData() {
    const Vocabulary &Voc = P.vocab(Dimension::Data);
    if (Voc.Nodes.empty())
      return;
    llvm::BitVector Processed = M.project(R.allowed(), S.dimVar(Dimension::Data));
    const std::vector<bool> &Used = UsedByDim[unsigned(Dimension::Data)];
    auto Unprocessed = [&](NodeId N) {
      return N < Voc.Covers.size() && !Voc.Covers[N].anyCommon(Processed);
    };
    for (NodeId N = 0; N != Voc.Nodes.size(); ++N) {
      const VocabNode &Node = Voc.Nodes[N];
      if (Node.Module != 0 || !Used[N] || CombinationResult[N] || !Unprocessed(N) ||
          !reportable(Node.Location))
        continue;
      bool ParentReported = std::any_of(Node.Parents.begin(), Node.Parents.end(), [&](NodeId Up) {
        return Voc.Nodes[Up].Module == 0 && Used[Up] && !CombinationResult[Up] && Unprocessed(Up);
      });
      if (ParentReported)
        continue;
      add(diag::unprocessed_data, Node.Location, {Node.Name});
    }
  }

  // ---- Missing legal basis --------------------------------------------------------------

  void checkLegalBasis() {
    const Vocabulary &Bases = P.vocab(Dimension::Basis);
    const Vocabulary &Data = P.vocab(Dimension::Data);
    if (Bases.Nodes.empty())
      return;
    llvm::BitVector Personal(S.dim(Dimension::Data).size());
    bool Marked = false;
    for (NodeId N = 0; N != Data.Nodes.size(); ++N) {
      llvm::StringRef Name = Data.Nodes[N].Name;
      llvm::StringRef Last = Name.rsplit('.').second.empty() ? Name : Name.rsplit('.').second;
      if (Last == "personal_data" || Last == "personal_information") {
        Marked = true;
        if (N < Data.Covers.size())
          Data.Covers[N].addTo(Personal);
      }
    }
    if (!Marked)
      Personal.set();
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (!X.IsAllow || Dead[Rl])
        continue;
      // Constraining means writing `under` (here or on an enclosing rule), even when the list
      // names every basis a small policy declares.
      bool Constrained = false;
      for (uint32_t A = Rl; A != NoIndex && !Constrained; A = P.Rules[A].Parent)
        Constrained = P.Rules[A].S.dim(Dimension::Basis).has_value();
      if (Constrained || !R.effectiveDims(Rl)[unsigned(Dimension::Data)].anyCommon(Personal))
        continue;
      addOnRule(diag::missing_legal_basis, Rl, {ruleKind(Rl), X.Id});
    }
  }

  // ---- Actors without a contract ------------------------------------------------------

  void checkActorContracts() {
    const Vocabulary &Actors = P.vocab(Dimension::Actor);
    if (Actors.Nodes.empty())
      return;
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (!X.IsAllow || Dead[Rl])
        continue;
      for (unsigned L : R.effectiveDims(Rl)[unsigned(Dimension::Actor)].set_bits()) {
        LeafIndex Local = S.view(0).localLeaf(Dimension::Actor, L);
        if (Local == NoIndex)
          continue;
        const VocabNode &Node = Actors.Nodes[Actors.Leaves[Local]];
        if (Node.UnderContract)
          continue;
        addOnRule(diag::actor_without_contract, Rl, {ruleKind(Rl), X.Id, Node.Name});
        break;
      }
    }
  }

  // ---- Invariants ------------------------------------------------------------------------

  void checkInvariants() {
    const Vocabulary &Obl = P.Obligations;
    for (const Invariant &I : P.Invariants) {
      Mdd::Ref Region = S.scope(0, I.S);
      if (I.Condition)
        Region = M.conj(Region, S.condition(0, *I.Condition));
      switch (I.K) {
      case Invariant::Never:
        reportViolation(I, M.conj(Region, R.allowed()), diag::invariant_never, "");
        break;
      case Invariant::Always:
        reportViolation(I, M.diff(Region, R.allowed()), diag::invariant_always, "");
        break;
      case Invariant::Within:
        checkWithin(I, Region);
        break;
      case Invariant::Obliged:
        for (const ObligationRef &Req : I.Required) {
          Mdd::Ref Met = R.carrying([&](const ObligationRef &Have) {
            bool Under =
                Have.Obligation == Req.Obligation ||
                (Have.Obligation < Obl.Covers.size() && Req.Obligation < Obl.Covers.size() &&
                 Obl.Covers[Have.Obligation].isSubsetOf(Obl.Covers[Req.Obligation]));
            return Under && (!Req.Arg || Have.Arg == Req.Arg);
          });
          std::string Name =
              Req.Obligation < Obl.Nodes.size() ? Obl.Nodes[Req.Obligation].Name : std::string("?");
          if (Req.Arg)
            Name += "(" + std::to_string(*Req.Arg) + ")";
          reportViolation(I, M.diff(M.conj(Region, R.allowed()), Met), diag::invariant_obligation,
                          Name);
        }
        break;
      }
    }
  }

  // ---- Two retention periods on one allowed request -------------------------------------

  void checkRetentionConflicts() {
    const Vocabulary &Obl = P.Obligations;
    std::map<NodeId, std::set<int64_t>> Periods;
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl)
      if (P.Rules[Rl].IsAllow && !Dead[Rl])
        for (const ObligationRef &O : R.effectiveObligations(Rl))
          if (O.Arg && O.Obligation < Obl.Nodes.size() &&
              Obl.Nodes[O.Obligation].LimitsAttr != NoIndex)
            Periods[O.Obligation].insert(*O.Arg);
    for (auto It = Periods.begin(); It != Periods.end(); ++It) {
      const NodeId O = It->first;
      const std::vector<int64_t> Args(It->second.begin(), It->second.end());
      for (size_t I = 0; I < Args.size(); ++I)
        for (size_t J = I + 1; J < Args.size(); ++J)
          reportRetentionConflict(ObligationRef{O, Args[I], {}}, ObligationRef{O, Args[J], {}});
    }
  }

  void reportRetentionConflict(const ObligationRef &Short, const ObligationRef &Long) {
    Mdd::Ref Both = M.conj(R.carrying([&](const ObligationRef &H) { return H == Short; }),
                           R.carrying([&](const ObligationRef &H) { return H == Long; }));
    if (Both == Mdd::False)
      return;
    std::optional<std::vector<uint32_t>> Point = M.pick(Both, S.preferredPoint());
    if (!Point)
      return;
    PointDecision D = R.decide(*Point);
    auto Carries = [&](uint32_t Rl, const ObligationRef &Want) {
      const std::vector<ObligationRef> &Eff = R.effectiveObligations(Rl);
      return std::find(Eff.begin(), Eff.end(), Want) != Eff.end();
    };
    auto Own = [&](uint32_t Rl, const ObligationRef &Want) {
      const std::vector<ObligationRef> &Os = P.Rules[Rl].Obligations;
      return std::find(Os.begin(), Os.end(), Want) != Os.end();
    };
    // Two deciding rules with different periods conflict. Within one rule and the allow rules
    // enclosing it, a nested period shorter than an enclosing one is a deliberate narrowing; a
    // nested one as long or longer (or two on one rule) can never be reached, which conflicts.
    std::optional<uint32_t> ShortRule, LongRule;
    for (uint32_t A : D.Rules)
      for (uint32_t B : D.Rules)
        if (!ShortRule && A != B && Carries(A, Short) && Carries(B, Long))
          ShortRule = A, LongRule = B;
    for (uint32_t Rl : D.Rules) {
      std::optional<uint32_t> SeenLong;
      for (uint32_t X = Rl; X != NoIndex && !ShortRule; X = P.Rules[X].Parent) {
        if (!SeenLong && Own(X, Long))
          SeenLong = X;
        if (SeenLong && Own(X, Short))
          ShortRule = X, LongRule = *SeenLong;
      }
    }
    if (!ShortRule || !LongRule)
      return;
    auto Name = [&](const ObligationRef &O) {
      return P.Obligations.Nodes[O.Obligation].Name + "(" + domain::formatDuration(*O.Arg) + ")";
    };
    Request Req = pointToRequest(S, 0, *Point);
    Finding *F =
        addOnRule(diag::conflicting_retention, *LongRule,
                  {describeRequest(P, Req), "`" + Name(Short) + "`", "`" + Name(Long) + "`"});
    if (!F)
      return;
    note(*F, P.Rules[*LongRule].Location,
         fmt::format("{} {} carries {}", ruleKind(*LongRule), ruleRef(*LongRule), Name(Long)));
    note(*F, P.Rules[*ShortRule].Location,
         fmt::format("{} {} carries {}, which is enforced", ruleKind(*ShortRule),
                     ruleRef(*ShortRule), Name(Short)));
  }

  // ---- A retention period that a deny elsewhere cuts short -----------------------------

  /// An allow rule promises o(D) (a retention limit on attribute A), but on part of its scope a
  /// deny rule stops the same processing at an age below D while fresh data is allowed: the
  /// obligation says "kept for D" and the policy denies sooner. Exactly: some request of the
  /// rule's own region is decided by a deny rule that is not a retention exception, and the same
  /// request with A at its smallest class is allowed. Other obligations are opaque to the checker
  /// (they carry no meaning it could contradict), so only retention limits are compared.
  void checkRetentionCutShort() {
    const Vocabulary &Obl = P.Obligations;
    std::vector<uint32_t> Denies;
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl)
      if (!P.Rules[Rl].IsAllow && !P.Rules[Rl].RetentionOf && !Dead[Rl])
        Denies.push_back(Rl);
    if (Denies.empty())
      return;
    std::map<unsigned, Mdd::Ref> AllowedFresh; // by attribute variable
    std::optional<ScopeIndex> Cutting;         // the denies above, built when needed
    std::vector<uint32_t> Candidates;
    for (uint32_t Rl = 0; Rl != P.Rules.size(); ++Rl) {
      const Rule &X = P.Rules[Rl];
      if (!X.IsAllow || Dead[Rl] || X.RetentionOf)
        continue;
      for (const ObligationRef &O : X.Obligations) {
        if (!O.Arg || O.Obligation >= Obl.Nodes.size() ||
            Obl.Nodes[O.Obligation].LimitsAttr == NoIndex)
          continue;
        unsigned Var = S.attrVar(S.view(0).sharedAttr(Obl.Nodes[O.Obligation].LimitsAttr));
        auto It = AllowedFresh.find(Var);
        if (It == AllowedFresh.end()) {
          llvm::DenseMap<Mdd::Ref, Mdd::Ref> Memo;
          It = AllowedFresh.emplace(Var, restrictVar(R.allowed(), Var, 0, Memo)).first;
        }
        Mdd::Ref Cut = M.conj(M.conj(R.own(Rl), R.denied()), It->second);
        if (Cut == Mdd::False)
          continue;
        // The first deny (by index) whose scope overlaps the rule's and that decides part of
        // the cut region.
        if (!Cutting) {
          Cutting.emplace(R);
          for (uint32_t D : Denies)
            Cutting->add(D);
        }
        Cutting->overlapping(Rl, Candidates);
        for (uint32_t D : Candidates) {
          if (!M.intersects(Cut, R.origin(D)))
            continue;
          reportCutShort(Rl, O, D, Var, M.conj(Cut, R.origin(D)));
          break;
        }
      }
    }
  }

  void reportCutShort(uint32_t Rl, const ObligationRef &O, uint32_t Deny, unsigned Var,
                      Mdd::Ref Where) {
    std::optional<std::vector<uint32_t>> Point = M.pick(Where, S.preferredPoint());
    if (!Point)
      return;
    std::vector<bool> Keep(M.numVars(), false);
    Keep[Var] = true;
    std::vector<bool> Free = freeVariables(S, M, Where, *Point, Keep);
    // The age is printed as its class (`gdpr.data_age > 1 year and <= 3 years`): every age in
    // it is cut short, not only the one value a point would show.
    Free[Var] = true;
    Request Req = pointToRequest(S, 0, *Point, Free);
    const space::AttrDomain &Age = S.attrs()[Var - NumDimensions];
    std::string Text = describeRequest(P, Req);
    Text += (Text.find(" given ") == std::string::npos ? " given " : ", ") + Age.Name + " " +
            Age.describeClass((*Point)[Var]);
    std::string Name =
        P.Obligations.Nodes[O.Obligation].Name + "(" + domain::formatDuration(*O.Arg) + ")";
    Finding *F =
        addOnRule(diag::retention_cut_short, Rl, {P.Rules[Rl].Id, Name, P.Rules[Deny].Id, Text});
    if (!F)
      return;
    note(*F, P.Rules[Deny].Location,
         fmt::format("{} {} denies this request, although the same request with fresh data is "
                     "allowed",
                     ruleKind(Deny), ruleRef(Deny)));
  }

  /// R with variable Var fixed to Value (so it no longer depends on Var).
  Mdd::Ref restrictVar(Mdd::Ref X, unsigned Var, uint32_t Value,
                       llvm::DenseMap<Mdd::Ref, Mdd::Ref> &Memo) {
    if (M.isTerminal(X) || M.var(X) > Var)
      return X;
    if (M.var(X) == Var)
      return M.children(X)[Value];
    auto It = Memo.find(X);
    if (It != Memo.end())
      return It->second;
    // Copied: building nodes below may move the store the children live in.
    std::vector<Mdd::Ref> Kids(M.children(X).begin(), M.children(X).end());
    for (Mdd::Ref &K : Kids)
      K = restrictVar(K, Var, Value, Memo);
    Mdd::Ref Out = M.node(M.var(X), Kids);
    Memo[X] = Out;
    return Out;
  }

  /// `require P within A`: a request of P that is allowed is allowed with its actor set to A.
  void checkWithin(const Invariant &I, Mdd::Ref Region) {
    const Vocabulary &Actors = P.vocab(Dimension::Actor);
    if (I.WithinActor >= Actors.LeafOf.size() || Actors.LeafOf[I.WithinActor] == NoIndex)
      return;
    uint32_t Target = S.view(0).sharedLeaf(Dimension::Actor, Actors.LeafOf[I.WithinActor]);
    llvm::DenseMap<Mdd::Ref, Mdd::Ref> Memo;
    Mdd::Ref AsTarget = restrictVar(R.allowed(), S.dimVar(Dimension::Actor), Target, Memo);
    reportViolation(I, M.diff(M.conj(Region, R.allowed()), AsTarget), diag::invariant_within,
                    Actors.Nodes[I.WithinActor].Name);
  }

  void reportViolation(const Invariant &I, Mdd::Ref Violations, diag::Kind K,
                       const std::string &Obligation) {
    if (Violations == Mdd::False)
      return;
    std::optional<std::vector<uint32_t>> Point = M.pick(Violations, S.preferredPoint());
    // Only what the violation depends on, and the parts the invariant names: every request
    // that agrees with the printed parts violates the invariant, whatever the others are.
    std::vector<bool> Keep(M.numVars(), false);
    for (unsigned D = 0; D != NumDimensions; ++D)
      if (I.S.Dims[D] && S.dimVar(Dimension(D)) < Keep.size())
        Keep[S.dimVar(Dimension(D))] = true;
    std::vector<bool> Free = freeVariables(S, M, Violations, *Point, Keep);
    Request Req = pointToRequest(S, 0, *Point, Free);
    PointDecision D = R.decide(*Point);
    std::string Text = describeRequest(P, Req);
    if (!P.Vocab[0].Nodes.empty() && Req.Values[0].empty())
      Text = Text.empty() ? "any" : "any " + Text;
    std::vector<std::string> Args{I.Id, Text};
    if (K == diag::invariant_obligation || K == diag::invariant_within)
      Args.push_back(Obligation);
    // An invariant of a library (the stdlib's GDPR checks) is reported at the user's rule that
    // breaks it, the invariant becoming a note: the rule is what to fix, and the only place a
    // pull request can be annotated.
    const uint32_t *Own = nullptr;
    if (!reportable(I.Location))
      for (const uint32_t &Rl : D.Rules)
        if (reportable(P.Rules[Rl].Location)) {
          Own = &Rl;
          break;
        }
    Finding &F = add(K, Own ? P.Rules[*Own].Location : I.Location, std::move(Args));
    if (Own)
      note(F, I.Location, fmt::format("invariant `{}` is declared here", I.Id));
    if (D.Rules.empty()) {
      note(F, I.Location, "no rule allows this request: it is denied by default");
      return;
    }
    noteRules(F, D.Rules, [&](uint32_t Rl) {
      return fmt::format("{} {} {} this request", ruleKind(Rl), ruleRef(Rl),
                         D.Allow ? "allows" : "denies");
    });
  }

  const Policy &P;
  const AnalysisOptions &Opts;
  RequestSpace S;
  PolicyRegions R;
  Mdd &M;
  std::vector<Finding> Out;
  std::vector<bool> Dead;
  std::optional<ScopeIndex> DenyIndex; ///< Every deny rule, built when a dead rule needs it.
  uint64_t NoteTests = 0; ///< Candidate tests spent on dead rules' notes (MaxNoteTests).
  std::array<std::vector<bool>, NumDimensions> Mentioned, UsedByDim;
  std::vector<bool> MentionedObl, AttrUsed, CombinationResult;
};

} // namespace

std::vector<Finding> privet::analysis::runAnalyses(const Policy &P, const AnalysisOptions &Opts) {
  return Analyzer(P, Opts).run();
}
