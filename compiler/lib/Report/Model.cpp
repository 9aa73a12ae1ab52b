//===- Model.cpp - Deriving the record, notice, coverage and findings from a Policy ------===//
//
// Everything GDPR-specific is found through the standard library's nodes (gdpr.special_category_
// data, gdpr.third_country, gdpr.transfer_mechanism, gdpr.retention, Art. 32 obligations, ...), so
// any policy that builds on stdlib/gdpr.privet gets a full record; one that does not still gets
// its purposes, data, subjects and recipients.
//
//===----------------------------------------------------------------------------------------===//
#include "ModelImpl.h"

#include "privet/Domain.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace privet::report {

llvm::StringRef fieldKey(Field F) {
  static constexpr const char *Keys[NumFields] = {
      "activity",          "controller", "representative", "dpo",
      "joint_controllers", "purpose",    "legal_basis",    "special_condition",
      "subjects",          "data",       "special_data",   "recipients",
      "processors",        "transfers",  "safeguards",     "retention",
      "security",          "actors",     "rules"};
  return Keys[unsigned(F)];
}

llvm::StringRef mapKindName(MapNode::Kind K) {
  static constexpr const char *Kinds[] = {"data", "purpose", "recipient", "region", "actor"};
  return Kinds[K];
}

std::string ReportParty::text() const {
  if (Contacts.empty())
    return Name;
  std::string Out = Name + " (";
  for (size_t I = 0; I < Contacts.size(); ++I)
    Out += (I ? "; " : "") + Contacts[I];
  return Out + ")";
}

std::string formatLoc(const Policy &P, const Loc &L) {
  std::string File = L.File < P.Files.size() ? llvm::sys::path::filename(P.Files[L.File]).str()
                                             : std::string("<generated>");
  if (L.Line == 0)
    return File;
  return File + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
}

