//===- AST.h - The syntax tree of one .privet file --------------------------------*- C++ -*-===//
//
// What the parser builds from ANTLR's parse tree, and sema reads. It mirrors the source closely
// (nothing is resolved yet); every node carries the source range it was parsed from, so sema can
// point at it. Declarations and expressions are class hierarchies with LLVM-style Kind + classof.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_AST_AST_H
#define PRIVET_AST_AST_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace privet::ast {

/// A possibly qualified name: `consent`, `gdpr.consent`.
struct QualName {
  llvm::SmallVector<std::string, 1> Parts; ///< One inline: most names have one part.
  llvm::SMRange Range;
  std::string str() const;
  bool isQualified() const { return Parts.size() > 1; }
};

/// A constant or name in value position (attribute defaults, conditions, arguments).
struct Value {
  enum Kind : uint8_t { Bool, Int, Duration, String, Name };
  Kind K = Bool;
  bool BoolValue = false;
  std::string Digits; ///< Int and Duration: the digits as written (range-checked by sema).
  std::string Unit;   ///< Duration: the unit word as written.
  llvm::SMRange UnitRange;
  std::string Text;   ///< String: the unescaped contents.
  QualName NameValue; ///< Name.
  llvm::SMRange Range;
};

struct Annotation {
  struct Arg {
    enum Kind : uint8_t { String, Name, Int };
    Kind K = String;
    std::string Text; ///< String contents, the name, or the digits.
    llvm::SMRange Range;
  };
  std::string Name;
  std::vector<Arg> Args;
  bool HasParens = false;
  llvm::SMRange Range;
};

enum class VocabKind : uint8_t {
  Action,
  Category,
  Subject,
  Purpose,
  Basis,
  Recipient,
  Region,
  Context,
  Actor,
  Obligation,
};
llvm::StringRef vocabKeyword(VocabKind K);

struct RecipientProp {
  enum Kind : uint8_t { Role, LocatedIn, UnderContract };
  Kind K = Role;
  QualName Target; ///< Role and LocatedIn.
  llvm::SMRange Range;
};

struct VocabNode {
  std::vector<Annotation> Annotations;
  std::string Name;
  llvm::SMRange NameRange;
  std::optional<QualName> Param; ///< `retain_for(duration)`
  std::string Title;
  std::vector<QualName> Parents; ///< `: a, b`
  std::vector<RecipientProp> Props;
  std::optional<QualName> Limits; ///< Obligations: `limits data_age`.
  llvm::SMRange LimitsRange;
  std::vector<VocabNode> Children;
  llvm::SMRange Range;
};

/// `for x, not y`: one dimension's part of a pattern.
/// A condition on the declared facts of a recipient, in `recipients where ...`.
struct FactExpr {
  enum Kind : uint8_t { Role, Located, Contract, Not, And, Or };
  Kind K = Contract;
  QualName Name; ///< Role: a recipient node; Located: a region node.
  std::vector<FactExpr> Ops;
  llvm::SMRange Range;
};

struct ScopeItem {
  /// `x` or `not x`; `not (a, b)` (neither a nor b); `recipients where F`.
  enum Kind : uint8_t { Node, Neither, Where };
  bool Negated = false;
  QualName Name;              ///< Node: the node.
  std::vector<QualName> More; ///< Neither: the nodes in the parentheses.
  /// Where: the facts. Held by pointer: most items are plain names, and an inline FactExpr
  /// would nearly double every item (100,000 rules hold about half a million items).
  std::shared_ptr<const FactExpr> Facts;
  llvm::SMRange Range;
  Kind K = Node;
};

struct ScopeClause {
  /// Which part: the first and second bare lists are Actions and Data; the others follow their
  /// preposition (`about`, `for`, `under`, `to`, `in`, `from`, `as`).
  enum Part : uint8_t { Actions, Data, About, For, Under, To, In, From, As };
  Part P = Actions;
  std::vector<ScopeItem> Items;
  llvm::SMRange Range;
};

struct Pattern {
  bool AnyAction = false;
  llvm::SMRange AnyRange;
  std::vector<ScopeClause> Clauses;
  llvm::SMRange Range;
};

//===- Expressions ------------------------------------------------------------------------===//

class Expr {
public:
  enum Kind : uint8_t { EK_Value, EK_Not, EK_And, EK_Or, EK_Compare, EK_In };
  Kind getKind() const { return K; }
  llvm::SMRange Range;
  virtual ~Expr() = default;

protected:
  explicit Expr(Kind K, llvm::SMRange R) : Range(R), K(K) {}

private:
  Kind K;
};
using ExprPtr = std::unique_ptr<Expr>;

