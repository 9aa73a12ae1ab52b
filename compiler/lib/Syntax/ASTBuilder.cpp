//===- ASTBuilder.cpp - Walking an ANTLR parse tree into privet::ast ---------------------===//
//
// The tree has no syntax errors when it gets here; the walk only reports what the grammar
// cannot express (escape sequences in strings). Every node gets its source range.
//
//===----------------------------------------------------------------------------------------===//
#include "ASTBuilder.h"
#include "PrivetLexer.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;
using privet::gen::PrivetLexer;
using privet::gen::PrivetParser;

namespace privet::syntax {

/// Whether the subtree holds a syntax error: a token the parser skipped or made up (both become
/// error nodes) or a rule it left on an error.
bool hasSyntaxError(antlr4::tree::ParseTree *Tree) {
  std::vector<antlr4::tree::ParseTree *> Work{Tree};
  while (!Work.empty()) {
    antlr4::tree::ParseTree *N = Work.back();
    Work.pop_back();
    if (dynamic_cast<antlr4::tree::ErrorNode *>(N))
      return true;
    if (auto *R = dynamic_cast<antlr4::ParserRuleContext *>(N); R && R->exception)
      return true;
    Work.insert(Work.end(), N->children.begin(), N->children.end());
  }
  return false;
}

namespace {

/// Adds every word of tokens [First, Last] to Names (keywords too: harmless, since a keyword is
/// never looked up as a name).
void addWords(antlr4::TokenStream &Tokens, size_t First, size_t Last, StringSet<> &Names) {
  for (size_t I = First; I <= Last && I < Tokens.size(); ++I) {
    std::string Text = Tokens.get(I)->getText();
    if (!Text.empty() && (isAlpha(Text[0]) || Text[0] == '_'))
      Names.insert(Text);
  }
}

/// Walks a parse tree without syntax errors into the AST.
class Builder {
public:
  Builder(DiagnosticEngine &Diags, const SourceMap &Map) : Diags(Diags), Map(Map) {}

  /// Recovering (Tokens not null): the tree has syntax errors but its header none; items with
  /// errors are left out and their words noted.
  std::unique_ptr<ast::File> file(PrivetParser::FileContext *Ctx, unsigned BufferId,
                                  antlr4::TokenStream *Tokens) {
    auto F = std::make_unique<ast::File>();
    F->BufferId = BufferId;
    F->HasSyntaxErrors = Tokens != nullptr;
    if (auto *H = Ctx->header())
      F->Head = header(H);
    if (Tokens)
      // Tokens skipped between items (children of the file itself).
      for (auto *Child : Ctx->children)
        if (auto *E = dynamic_cast<antlr4::tree::ErrorNode *>(Child))
          if (antlr4::Token *T = E->getSymbol(); T && T->getTokenIndex() != INVALID_INDEX)
            addWords(*Tokens, T->getTokenIndex(), T->getTokenIndex(), F->BrokenNames);
    for (auto *Item : Ctx->item()) {
      if (Tokens && hasSyntaxError(Item)) {
        if (Item->getStart() && Item->getStop())
          addWords(*Tokens, Item->getStart()->getTokenIndex(), Item->getStop()->getTokenIndex(),
                   F->BrokenNames);
        continue;
      }
      item(Item, *F);
    }
    return F;
  }

  /// Adds one top-level item without syntax errors to F.
  void item(PrivetParser::ItemContext *Item, ast::File &F) {
    if (auto *I = Item->importDecl()) {
      F.Imports.push_back(import(I));
      return;
    }
    if (auto *D = decl(Item->decl())) {
      D->Annotations = annotations(Item->annotation());
      F.Decls.emplace_back(D);
    }
  }

  void fileHeader(PrivetParser::HeaderContext *Ctx, ast::File &F) { F.Head = header(Ctx); }

  /// Reports the deferred diagnostics (see Deferred) in the order they were found.
  void reportDeferred() {
    for (SMRange R : *Deferred)
      Diags.report<diag::unknown_escape>(R);
    Deferred->clear();
  }

  bool Failed = false;
  /// When set, diagnostics are kept here instead of reported: a streamed parse that bails out
  /// half-way is parsed again from the start, which would report them twice.
  std::vector<SMRange> *Deferred = nullptr;

private:
  std::string text(antlr4::Token *T) { return T ? T->getText() : std::string(); }

