//===- Parser.cpp - Driving the generated ANTLR parser and building the AST ------------===//
//
// Three steps per file: lex everything and scan the tokens (bad characters, nesting depth),
// parse (fast SLL first, full LL with error recovery only if that fails), then walk the parse
// tree once into privet::ast. Syntax errors become diagnostics with plain-language messages.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Syntax/Parser.h"

#include "PrivetLexer.h"
#include "PrivetParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <set>

using namespace llvm;
using privet::gen::PrivetLexer;
using privet::gen::PrivetParser;

namespace privet::syntax {
namespace {

/// Maps ANTLR's code-point indexes to byte offsets in the buffer (identity for ASCII text).
class SourceMap {
public:
  explicit SourceMap(StringRef Text) : Text(Text) {
    bool Ascii = llvm::all_of(Text, [](char C) { return static_cast<unsigned char>(C) < 0x80; });
    if (Ascii)
      return;
    for (size_t I = 0; I < Text.size(); ++I)
      if ((static_cast<unsigned char>(Text[I]) & 0xC0) != 0x80)
        ByteOf.push_back(I);
    ByteOf.push_back(Text.size());
  }

  SMLoc loc(size_t CodePoint) const {
    size_t Byte = ByteOf.empty()              ? CodePoint
                  : CodePoint < ByteOf.size() ? ByteOf[CodePoint]
                                              : Text.size();
    if (Byte > Text.size())
      Byte = Text.size();
    return SMLoc::getFromPointer(Text.data() + Byte);
  }

  SMRange range(const antlr4::Token *T) const {
    if (!T)
      return {};
    if (T->getType() == antlr4::Token::EOF)
      return SMRange(loc(Text.size()), loc(Text.size()));
    return SMRange(loc(T->getStartIndex()), loc(T->getStopIndex() + 1));
  }

  SMRange range(antlr4::ParserRuleContext *Ctx) const {
    if (!Ctx || !Ctx->getStart())
      return {};
    SMRange Start = range(Ctx->getStart());
    const antlr4::Token *Stop = Ctx->getStop();
    if (!Stop || Stop->getTokenIndex() < Ctx->getStart()->getTokenIndex())
      return Start;
    return SMRange(Start.Start, range(Stop).End);
  }

  StringRef slice(SMRange R) const {
    if (!R.isValid())
      return {};
    return StringRef(R.Start.getPointer(), R.End.getPointer() - R.Start.getPointer());
  }

  StringRef Text;

private:
  std::vector<uint32_t> ByteOf;
};

std::string tokenDisplay(const antlr4::Token *T) {
  if (!T || T->getType() == antlr4::Token::EOF)
    return "end of file";
  std::string Text = T->getText();
  if (T->getType() == PrivetLexer::STRING)
    return "a string";
  if (Text.size() > 24)
    Text = Text.substr(0, 24) + "…";
  return "`" + Text + "`";
}

/// Plain-language phrases for token types in "expected ..." messages.
std::string expectedDisplay(const antlr4::dfa::Vocabulary &Vocab, size_t Type) {
  switch (Type) {
  case antlr4::Token::EOF:
    return "end of file";
  case PrivetLexer::IDENT:
    return "a name";
  case PrivetLexer::STRING:
    return "a string";
  case PrivetLexer::INT:
    return "a number";
  default:
    break;
  }
  std::string Literal = Vocab.getLiteralName(Type);
  if (Literal.size() >= 2 && Literal.front() == '\'')
    return "`" + Literal.substr(1, Literal.size() - 2) + "`";
  return Vocab.getDisplayName(Type);
}

/// The token type of a literal such as `;`, looked up so that grammar edits cannot silently
/// renumber it.
size_t literalType(const antlr4::dfa::Vocabulary &Vocab, StringRef Literal) {
  std::string Quoted = "'" + Literal.str() + "'";
  for (size_t T = 1; T <= Vocab.getMaxTokenType(); ++T)
    if (Vocab.getLiteralName(T) == Quoted)
      return T;
  return antlr4::Token::INVALID_TYPE;
}

bool isSoftKeyword(size_t Type) { return Type >= PrivetLexer::POLICY && Type <= PrivetLexer::BY; }

/// What the innermost interesting rule being parsed is called in messages.
StringRef contextPhrase(antlr4::ParserRuleContext *Ctx) {
  for (; Ctx; Ctx = dynamic_cast<antlr4::ParserRuleContext *>(Ctx->parent)) {
    switch (Ctx->getRuleIndex()) {
    case PrivetParser::RuleRuleDecl:
      return "rule";
    case PrivetParser::RuleRequireDecl:
      return "invariant";
    case PrivetParser::RuleExpectation:
      return "expectation";
    case PrivetParser::RuleTestDecl:
      return "test";
    case PrivetParser::RuleImportDecl:
      return "import";
    case PrivetParser::RuleHeader:
      return "header";
    case PrivetParser::RuleVocabDecl:
      return "declaration";
    case PrivetParser::RuleEnumDecl:
      return "enum";
    case PrivetParser::RuleAttributeDecl:
      return "attribute";
    case PrivetParser::RuleCombineDecl:
      return "combination";
    case PrivetParser::RuleAnnotation:
      return "annotation";
    default:
      break;
    }
  }
  return "";
}

/// Turns ANTLR's syntax errors into diagnostics.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(DiagnosticEngine &Diags, const SourceMap &Map, antlr4::CommonTokenStream &Tokens,
                const std::set<size_t> &LexErrorLines, unsigned MaxErrors, size_t Semicolon)
      : Diags(Diags), Map(Map), Tokens(Tokens), LexErrorLines(LexErrorLines), MaxErrors(MaxErrors),
        Semicolon(Semicolon) {}