namespace detail {

std::string nodeLabel(const VocabNode &N) {
  if (!N.Title.empty())
    return N.Title;
  // An untitled node reads as its local name in words: `gdpr.india` is "india".
  std::string Label = llvm::StringRef(N.Name).rsplit('.').second.str();
  if (Label.empty())
    Label = N.Name;
  std::replace(Label.begin(), Label.end(), '_', ' ');
  return Label;
}

std::optional<NodeId> GdprNodes::find(const Policy &P, const Vocabulary &V, llvm::StringRef Local) {
  if (auto N = V.lookup(("gdpr." + Local).str()))
    return N;
  // The policy being reported on may be the gdpr module itself, whose names are unqualified.
  if (!P.Modules.empty() && P.Modules[0].Name == "gdpr")
    return V.lookup(Local);
  return std::nullopt;
}

Context::Context(const Policy &P, const ReportOptions &Opts) : P(P), Opts(Opts) {
  const Vocabulary &Data = P.vocab(Dimension::Data);
  SpecialLeaves = llvm::BitVector(Data.numLeaves());
  for (const char *Name : {"special_category_data", "criminal_offence_data"})
    if (auto N = GdprNodes::find(P, Data, Name)) {
      Data.Covers[*N].addTo(SpecialLeaves);
      SpecialRoots.push_back(*N);
    }
  const Vocabulary &Regions = P.vocab(Dimension::Region);
  ThirdLeaves = llvm::BitVector(Regions.numLeaves());
  AdequateLeaves = llvm::BitVector(Regions.numLeaves());
  if (auto N = GdprNodes::find(P, Regions, "third_country"))
    ThirdLeaves = Regions.Covers[*N].bits();
  if (auto N = GdprNodes::find(P, Regions, "adequate_country"))
    AdequateLeaves = Regions.Covers[*N].bits();

  const Vocabulary &Recipients = P.vocab(Dimension::Recipient);
  ProcessorRole = GdprNodes::find(P, Recipients, "processor");
  JointControllerRole = GdprNodes::find(P, Recipients, "joint_controller");
  const Vocabulary &Actors = P.vocab(Dimension::Actor);
  auto ActorGroup = [&](llvm::StringRef Local) -> std::optional<NodeId> {
    if (auto N = Actors.lookup(("gdpr_actors." + Local).str()))
      return N;
    if (!P.Modules.empty() && P.Modules[0].Name == "gdpr_actors")
      return Actors.lookup(Local);
    return std::nullopt;
  };
  ActorProcessor = ActorGroup("processor");
  ActorJointController = ActorGroup("joint_controller");
  ActorThirdParty = ActorGroup("third_party");
  Us = P.controllerActor();
  const Vocabulary &Bases = P.vocab(Dimension::Basis);
  for (const char *Name : {"special_category_condition", "criminal_data_condition"})
    if (auto N = GdprNodes::find(P, Bases, Name))
      SpecialConditionRoots.push_back(*N);

  // Obligations: classify every node once, by its ancestors.
  const Vocabulary &O = P.Obligations;
  auto Retention = GdprNodes::find(P, O, "retention");
  auto Transfer = GdprNodes::find(P, O, "transfer_mechanism");
  auto Security = GdprNodes::find(P, O, "security_measures");
  ObligationClass.assign(O.Nodes.size(), 0);
  for (NodeId N = 0; N < O.Nodes.size(); ++N) {
    uint8_t C = 0;
    for (NodeId A : ancestors(O, N)) {
      if (Retention && A == *Retention)
        C |= IsRetention;
      if (Transfer && A == *Transfer)
        C |= IsTransferTool;
      if (Security && A == *Security)
        C |= IsSecurity;
      // Art. 32 measures are also those whose declaration cites Art. 32 (pseudonymisation,
      // confidentiality), in the standard library or in the policy.
      for (const std::string &S : O.Nodes[A].Sources)
        if (llvm::StringRef(S).contains("Art. 32"))
          C |= IsSecurity;
    }
    ObligationClass[N] = C;
  }

  for (const Vocabulary &V : P.Vocab)
    Depths.push_back(depths(V));

  // Exceptions narrow their parent: their effective scope is their own intersected with it.
  Effective.resize(P.Rules.size());
  for (uint32_t I = 0; I < P.Rules.size(); ++I)
    effective(I);
}

std::vector<NodeId> Context::ancestors(const Vocabulary &V, NodeId N) {
  std::vector<NodeId> Out{N};
  std::vector<bool> Seen(V.Nodes.size());
  Seen[N] = true;
  for (size_t I = 0; I < Out.size(); ++I)
    for (NodeId Parent : V.Nodes[Out[I]].Parents)
      if (!Seen[Parent]) {
        Seen[Parent] = true;
        Out.push_back(Parent);
      }
  return Out;
}

bool Context::isUnder(const Vocabulary &V, NodeId N, NodeId Ancestor) {
  for (NodeId A : ancestors(V, N))
    if (A == Ancestor)
      return true;
  return false;
}

std::vector<unsigned> Context::depths(const Vocabulary &V) {
  // Depth along the first parent (the one a node is declared under); cycles cannot occur.
  std::vector<unsigned> D(V.Nodes.size(), ~0u);
  for (NodeId N = 0; N < V.Nodes.size(); ++N) {
    std::vector<NodeId> Chain;
    NodeId Cur = N;
    while (D[Cur] == ~0u && !V.Nodes[Cur].Parents.empty() && Chain.size() <= V.Nodes.size()) {
      Chain.push_back(Cur);
      Cur = V.Nodes[Cur].Parents.front();
    }
    if (D[Cur] == ~0u)
      D[Cur] = 0;
    unsigned Base = D[Cur];
    for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
      D[*It] = ++Base;
  }
  return D;
}

NodeId Context::fold(Dimension Dim, NodeId N, unsigned Depth) const {
  const Vocabulary &V = P.vocab(Dim);
  const std::vector<unsigned> &D = Depths[unsigned(Dim)];
  while (D[N] + 1 > Depth && !V.Nodes[N].Parents.empty())
    N = V.Nodes[N].Parents.front();
  return N;
}

const Scope &Context::effective(uint32_t I) {
  if (Effective[I])
    return *Effective[I];
  const Rule &R = P.Rules[I];
  Scope S = R.S;
  if (!R.isTopLevel()) {
    const Scope &Parent = effective(R.Parent);
    for (unsigned D = 0; D < NumDimensions; ++D) {
      if (!Parent.Dims[D])
        continue;
      if (!S.Dims[D])
        S.Dims[D] = Parent.Dims[D];
      else
        *S.Dims[D] &= *Parent.Dims[D];
      if (S.Written[D].empty())
        S.Written[D] = Parent.Written[D];
    }
  }
  Effective[I] = std::move(S);
  return *Effective[I];
}

const std::vector<std::string> &Context::sourcesOf(uint32_t I) const {
  // An exception says no more than its rule: it is encoded by its parent's sentences.
  while (P.Rules[I].Sources.empty() && !P.Rules[I].isTopLevel())
    I = P.Rules[I].Parent;
  return P.Rules[I].Sources;
}

std::vector<NodeId> Context::actorsOf(uint32_t I, bool &AnyActor) const {
  AnyActor = false;
  if (!Us)
    return {};
  const Vocabulary &V = P.vocab(Dimension::Actor);
  const Scope &S = *Effective[I];
  const std::optional<llvm::BitVector> &Set = S.dim(Dimension::Actor);
  if (!Set) {
    AnyActor = true;
    return {};
  }
  // The actors as written (`as hosting`), when they say exactly the rule's set; otherwise (a
  // `not`, an exception narrowing its rule's actors, sema's default `us`) the leaves of the set.
  std::vector<NodeId> Written;
  llvm::BitVector Covered(V.numLeaves());
  bool Plain = S.Neither[unsigned(Dimension::Actor)].empty();
  for (const auto &W : S.Written[unsigned(Dimension::Actor)]) {
    Plain &= !W.second;
    Written.push_back(W.first);
    V.Covers[W.first].addTo(Covered);
  }
  if (Plain && !Written.empty() && Covered == *Set)
    return Written;
  std::vector<NodeId> Out;
  for (unsigned L : Set->set_bits())
    Out.push_back(V.Leaves[L]);
  return Out;
}

std::string Context::actorLabel(NodeId N) const {
  if (Us && N == *Us)
    return "The controller itself (us)";
  return nodeLabel(P.vocab(Dimension::Actor).Nodes[N]);
}

std::string Context::actorNote(NodeId N) const {
  // The controller needs no contract with itself (sema declares `us` under contract, so the
  // W0410 check passes it).
  if (Us && N == *Us)
    return "";
  const Vocabulary &V = P.vocab(Dimension::Actor);
  std::string Note;
  auto Add = [&](llvm::StringRef S) { Note += (Note.empty() ? "" : "; ") + S.str(); };
  if (ActorProcessor && N != *ActorProcessor && isUnder(V, N, *ActorProcessor))
    Add("processor (Art. 28)");
  if (ActorJointController && N != *ActorJointController && isUnder(V, N, *ActorJointController))
    Add("joint controller (Art. 26)");
  if (ActorThirdParty && N != *ActorThirdParty && isUnder(V, N, *ActorThirdParty))
    Add("third party (Art. 4(10))");
  for (NodeId A : ancestors(V, N))
    if (V.Nodes[A].UnderContract) {
      Add("under contract");
      break;
    }
  return Note;
}

bool Context::reportable(uint32_t File) const { return !Opts.Reportable || Opts.Reportable(File); }

bool Context::coversAny(const llvm::BitVector &A, const llvm::BitVector &B) {
  return A.size() == B.size() && A.anyCommon(B);
}

bool Context::within(const llvm::BitVector &A, const llvm::BitVector &B) {
  if (A.size() != B.size() || A.none())
    return false;
  for (unsigned Bit : A.set_bits())
    if (!B.test(Bit))
      return false;
  return true;
}

std::vector<NodeId> Context::regionsOf(uint32_t I, std::vector<NodeId> *Via) const {
  const Scope &S = *Effective[I];
  std::vector<NodeId> Out;
  for (auto [N, Negated] : S.Written[unsigned(Dimension::Region)])
    if (!Negated) {
      Out.push_back(N);
      if (Via)
        Via->push_back(NoIndex);
    }
  const Vocabulary &Recipients = P.vocab(Dimension::Recipient);
  for (auto [N, Negated] : S.Written[unsigned(Dimension::Recipient)]) {
    if (Negated)
      continue;
    for (NodeId A : ancestors(Recipients, N))
      if (Recipients.Nodes[A].LocatedIn) {
        Out.push_back(*Recipients.Nodes[A].LocatedIn);
        if (Via)
          Via->push_back(N);
        break;
      }
  }
  return Out;
}

bool Context::isThirdCountry(NodeId Region) const {
  return coversAny(P.vocab(Dimension::Region).Covers[Region], ThirdLeaves);
}

bool Context::isAdequate(NodeId Region) const {
  return within(P.vocab(Dimension::Region).Covers[Region], AdequateLeaves);
}

bool Context::isSpecialData(NodeId N) const {
  return coversAny(P.vocab(Dimension::Data).Covers[N], SpecialLeaves);
}

std::string Context::specialKinds(NodeId N) const {
  const Vocabulary &Data = P.vocab(Dimension::Data);
  std::string Out;
  for (NodeId Root : SpecialRoots) {
    std::vector<NodeId> Kinds = Data.Nodes[Root].Children;
    if (Kinds.empty())
      Kinds.push_back(Root);
    for (NodeId K : Kinds)
      if (coversAny(Data.Covers[N], Data.Covers[K]))
        Out += (Out.empty() ? "" : ", ") + nodeLabel(Data.Nodes[K]);
  }
  return Out;
}

std::string Context::obligationLabel(const ObligationRef &O) const {
  const VocabNode &N = P.Obligations.Nodes[O.Obligation];
  std::string Label = nodeLabel(N);
  if (O.Arg && N.ParamKind == AttrKind::Duration)
    Label += ": " + domain::formatDuration(*O.Arg);
  else if (O.Arg && N.ParamKind == AttrKind::Enum && N.ParamEnum < P.Enums.size() && *O.Arg >= 0 &&
           size_t(*O.Arg) < P.Enums[N.ParamEnum].Values.size())
    Label += ": " + P.Enums[N.ParamEnum].Values[*O.Arg];
  else if (O.Arg)
    Label += ": " + std::to_string(*O.Arg);
  return Label;
}

std::string Context::obligationKey(const ObligationRef &O) const {
  std::string Key = P.Obligations.Nodes[O.Obligation].Name;
  if (O.Arg)
    Key += "(" + std::to_string(*O.Arg) + ")";
  return Key;
}

void CellBuilder::add(llvm::StringRef Key, llvm::StringRef Label, llvm::StringRef Note,
                      bool Flagged, uint32_t Rule) {
  auto [It, Inserted] = Index.try_emplace(Key, Items.size());
  if (Inserted) {
    Item I;
    I.Key = Key.str();
    I.Label = Label.str();
    I.Note = Note.str();
    Items.push_back(std::move(I));
  }
  Item &I = Items[It->second];
  I.Flagged |= Flagged;
  if (I.Note.empty() && !Note.empty())
    I.Note = Note.str();
  if (Rule != NoIndex && (I.Rules.empty() || I.Rules.back() != Rule))
    I.Rules.push_back(Rule);
}

} // namespace detail