  /// Unescapes a STRING token's text: `\"` and `\\` only.
  std::string string(antlr4::Token *T) {
    if (!T)
      return {};
    std::string Raw = T->getText();
    std::string Out;
    SMRange R = Map.range(T);
    for (size_t I = 1; I + 1 < Raw.size(); ++I) {
      if (Raw[I] != '\\') {
        Out += Raw[I];
        continue;
      }
      char Next = Raw[I + 1];
      if (Next == '"' || Next == '\\') {
        Out += Next;
        ++I;
        continue;
      }
      // Byte offsets inside the token equal those in the buffer: the token text is the slice.
      SMLoc At = SMLoc::getFromPointer(R.Start.getPointer() + I);
      SMRange Escape(At, SMLoc::getFromPointer(At.getPointer() + 2));
      if (Deferred)
        Deferred->push_back(Escape);
      else
        Diags.report<diag::unknown_escape>(Escape);
      Failed = true;
      ++I;
    }
    return Out;
  }

  std::string string(antlr4::tree::TerminalNode *N) { return N ? string(N->getSymbol()) : ""; }

  // An ident is a single token; its text is that token's (cheaper than a context's getText).
  std::string ident(PrivetParser::IdentContext *Ctx) {
    return Ctx && Ctx->getStart() ? Ctx->getStart()->getText() : "";
  }

  ast::QualName qualName(PrivetParser::QualNameContext *Ctx) {
    ast::QualName Q;
    if (!Ctx)
      return Q;
    // Children alternate ident, `.`, ident: every rule-context child is an ident.
    for (auto *Child : Ctx->children)
      if (auto *I = dynamic_cast<antlr4::ParserRuleContext *>(Child))
        Q.Parts.push_back(I->getStart()->getText());
    Q.Range = Map.range(Ctx);
    return Q;
  }

  ast::Header header(PrivetParser::HeaderContext *Ctx) {
    ast::Header H;
    H.Annotations = annotations(Ctx->annotation());
    H.IsPolicy = Ctx->kind && Ctx->kind->getType() == PrivetLexer::POLICY;
    H.Name = ident(Ctx->name);
    H.NameRange = Map.range(Ctx->name);
    H.Title = string(Ctx->title);
    for (auto *V : Ctx->versionClause()) {
      if (V->VERSION())
        H.Version = string(V->STRING());
      else
        H.Effective = string(V->STRING());
    }
    H.Range = Map.range(Ctx);
    return H;
  }

  ast::Import import(PrivetParser::ImportDeclContext *Ctx) {
    ast::Import I;
    if (Ctx->qualName())
      I.Module = qualName(Ctx->qualName());
    if (Ctx->path) {
      I.Path = string(Ctx->path);
      I.PathRange = Map.range(Ctx->path);
    }
    if (Ctx->alias) {
      I.Alias = ident(Ctx->alias);
      I.AliasRange = Map.range(Ctx->alias);
    }
    I.Range = Map.range(Ctx);
    return I;
  }

  std::vector<ast::Annotation>
  annotations(const std::vector<PrivetParser::AnnotationContext *> &Cs) {
    std::vector<ast::Annotation> Out;
    for (auto *Ctx : Cs) {
      ast::Annotation A;
      A.Name = ident(Ctx->name);
      A.Range = Map.range(Ctx);
      A.HasParens = Ctx->children.size() > 2;
      for (auto *Arg : Ctx->annotationArg()) {
        ast::Annotation::Arg X;
        X.Range = Map.range(Arg);
        if (Arg->STRING()) {
          X.K = ast::Annotation::Arg::String;
          X.Text = string(Arg->STRING());
        } else if (Arg->INT()) {
          X.K = ast::Annotation::Arg::Int;
          X.Text = Arg->INT()->getText();
        } else {
          X.K = ast::Annotation::Arg::Name;
          X.Text = qualName(Arg->qualName()).str();
        }
        A.Args.push_back(std::move(X));
      }
      Out.push_back(std::move(A));
    }
    return Out;
  }

