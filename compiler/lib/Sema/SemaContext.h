//===- SemaContext.h - The state sema's phases share, private to compiler/lib/Sema --*- C++ -*-===//
//
// Sema runs in phases over all modules, so any declaration may refer to any other regardless of
// order: declare every name, resolve hierarchies and types, close the hierarchies, then check
// rules, combinations and invariants (which need closed hierarchies), then tests (which refer to
// rules). Each phase is a set of free functions in its own file taking the Context below, which
// holds the modules, their symbol tables and the Policy being built (as in Carbon's toolchain,
// where check/ is split by concern around one Context).
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LIB_SEMA_SEMACONTEXT_H
#define PRIVET_LIB_SEMA_SEMACONTEXT_H

#include "privet/Domain.h"
#include "privet/Sema/Sema.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace privet::sema {

using llvm::SMRange;
using llvm::StringMap;
using llvm::StringRef;

/// The obligation vocabulary's slot next to the nine request dimensions.
constexpr unsigned ObligationSlot = NumDimensions;

/// What a vocabulary's values are called in messages ("legal basis", "obligation").
inline std::string kindNoun(unsigned Slot) {
  return Slot == ObligationSlot ? "obligation" : std::string(domain::DimensionNouns[Slot]);
}

/// The noun with its indefinite article ("an action", "a legal basis").
inline std::string kindWithArticle(unsigned Slot) {
  std::string Noun = kindNoun(Slot);
  return (StringRef("aeiou").contains(Noun[0]) ? "an " : "a ") + Noun;
}

inline const char *const DimPlural[] = {"actions",  "data categories", "subjects",
                                        "purposes", "legal bases",     "recipients",
                                        "regions",  "contexts",        "actors"};

struct Symbol {
  enum Kind : uint8_t { Vocab, Enum, Attribute };
  Kind K = Vocab;
  unsigned Slot = 0; ///< Vocab: a Dimension, or ObligationSlot.
  uint32_t Index = 0;
  SMRange Range;
};

inline std::string describe(const Symbol &S) {
  switch (S.K) {
  case Symbol::Vocab:
    return kindWithArticle(S.Slot);
  case Symbol::Enum:
    return "an enum type";
  case Symbol::Attribute:
    return "an attribute";
  }
  return "a name";
}

/// Each kind of vocabulary, the enums and the attributes are separate namespaces: the position
/// of a name says which kind it must be, so a purpose and a data category may share a name.
inline unsigned namespaceOf(const Symbol &S) {
  return S.K == Symbol::Vocab  ? S.Slot
         : S.K == Symbol::Enum ? ObligationSlot + 1
                               : ObligationSlot + 2;
}

class SymbolTable {
public:
  /// The symbol called Name in W's namespace, else any symbol called Name, else null.
  const Symbol *find(StringRef Name, unsigned Namespace) const {
    auto It = Map.find(Name);
    if (It == Map.end() || It->second.empty())
      return nullptr;
    for (const Symbol &S : It->second)
      if (namespaceOf(S) == Namespace)
        return &S;
    return &It->second.front();
  }
  /// Adds S unless its namespace already has Name; returns the existing symbol then.
  const Symbol *insert(StringRef Name, const Symbol &S) {
    auto &List = Map[Name];
    for (const Symbol &Other : List)
      if (namespaceOf(Other) == namespaceOf(S))
        return &Other;
    List.push_back(S);
    return nullptr;
  }
  std::vector<std::string> names(unsigned Namespace) const {
    std::vector<std::string> Out;
    for (const auto &E : Map)
      for (const Symbol &S : E.second)
        if (namespaceOf(S) == Namespace)
          Out.push_back(E.first().str());
    return Out;
  }

private:
  StringMap<std::vector<Symbol>> Map;
};

struct LabelInfo {
  bool IsRule = true;
  uint32_t Index = 0;
  SMRange Range;
};

struct ModuleState {
  std::string Name;
  std::string Prefix; ///< "" for the root, "name." for imported modules.
  std::string Path;
  unsigned BufferId = 0;
  std::shared_ptr<const ast::File> AST;
  StringMap<uint32_t> Imports; ///< Qualifier -> module.
  std::vector<std::string> ImportOrder;
  SymbolTable Symbols;
  StringMap<LabelInfo> Labels;
};

