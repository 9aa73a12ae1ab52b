//===- AST.cpp - Helpers and the tree dump of the .privet syntax tree ------------------===//
#include "privet/AST/AST.h"

#include "privet/Domain.h"

#include "llvm/ADT/StringExtras.h"

#include <iterator>

using namespace llvm;

namespace privet::ast {

std::string QualName::str() const { return join(Parts, "."); }

StringRef vocabKeyword(VocabKind K) {
  if (K == VocabKind::Obligation)
    return "obligation";
  std::string_view S = domain::DimensionKeywords[unsigned(K)];
  return StringRef(S.data(), S.size());
}

StringRef compareOpSpelling(CompareOp Op) {
  static const char *const Names[] = {"==", "!=", "<", "<=", ">", ">="};
  return Names[unsigned(Op)];
}

namespace {
class Dumper {
public:
  explicit Dumper(raw_ostream &OS) : OS(OS) {}

  void file(const File &F) {
    if (F.Head) {
      line() << (F.Head->IsPolicy ? "policy " : "module ") << F.Head->Name;
      if (!F.Head->Title.empty())
        OS << " title=\"" << F.Head->Title << "\"";
      if (!F.Head->Version.empty())
        OS << " version=\"" << F.Head->Version << "\"";
      if (!F.Head->Effective.empty())
        OS << " effective=\"" << F.Head->Effective << "\"";
      OS << "\n";
    }
    for (const auto &I : F.Imports) {
      line() << "import " << (I.Module ? I.Module->str() : "\"" + I.Path + "\"");
      if (!I.Alias.empty())
        OS << " as " << I.Alias;
      OS << "\n";
    }
    for (const auto &D : F.Decls)
      decl(*D);
  }

private:
  raw_ostream &line() { return OS.indent(Depth * 2); }

  void annotations(const std::vector<Annotation> &As) {
    for (const auto &A : As) {
      line() << "@" << A.Name;
      if (A.HasParens) {
        OS << "(";
        ListSeparator LS(", ");
        for (const auto &Arg : A.Args)
          OS << LS << (Arg.K == Annotation::Arg::String ? "\"" + Arg.Text + "\"" : Arg.Text);
        OS << ")";
      }
      OS << "\n";
    }
  }

  void value(const Value &V) {
    switch (V.K) {
    case Value::Bool:
      OS << (V.BoolValue ? "true" : "false");
      break;
    case Value::Int:
      OS << V.Digits;
      break;
    case Value::Duration:
      OS << V.Digits << " " << V.Unit;
      break;
    case Value::String:
      OS << "\"" << V.Text << "\"";
      break;
    case Value::Name:
      OS << V.NameValue.str();
      break;
    }
  }

  void expr(const Expr &E) {
    if (const auto *V = dyn_cast<ValueExpr>(&E)) {
      value(V->V);
    } else if (const auto *N = dyn_cast<NotExpr>(&E)) {
      OS << "(not ";
      expr(*N->Operand);
      OS << ")";
    } else if (const auto *L = dyn_cast<LogicalExpr>(&E)) {
      OS << "(";
      ListSeparator LS(L->isAnd() ? " and " : " or ");
      for (const auto &Op : L->Operands) {
        OS << LS;
        expr(*Op);
      }
      OS << ")";
    } else if (const auto *C = dyn_cast<CompareExpr>(&E)) {
      OS << "(";
      expr(*C->LHS);
      OS << " " << compareOpSpelling(C->Op) << " ";
      expr(*C->RHS);
      OS << ")";
    } else if (const auto *I = dyn_cast<InExpr>(&E)) {
      OS << "(";
      expr(*I->LHS);
      OS << (I->Negated ? " not in {" : " in {");
      ListSeparator LS(", ");
      for (const auto &V : I->Set) {
        OS << LS;
        value(V);
      }
      OS << "})";
    }
  }

  void pattern(const Pattern &P) {
    // Indexed by ScopeClause::Part.
    static const char *const Parts[] = {"actions", "data", "about", "for", "under",
                                        "to",      "in",   "from",  "as"};
    static_assert(std::size(Parts) == ScopeClause::As + 1, "a name for every clause");
    if (P.AnyAction)
      OS << " any";
    for (const auto &C : P.Clauses) {
      OS << " " << Parts[C.P] << "[";
      ListSeparator LS(", ");
      for (const auto &I : C.Items) {
        OS << LS;
        if (I.K == ScopeItem::Where) {
          OS << "recipients where ";
          facts(*I.Facts);
        } else if (I.K == ScopeItem::Neither) {
          OS << "not (";
          ListSeparator Names(", ");
          for (const auto &N : I.More)
            OS << Names << N.str();
          OS << ")";
        } else {
          OS << (I.Negated ? "not " : "") << I.Name.str();
        }
      }
      OS << "]";
    }
  }

  void facts(const FactExpr &F) {
    switch (F.K) {
    case FactExpr::Role:
      OS << "role " << F.Name.str();
      return;
    case FactExpr::Located:
      OS << "located in " << F.Name.str();
      return;
    case FactExpr::Contract:
      OS << "under contract";
      return;
    case FactExpr::Not:
      OS << "not ";
      facts(F.Ops[0]);
      return;
    case FactExpr::And:
    case FactExpr::Or: {
      OS << "(";
      ListSeparator LS(F.K == FactExpr::And ? " and " : " or ");
      for (const auto &Op : F.Ops) {
        OS << LS;
        facts(Op);
      }
      OS << ")";
      return;
    }
    }
  }