using namespace detail;

namespace {

/// Names of the written nodes of a dimension: (key, label) per item, negations spelt out.
void addWritten(const Context &C, CellBuilder &Cell, Dimension D, uint32_t Rule,
                llvm::StringRef NoneKey, llvm::StringRef NoneLabel) {
  const Scope &S = *C.Effective[Rule];
  const Vocabulary &V = C.P.vocab(D);
  if (!S.dim(D) || (S.Written[unsigned(D)].empty() && S.Neither[unsigned(D)].empty())) {
    Cell.add(NoneKey, NoneLabel, "", false, Rule);
    return;
  }
  for (const auto &Group : S.Neither[unsigned(D)]) {
    std::string Key = "not (", Label = "Any except ";
    for (size_t I = 0; I != Group.size(); ++I) {
      Key += (I ? ", " : "") + V.Nodes[Group[I]].Name;
      Label += (I ? (I + 1 == Group.size() ? " and " : ", ") : "") + nodeLabel(V.Nodes[Group[I]]);
    }
    Cell.add(Key + ")", Label, "", false, Rule);
  }
  for (auto [N, Negated] : S.Written[unsigned(D)]) {
    if (Negated) {
      Cell.add("not " + V.Nodes[N].Name, "Any except " + nodeLabel(V.Nodes[N]), "", false, Rule);
      continue;
    }
    std::string Note;
    bool Flag = false;
    if (D == Dimension::Data && C.isSpecialData(N)) {
      Note = "special category: " + C.specialKinds(N);
      Flag = true;
    }
    if (D == Dimension::Recipient) {
      const VocabNode &Node = V.Nodes[N];
      for (NodeId A : Context::ancestors(V, N))
        if (V.Nodes[A].LocatedIn) {
          NodeId Region = *V.Nodes[A].LocatedIn;
          Note = "located in " + nodeLabel(C.P.vocab(Dimension::Region).Nodes[Region]);
          if (C.isThirdCountry(Region)) {
            Note += " (outside the EEA)";
            Flag = true;
          }
          break;
        }
      if (C.ProcessorRole && Context::isUnder(V, N, *C.ProcessorRole))
        Note += std::string(Note.empty() ? "" : "; ") + "processor";
      if (Node.UnderContract)
        Note += std::string(Note.empty() ? "" : "; ") + "under contract";
    }
    Cell.add(V.Nodes[N].Name, nodeLabel(V.Nodes[N]), Note, Flag, Rule);
  }
}

/// The cells of one activity, from the allow rules it was derived from.
void fillActivity(const Context &C, Activity &A) {
  std::array<CellBuilder, NumFields> Cells;
  auto Cell = [&](Field F) -> CellBuilder & { return Cells[unsigned(F)]; };
  const Vocabulary &Bases = C.P.vocab(Dimension::Basis);
  const Vocabulary &Recipients = C.P.vocab(Dimension::Recipient);
  const Vocabulary &Regions = C.P.vocab(Dimension::Region);

  for (uint32_t RI : A.Rules) {
    const Rule &R = C.P.Rules[RI];
    const Scope &S = *C.Effective[RI];
    Cell(Field::Purpose).add(A.Key, A.Title, A.Description, false, RI);
    addWritten(C, Cell(Field::LegalBasis), Dimension::Basis, RI, "none", "No legal basis named");
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Basis)])
      if (!Negated)
        for (NodeId Root : C.SpecialConditionRoots)
          if (Context::isUnder(Bases, N, Root))
            Cell(Field::SpecialCondition)
                .add(Bases.Nodes[N].Name, nodeLabel(Bases.Nodes[N]), "", false, RI);
    addWritten(C, Cell(Field::Subjects), Dimension::Subject, RI, "any",
               "Any data subject (the rule names none)");
    addWritten(C, Cell(Field::Data), Dimension::Data, RI, "any",
               "Any data category (the rule names none)");
    addWritten(C, Cell(Field::Recipients), Dimension::Recipient, RI, "any",
               "Any recipient (the rule names none)");
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Data)])
      if (!Negated && C.isSpecialData(N)) {
        A.HasSpecialData = true;
        Cell(Field::SpecialData)
            .add(C.P.vocab(Dimension::Data).Nodes[N].Name,
                 nodeLabel(C.P.vocab(Dimension::Data).Nodes[N]), C.specialKinds(N), true, RI);
      }
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Recipient)]) {
      if (Negated)
        continue;
      const VocabNode &Node = Recipients.Nodes[N];
      bool Processor = C.ProcessorRole && Context::isUnder(Recipients, N, *C.ProcessorRole);
      if (Processor || Node.UnderContract)
        Cell(Field::Processors)
            .add(Node.Name, nodeLabel(Node),
                 std::string(Processor ? "processor (Art. 28)" : "") +
                     (Processor && Node.UnderContract ? "; " : "") +
                     (Node.UnderContract ? "under contract" : ""),
                 false, RI);
      if (C.JointControllerRole && Context::isUnder(Recipients, N, *C.JointControllerRole))
        Cell(Field::JointControllers).add(Node.Name, nodeLabel(Node), "", false, RI);
    }

    // Transfers: the regions the rule names and where its recipients are located.
    std::vector<NodeId> Via;
    std::vector<NodeId> RuleRegions = C.regionsOf(RI, &Via);
    bool Transfers = false, AllAdequate = true;
    for (size_t K = 0; K < RuleRegions.size(); ++K) {
      NodeId G = RuleRegions[K];
      if (!C.isThirdCountry(G))
        continue;
      Transfers = true;
      bool Adequate = C.isAdequate(G);
      AllAdequate &= Adequate;
      std::string Note = Adequate ? "adequacy decision (Art. 45)" : "no adequacy decision";
      if (Via[K] != NoIndex)
        Note += "; recipient " + nodeLabel(Recipients.Nodes[Via[K]]);
      Cell(Field::Transfers)
          .add(Regions.Nodes[G].Name, nodeLabel(Regions.Nodes[G]), Note, true, RI);
    }
    bool HasTool = false;
    for (const ObligationRef &O : R.Obligations) {
      uint8_t Class = C.ObligationClass[O.Obligation];
      if (Class & Context::IsTransferTool) {
        HasTool = true;
        if (Transfers)
          Cell(Field::Safeguards).add(C.obligationKey(O), C.obligationLabel(O), "", false, RI);
      }
      if (Class & Context::IsRetention)
        Cell(Field::Retention).add(C.obligationKey(O), C.obligationLabel(O), "", false, RI);
      if (Class & Context::IsSecurity)
        Cell(Field::Security).add(C.obligationKey(O), C.obligationLabel(O), "", false, RI);
    }
    if (Transfers) {
      A.HasThirdCountryTransfer = true;
      if (!HasTool)
        Cell(Field::Safeguards)
            .add(AllAdequate ? "none-adequate" : "none",
                 AllAdequate ? "No transfer tool stated; the adequacy decision applies (Art. 45)"
                             : "No Chapter V safeguard stated (Art. 46-49)",
                 "", !AllAdequate, RI);
    }
    bool HasRetention = false, HasSecurity = false;
    for (const ObligationRef &O : R.Obligations) {
      HasRetention |= (C.ObligationClass[O.Obligation] & Context::IsRetention) != 0;
      HasSecurity |= (C.ObligationClass[O.Obligation] & Context::IsSecurity) != 0;
    }
    if (!HasRetention)
      Cell(Field::Retention).add("none", "No retention limit stated", "", false, RI);
    if (!HasSecurity)
      Cell(Field::Security).add("none", "No security measure stated", "", false, RI);
    bool AnyActor = false;
    std::vector<NodeId> Actors = C.actorsOf(RI, AnyActor);
    if (!C.Us)
      Cell(Field::Actors)
          .add("us", "The controller itself (the policy declares no actor)", "", false, RI);
    else if (AnyActor)
      Cell(Field::Actors).add("any", "Any actor (the rule names none)", "", false, RI);
    for (NodeId N : Actors)
      Cell(Field::Actors)
          .add(C.P.vocab(Dimension::Actor).Nodes[N].Name, C.actorLabel(N), C.actorNote(N), false,
               RI);
    Cell(Field::Rules).add(R.Id, R.Id, "", false, RI);
  }
  for (unsigned F = 0; F < NumFields; ++F)
    A.Cells[F] = std::move(Cells[F].Items);
}

