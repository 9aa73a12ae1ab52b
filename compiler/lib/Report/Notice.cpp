//===- Notice.cpp - A readable privacy notice generated from the allowing rules --------------===//
//
// The sections follow what Art. 13 and 14 require a notice to say: who the controller is, what
// is collected, why and on which legal basis, who receives it, transfers outside the EEA, how long
// it is kept, how it is protected, and the data subject's rights. Every statement carries the
// rules it summarises.
//
//===----------------------------------------------------------------------------------------===//
#include "ModelImpl.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>

namespace privet::report::detail {

namespace {

/// Statements keyed by a stable key, collecting rules and a set of detail phrases.
struct SectionBuilder {
  NoticeSection S;
  llvm::StringMap<size_t> Index;
  std::vector<std::vector<std::string>> Details;

  void add(llvm::StringRef Key, llvm::StringRef Text, llvm::StringRef Detail, bool Flagged,
           uint32_t Rule) {
    auto [It, Inserted] = Index.try_emplace(Key, S.Statements.size());
    if (Inserted) {
      S.Statements.push_back({Text.str(), "", false, {}});
      Details.emplace_back();
    }
    NoticeStatement &St = S.Statements[It->second];
    St.Flagged |= Flagged;
    if (Rule != NoIndex && (St.Rules.empty() || St.Rules.back() != Rule))
      St.Rules.push_back(Rule);
    auto &D = Details[It->second];
    if (!Detail.empty() && std::find(D.begin(), D.end(), Detail) == D.end())
      D.push_back(Detail.str());
  }