/// What a name is expected to be.
struct Want {
  Symbol::Kind K;
  unsigned Slot = 0;
  std::string noun() const {
    if (K == Symbol::Vocab)
      return kindNoun(Slot);
    return K == Symbol::Enum ? "enum" : "attribute";
  }
  std::string withArticle() const {
    if (K == Symbol::Vocab)
      return kindWithArticle(Slot);
    return K == Symbol::Enum ? "an enum type" : "an attribute";
  }
  bool matches(const Symbol &S) const { return S.K == K && (K != Symbol::Vocab || S.Slot == Slot); }
  unsigned ns() const { return namespaceOf(Symbol{K, Slot, 0, {}}); }
};

struct PendingNode {
  uint32_t Module;
  unsigned Slot;
  NodeId Id;
  const ast::VocabNode *Node;
};

struct AnnotationInfo {
  std::vector<std::string> Sources;
  std::string Doc;
  std::vector<Suppression> Suppressions;
};

inline Dimension dimensionOf(ast::ScopeClause::Part Part) {
  static const Dimension Dims[] = {Dimension::Action,  Dimension::Data,    Dimension::Subject,
                                   Dimension::Purpose, Dimension::Basis,   Dimension::Recipient,
                                   Dimension::Region,  Dimension::Context, Dimension::Actor};
  return Dims[Part];
}

/// Everything the phases share.
struct Context {
  explicit Context(DiagnosticEngine &Diags) : Diags(Diags), SM(Diags.getSourceMgr()) {}

  DiagnosticEngine &Diags;
  llvm::SourceMgr &SM;
  std::vector<ModuleState> Mods;
  /// Vocabulary nodes declared, whose parents and properties are resolved after every name is.
  std::vector<PendingNode> Pending;
  std::vector<std::tuple<uint32_t, uint32_t, const ast::AttributeDecl *>> AttributeDecls;
  /// Attributes whose type was wrong (already reported): conditions on them say nothing more.
  std::set<uint32_t> UntypedAttributes;
  /// Unknown module qualifiers per (module, qualifier): the one diagnostic reported (its index
  /// in the engine) and how many uses it stands for, so a missing `import gdpr;` is one error.
  std::map<std::pair<uint32_t, std::string>, std::pair<size_t, unsigned>> UnknownModules;
  Policy P;
};

// Names.cpp
Loc locOf(Context &Ctx, uint32_t M, SMRange R);
Vocabulary &vocab(Context &Ctx, unsigned Slot);
/// Finds the symbol Q names from module M, reporting unknown names and modules (with
/// suggestions). Does not check the kind.
std::optional<Symbol> lookup(Context &Ctx, uint32_t M, const ast::QualName &Q, const Want &W);
/// Whether Q, written in module M, uses a word of a declaration dropped by syntax-error
/// recovery: such a name is not reported as unknown (its declaration is the error).
bool writtenInBrokenDecl(const Context &Ctx, uint32_t M, const ast::QualName &Q);
/// Reports that Q's qualifier names no module M imports: once per qualifier and module, with
/// the alias when the module is imported under another name, or the import to add.
void reportUnknownModule(Context &Ctx, uint32_t M, const ast::QualName &Q,
                         const std::string &Qualifier);
/// Adds to each unknown-module error how many uses it stands for.
void finishUnknownModules(Context &Ctx);
/// The name of a symbol as declared, for notes.
std::optional<Symbol> resolve(Context &Ctx, uint32_t M, const ast::QualName &Q, const Want &W);
std::optional<NodeId> resolveNode(Context &Ctx, uint32_t M, const ast::QualName &Q, unsigned Slot);
bool declare(Context &Ctx, uint32_t M, const std::string &Name, SMRange Range, Symbol S);
void declareLabel(Context &Ctx, uint32_t M, const std::string &Label, SMRange Range, bool IsRule,
                  uint32_t Index);

// Annotations.cpp
AnnotationInfo annotations(Context &Ctx, uint32_t M, const std::vector<ast::Annotation> &As,
                           bool AllowSuppress, StringRef Target);