std::vector<Activity> buildActivities(const Context &C) {
  const Policy &P = C.P;
  const Vocabulary &Purposes = P.vocab(Dimension::Purpose);
  // The purposes the allowing rules name, in declaration order.
  std::vector<bool> Named(Purposes.Nodes.size());
  bool AnyNamed = false;
  for (uint32_t I = 0; I < P.Rules.size(); ++I) {
    if (!P.Rules[I].IsAllow)
      continue;
    for (auto [N, Negated] : C.Effective[I]->Written[unsigned(Dimension::Purpose)])
      if (!Negated) {
        Named[N] = true;
        AnyNamed = true;
      }
  }
  std::vector<Activity> Out;
  auto Member = [&](uint32_t I, const LeafSet *Covers) {
    if (!P.Rules[I].IsAllow)
      return false;
    const auto &Set = C.Effective[I]->dim(Dimension::Purpose);
    // The rule permits processing for every purpose of the activity.
    return !Set || !Covers || Context::within(*Covers, *Set);
  };
  for (NodeId N = 0; N < Purposes.Nodes.size(); ++N) {
    if (!Named[N])
      continue;
    const VocabNode &Node = Purposes.Nodes[N];
    Activity A;
    A.Key = Node.Name;
    A.Title = nodeLabel(Node);
    A.Description = Node.Description;
    A.Sources = Node.Sources;
    for (uint32_t I = 0; I < P.Rules.size(); ++I)
      if (Member(I, &Purposes.Covers[N]))
        A.Rules.push_back(I);
    Out.push_back(std::move(A));
  }
  if (!AnyNamed) {
    Activity A;
    A.Key = "any";
    A.Title = "Any purpose (no rule names one)";
    for (uint32_t I = 0; I < P.Rules.size(); ++I)
      if (Member(I, nullptr))
        A.Rules.push_back(I);
    if (!A.Rules.empty())
      Out.push_back(std::move(A));
  }
  for (size_t I = 0; I < Out.size(); ++I) {
    Out[I].Anchor = "act-" + std::to_string(I);
    fillActivity(C, Out[I]);
  }
  return Out;
}