  ast::Decl *decl(PrivetParser::DeclContext *Ctx) {
    if (!Ctx)
      return nullptr;
    ast::Decl *D = nullptr;
    if (auto *V = Ctx->vocabDecl())
      D = vocab(V);
    else if (auto *E = Ctx->enumDecl())
      D = enumDecl(E);
    else if (auto *A = Ctx->attributeDecl())
      D = attribute(A);
    else if (auto *C = Ctx->combineDecl())
      D = combine(C);
    else if (auto *R = Ctx->requireDecl())
      D = require(R);
    else if (auto *W = Ctx->withinDecl())
      D = within(W);
    else if (auto *T = Ctx->testDecl())
      D = test(T);
    else if (auto *C = Ctx->controllerDecl())
      D = controller(C);
    else if (auto *R = Ctx->ruleDecl())
      D = rule(R).release();
    if (D)
      D->Range = Map.range(Ctx);
    return D;
  }

  ast::VocabDecl *vocab(PrivetParser::VocabDeclContext *Ctx) {
    auto *D = new ast::VocabDecl();
    auto *K = Ctx->vocabKind();
    static const std::pair<size_t, ast::VocabKind> Kinds[] = {
        {PrivetLexer::ACTION, ast::VocabKind::Action},
        {PrivetLexer::CATEGORY, ast::VocabKind::Category},
        {PrivetLexer::SUBJECT, ast::VocabKind::Subject},
        {PrivetLexer::PURPOSE, ast::VocabKind::Purpose},
        {PrivetLexer::BASIS, ast::VocabKind::Basis},
        {PrivetLexer::RECIPIENT, ast::VocabKind::Recipient},
        {PrivetLexer::REGION, ast::VocabKind::Region},
        {PrivetLexer::CONTEXT, ast::VocabKind::Context},
        {PrivetLexer::ACTOR, ast::VocabKind::Actor},
        {PrivetLexer::OBLIGATION, ast::VocabKind::Obligation},
    };
    size_t Type = K->getStart()->getType();
    for (auto &[T, VK] : Kinds)
      if (T == Type)
        D->VK = VK;
    D->KeywordRange = Map.range(K);
    D->Root = vocabNode(Ctx->vocabNode());
    return D;
  }

  ast::VocabNode vocabNode(PrivetParser::VocabNodeContext *Ctx) {
    ast::VocabNode N;
    N.Name = ident(Ctx->name);
    N.NameRange = Map.range(Ctx->name);
    if (Ctx->param)
      N.Param = qualName(Ctx->param->qualName());
    N.Title = string(Ctx->title);
    for (auto *P : Ctx->vocabProp()) {
      if (auto *Parents = dynamic_cast<PrivetParser::ParentsPropContext *>(P)) {
        for (auto *Q : Parents->qualNameList()->qualName())
          N.Parents.push_back(qualName(Q));
        continue;
      }
      if (auto *Limits = dynamic_cast<PrivetParser::LimitsPropContext *>(P)) {
        N.Limits = qualName(Limits->qualName());
        N.LimitsRange = Map.range(P);
        continue;
      }
      ast::RecipientProp Prop;
      Prop.Range = Map.range(P);
      if (auto *Role = dynamic_cast<PrivetParser::RolePropContext *>(P)) {
        Prop.K = ast::RecipientProp::Role;
        Prop.Target = qualName(Role->qualName());
      } else if (auto *Located = dynamic_cast<PrivetParser::LocatedPropContext *>(P)) {
        Prop.K = ast::RecipientProp::LocatedIn;
        Prop.Target = qualName(Located->qualName());
      } else {
        Prop.K = ast::RecipientProp::UnderContract;
      }
      N.Props.push_back(std::move(Prop));
    }
    if (auto *Body = Ctx->vocabBody())
      for (auto *M : Body->vocabMember()) {
        ast::VocabNode Child = vocabNode(M->vocabNode());
        Child.Annotations = annotations(M->annotation());
        N.Children.push_back(std::move(Child));
      }
    N.Range = Map.range(Ctx);
    return N;
  }

  ast::EnumDecl *enumDecl(PrivetParser::EnumDeclContext *Ctx) {
    auto *D = new ast::EnumDecl();
    D->Name = ident(Ctx->name);
    D->NameRange = Map.range(Ctx->name);
    D->Title = string(Ctx->title);
    auto Idents = Ctx->ident();
    for (auto *I : Idents)
      if (I != Ctx->name)
        D->Values.push_back({ident(I), Map.range(I)});
    return D;
  }