// Declarations.cpp
void declareModule(Context &Ctx, uint32_t M);
void declareNode(Context &Ctx, uint32_t M, unsigned Slot, const ast::VocabNode &N,
                 const std::vector<ast::Annotation> &DeclAnnotations,
                 std::optional<NodeId> Enclosing);
void declareControllerActor(Context &Ctx);
void resolvePending(Context &Ctx);
void resolveAttributes(Context &Ctx, uint32_t M);
/// `limits A` on obligations: A must be a duration attribute and the obligation take a duration.
void resolveLimits(Context &Ctx);
/// Reports each cycle in each hierarchy once and removes the edge closing it, so the
/// hierarchies are DAGs afterwards.
void breakCycles(Context &Ctx);

// Types.cpp
std::optional<std::pair<AttrKind, uint32_t>> resolveType(Context &Ctx, uint32_t M,
                                                         const ast::QualName &Q);
std::string typeName(Context &Ctx, AttrKind K, uint32_t Enum);
std::string shortTypeName(Context &Ctx, AttrKind K, uint32_t Enum);
std::optional<int64_t> integer(Context &Ctx, const ast::Value &V);
std::optional<int64_t> duration(Context &Ctx, const ast::Value &V);
/// A constant of the given type (bool 0/1, enum index, duration in seconds).
std::optional<int64_t> constant(Context &Ctx, uint32_t M, const ast::Value &V, AttrKind K,
                                uint32_t Enum);

// Conditions.cpp
/// If E is a name of an attribute visible from M, its index (no diagnostics).
std::optional<uint32_t> attributeNamed(Context &Ctx, uint32_t M, const ast::Expr &E);
std::optional<Cond> cond(Context &Ctx, uint32_t M, const ast::Expr &E);
std::optional<Cond> conditions(Context &Ctx, uint32_t M, const std::vector<ast::Condition> &Cs,
                               bool &Ok);

// Patterns.cpp
/// Resolves one scope item, explaining the common slip of naming data first.
std::optional<NodeId> scopeNode(Context &Ctx, uint32_t M, const ast::ScopeClause &Clause,
                                const ast::ScopeItem &Item, bool HasDataClause);
bool scope(Context &Ctx, uint32_t M, const ast::Pattern &Pat, Scope &S);
/// A top-level allow or a `require always` that names no actor is about `us` (when there are
/// actors).
void defaultActor(Context &Ctx, Scope &S);
/// Reports an empty dimension of a checked scope; What names the rule or invariant.
bool checkNotEmpty(Context &Ctx, const Scope &S, const ast::Pattern &Pat, const std::string &What);
/// Obligations as attached (ArgRequired) or as required by an invariant or test.
std::optional<std::vector<ObligationRef>> obligations(Context &Ctx, uint32_t M,
                                                      const std::vector<ast::ObligationUse> &Uses,
                                                      bool ArgRequired);

// Rules.cpp
std::string derivedId(Context &Ctx, uint32_t M, SMRange R);
/// Checks rule R (an exception when Parent is set: the Position-th of its parent's, from 1).
uint32_t rule(Context &Ctx, uint32_t M, const ast::RuleDecl &R, uint32_t Parent,
              unsigned Position = 0);
void checkBodies(Context &Ctx, uint32_t M);
/// The resolved scope of a `within` block, conjoined to each invariant inside it.
struct WithinScope {
  Scope S;
  std::optional<Cond> Condition;
  const ast::WithinDecl *Decl = nullptr;
};
void within(Context &Ctx, uint32_t M, const ast::WithinDecl &W);
void invariant(Context &Ctx, uint32_t M, const ast::RequireDecl &Q,
               const WithinScope *Within = nullptr);

// Tests.cpp
void checkTests(Context &Ctx, uint32_t M);

// Controller.cpp
/// The root policy's `controller` block into Policy::Controller; after the rules are built.
void checkController(Context &Ctx);
Expectation expectation(Context &Ctx, uint32_t M, const ast::Expectation &X);
std::optional<uint32_t> ruleByLabel(Context &Ctx, uint32_t M, const ast::QualName &Q);

} // namespace privet::sema

#endif // PRIVET_LIB_SEMA_SEMACONTEXT_H