ReportParty reportParty(const ContactParty &P) { return {P.Name, P.Contacts}; }

/// Art. 30(2): one record per controller the policy's owner processes for.
std::vector<ProcessorRecord> buildProcessorRecords(const Context &C,
                                                   const std::vector<Activity> &Activities) {
  std::vector<ProcessorRecord> Out;
  if (!C.P.Controller)
    return Out;
  const Vocabulary &Purposes = C.P.vocab(Dimension::Purpose);
  for (const ProcessingClient &Client : C.P.Controller->Clients) {
    ProcessorRecord Rec;
    Rec.Anchor = "proc-" + std::to_string(Out.size());
    Rec.Client = reportParty(Client);
    for (NodeId N : Client.Purposes)
      Rec.Purposes.push_back(nodeLabel(Purposes.Nodes[N]));
    std::vector<bool> Seen(C.P.Rules.size());
    for (uint32_t A = 0; A < Activities.size(); ++A) {
      auto N = Purposes.lookup(Activities[A].Key);
      if (!N || !llvm::any_of(Client.Purposes,
                              [&](NodeId P) { return Context::isUnder(Purposes, *N, P); }))
        continue;
      Rec.Activities.push_back(A);
      for (uint32_t RI : Activities[A].Rules)
        if (!Seen[RI]) {
          Seen[RI] = true;
          Rec.Summary.Rules.push_back(RI);
        }
    }
    std::sort(Rec.Summary.Rules.begin(), Rec.Summary.Rules.end());
    Rec.Summary.Key = "processor-for-" + std::to_string(Out.size());
    Rec.Summary.Anchor = Rec.Anchor;
    Rec.Summary.Title = Client.Name;
    fillActivity(C, Rec.Summary);
    Out.push_back(std::move(Rec));
  }
  return Out;
}