  ast::AttributeDecl *attribute(PrivetParser::AttributeDeclContext *Ctx) {
    auto *D = new ast::AttributeDecl();
    D->Name = ident(Ctx->name);
    D->NameRange = Map.range(Ctx->name);
    D->Title = string(Ctx->title);
    D->Type = qualName(Ctx->type->qualName());
    if (Ctx->init)
      D->Default = value(Ctx->init);
    return D;
  }

  ast::CombineDecl *combine(PrivetParser::CombineDeclContext *Ctx) {
    auto *D = new ast::CombineDecl();
    D->First = qualName(Ctx->first);
    D->Second = qualName(Ctx->second);
    D->Result = qualName(Ctx->result);
    D->TreatedAs = Ctx->treated != nullptr;
    return D;
  }

  ast::Value value(PrivetParser::ValueContext *Ctx) {
    ast::Value V;
    V.Range = Map.range(Ctx);
    if (Ctx->TRUE() || Ctx->FALSE()) {
      V.K = ast::Value::Bool;
      V.BoolValue = Ctx->TRUE() != nullptr;
    } else if (Ctx->INT()) {
      V.Digits = Ctx->INT()->getText();
      if (auto *Unit = Ctx->ident()) {
        V.K = ast::Value::Duration;
        V.Unit = ident(Unit);
        V.UnitRange = Map.range(Unit);
      } else {
        V.K = ast::Value::Int;
      }
    } else if (Ctx->STRING()) {
      V.K = ast::Value::String;
      V.Text = string(Ctx->STRING());
    } else {
      V.K = ast::Value::Name;
      V.NameValue = qualName(Ctx->qualName());
    }
    return V;
  }

  ast::Pattern pattern(PrivetParser::PatternContext *Ctx) {
    ast::Pattern P;
    P.Range = Map.range(Ctx);
    if (auto *Any = Ctx->ANY()) {
      P.AnyAction = true;
      P.AnyRange = Map.range(Any->getSymbol());
    }
    if (Ctx->actions)
      P.Clauses.push_back(scopeList(Ctx->actions, ast::ScopeClause::Actions));
    if (Ctx->data)
      P.Clauses.push_back(scopeList(Ctx->data, ast::ScopeClause::Data));
    for (auto *C : Ctx->scopeClause()) {
      ast::ScopeClause::Part Part = ast::ScopeClause::For;
      switch (C->kw->getType()) {
      case PrivetLexer::ABOUT:
        Part = ast::ScopeClause::About;
        break;
      case PrivetLexer::FOR:
        Part = ast::ScopeClause::For;
        break;
      case PrivetLexer::UNDER:
        Part = ast::ScopeClause::Under;
        break;
      case PrivetLexer::TO:
        Part = ast::ScopeClause::To;
        break;
      case PrivetLexer::IN:
        Part = ast::ScopeClause::In;
        break;
      case PrivetLexer::AS:
        Part = ast::ScopeClause::As;
        break;
      default:
        Part = ast::ScopeClause::From;
        break;
      }
      auto Clause = scopeList(C->scopeList(), Part);
      Clause.Range = Map.range(C);
      P.Clauses.push_back(std::move(Clause));
    }
    return P;
  }

  ast::ScopeClause scopeList(PrivetParser::ScopeListContext *Ctx, ast::ScopeClause::Part Part) {
    ast::ScopeClause C;
    C.P = Part;
    C.Range = Map.range(Ctx);
    for (auto *I : Ctx->scopeItem()) {
      ast::ScopeItem Item;
      Item.Range = Map.range(I);
      if (I->WHERE()) {
        Item.K = ast::ScopeItem::Where;
        Item.Facts = std::make_shared<const ast::FactExpr>(factExpr(I->factExpr()));
      } else if (I->getStop()->getText() != ")") {
        Item.Negated = I->NOT() != nullptr;
        Item.Name = qualName(I->qualName(0));
      } else {
        Item.K = ast::ScopeItem::Neither;
        Item.Negated = true;
        for (auto *Q : I->qualName())
          Item.More.push_back(qualName(Q));
      }
      C.Items.push_back(std::move(Item));
    }
    return C;
  }

  ast::FactExpr factExpr(PrivetParser::FactExprContext *Ctx) {
    auto Ands = Ctx->factAnd();
    if (Ands.size() == 1)
      return factAnd(Ands[0]);
    ast::FactExpr E;
    E.K = ast::FactExpr::Or;
    E.Range = Map.range(Ctx);
    for (auto *A : Ands)
      E.Ops.push_back(factAnd(A));
    return E;
  }