  void syntaxError(antlr4::Recognizer *Recognizer, antlr4::Token *Offending, size_t Line, size_t,
                   const std::string &, std::exception_ptr) override {
    ++Count;
    // A bad character was already reported, and whatever the parser makes of its line is noise.
    if (LexErrorLines.count(Line))
      return;
    if (Offending && Offending->getTokenIndex() == LastTokenIndex)
      return;
    if (Reported >= MaxErrors)
      return;
    ++Reported;
    if (Offending)
      LastTokenIndex = Offending->getTokenIndex();

    auto *P = dynamic_cast<PrivetParser *>(Recognizer);
    std::vector<size_t> Expected;
    StringRef Context;
    if (P) {
      try {
        for (ssize_t T : P->getExpectedTokens().toList())
          Expected.push_back(static_cast<size_t>(T));
      } catch (...) {
        Expected.clear();
      }
      Context = contextPhrase(P->getContext());
    }
    bool HasName = llvm::is_contained(Expected, size_t(PrivetLexer::IDENT));
    std::vector<std::string> Names;
    bool ExpectsSemi = false;
    for (size_t T : Expected) {
      if (HasName && isSoftKeyword(T))
        continue;
      if (T == Semicolon)
        ExpectsSemi = true;
      Names.push_back(P ? expectedDisplay(P->getVocabulary(), T) : std::to_string(T));
    }
    std::string Found = tokenDisplay(Offending);
    SMRange Where = Map.range(Offending);

    // A misspelt keyword at the start of a statement parses as a name; say so.
    if (auto Typo = misspeltKeyword(Offending)) {
      Diags
          .report(diag::syntax_error, Map.range(Typo->first),
                  "unknown keyword `" + Typo->first->getText() + "`")
          .didYouMean(Map.range(Typo->first), Typo->second);
      return;
    }
    // After a rule's label the effect is due: a name there close to one is that keyword misspelt.
    if (Offending && Offending->getType() == PrivetLexer::IDENT &&
        (llvm::is_contained(Expected, size_t(PrivetLexer::ALLOW)) ||
         llvm::is_contained(Expected, size_t(PrivetLexer::DENY)))) {
      static const std::vector<std::string> Effects{"allow", "deny"};
      if (auto Near = closestName(Offending->getText(), Effects)) {
        Diags.report(diag::syntax_error, Where, "unknown keyword `" + Offending->getText() + "`")
            .didYouMean(Where, *Near);
        return;
      }
    }
    if (Offending && Offending->getText() == "=" && (Context == "rule" || Context == "invariant")) {
      Diags.report(diag::syntax_error, Where, "expected `==` to compare, found `=`")
          .fixIt(Where, "==");
      return;
    }
    // The tokens that can start a value are one idea to the reader.
    static const size_t ValueStarts[] = {PrivetLexer::TRUE, PrivetLexer::FALSE, PrivetLexer::INT,
                                         PrivetLexer::STRING, PrivetLexer::IDENT};
    if (Names.size() == 5 &&
        llvm::all_of(ValueStarts, [&](size_t T) { return llvm::is_contained(Expected, T); }))
      Names = {"a value"};

    std::string Message;
    if (ExpectsSemi && !Context.empty() && Context != "annotation") {
      Message = "expected `;` after " + Context.str() + ", found " + Found;
      // Like clang, point just past the previous token: that is where the `;` belongs.
      if (Offending) {
        for (ssize_t I = static_cast<ssize_t>(Offending->getTokenIndex()) - 1; I >= 0; --I) {
          antlr4::Token *Prev = Tokens.get(static_cast<size_t>(I));
          if (Prev->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
            continue;
          SMLoc After = Map.range(Prev).End;
          Where = SMRange(After, After);
          break;
        }
      }
    } else if (!Names.empty() && Names.size() <= 5) {
      Message = "expected ";
      for (size_t I = 0; I < Names.size(); ++I) {
        if (I)
          Message += I + 1 == Names.size() ? " or " : ", ";
        Message += Names[I];
      }
      if (!Context.empty())
        Message += " in " + Context.str();
      Message += ", found " + Found;
    } else {
      Message = "unexpected " + Found;
      if (!Context.empty())
        Message += " in " + Context.str();
    }
    Diags.report(diag::syntax_error, Where, Message);
  }

  unsigned Count = 0;

private:
  /// If the token before Offending is a plain name starting a statement and close to a keyword
  /// that starts one, that name and the keyword.
  std::optional<std::pair<antlr4::Token *, std::string>> misspeltKeyword(antlr4::Token *Offending) {
    static const std::vector<std::string> Keywords{
        "allow",     "deny",   "category", "action",     "purpose", "subject",   "basis",
        "recipient", "region", "context",  "obligation", "enum",    "attribute", "combine",
        "require",   "test",   "import",   "policy",     "module",  "expect"};
    if (!Offending)
      return std::nullopt;
    antlr4::Token *Prev = previous(Offending->getTokenIndex());
    if (!Prev || Prev->getType() != PrivetLexer::IDENT)
      return std::nullopt;
    antlr4::Token *Before = previous(Prev->getTokenIndex());
    if (Before && Before->getText() != ";" && Before->getText() != "}" &&
        Before->getText() != "{" && Before->getText() != ")")
      return std::nullopt;
    auto Near = closestName(Prev->getText(), Keywords);
    if (!Near)
      return std::nullopt;
    return std::make_pair(Prev, *Near);
  }

  antlr4::Token *previous(size_t Index) {
    while (Index-- > 0) {
      antlr4::Token *T = Tokens.get(Index);
      if (T->getChannel() == antlr4::Token::DEFAULT_CHANNEL)
        return T;
    }
    return nullptr;
  }

  DiagnosticEngine &Diags;
  const SourceMap &Map;
  antlr4::CommonTokenStream &Tokens;
  const std::set<size_t> &LexErrorLines;
  unsigned MaxErrors;
  unsigned Reported = 0;
  size_t Semicolon;
  size_t LastTokenIndex = ~size_t(0);
};

/// Walks a parse tree without syntax errors into the AST.
class Builder {
public:
  Builder(DiagnosticEngine &Diags, const SourceMap &Map) : Diags(Diags), Map(Map) {}