std::vector<SourceCoverage> buildCoverage(const Context &C, std::vector<uint32_t> &Without) {
  const Policy &P = C.P;
  std::vector<SourceCoverage> Out;
  llvm::StringMap<size_t> Index;
  auto Entry = [&](const std::string &Sentence) -> SourceCoverage & {
    auto [It, Inserted] = Index.try_emplace(Sentence, Out.size());
    if (Inserted)
      Out.push_back({Sentence, {}, {}});
    return Out[It->second];
  };
  for (uint32_t I = 0; I < P.Rules.size(); ++I) {
    const Rule &R = P.Rules[I];
    if (!C.reportable(R.Location.File))
      continue;
    if (C.sourcesOf(I).empty())
      Without.push_back(I);
    for (const std::string &S : R.Sources)
      Entry(S).Rules.push_back(I);
  }
  for (unsigned D = 0; D < NumDimensions; ++D)
    for (const VocabNode &N : P.Vocab[D].Nodes)
      if (C.reportable(N.Location.File))
        for (const std::string &S : N.Sources)
          Entry(S).Declarations.push_back(std::string(domain::DimensionKeywords[D]) + " " + N.Name);
  for (const VocabNode &N : P.Obligations.Nodes)
    if (C.reportable(N.Location.File))
      for (const std::string &S : N.Sources)
        Entry(S).Declarations.push_back("obligation " + N.Name);
  for (const Invariant &Inv : P.Invariants)
    if (C.reportable(Inv.Location.File))
      for (const std::string &S : Inv.Sources)
        Entry(S).Declarations.push_back("invariant " + Inv.Id);
  if (P.Controller && C.reportable(P.Controller->Controller.Location.File))
    for (const std::string &S : P.Controller->Sources)
      Entry(S).Declarations.push_back("controller " + P.Controller->Controller.Name);
  // Sentences a rule encodes first, then those only declarations cite.
  std::stable_partition(Out.begin(), Out.end(),
                        [](const SourceCoverage &S) { return !S.Rules.empty(); });
  return Out;
}