  ast::FactExpr factAnd(PrivetParser::FactAndContext *Ctx) {
    auto Nots = Ctx->factNot();
    if (Nots.size() == 1)
      return factNot(Nots[0]);
    ast::FactExpr E;
    E.K = ast::FactExpr::And;
    E.Range = Map.range(Ctx);
    for (auto *N : Nots)
      E.Ops.push_back(factNot(N));
    return E;
  }

  ast::FactExpr factNot(PrivetParser::FactNotContext *Ctx) {
    if (Ctx->NOT()) {
      ast::FactExpr E;
      E.K = ast::FactExpr::Not;
      E.Range = Map.range(Ctx);
      E.Ops.push_back(factNot(Ctx->factNot()));
      return E;
    }
    auto *A = Ctx->factAtom();
    if (auto *P = dynamic_cast<PrivetParser::ParenFactContext *>(A))
      return factExpr(P->factExpr());
    ast::FactExpr E;
    E.Range = Map.range(A);
    if (auto *R = dynamic_cast<PrivetParser::RoleFactContext *>(A)) {
      E.K = ast::FactExpr::Role;
      E.Name = qualName(R->qualName());
    } else if (auto *L = dynamic_cast<PrivetParser::LocatedFactContext *>(A)) {
      E.K = ast::FactExpr::Located;
      E.Name = qualName(L->qualName());
    } else {
      E.K = ast::FactExpr::Contract;
    }
    return E;
  }

  std::vector<ast::Condition> conditions(const std::vector<PrivetParser::ConditionContext *> &Cs) {
    std::vector<ast::Condition> Out;
    for (auto *C : Cs)
      Out.push_back({C->kw->getType() == PrivetLexer::UNLESS, expr(C->expr()), Map.range(C)});
    return Out;
  }

  std::vector<ast::ObligationUse> obligations(PrivetParser::ObligationsContext *Ctx) {
    std::vector<ast::ObligationUse> Out;
    if (!Ctx)
      return Out;
    for (auto *O : Ctx->obligationRef()) {
      ast::ObligationUse U;
      U.Name = qualName(O->qualName());
      if (O->value())
        U.Arg = value(O->value());
      U.Range = Map.range(O);
      Out.push_back(std::move(U));
    }
    return Out;
  }

  ast::ExprPtr expr(PrivetParser::ExprContext *Ctx) { return orExpr(Ctx->orExpr()); }

  ast::ExprPtr orExpr(PrivetParser::OrExprContext *Ctx) {
    auto Parts = Ctx->andExpr();
    if (Parts.size() == 1)
      return andExpr(Parts[0]);
    std::vector<ast::ExprPtr> Ops;
    for (auto *P : Parts)
      Ops.push_back(andExpr(P));
    return std::make_unique<ast::LogicalExpr>(false, std::move(Ops), Map.range(Ctx));
  }

  ast::ExprPtr andExpr(PrivetParser::AndExprContext *Ctx) {
    auto Parts = Ctx->notExpr();
    if (Parts.size() == 1)
      return notExpr(Parts[0]);
    std::vector<ast::ExprPtr> Ops;
    for (auto *P : Parts)
      Ops.push_back(notExpr(P));
    return std::make_unique<ast::LogicalExpr>(true, std::move(Ops), Map.range(Ctx));
  }

  ast::ExprPtr notExpr(PrivetParser::NotExprContext *Ctx) {
    if (Ctx->NOT())
      return std::make_unique<ast::NotExpr>(notExpr(Ctx->notExpr()), Map.range(Ctx));
    return cmpExpr(Ctx->cmpExpr());
  }

  ast::ExprPtr cmpExpr(PrivetParser::CmpExprContext *Ctx) {
    ast::ExprPtr LHS = primary(Ctx->lhs);
    if (Ctx->IN()) {
      std::vector<ast::Value> Set;
      for (auto *V : Ctx->value())
        Set.push_back(value(V));
      return std::make_unique<ast::InExpr>(std::move(LHS), Ctx->NOT() != nullptr, std::move(Set),
                                           Map.range(Ctx));
    }
    if (!Ctx->op)
      return LHS;
    static const std::pair<StringRef, ast::CompareOp> Ops[] = {
        {"==", ast::CompareOp::Eq}, {"!=", ast::CompareOp::Ne}, {"<", ast::CompareOp::Lt},
        {"<=", ast::CompareOp::Le}, {">", ast::CompareOp::Gt},  {">=", ast::CompareOp::Ge}};
    ast::CompareOp Op = ast::CompareOp::Eq;
    std::string Spelling = Ctx->op->getText();
    for (auto &[S, O] : Ops)
      if (S == Spelling)
        Op = O;
    return std::make_unique<ast::CompareExpr>(Op, std::move(LHS), primary(Ctx->rhs),
                                              Map.range(Ctx->op), Map.range(Ctx));
  }

