//===- Declarations.cpp - Vocabularies, enums and attributes, and closing the hierarchies -----===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

void declareModule(Context &Ctx, uint32_t M) {
  for (const auto &D : Ctx.Mods[M].AST->Decls) {
    if (const auto *V = dyn_cast<ast::VocabDecl>(D.get())) {
      unsigned Slot = V->VK == ast::VocabKind::Obligation ? ObligationSlot : unsigned(V->VK);
      declareNode(Ctx, M, Slot, V->Root, D->Annotations, std::nullopt);
    } else if (const auto *E = dyn_cast<ast::EnumDecl>(D.get())) {
      annotations(Ctx, M, D->Annotations, false, "an enum");
      uint32_t Index = Ctx.P.Enums.size();
      EnumType T;
      T.Name = Ctx.Mods[M].Prefix + E->Name;
      T.Title = E->Title;
      T.Location = locOf(Ctx, M, E->NameRange);
      T.Module = M;
      StringMap<SMRange> Seen;
      for (const auto &[Value, Range] : E->Values) {
        auto [It, Inserted] = Seen.try_emplace(Value, Range);
        if (!Inserted) {
          Ctx.Diags.report<diag::duplicate_enum_value>(Range, Value, E->Name)
              .note(It->second, "first listed here");
          continue;
        }
        T.Values.push_back(Value);
      }
      Ctx.P.Enums.push_back(std::move(T));
      declare(Ctx, M, E->Name, E->NameRange, {Symbol::Enum, 0, Index, {}});
    } else if (const auto *A = dyn_cast<ast::AttributeDecl>(D.get())) {
      annotations(Ctx, M, D->Annotations, false, "an attribute");
      uint32_t Index = Ctx.P.Attributes.size();
      Attribute Attr;
      Attr.Name = Ctx.Mods[M].Prefix + A->Name;
      Attr.Title = A->Title;
      Attr.Location = locOf(Ctx, M, A->NameRange);
      Attr.Module = M;
      Ctx.P.Attributes.push_back(std::move(Attr));
      Ctx.AttributeDecls.push_back({M, Index, A});
      declare(Ctx, M, A->Name, A->NameRange, {Symbol::Attribute, 0, Index, {}});
    }
  }
}

void declareNode(Context &Ctx, uint32_t M, unsigned Slot, const ast::VocabNode &N,
                 const std::vector<ast::Annotation> &DeclAnnotations,
                 std::optional<NodeId> Enclosing) {
  Vocabulary &V = vocab(Ctx, Slot);
  if (Slot == unsigned(Dimension::Actor) && N.Name == domain::ControllerActor) {
    Ctx.Diags.report<diag::builtin_actor_declared>(N.NameRange)
        .help("name the controller's own processing with `as us`, or give this actor another "
              "name");
    return;
  }
  NodeId Id = V.Nodes.size();
  VocabNode Node;
  Node.Name = Ctx.Mods[M].Prefix + N.Name;
  Node.Title = N.Title;
  Node.Location = locOf(Ctx, M, N.NameRange);
  Node.Module = M;
  AnnotationInfo Info = annotations(Ctx, M, DeclAnnotations, false, "a vocabulary node");
  AnnotationInfo Own = annotations(Ctx, M, N.Annotations, false, "a vocabulary node");
  Node.Sources = std::move(Info.Sources);
  Node.Sources.insert(Node.Sources.end(), Own.Sources.begin(), Own.Sources.end());
  Node.Description = Info.Doc.empty() ? Own.Doc : Info.Doc;
  if (Enclosing)
    Node.Parents.push_back(*Enclosing);
  V.Nodes.push_back(std::move(Node));
  if (!declare(Ctx, M, N.Name, N.NameRange, {Symbol::Vocab, Slot, Id, {}}))
    return;
  Ctx.Pending.push_back({M, Slot, Id, &N});
  static const std::vector<ast::Annotation> None;
  for (const auto &C : N.Children)
    declareNode(Ctx, M, Slot, C, None, Id);
}

/// Once some module declares an actor, adds the built-in actor `us` (the controller itself) and
/// makes it visible from every module, unqualified.
void declareControllerActor(Context &Ctx) {
  Vocabulary &V = Ctx.P.vocab(Dimension::Actor);
  if (V.Nodes.empty())
    return;
  NodeId Id = V.Nodes.size();
  VocabNode Us;
  Us.Name = std::string(domain::ControllerActor);
  Us.Title = "The controller itself";
  Us.Description = "Built in: the actor of every rule, invariant and request that names none";
  Us.UnderContract = true; // the controller does not act under another's contract
  V.Nodes.push_back(std::move(Us));
  for (ModuleState &S : Ctx.Mods)
    S.Symbols.insert(std::string(domain::ControllerActor),
                     {Symbol::Vocab, unsigned(Dimension::Actor), Id, SMRange()});
}