std::vector<ReportFinding> buildFindings(const Policy &P,
                                         llvm::ArrayRef<analysis::Finding> Findings) {
  std::vector<ReportFinding> Out;
  for (const analysis::Finding &F : Findings) {
    const DiagnosticKindInfo &Info = diagnosticKindInfo(F.Kind);
    ReportFinding R;
    R.Code = Info.Code.str();
    R.Check = Info.Name.str();
    R.Severity = severityName(Info.DefaultSeverity).str();
    R.Message = F.message();
    R.Location = formatLoc(P, F.Location);
    R.Invariant = F.Kind == diag::invariant_never || F.Kind == diag::invariant_always ||
                  F.Kind == diag::invariant_obligation;
    for (const analysis::FindingNote &N : F.Notes)
      R.Notes.push_back({formatLoc(P, N.Location), N.Message});
    for (uint32_t I = 0; I < P.Rules.size(); ++I) {
      const Loc &L = P.Rules[I].Location;
      if (L.Line != 0 && L.File == F.Location.File && L.Line == F.Location.Line &&
          L.Col == F.Location.Col) {
        R.Rule = I;
        break;
      }
    }
    Out.push_back(std::move(R));
  }
  return Out;
}

} // namespace

Report buildReport(const Policy &P, llvm::ArrayRef<analysis::Finding> Findings,
                   const ReportOptions &Options) {
  Context C(P, Options);
  Report R;
  if (!P.Modules.empty()) {
    const Module &M = P.Modules[0];
    R.Controller.Name = M.Name;
    R.Controller.Title = M.Title.empty() ? M.Name : M.Title;
    R.Controller.Version = M.Version;
    R.Controller.Effective = M.Effective;
  }
  if (P.Controller) {
    R.Controller.Entity = reportParty(P.Controller->Controller);
    if (P.Controller->Representative)
      R.Controller.Representative = reportParty(*P.Controller->Representative);
    if (P.Controller->Dpo)
      R.Controller.Dpo = reportParty(*P.Controller->Dpo);
    R.Controller.Sources = P.Controller->Sources;
  }
  if (!P.Files.empty())
    R.PolicyFile = llvm::sys::path::filename(P.Files[0]).str();
  for (uint32_t I = 0; I < P.Rules.size(); ++I) {
    const Rule &Src = P.Rules[I];
    ReportRule X;
    X.Id = Src.Id;
    X.Anchor = "rule-" + std::to_string(I);
    X.IsAllow = Src.IsAllow;
    X.Location = formatLoc(P, Src.Location);
    X.Text = Src.SourceText;
    X.Sources = Src.Sources;
    X.Reportable = C.reportable(Src.Location.File);
    R.Rules.push_back(std::move(X));
  }
  R.Activities = buildActivities(C);
  R.ProcessorRecords = buildProcessorRecords(C, R.Activities);
  R.Map = buildDataMap(C, R.Activities);
  R.Notice = buildNotice(C, R);
  R.Coverage = buildCoverage(C, R.RulesWithoutSource);
  R.Findings = buildFindings(P, Findings);
  return R;
}

void attachFindings(Report &R, const Policy &P, llvm::ArrayRef<analysis::Finding> Findings) {
  R.Findings = buildFindings(P, Findings);
}

} // namespace privet::report