  ast::ExprPtr primary(PrivetParser::PrimaryContext *Ctx) {
    if (auto *E = Ctx->expr())
      return expr(E);
    return std::make_unique<ast::ValueExpr>(value(Ctx->value()), Map.range(Ctx));
  }

  std::unique_ptr<ast::RuleDecl> rule(PrivetParser::RuleDeclContext *Ctx) {
    auto R = std::make_unique<ast::RuleDecl>();
    if (Ctx->label) {
      R->Label = ident(Ctx->label);
      R->LabelRange = Map.range(Ctx->label);
    }
    R->IsAllow = Ctx->effect()->ALLOW() != nullptr;
    R->EffectRange = Map.range(Ctx->effect());
    R->Pat = pattern(Ctx->pattern());
    R->Conditions = conditions(Ctx->condition());
    R->Obligations = obligations(Ctx->obligations());
    R->ObligationsRange = Map.range(Ctx->obligations());
    if (auto *E = Ctx->exceptBlock())
      for (auto *X : E->exceptionRule()) {
        auto Child = rule(X->ruleDecl());
        Child->Annotations = annotations(X->annotation());
        Child->Range = Map.range(X->ruleDecl());
        R->Exceptions.push_back(std::move(Child));
      }
    R->Range = Map.range(Ctx);
    R->SourceText = Map.slice(R->Range);
    return R;
  }

  ast::RequireDecl *require(PrivetParser::RequireDeclContext *Ctx) {
    auto *D = new ast::RequireDecl();
    if (Ctx->label) {
      D->Label = ident(Ctx->label);
      D->LabelRange = Map.range(Ctx->label);
    }
    if (Ctx->kind) {
      D->Q = Ctx->kind->getType() == PrivetLexer::NEVER ? ast::RequireDecl::Never
                                                        : ast::RequireDecl::Always;
      D->KeywordRange = Map.range(Ctx->kind);
    } else {
      D->KeywordRange = Map.range(Ctx->REQUIRE()->getSymbol());
    }
    D->Pat = pattern(Ctx->pattern());
    D->Conditions = conditions(Ctx->condition());
    D->Obligations = obligations(Ctx->obligations());
    D->ObligationsRange = Map.range(Ctx->obligations());
    if (Ctx->within) {
      D->Within = qualName(Ctx->within);
      D->WithinRange = Map.range(Ctx->WITHIN()->getSymbol());
    }
    D->SourceText = Map.slice(Map.range(Ctx));
    return D;
  }

  ast::WithinDecl *within(PrivetParser::WithinDeclContext *Ctx) {
    auto *D = new ast::WithinDecl();
    D->KeywordRange = Map.range(Ctx->WITHIN()->getSymbol());
    D->Pat = pattern(Ctx->pattern());
    D->Conditions = conditions(Ctx->condition());
    SMRange Header = D->KeywordRange;
    if (!D->Conditions.empty())
      Header.End = D->Conditions.back().Range.End;
    else if (!D->Pat.Clauses.empty() || D->Pat.AnyAction)
      Header.End = D->Pat.Range.End;
    D->HeaderRange = Header;
    D->HeaderText = Map.slice(Header);
    for (auto *Member : Ctx->withinMember())
      if (auto *Inner = decl(Member->decl())) {
        Inner->Annotations = annotations(Member->annotation());
        D->Members.emplace_back(Inner);
      }
    return D;
  }

  ast::Text located(antlr4::tree::TerminalNode *N) {
    return {string(N), N ? Map.range(N->getSymbol()) : SMRange()};
  }
  ast::Text located(antlr4::Token *T) { return {string(T), T ? Map.range(T) : SMRange()}; }