  NoticeSection finish(llvm::StringRef Prefix, llvm::StringRef Empty) {
    for (size_t I = 0; I < S.Statements.size(); ++I) {
      std::string Joined;
      for (const std::string &D : Details[I])
        Joined += (Joined.empty() ? "" : ", ") + D;
      if (!Joined.empty())
        S.Statements[I].Detail = Prefix.str() + Joined;
    }
    if (S.Statements.empty() && !Empty.empty())
      S.Statements.push_back({Empty.str(), "", false, {}});
    return std::move(S);
  }
};

std::vector<std::string> writtenLabels(const Context &C, uint32_t Rule, Dimension D) {
  std::vector<std::string> Out;
  const Vocabulary &V = C.P.vocab(D);
  for (auto [N, Negated] : C.Effective[Rule]->Written[unsigned(D)])
    Out.push_back((Negated ? "anything except " : "") + nodeLabel(V.Nodes[N]));
  return Out;
}

} // namespace

std::vector<NoticeSection> buildNotice(const Context &C, const Report &R) {
  const Policy &P = C.P;
  std::vector<NoticeSection> Out;

  {
    NoticeSection S;
    S.Id = "notice-who";
    S.Heading = "Who we are";
    const ControllerInfo &CI = R.Controller;
    std::string Policy = "policy " + CI.Name;
    if (!CI.Version.empty())
      Policy += ", version " + CI.Version;
    if (!CI.Effective.empty())
      Policy += ", effective " + CI.Effective;
    if (CI.Entity) {
      S.Statements.push_back({CI.Entity->Name +
                                  " is the controller of the processing described "
                                  "here (" +
                                  CI.Title + ", " + Policy + ").",
                              "",
                              false,
                              {}});
      for (const std::string &Contact : CI.Entity->Contacts)
        S.Statements.push_back({"Contact: " + Contact + ".", "", false, {}});
      if (CI.Entity->Contacts.empty())
        S.Statements.push_back({"Contact: not declared in the policy.", "", true, {}});
    } else {
      S.Statements.push_back(
          {CI.Title + " (" + Policy + ") is the controller of the processing described here.",
           "",
           false,
           {}});
      S.Statements.push_back(
          {"The controller's name and contact details: not declared in the policy.", "", true, {}});
    }
    S.Statements.push_back(
        {"Representative in the Union (Art. 27): " +
             (CI.Representative ? CI.Representative->text() : "not declared in the policy") + ".",
         "",
         false,
         {}});
    S.Statements.push_back({"Data protection officer (Art. 37-39): " +
                                (CI.Dpo ? CI.Dpo->text() : "not declared in the policy") + ".",
                            "",
                            false,
                            {}});
    for (const ProcessorRecord &Rec : R.ProcessorRecords) {
      std::string Purposes;
      for (const std::string &X : Rec.Purposes)
        Purposes += (Purposes.empty() ? "" : ", ") + X;
      S.Statements.push_back({"We also process data as a processor (Art. 28) on behalf of " +
                                  Rec.Client.Name + ", the controller of that processing",
                              "For: " + Purposes, false, Rec.Summary.Rules});
    }
    Out.push_back(std::move(S));
  }

  SectionBuilder Collect, Why, Recipients, Processors, Transfers, Retention, Security;
  const Vocabulary &Actors = P.vocab(Dimension::Actor);
  const Vocabulary &Data = P.vocab(Dimension::Data);
  const Vocabulary &Rec = P.vocab(Dimension::Recipient);
  const Vocabulary &Regions = P.vocab(Dimension::Region);
  for (uint32_t I = 0; I < P.Rules.size(); ++I) {
    const Rule &Ru = P.Rules[I];
    if (!Ru.IsAllow)
      continue;
    const Scope &S = *C.Effective[I];
    std::vector<std::string> Purposes = writtenLabels(C, I, Dimension::Purpose);
    if (Purposes.empty())
      Purposes.push_back("any purpose");
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Data)]) {
      if (Negated)
        continue;
      bool Special = C.isSpecialData(N);
      std::string Text = nodeLabel(Data.Nodes[N]);
      if (Special)
        Text += " (special category: " + C.specialKinds(N) + ")";
      for (const std::string &Purpose : Purposes)
        Collect.add(Data.Nodes[N].Name, Text, Purpose, Special, I);
    }
    for (auto [N, Negated] : S.Written[unsigned(Dimension::Recipient)]) {
      if (Negated)
        continue;
      for (const std::string &Purpose : Purposes)
        Recipients.add(Rec.Nodes[N].Name, nodeLabel(Rec.Nodes[N]), Purpose, false, I);
    }
    bool AnyActor = false;
    for (NodeId A : C.actorsOf(I, AnyActor)) {
      if (C.Us && A == *C.Us)
        continue;
      std::string Note = C.actorNote(A);
      std::string Text = C.actorLabel(A) + (Note.empty() ? "" : " (" + Note + ")");
      for (const std::string &Purpose : Purposes)
        Processors.add(Actors.Nodes[A].Name, Text, Purpose, false, I);
    }
    std::vector<NodeId> Via;
    std::vector<NodeId> Where = C.regionsOf(I, &Via);
    for (size_t K = 0; K < Where.size(); ++K) {
      if (!C.isThirdCountry(Where[K]))
        continue;
      std::string Tools;
      for (const ObligationRef &O : Ru.Obligations)
        if (C.ObligationClass[O.Obligation] & Context::IsTransferTool)
          Tools += (Tools.empty() ? "" : ", ") + C.obligationLabel(O);
      bool Adequate = C.isAdequate(Where[K]);
      if (Tools.empty())
        Tools = Adequate ? "the Commission's adequacy decision (Art. 45)"
                         : "no safeguard stated in the policy";
      Transfers.add(Regions.Nodes[Where[K]].Name,
                    nodeLabel(Regions.Nodes[Where[K]]) +
                        (Adequate ? " (adequacy decision)" : " (no adequacy decision)"),
                    Tools, Tools == "no safeguard stated in the policy", I);
    }
    for (const ObligationRef &O : Ru.Obligations) {
      uint8_t Class = C.ObligationClass[O.Obligation];
      for (auto [N, Negated] : S.Written[unsigned(Dimension::Data)])
        if (!Negated) {
          if (Class & Context::IsRetention)
            Retention.add(C.obligationKey(O), C.obligationLabel(O), nodeLabel(Data.Nodes[N]), false,
                          I);
          if (Class & Context::IsSecurity)
            Security.add(C.obligationKey(O), C.obligationLabel(O), nodeLabel(Data.Nodes[N]), false,
                         I);
        }
    }
  }
  for (const Activity &A : R.Activities) {
    std::string Bases;
    for (const Item &It : A.cell(Field::LegalBasis))
      Bases += (Bases.empty() ? "" : ", ") + It.Label;
    Why.add(A.Key, A.Title, Bases, false, NoIndex);
    for (uint32_t Rule : A.Rules)
      Why.add(A.Key, A.Title, "", false, Rule);
  }

  auto Push = [&](SectionBuilder &B, const char *Id, const char *Heading, const char *Intro,
                  const char *Prefix, const char *Empty) {
    B.S.Id = Id;
    B.S.Heading = Heading;
    B.S.Intro = Intro;
    Out.push_back(B.finish(Prefix, Empty));
  };
  Push(Collect, "notice-collect", "What we collect",
       "The categories of personal data the policy allows us to process, and what for.",
       "Used for: ", "The policy allows no processing of a named data category.");
  Push(Why, "notice-why", "Why we use it, and on which legal basis",
       "Each purpose the policy allows processing for, with the legal bases its rules name.",
       "Legal basis: ", "");
  Push(Recipients, "notice-recipients", "Who receives it",
       "The recipients the policy allows data to be disclosed to, and what for.",
       "For: ", "The policy names no recipient.");
  Push(Processors, "notice-processors", "Who processes it for us",
       "The actors the policy lets process data on our behalf (processors, Art. 28), and what "
       "for. Everything else is processed by us.",
       "For: ",
       C.Us ? "The policy lets no one but us process the data."
            : "The policy declares no actor: the processing described here is ours.");
  Push(Transfers, "notice-transfers", "Transfers outside the EEA",
       "Countries outside the European Economic Area the data may go to, and the Chapter V "
       "safeguard each transfer relies on.",
       "Safeguard: ", "No rule names a region or a recipient outside the EEA.");
  Push(Retention, "notice-retention", "How long we keep it",
       "The storage limits the rules attach, and the data they apply to.",
       "Applies to: ", "The policy attaches no retention limit to any rule.");
  Push(Security, "notice-security", "How we protect it",
       "Technical and organisational measures (Art. 32) the rules require.",
       "Applies to: ", "The policy attaches no Art. 32 security measure to any rule.");

  // Rights: the purposes under gdpr.data_subject_rights, and the rules that let us honour them.
  SectionBuilder Rights;
  const Vocabulary &Purposes = P.vocab(Dimension::Purpose);
  if (auto Root = GdprNodes::find(P, Purposes, "data_subject_rights")) {
    for (NodeId Right : Purposes.Nodes[*Root].Children) {
      const VocabNode &N = Purposes.Nodes[Right];
      Rights.add(N.Name, nodeLabel(N), "", false, NoIndex);
      for (uint32_t I = 0; I < P.Rules.size(); ++I) {
        const auto &Set = C.Effective[I]->dim(Dimension::Purpose);
        if (!P.Rules[I].IsAllow || !Set || !Context::coversAny(Purposes.Covers[Right], *Set))
          continue;
        std::vector<std::string> Channels = writtenLabels(C, I, Dimension::Context);
        if (Channels.empty())
          Rights.add(N.Name, nodeLabel(N), "permitted by the policy's rules", false, I);
        for (const std::string &Channel : Channels)
          Rights.add(N.Name, nodeLabel(N), Channel, false, I);
      }
    }
  }
  for (NoticeStatement &St : Rights.S.Statements)
    St.Flagged = St.Rules.empty();
  bool HasRights = !Rights.S.Statements.empty();
  Rights.S.Id = "notice-rights";
  Rights.S.Heading = "Your rights, and how to exercise them";
  Rights.S.Intro = "The rights of Art. 15-22 and Art. 7(3). A right no rule of the policy "
                   "processes data for is marked: the policy does not say how it is honoured.";
  NoticeSection RightsSection = Rights.finish("How: ", "The policy does not import the GDPR "
                                                       "standard library's rights.");
  for (size_t I = 0; I < RightsSection.Statements.size(); ++I)
    if (RightsSection.Statements[I].Rules.empty() && HasRights)
      RightsSection.Statements[I].Detail = "The policy has no rule for honouring this right.";
  Out.push_back(std::move(RightsSection));
  return Out;
}

} // namespace privet::report::detail