  std::unique_ptr<ast::File> file(PrivetParser::FileContext *Ctx, unsigned BufferId) {
    auto F = std::make_unique<ast::File>();
    F->BufferId = BufferId;
    if (auto *H = Ctx->header())
      F->Head = header(H);
    for (auto *Item : Ctx->item()) {
      if (auto *I = Item->importDecl()) {
        F->Imports.push_back(import(I));
        continue;
      }
      if (auto *D = decl(Item->decl())) {
        D->Annotations = annotations(Item->annotation());
        F->Decls.emplace_back(D);
      }
    }
    return F;
  }

  bool Failed = false;

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
      Diags.report(diag::syntax_error, SMRange(At, SMLoc::getFromPointer(At.getPointer() + 2)),
                   "unknown escape sequence in string; only `\\\"` and `\\\\` are allowed");
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
    else if (auto *T = Ctx->testDecl())
      D = test(T);
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
    for (auto *I : Ctx->scopeItem())
      C.Items.push_back({I->NOT() != nullptr, qualName(I->qualName()), Map.range(I)});
    return C;
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
    D->SourceText = Map.slice(Map.range(Ctx));
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

/// Reports bad characters, unterminated strings and comments, and nesting beyond the limit.
/// Returns false when the file must not be handed to the (recursive) parser.
bool scanTokens(antlr4::CommonTokenStream &Tokens, const SourceMap &Map, DiagnosticEngine &Diags,
                unsigned MaxNesting, std::set<size_t> &LexErrorLines, size_t Semicolon) {
  unsigned Brackets = 0, NotRun = 0, ExceptRun = 0;
  const auto &All = Tokens.getTokens();
  for (size_t I = 0; I < All.size(); ++I) {
    antlr4::Token *T = All[I];
    if (T->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
      continue;
    size_t Type = T->getType();
    if (Type == PrivetLexer::UNEXPECTED_CHAR) {
      LexErrorLines.insert(T->getLine());
      std::string Text = T->getText();
      SMRange R = Map.range(T);
      if (Text == "\"") {
        // Runs to the end of the line: strings are single-line.
        const char *End = R.Start.getPointer();
        const char *BufEnd = Map.Text.data() + Map.Text.size();
        while (End != BufEnd && *End != '\n' && *End != '\r')
          ++End;
        Diags.report(diag::unterminated_string, SMRange(R.Start, SMLoc::getFromPointer(End)));
        // The rest of the line was lexed as other tokens; skip them.
        while (I + 1 < All.size() && All[I + 1]->getLine() == T->getLine() &&
               All[I + 1]->getType() != antlr4::Token::EOF)
          ++I;
        continue;
      }
      if (Text == "/" && I + 1 < All.size() && All[I + 1]->getText() == "*" &&
          All[I + 1]->getStartIndex() == T->getStopIndex() + 1) {
        Diags.report(diag::unterminated_comment, SMRange(R.Start, Map.range(All[I + 1]).End));
        // Everything after an unterminated comment is comment: nothing more to parse.
        for (size_t J = I; J < All.size(); ++J)
          LexErrorLines.insert(All[J]->getLine());
        return true;
      }
      Diags.report(diag::unexpected_character, R, Text);
      continue;
    }
    if (Type == PrivetLexer::NOT) {
      ++NotRun;
    } else {
      NotRun = 0;
    }
    if (Type == PrivetLexer::EXCEPT)
      ++ExceptRun;
    else if (Type == Semicolon) // `;` ends a chain of unbraced exceptions
      ExceptRun = 0;
    std::string Text = Type == antlr4::Token::EOF ? std::string() : T->getText();
    if (Text == "(" || Text == "{")
      ++Brackets;
    else if ((Text == ")" || Text == "}") && Brackets)
      --Brackets;
    if (Brackets + NotRun + ExceptRun > MaxNesting) {
      Diags.report(diag::nesting_too_deep, Map.range(T), MaxNesting);
      return false;
    }
  }
  return true;
}

} // namespace

std::unique_ptr<ast::File> parseBuffer(unsigned BufferId, DiagnosticEngine &Diags,
                                       const ParseOptions &Options) {
  const MemoryBuffer *Buffer = Diags.getSourceMgr().getMemoryBuffer(BufferId);
  StringRef Text = Buffer->getBuffer();
  SourceMap Map(Text);

  antlr4::ANTLRInputStream Input(Text.data(), Text.size());
  PrivetLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  antlr4::CommonTokenStream Tokens(&Lexer);
  Tokens.fill();

  unsigned ErrorsBefore = Diags.errorCount();
  std::set<size_t> LexErrorLines;
  size_t Semicolon = literalType(Lexer.getVocabulary(), ";");
  if (!scanTokens(Tokens, Map, Diags, Options.MaxNesting, LexErrorLines, Semicolon))
    return nullptr;

  PrivetParser Parser(&Tokens);
  Parser.removeErrorListeners();
  PrivetParser::FileContext *Tree = nullptr;
  // SLL is much faster and right for nearly every input; only on failure re-parse with full
  // LL and error recovery, which is also what produces good messages.
  Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    Tree = Parser.file();
  } catch (const antlr4::ParseCancellationException &) {
    Tree = nullptr;
  }
  ErrorListener Listener(Diags, Map, Tokens, LexErrorLines, Options.MaxErrors, Semicolon);
  if (!Tree) {
    Tokens.seek(0);
    Parser.reset();
    Parser.addErrorListener(&Listener);
    Parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    try {
      Tree = Parser.file();
    } catch (const antlr4::RuntimeException &) {
      Tree = nullptr;
    }
    Parser.removeErrorListeners();
    // SLL can fail on input only full LL parses; that is not an error. A parse that failed
    // without any message must still not pass silently.
    if (!Tree && !Listener.Count && Diags.errorCount() == ErrorsBefore)
      Diags.report(diag::syntax_error, SMRange(), "the parser gave up on this file");
  }
  if (Diags.errorCount() != ErrorsBefore || !Tree)
    return nullptr;

  if (!Tree->header()) {
    bool Empty = Text.trim().empty();
    SMLoc Start = SMLoc::getFromPointer(Text.data());
    Diags.report(diag::missing_header, SMRange(Start, Start),
                 Empty ? "file is empty" : "missing header");
    return nullptr;
  }

  Builder B(Diags, Map);
  auto F = B.file(Tree, BufferId);
  if (B.Failed)
    return nullptr;
  return F;
}

} // namespace privet::syntax