  ast::ControllerDecl *controller(PrivetParser::ControllerDeclContext *Ctx) {
    auto *D = new ast::ControllerDecl();
    D->KeywordRange = Map.range(Ctx->CONTROLLER()->getSymbol());
    D->Name = located(Ctx->name);
    for (auto *E : Ctx->controllerEntry()) {
      if (auto *C = dynamic_cast<PrivetParser::ContactEntryContext *>(E)) {
        D->Contacts.push_back(located(C->STRING()));
        continue;
      }
      ast::ControllerDecl::Party P;
      std::vector<PrivetParser::ContactClauseContext *> Contacts;
      if (auto *Party = dynamic_cast<PrivetParser::PartyEntryContext *>(E)) {
        P.R = Party->kind->getType() == PrivetLexer::DPO
                  ? ast::ControllerDecl::Party::Dpo
                  : ast::ControllerDecl::Party::Representative;
        P.KeywordRange = Map.range(Party->kind);
        P.Name = located(Party->name);
        Contacts = Party->contactClause();
      } else if (auto *Client = dynamic_cast<PrivetParser::ProcessorEntryContext *>(E)) {
        P.R = ast::ControllerDecl::Party::Client;
        P.KeywordRange = Map.range(Client->PROCESSOR()->getSymbol());
        P.Name = located(Client->name);
        Contacts = Client->contactClause();
        for (auto *Q : Client->qualNameList()->qualName())
          P.Purposes.push_back(qualName(Q));
      }
      for (auto *C : Contacts)
        P.Contacts.push_back(located(C->STRING()));
      P.Range = Map.range(E);
      D->Parties.push_back(std::move(P));
    }
    D->Range = Map.range(Ctx);
    return D;
  }

  ast::TestDecl *test(PrivetParser::TestDeclContext *Ctx) {
    auto *D = new ast::TestDecl();
    D->Name = string(Ctx->name);
    for (auto *X : Ctx->expectation()) {
      ast::Expectation E;
      E.Annotations = annotations(X->annotation());
      size_t Type = X->outcome->getType();
      E.Expect = Type == PrivetLexer::ALLOW  ? ast::Expectation::Allow
                 : Type == PrivetLexer::DENY ? ast::Expectation::Deny
                                             : ast::Expectation::Error;
      E.OutcomeRange = Map.range(X->outcome);
      E.Pat = pattern(X->pattern());
      if (auto *G = X->givenClause())
        for (auto *A : G->assignment())
          E.Given.push_back({qualName(A->qualName()), value(A->value()), Map.range(A)});
      E.Obligations = obligations(X->obligations());
      E.ObligationsRange = Map.range(X->obligations());
      if (auto *B = X->byClause())
        E.By = qualName(B->qualName());
      E.Range = SMRange(Map.range(X->EXPECT()->getSymbol()).Start, Map.range(X).End);
      E.SourceText = Map.slice(E.Range);
      D->Expectations.push_back(std::move(E));
    }
    return D;
  }

  DiagnosticEngine &Diags;
  const SourceMap &Map;
};

} // namespace

struct StreamingBuilder::Impl {
  Impl(DiagnosticEngine &Diags, const SourceMap &Map) : B(Diags, Map) { B.Deferred = &Deferred; }
  Builder B;
  std::vector<SMRange> Deferred;
  std::unique_ptr<ast::File> F = std::make_unique<ast::File>();
};

StreamingBuilder::StreamingBuilder(unsigned BufferId, const SourceMap &Map, DiagnosticEngine &Diags)
    : I(std::make_unique<Impl>(Diags, Map)) {
  I->F->BufferId = BufferId;
}

StreamingBuilder::~StreamingBuilder() = default;

void StreamingBuilder::header(PrivetParser::HeaderContext *Ctx) { I->B.fileHeader(Ctx, *I->F); }

void StreamingBuilder::item(PrivetParser::ItemContext *Ctx) { I->B.item(Ctx, *I->F); }

std::unique_ptr<ast::File> StreamingBuilder::finish() {
  I->B.reportDeferred();
  if (I->B.Failed)
    return nullptr;
  return std::move(I->F);
}

std::unique_ptr<ast::File> buildFile(PrivetParser::FileContext *Tree, unsigned BufferId,
                                     const SourceMap &Map, DiagnosticEngine &Diags,
                                     antlr4::TokenStream *RecoveringFrom) {
  Builder B(Diags, Map);
  auto F = B.file(Tree, BufferId, RecoveringFrom);
  if (B.Failed)
    return nullptr;
  return F;
}

} // namespace privet::syntax