/// True when S is the built-in actor; reports using it as a parent or role of Child.
static bool isControllerActor(Context &Ctx, const Symbol &S, SMRange Where, StringRef What,
                              StringRef Child) {
  if (S.K != Symbol::Vocab || S.Slot != unsigned(Dimension::Actor) ||
      Ctx.P.vocab(Dimension::Actor).Nodes[S.Index].Name != domain::ControllerActor)
    return false;
  Ctx.Diags.report<diag::builtin_actor_parent>(Where, What, Child)
      .help("`us` stands for the controller alone; group actors under an actor you declare");
  return true;
}

void resolvePending(Context &Ctx) {
  for (const PendingNode &PN : Ctx.Pending) {
    const ast::VocabNode &N = *PN.Node;
    uint32_t M = PN.Module;
    for (const auto &Parent : N.Parents) {
      auto S = lookup(Ctx, M, Parent, {Symbol::Vocab, PN.Slot});
      if (!S)
        continue;
      if (S->K != Symbol::Vocab || S->Slot != PN.Slot) {
        Ctx.Diags
            .report<diag::parent_kind_mismatch>(Parent.Range, Parent.str(), kindNoun(PN.Slot),
                                                N.Name, describe(*S))
            .note(S->Range, "`" + Parent.Parts.back() + "` is declared here");
        continue;
      }
      if (isControllerActor(Ctx, *S, Parent.Range, "a parent", N.Name))
        continue;
      vocab(Ctx, PN.Slot).Nodes[PN.Id].Parents.push_back(S->Index);
    }
    if (N.Param) {
      if (PN.Slot != ObligationSlot) {
        Ctx.Diags.report<diag::parameter_misplaced>(N.Param->Range, N.Name,
                                                    kindWithArticle(PN.Slot));
      } else if (auto T = resolveType(Ctx, M, *N.Param)) {
        Ctx.P.Obligations.Nodes[PN.Id].ParamKind = T->first;
        Ctx.P.Obligations.Nodes[PN.Id].ParamEnum = T->second;
      }
    }
    if (N.Limits && PN.Slot != ObligationSlot)
      Ctx.Diags.report<diag::limits_misplaced>(N.LimitsRange, N.Name, kindWithArticle(PN.Slot));
    for (const auto &Prop : N.Props) {
      static const char *const Spelling[] = {"role", "located in", "under contract"};
      if (PN.Slot == unsigned(Dimension::Actor)) {
        VocabNode &Node = Ctx.P.vocab(Dimension::Actor).Nodes[PN.Id];
        if (Prop.K == ast::RecipientProp::UnderContract) {
          Node.UnderContract = true;
        } else if (Prop.K == ast::RecipientProp::LocatedIn) {
          Ctx.Diags.report<diag::actor_located>(Prop.Range, N.Name)
              .help("an actor is who processes; where data goes is the request's region (`in`)");
        } else if (auto S = lookup(Ctx, M, Prop.Target, {Symbol::Vocab, PN.Slot})) {
          if (S->K != Symbol::Vocab || S->Slot != PN.Slot) {
            auto B = Ctx.Diags.report<diag::actor_role_kind>(Prop.Target.Range, Prop.Target.str(),
                                                             N.Name, describe(*S));
            B.note(S->Range, "`" + Prop.Target.Parts.back() + "` is declared here");
            B.help("an actor's role is an actor group, such as `gdpr_actors.processor` from "
                   "`import gdpr_actors;`");
          } else if (!isControllerActor(Ctx, *S, Prop.Target.Range, "the role", N.Name)) {
            Node.Roles.push_back(S->Index);
            Node.Parents.push_back(S->Index);
          }
        }
        continue;
      }
      if (PN.Slot != unsigned(Dimension::Recipient)) {
        Ctx.Diags.report<diag::recipient_property_misplaced>(Prop.Range, Spelling[Prop.K])
            .help("`" + N.Name + "` is " + kindWithArticle(PN.Slot));
        continue;
      }
      VocabNode &Node = Ctx.P.vocab(Dimension::Recipient).Nodes[PN.Id];
      if (Prop.K == ast::RecipientProp::UnderContract) {
        Node.UnderContract = true;
      } else if (Prop.K == ast::RecipientProp::Role) {
        if (auto R = resolveNode(Ctx, M, Prop.Target, unsigned(Dimension::Recipient))) {
          Node.Roles.push_back(*R);
          Node.Parents.push_back(*R);
        }
      } else if (auto R = resolveNode(Ctx, M, Prop.Target, unsigned(Dimension::Region))) {
        Ctx.P.vocab(Dimension::Recipient).Nodes[PN.Id].LocatedIn = *R;
      }
    }
  }
}