class ValueExpr : public Expr {
public:
  ValueExpr(Value V, llvm::SMRange R) : Expr(EK_Value, R), V(std::move(V)) {}
  Value V;
  static bool classof(const Expr *E) { return E->getKind() == EK_Value; }
};

class NotExpr : public Expr {
public:
  NotExpr(ExprPtr Op, llvm::SMRange R) : Expr(EK_Not, R), Operand(std::move(Op)) {}
  ExprPtr Operand;
  static bool classof(const Expr *E) { return E->getKind() == EK_Not; }
};

/// `a and b and c` / `a or b`: two or more operands.
class LogicalExpr : public Expr {
public:
  LogicalExpr(bool IsAnd, std::vector<ExprPtr> Ops, llvm::SMRange R)
      : Expr(IsAnd ? EK_And : EK_Or, R), Operands(std::move(Ops)) {}
  std::vector<ExprPtr> Operands;
  bool isAnd() const { return getKind() == EK_And; }
  static bool classof(const Expr *E) { return E->getKind() == EK_And || E->getKind() == EK_Or; }
};

enum class CompareOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
llvm::StringRef compareOpSpelling(CompareOp Op);

class CompareExpr : public Expr {
public:
  CompareExpr(CompareOp Op, ExprPtr L, ExprPtr R, llvm::SMRange OpRange, llvm::SMRange Range)
      : Expr(EK_Compare, Range), Op(Op), OpRange(OpRange), LHS(std::move(L)), RHS(std::move(R)) {}
  CompareOp Op;
  llvm::SMRange OpRange;
  ExprPtr LHS, RHS;
  static bool classof(const Expr *E) { return E->getKind() == EK_Compare; }
};

/// `x in { a, b }` / `x not in { ... }`.
class InExpr : public Expr {
public:
  InExpr(ExprPtr L, bool Negated, std::vector<Value> Set, llvm::SMRange R)
      : Expr(EK_In, R), LHS(std::move(L)), Negated(Negated), Set(std::move(Set)) {}
  ExprPtr LHS;
  bool Negated;
  std::vector<Value> Set;
  static bool classof(const Expr *E) { return E->getKind() == EK_In; }
};

struct Condition {
  bool IsUnless = false;
  ExprPtr E;
  llvm::SMRange Range;
};

struct ObligationUse {
  QualName Name;
  std::optional<Value> Arg;
  llvm::SMRange Range;
};

//===- Declarations -----------------------------------------------------------------------===//

class Decl {
public:
  enum Kind : uint8_t {
    DK_Vocab,
    DK_Enum,
    DK_Attribute,
    DK_Combine,
    DK_Rule,
    DK_Require,
    DK_Within,
    DK_Test,
    DK_Controller,
  };
  Kind getKind() const { return K; }
  std::vector<Annotation> Annotations;
  llvm::SMRange Range; ///< Without the annotations.
  virtual ~Decl() = default;

protected:
  explicit Decl(Kind K) : K(K) {}

private:
  Kind K;
};
using DeclPtr = std::unique_ptr<Decl>;

class VocabDecl : public Decl {
public:
  VocabDecl() : Decl(DK_Vocab) {}
  VocabKind VK = VocabKind::Category;
  llvm::SMRange KeywordRange;
  VocabNode Root;
  static bool classof(const Decl *D) { return D->getKind() == DK_Vocab; }
};

class EnumDecl : public Decl {
public:
  EnumDecl() : Decl(DK_Enum) {}
  std::string Name;
  llvm::SMRange NameRange;
  std::string Title;
  std::vector<std::pair<std::string, llvm::SMRange>> Values;
  static bool classof(const Decl *D) { return D->getKind() == DK_Enum; }
};

class AttributeDecl : public Decl {
public:
  AttributeDecl() : Decl(DK_Attribute) {}
  std::string Name;
  llvm::SMRange NameRange;
  std::string Title;
  QualName Type;
  std::optional<Value> Default;
  static bool classof(const Decl *D) { return D->getKind() == DK_Attribute; }
};

class CombineDecl : public Decl {
public:
  CombineDecl() : Decl(DK_Combine) {}
  QualName First, Second, Result;
  bool TreatedAs = false; ///< `treated as C` rather than `as C`.
  static bool classof(const Decl *D) { return D->getKind() == DK_Combine; }
};

class RuleDecl : public Decl {
public:
  RuleDecl() : Decl(DK_Rule) {}
  std::string Label;
  llvm::SMRange LabelRange;
  bool IsAllow = true;
  llvm::SMRange EffectRange;
  Pattern Pat;
  std::vector<Condition> Conditions;
  std::vector<ObligationUse> Obligations;
  llvm::SMRange ObligationsRange;
  std::vector<std::unique_ptr<RuleDecl>> Exceptions;
  llvm::StringRef SourceText; ///< The rule as written, from its label to its `;` or `}`.
  static bool classof(const Decl *D) { return D->getKind() == DK_Rule; }
};

