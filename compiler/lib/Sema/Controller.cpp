//===- Controller.cpp - The `controller` block: who owns the policy, and for whom it processes ===//
//
// The block is metadata for the Art. 30 records and the notice (compiler/lib/Report): it decides
// no request. Sema checks that it is where it belongs (the root policy, once), that every party
// is named once with non-empty text, that the purposes a `processor for` entry names resolve,
// and warns where the record it feeds would be incomplete.
//
//===----------------------------------------------------------------------------------------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

namespace {

const char *roleNoun(ast::ControllerDecl::Party::Role R) {
  switch (R) {
  case ast::ControllerDecl::Party::Representative:
    return "representative";
  case ast::ControllerDecl::Party::Dpo:
    return "data protection officer";
  case ast::ControllerDecl::Party::Client:
    return "controller it processes for";
  }
  return "party";
}

bool nonEmpty(Context &Ctx, const ast::Text &T, StringRef What) {
  if (!StringRef(T.Value).trim().empty())
    return true;
  Ctx.Diags.report<diag::empty_controller_text>(T.Range, What.str());
  return false;
}

ContactParty party(Context &Ctx, uint32_t M, const ast::Text &Name,
                   const std::vector<ast::Text> &Contacts, SMRange Range) {
  ContactParty P;
  nonEmpty(Ctx, Name, "name");
  P.Name = StringRef(Name.Value).trim().str();
  for (const ast::Text &C : Contacts)
    if (nonEmpty(Ctx, C, "contact"))
      P.Contacts.push_back(StringRef(C.Value).trim().str());
  P.Location = locOf(Ctx, M, Range);
  return P;
}

/// Whether some allow rule permits processing for a purpose under Purposes (a rule naming no
/// purpose permits every purpose).
bool anyAllowFor(const Policy &P, const std::vector<NodeId> &Purposes) {
  const Vocabulary &V = P.vocab(Dimension::Purpose);
  BitVector Covered(V.numLeaves());
  for (NodeId N : Purposes)
    V.Covers[N].addTo(Covered);
  for (const Rule &R : P.Rules) {
    if (!R.IsAllow || R.RetentionOf)
      continue;
    const std::optional<BitVector> &Set = R.S.dim(Dimension::Purpose);
    if (!Set || Set->anyCommon(Covered))
      return true;
  }
  return false;
}

} // namespace

void checkController(Context &Ctx) {
  const ast::ControllerDecl *First = nullptr;
  for (uint32_t M = 0; M < Ctx.Mods.size(); ++M) {
    for (const auto &D : Ctx.Mods[M].AST->Decls) {
      const auto *C = dyn_cast<ast::ControllerDecl>(D.get());
      if (!C)
        continue;
      AnnotationInfo Notes = annotations(Ctx, M, C->Annotations, false, "a `controller` block");
      if (M != 0 || !Ctx.Mods[M].AST->Head->IsPolicy) {
        Ctx.Diags.report<diag::controller_in_module>(C->KeywordRange, Ctx.Mods[M].Name)
            .help("declare the controller in the policy that imports this module");
        continue;
      }
      if (First) {
        Ctx.Diags.report<diag::duplicate_controller>(C->KeywordRange, First->Name.Value)
            .note(First->KeywordRange, "the controller is declared here")
            .help("one policy has one controller; put every contact in one block");
        continue;
      }
      First = C;
      ControllerRecord Rec;
      Rec.Controller = party(Ctx, M, C->Name, C->Contacts, C->KeywordRange);
      Rec.Sources = std::move(Notes.Sources);
      if (C->Contacts.empty())
        Ctx.Diags
            .report<diag::party_without_contact>(C->Name.Range, "controller", C->Name.Value,
                                                 "30(1)(a)")
            .help("add `contact \"...\";` inside the block: an address, an email, a web form");
      const ast::ControllerDecl::Party *Seen[2] = {nullptr, nullptr};
      StringMap<const ast::ControllerDecl::Party *> Clients;
      for (const ast::ControllerDecl::Party &X : C->Parties) {
        if (X.R != ast::ControllerDecl::Party::Client) {
          const ast::ControllerDecl::Party *&Prev = Seen[X.R];
          if (Prev) {
            Ctx.Diags.report<diag::duplicate_controller_party>(X.KeywordRange, roleNoun(X.R))
                .note(Prev->KeywordRange, "first named here")
                .help("give several contacts to one entry: `dpo \"Name\" contact \"a\" "
                      "contact \"b\";`");
            continue;
          }
          Prev = &X;
        } else {
          auto Ins = Clients.try_emplace(StringRef(X.Name.Value).trim(), &X);
          if (!Ins.second) {
            Ctx.Diags.report<diag::duplicate_processing_client>(X.Name.Range, X.Name.Value)
                .note(Ins.first->second->Name.Range, "first named here")
                .help("list every purpose of one controller in one entry: `purpose a, b`");
            continue;
          }
        }
        ContactParty P = party(Ctx, M, X.Name, X.Contacts, X.Range);
        // A `processor for` entry often stands for a class of controllers (every customer),
        // whose contacts are in their contracts: only the policy owner's own parties must
        // have one.
        if (X.Contacts.empty() && X.R != ast::ControllerDecl::Party::Client)
          Ctx.Diags
              .report<diag::party_without_contact>(X.Name.Range, roleNoun(X.R), X.Name.Value,
                                                   "30(1)(a)")
              .help("add `contact \"...\"` after the name");
        if (X.R == ast::ControllerDecl::Party::Representative) {
          Rec.Representative = std::move(P);
          continue;
        }
        if (X.R == ast::ControllerDecl::Party::Dpo) {
          Rec.Dpo = std::move(P);
          continue;
        }
        ProcessingClient Client;
        static_cast<ContactParty &>(Client) = std::move(P);
        bool Resolved = true;
        for (const ast::QualName &Q : X.Purposes) {
          if (auto N = resolveNode(Ctx, M, Q, unsigned(Dimension::Purpose)))
            Client.Purposes.push_back(*N);
          else
            Resolved = false;
        }
        if (Resolved && !anyAllowFor(Ctx.P, Client.Purposes))
          Ctx.Diags.report<diag::processing_client_unused>(X.Name.Range, X.Name.Value)
              .help("its Art. 30(2) record would list no processing: name the purposes the "
                    "rules for this controller's data use");
        Rec.Clients.push_back(std::move(Client));
      }
      Ctx.P.Controller = std::move(Rec);
    }
  }
}

} // namespace privet::sema