  void conditions(const std::vector<Condition> &Cs) {
    for (const auto &C : Cs) {
      OS << (C.IsUnless ? " unless " : " when ");
      expr(*C.E);
    }
  }

  void obligations(const std::vector<ObligationUse> &Os) {
    if (Os.empty())
      return;
    OS << " with ";
    ListSeparator LS(", ");
    for (const auto &O : Os) {
      OS << LS << O.Name.str();
      if (O.Arg) {
        OS << "(";
        value(*O.Arg);
        OS << ")";
      }
    }
  }

  void vocabNode(const VocabNode &N) {
    annotations(N.Annotations);
    line() << N.Name;
    if (N.Param)
      OS << "(" << N.Param->str() << ")";
    if (!N.Title.empty())
      OS << " \"" << N.Title << "\"";
    if (!N.Parents.empty()) {
      OS << " :";
      ListSeparator LS(",");
      for (const auto &P : N.Parents)
        OS << LS << " " << P.str();
    }
    for (const auto &P : N.Props) {
      if (P.K == RecipientProp::Role)
        OS << " role " << P.Target.str();
      else if (P.K == RecipientProp::LocatedIn)
        OS << " located in " << P.Target.str();
      else
        OS << " under contract";
    }
    if (N.Limits)
      OS << " limits " << N.Limits->str();
    OS << "\n";
    ++Depth;
    for (const auto &C : N.Children)
      vocabNode(C);
    --Depth;
  }

  void rule(const RuleDecl &R) {
    line() << (R.Label.empty() ? "" : R.Label + ": ") << (R.IsAllow ? "allow" : "deny");
    pattern(R.Pat);
    conditions(R.Conditions);
    obligations(R.Obligations);
    OS << "\n";
    ++Depth;
    for (const auto &E : R.Exceptions) {
      annotations(E->Annotations);
      line() << "except\n";
      ++Depth;
      rule(*E);
      --Depth;
    }
    --Depth;
  }

  void decl(const Decl &D) {
    annotations(D.Annotations);
    if (const auto *V = dyn_cast<VocabDecl>(&D)) {
      line() << vocabKeyword(V->VK) << "\n";
      ++Depth;
      vocabNode(V->Root);
      --Depth;
    } else if (const auto *E = dyn_cast<EnumDecl>(&D)) {
      line() << "enum " << E->Name << " {";
      ListSeparator LS(", ");
      for (const auto &V : E->Values)
        OS << LS << V.first;
      OS << "}\n";
    } else if (const auto *A = dyn_cast<AttributeDecl>(&D)) {
      line() << "attribute " << A->Name << ": " << A->Type.str();
      if (A->Default) {
        OS << " = ";
        value(*A->Default);
      }
      OS << "\n";
    } else if (const auto *C = dyn_cast<CombineDecl>(&D)) {
      line() << "combine " << C->First.str() << " with " << C->Second.str()
             << (C->TreatedAs ? " treated as " : " as ") << C->Result.str() << "\n";
    } else if (const auto *R = dyn_cast<RuleDecl>(&D)) {
      rule(*R);
    } else if (const auto *Q = dyn_cast<RequireDecl>(&D)) {
      line() << (Q->Label.empty() ? "" : Q->Label + ": ") << "require"
             << (Q->Q == RequireDecl::Never    ? " never"
                 : Q->Q == RequireDecl::Always ? " always"
                                               : "");
      pattern(Q->Pat);
      conditions(Q->Conditions);
      obligations(Q->Obligations);
      OS << "\n";
    } else if (const auto *W = dyn_cast<WithinDecl>(&D)) {
      line() << "within";
      pattern(W->Pat);
      conditions(W->Conditions);
      OS << "\n";
      ++Depth;
      for (const auto &Member : W->Members)
        decl(*Member);
      --Depth;
    } else if (const auto *C = dyn_cast<ControllerDecl>(&D)) {
      line() << "controller \"" << C->Name.Value << "\"\n";
      ++Depth;
      for (const auto &X : C->Contacts)
        line() << "contact \"" << X.Value << "\"\n";
      static const char *const Roles[] = {"representative", "dpo", "processor for"};
      for (const auto &P : C->Parties) {
        line() << Roles[P.R] << " \"" << P.Name.Value << "\"";
        for (const auto &X : P.Contacts)
          OS << " contact \"" << X.Value << "\"";
        if (!P.Purposes.empty()) {
          OS << " purpose";
          ListSeparator LS(",");
          for (const auto &Q : P.Purposes)
            OS << LS << " " << Q.str();
        }
        OS << "\n";
      }
      --Depth;
    } else if (const auto *T = dyn_cast<TestDecl>(&D)) {
      line() << "test \"" << T->Name << "\"\n";
      ++Depth;
      for (const auto &X : T->Expectations) {
        annotations(X.Annotations);
        static const char *const Outcomes[] = {"allow", "deny", "error"};
        line() << "expect " << Outcomes[X.Expect];
        pattern(X.Pat);
        if (!X.Given.empty()) {
          OS << " given";
          ListSeparator LS(",");
          for (const auto &G : X.Given) {
            OS << LS << " " << G.Attr.str() << " = ";
            value(G.V);
          }
        }
        obligations(X.Obligations);
        if (X.By)
          OS << " by " << X.By->str();
        OS << "\n";
      }
      --Depth;
    }
  }

  raw_ostream &OS;
  unsigned Depth = 0;
};
} // namespace

void dump(const File &F, raw_ostream &OS) { Dumper(OS).file(F); }

} // namespace privet::ast