class RequireDecl : public Decl {
public:
  RequireDecl() : Decl(DK_Require) {}
  enum Quantifier : uint8_t { None, Never, Always };
  std::string Label;
  llvm::SMRange LabelRange;
  Quantifier Q = None;
  llvm::SMRange KeywordRange;
  Pattern Pat;
  std::vector<Condition> Conditions;
  std::vector<ObligationUse> Obligations;
  llvm::SMRange ObligationsRange;
  /// `within A`: what the pattern allows must be allowed with the actor replaced by A.
  std::optional<QualName> Within;
  llvm::SMRange WithinRange;
  llvm::StringRef SourceText;
  static bool classof(const Decl *D) { return D->getKind() == DK_Require; }
};

/// `within P when C { ... }`: a scope conjoined to every invariant inside it. Members are kept as
/// written (any declaration parses); sema accepts only invariants.
class WithinDecl : public Decl {
public:
  WithinDecl() : Decl(DK_Within) {}
  llvm::SMRange KeywordRange;
  Pattern Pat;
  std::vector<Condition> Conditions;
  llvm::SMRange HeaderRange; ///< From `within` to the end of its conditions.
  llvm::StringRef HeaderText;
  std::vector<std::unique_ptr<Decl>> Members;
  static bool classof(const Decl *D) { return D->getKind() == DK_Within; }
};

struct Assignment {
  QualName Attr;
  Value V;
  llvm::SMRange Range;
};

struct Expectation {
  enum Outcome : uint8_t { Allow, Deny, Error };
  std::vector<Annotation> Annotations;
  Outcome Expect = Deny;
  llvm::SMRange OutcomeRange;
  Pattern Pat;
  std::vector<Assignment> Given;
  std::vector<ObligationUse> Obligations;
  llvm::SMRange ObligationsRange;
  std::optional<QualName> By;
  llvm::StringRef SourceText;
  llvm::SMRange Range;
};

class TestDecl : public Decl {
public:
  TestDecl() : Decl(DK_Test) {}
  std::string Name;
  std::vector<Expectation> Expectations;
  static bool classof(const Decl *D) { return D->getKind() == DK_Test; }
};

/// A string written in the controller block, with where it was written.
struct Text {
  std::string Value;
  llvm::SMRange Range;
};

/// `controller "NAME" { contact "..."; representative "..." contact "..."; dpo "...";
/// processor for "CLIENT" contact "..." purpose p, q; }`: who owns the policy (GDPR Art.
/// 30(1)(a)) and for whom it acts as a processor (Art. 30(2)(a)).
class ControllerDecl : public Decl {
public:
  struct Party {
    enum Role : uint8_t { Representative, Dpo, Client };
    Role R = Representative;
    Text Name;
    std::vector<Text> Contacts;
    std::vector<QualName> Purposes; ///< Client only.
    llvm::SMRange KeywordRange;
    llvm::SMRange Range;
  };
  ControllerDecl() : Decl(DK_Controller) {}
  Text Name;
  llvm::SMRange KeywordRange;
  std::vector<Text> Contacts;
  std::vector<Party> Parties; ///< In source order.
  static bool classof(const Decl *D) { return D->getKind() == DK_Controller; }
};

struct Import {
  std::optional<QualName> Module; ///< `import gdpr;`
  std::string Path;               ///< `import "file.privet";`
  llvm::SMRange PathRange;
  std::string Alias; ///< `as x`
  llvm::SMRange AliasRange;
  llvm::SMRange Range;
};

struct Header {
  std::vector<Annotation> Annotations;
  bool IsPolicy = true;
  std::string Name;
  llvm::SMRange NameRange;
  std::string Title;
  std::string Version;
  std::string Effective;
  llvm::SMRange Range;
};

/// One parsed file.
struct File {
  unsigned BufferId = 0;
  std::optional<Header> Head; ///< Missing only in files with syntax errors.
  std::vector<Import> Imports;
  std::vector<DeclPtr> Decls;
  /// Set only when the parse recovered from syntax errors (syntax::ParseOptions::Recover):
  /// every word written in a dropped declaration. Sema does not report these names as unknown,
  /// since the declaration that would have declared them is the one that failed to parse.
  llvm::StringSet<> BrokenNames;
  bool HasSyntaxErrors = false;
};

/// A readable, indented dump of the tree, for tests and debugging.
void dump(const File &F, llvm::raw_ostream &OS);

} // namespace privet::ast

#endif // PRIVET_AST_AST_H