void resolveLimits(Context &Ctx) {
  for (const PendingNode &PN : Ctx.Pending) {
    const ast::VocabNode &N = *PN.Node;
    if (!N.Limits || PN.Slot != ObligationSlot)
      continue;
    VocabNode &Node = Ctx.P.Obligations.Nodes[PN.Id];
    if (!N.Param) {
      Ctx.Diags.report<diag::limits_needs_duration>(N.LimitsRange, N.Name, "no argument")
          .help("declare it as `" + N.Name + "(duration)`");
      continue;
    }
    if (Node.ParamKind && *Node.ParamKind != AttrKind::Duration) {
      Ctx.Diags.report<diag::limits_needs_duration>(
          N.LimitsRange, N.Name,
          "a `" + shortTypeName(Ctx, *Node.ParamKind, Node.ParamEnum) + "` argument");
      continue;
    }
    auto S = resolve(Ctx, PN.Module, *N.Limits, {Symbol::Attribute});
    if (!S || S->K != Symbol::Attribute || Ctx.UntypedAttributes.count(S->Index) || !Node.ParamKind)
      continue;
    const Attribute &A = Ctx.P.Attributes[S->Index];
    if (A.Kind != AttrKind::Duration) {
      Ctx.Diags.report<diag::limits_not_duration>(N.Limits->Range, A.Name,
                                                  shortTypeName(Ctx, A.Kind, A.Enum));
      continue;
    }
    Node.LimitsAttr = S->Index;
  }
}

void resolveAttributes(Context &Ctx, uint32_t M) {
  for (const auto &[Mod, Index, A] : Ctx.AttributeDecls) {
    if (Mod != M)
      continue;
    auto T = resolveType(Ctx, M, A->Type);
    if (!T) {
      Ctx.UntypedAttributes.insert(Index);
      continue;
    }
    Ctx.P.Attributes[Index].Kind = T->first;
    Ctx.P.Attributes[Index].Enum = T->second;
    if (A->Default)
      Ctx.P.Attributes[Index].Default = constant(Ctx, M, *A->Default, T->first, T->second);
  }
}

/// Reports each cycle in each hierarchy once and removes the edge closing it, so the
/// hierarchies are DAGs afterwards.
void breakCycles(Context &Ctx) {
  for (unsigned Slot = 0; Slot <= ObligationSlot; ++Slot) {
    Vocabulary &V = vocab(Ctx, Slot);
    size_t N = V.Nodes.size();
    std::vector<uint8_t> State(N, 0);
    for (NodeId Root = 0; Root < N; ++Root) {
      if (State[Root])
        continue;
      std::vector<std::pair<NodeId, size_t>> Stack{{Root, 0}};
      State[Root] = 1;
      while (!Stack.empty()) {
        NodeId Node = Stack.back().first;
        size_t &Next = Stack.back().second;
        auto &Parents = V.Nodes[Node].Parents;
        if (Next >= Parents.size()) {
          State[Node] = 2;
          Stack.pop_back();
          continue;
        }
        NodeId Parent = Parents[Next];
        if (State[Parent] == 1) {
          std::string Cycle;
          auto Start = llvm::find_if(Stack, [&](auto &E) { return E.first == Parent; });
          for (auto K = Start; K != Stack.end(); ++K)
            Cycle += "`" + V.Nodes[K->first].Name + "` -> ";
          Cycle += "`" + V.Nodes[Parent].Name + "`";
          Ctx.Diags.report<diag::hierarchy_cycle>(V.Nodes[Node].Location, Cycle)
              .note(V.Nodes[Parent].Location.Range,
                    "`" + V.Nodes[Parent].Name + "` is declared here");
          Parents.erase(Parents.begin() + Next);
          auto &Roles = V.Nodes[Node].Roles;
          Roles.erase(std::remove(Roles.begin(), Roles.end(), Parent), Roles.end());
          continue;
        }
        ++Next;
        if (State[Parent] == 0) {
          State[Parent] = 1;
          Stack.push_back({Parent, 0});
        }
      }
    }
  }
}

} // namespace privet::sema
