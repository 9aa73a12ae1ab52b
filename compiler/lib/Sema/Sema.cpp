//===- Sema.cpp - Module loading, name resolution and type checking -------------------===//
//
// Turns the ASTs of the root file and everything it imports into one checked Policy. Loading
// follows imports depth-first (detecting cycles on the way); then sema runs in phases over all
// modules, so any declaration may refer to any other regardless of order: declare every name,
// resolve hierarchies and types, close the hierarchies, then check rules, combinations and
// invariants (which need closed hierarchies), then tests (which refer to rules).
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Sema/Sema.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <set>
#include <tuple>

using namespace llvm;

namespace privet {

namespace {

/// The obligation vocabulary's slot next to the eight request dimensions.
constexpr unsigned ObligationSlot = NumDimensions;

const char *const KindNoun[] = {"action",    "data category", "subject", "purpose",   "legal basis",
                                "recipient", "region",        "context", "obligation"};
const char *const KindWithArticle[] = {"an action", "a data category", "a subject",
                                       "a purpose", "a legal basis",   "a recipient",
                                       "a region",  "a context",       "an obligation"};
const char *const DimPlural[] = {"actions",     "data categories", "subjects", "purposes",
                                 "legal bases", "recipients",      "regions",  "contexts"};

struct Symbol {
  enum Kind : uint8_t { Vocab, Enum, Attribute };
  Kind K = Vocab;
  unsigned Slot = 0; ///< Vocab: a Dimension, or ObligationSlot.
  uint32_t Index = 0;
  SMRange Range;
};

std::string describe(const Symbol &S) {
  switch (S.K) {
  case Symbol::Vocab:
    return KindWithArticle[S.Slot];
  case Symbol::Enum:
    return "an enum type";
  case Symbol::Attribute:
    return "an attribute";
  }
  return "a name";
}

/// Each kind of vocabulary, the enums and the attributes are separate namespaces: the position
/// of a name says which kind it must be, so a purpose and a data category may share a name.
unsigned namespaceOf(const Symbol &S) {
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
  std::unique_ptr<ast::File> AST;
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
      return KindNoun[Slot];
    return K == Symbol::Enum ? "enum" : "attribute";
  }
  std::string withArticle() const {
    if (K == Symbol::Vocab)
      return KindWithArticle[Slot];
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

class Sema {
public:
  explicit Sema(DiagnosticEngine &Diags) : Diags(Diags), SM(Diags.getSourceMgr()) {}

  std::optional<Policy> run(std::vector<sema::ParsedModule> Modules) {
    unsigned ErrorsBefore = Diags.errorCount();
    for (uint32_t M = 0; M < Modules.size(); ++M) {
      sema::ParsedModule &PM = Modules[M];
      ModuleState &S = Mods.emplace_back();
      S.Name = PM.AST->Head->Name;
      S.Prefix = M == 0 ? "" : PM.AST->Head->Name + ".";
      S.Path = std::move(PM.Path);
      S.BufferId = PM.BufferId;
      S.AST = std::move(PM.AST);
      S.Imports = std::move(PM.Imports);
      S.ImportOrder = std::move(PM.ImportOrder);
    }
    if (Mods.empty())
      return std::nullopt;
    checkModuleNames();
    buildModules();
    for (uint32_t M = 0; M < Mods.size(); ++M)
      declareModule(M);
    resolvePending();
    for (uint32_t M = 0; M < Mods.size(); ++M)
      resolveAttributes(M);
    breakCycles();
    P.closeHierarchies();
    for (uint32_t M = 0; M < Mods.size(); ++M)
      checkBodies(M);
    for (uint32_t M = 0; M < Mods.size(); ++M)
      checkTests(M);
    if (Diags.errorCount() != ErrorsBefore)
      return std::nullopt;
    return std::move(P);
  }

private:
  //===- Modules --------------------------------------------------------------------------===//

  void checkModuleNames() {
    StringMap<uint32_t> Seen;
    for (uint32_t M = 1; M < Mods.size(); ++M) {
      if (!Mods[M].AST)
        continue;
      auto [It, Inserted] = Seen.try_emplace(Mods[M].Name, M);
      if (!Inserted)
        Diags.report(diag::duplicate_module, Mods[M].AST->Head->NameRange, Mods[M].Name)
            .note(Mods[It->second].AST->Head->NameRange, "also declared here");
    }
  }

  void buildModules() {
    std::string All;
    for (uint32_t M = 0; M < Mods.size(); ++M) {
      Module Mod;
      const ast::Header &H = *Mods[M].AST->Head;
      Mod.Name = H.Name;
      Mod.Title = H.Title;
      Mod.Version = H.Version;
      Mod.Effective = H.Effective;
      Mod.IsPolicy = H.IsPolicy;
      Mod.File = M;
      P.Modules.push_back(std::move(Mod));
      P.Files.push_back(Mods[M].Path);
      All += SM.getMemoryBuffer(Mods[M].BufferId)->getBuffer();
      annotations(M, H.Annotations, false, "a header");
    }
    P.SourceHash = xxHash64(All);
  }

  //===- Locations and names -------------------------------------------------------------===//

  Loc locOf(uint32_t M, SMRange R) {
    Loc L;
    L.File = M;
    L.Range = R;
    if (R.Start.isValid()) {
      auto LC = SM.getLineAndColumn(R.Start, Mods[M].BufferId);
      L.Line = LC.first;
      L.Col = LC.second;
    }
    return L;
  }

  Vocabulary &vocab(unsigned Slot) {
    return Slot == ObligationSlot ? P.Obligations : P.Vocab[Slot];
  }

  /// Finds the symbol Q names from module M, reporting unknown names and modules (with
  /// suggestions). Does not check the kind.
  std::optional<Symbol> lookup(uint32_t M, const ast::QualName &Q, const Want &W) {
    if (Q.Parts.empty())
      return std::nullopt;
    uint32_t Scope = M;
    if (Q.isQualified()) {
      std::string Qualifier = join(ArrayRef<std::string>(Q.Parts).drop_back(), ".");
      auto It = Mods[M].Imports.find(Qualifier);
      if (It == Mods[M].Imports.end()) {
        auto B = Diags.report(diag::unknown_module, Q.Range, Qualifier);
        SMRange QualRange(Q.Range.Start,
                          SMLoc::getFromPointer(Q.Range.Start.getPointer() + Qualifier.size()));
        if (auto Near = closestName(Qualifier, Mods[M].ImportOrder))
          B.didYouMean(QualRange, *Near);
        else
          B.help("import it first: `import " + Qualifier + ";`");
        return std::nullopt;
      }
      Scope = It->second;
    }
    const std::string &Name = Q.Parts.back();
    if (const Symbol *S = Mods[Scope].Symbols.find(Name, W.ns()))
      return *S;

    auto B = Diags.report(diag::unknown_name, Q.Range, W.noun(), Q.str());
    std::vector<std::string> Candidates = Mods[Scope].Symbols.names(W.ns());
    std::string Prefix =
        Scope == M ? "" : join(ArrayRef<std::string>(Q.Parts).drop_back(), ".") + ".";
    if (auto Near = closestName(Name, Candidates)) {
      B.didYouMean(Q.Range, Prefix + *Near);
      return std::nullopt;
    }
    if (!Q.isQualified()) {
      // The name may live in a module this file imports: suggest the qualified name.
      for (const auto &Qual : Mods[M].ImportOrder) {
        uint32_t Other = Mods[M].Imports.lookup(Qual);
        const Symbol *Found = Mods[Other].Symbols.find(Name, W.ns());
        if (Found && W.matches(*Found)) {
          B.didYouMean(Q.Range, Qual + "." + Name);
          break;
        }
      }
    }
    return std::nullopt;
  }

  /// The name of a symbol as declared, for notes.
  std::optional<Symbol> resolve(uint32_t M, const ast::QualName &Q, const Want &W) {
    auto S = lookup(M, Q, W);
    if (!S)
      return std::nullopt;
    if (W.matches(*S))
      return S;
    Diags.report(diag::wrong_kind, Q.Range, Q.str(), describe(*S), W.withArticle())
        .note(S->Range, "`" + Q.Parts.back() + "` is declared here");
    return std::nullopt;
  }

  std::optional<NodeId> resolveNode(uint32_t M, const ast::QualName &Q, unsigned Slot) {
    auto S = resolve(M, Q, {Symbol::Vocab, Slot});
    if (!S)
      return std::nullopt;
    return S->Index;
  }

  bool declare(uint32_t M, const std::string &Name, SMRange Range, Symbol S) {
    S.Range = Range;
    const Symbol *Existing = Mods[M].Symbols.insert(Name, S);
    if (!Existing)
      return true;
    Diags.report(diag::duplicate_declaration, Range, Name)
        .note(Existing->Range, "`" + Name + "` is first declared here as " + describe(*Existing));
    return false;
  }

  void declareLabel(uint32_t M, const std::string &Label, SMRange Range, bool IsRule,
                    uint32_t Index) {
    auto [It, Inserted] = Mods[M].Labels.try_emplace(Label, LabelInfo{IsRule, Index, Range});
    if (!Inserted)
      Diags.report(diag::duplicate_label, Range, Label)
          .note(It->second.Range,
                "`" + Label + "` first labels this " + (It->second.IsRule ? "rule" : "invariant"));
  }

  //===- Annotations -----------------------------------------------------------------------===//

  AnnotationInfo annotations(uint32_t M, const std::vector<ast::Annotation> &As, bool AllowSuppress,
                             StringRef Target) {
    AnnotationInfo Info;
    static const std::vector<std::string> Known{"source", "doc", "suppress"};
    for (const auto &A : As) {
      bool AllStrings = llvm::all_of(A.Args, [](const ast::Annotation::Arg &X) {
        return X.K == ast::Annotation::Arg::String;
      });
      if (A.Name == "source") {
        if (A.Args.empty() || !AllStrings) {
          Diags.report(diag::bad_annotation_arguments, A.Range, "source",
                       "one or more strings: `@source(\"§3 Log data\")`");
          continue;
        }
        for (const auto &X : A.Args)
          Info.Sources.push_back(X.Text);
      } else if (A.Name == "doc") {
        if (A.Args.size() != 1 || !AllStrings) {
          Diags.report(diag::bad_annotation_arguments, A.Range, "doc",
                       "one string: `@doc(\"...\")`");
          continue;
        }
        if (!Info.Doc.empty())
          Info.Doc += "\n";
        Info.Doc += A.Args[0].Text;
      } else if (A.Name == "suppress") {
        if (A.Args.size() != 2 || A.Args[0].K != ast::Annotation::Arg::Name ||
            A.Args[1].K != ast::Annotation::Arg::String ||
            StringRef(A.Args[1].Text).trim().empty()) {
          Diags.report(diag::suppress_needs_reason, A.Range);
          continue;
        }
        if (!AllowSuppress) {
          Diags.report(diag::annotation_misplaced, A.Range, "suppress", Target)
              .help("`@suppress` silences an analysis finding on a rule");
          continue;
        }
        Info.Suppressions.push_back({A.Args[0].Text, A.Args[1].Text, locOf(M, A.Range)});
      } else {
        auto B = Diags.report(diag::unknown_annotation, A.Range, A.Name);
        if (auto Near = closestName(A.Name, Known))
          B.help("did you mean `@" + *Near + "`?");
        else
          B.help("known annotations are `@source`, `@doc` and `@suppress`");
      }
    }
    return Info;
  }

  //===- Declarations ----------------------------------------------------------------------===//

  void declareModule(uint32_t M) {
    for (const auto &D : Mods[M].AST->Decls) {
      if (const auto *V = dyn_cast<ast::VocabDecl>(D.get())) {
        unsigned Slot = V->VK == ast::VocabKind::Obligation ? ObligationSlot : unsigned(V->VK);
        declareNode(M, Slot, V->Root, D->Annotations, std::nullopt);
      } else if (const auto *E = dyn_cast<ast::EnumDecl>(D.get())) {
        annotations(M, D->Annotations, false, "an enum");
        uint32_t Index = P.Enums.size();
        EnumType T;
        T.Name = Mods[M].Prefix + E->Name;
        T.Title = E->Title;
        T.Location = locOf(M, E->NameRange);
        T.Module = M;
        StringMap<SMRange> Seen;
        for (const auto &[Value, Range] : E->Values) {
          auto [It, Inserted] = Seen.try_emplace(Value, Range);
          if (!Inserted) {
            Diags.report(diag::duplicate_enum_value, Range, Value, E->Name)
                .note(It->second, "first listed here");
            continue;
          }
          T.Values.push_back(Value);
        }
        P.Enums.push_back(std::move(T));
        declare(M, E->Name, E->NameRange, {Symbol::Enum, 0, Index, {}});
      } else if (const auto *A = dyn_cast<ast::AttributeDecl>(D.get())) {
        annotations(M, D->Annotations, false, "an attribute");
        uint32_t Index = P.Attributes.size();
        Attribute Attr;
        Attr.Name = Mods[M].Prefix + A->Name;
        Attr.Title = A->Title;
        Attr.Location = locOf(M, A->NameRange);
        Attr.Module = M;
        P.Attributes.push_back(std::move(Attr));
        AttributeDecls.push_back({M, Index, A});
        declare(M, A->Name, A->NameRange, {Symbol::Attribute, 0, Index, {}});
      }
    }
  }

  void declareNode(uint32_t M, unsigned Slot, const ast::VocabNode &N,
                   const std::vector<ast::Annotation> &DeclAnnotations,
                   std::optional<NodeId> Enclosing) {
    Vocabulary &V = vocab(Slot);
    NodeId Id = V.Nodes.size();
    VocabNode Node;
    Node.Name = Mods[M].Prefix + N.Name;
    Node.Title = N.Title;
    Node.Location = locOf(M, N.NameRange);
    Node.Module = M;
    AnnotationInfo Info = annotations(M, DeclAnnotations, false, "a vocabulary node");
    AnnotationInfo Own = annotations(M, N.Annotations, false, "a vocabulary node");
    Node.Sources = std::move(Info.Sources);
    Node.Sources.insert(Node.Sources.end(), Own.Sources.begin(), Own.Sources.end());
    Node.Description = Info.Doc.empty() ? Own.Doc : Info.Doc;
    if (Enclosing)
      Node.Parents.push_back(*Enclosing);
    V.Nodes.push_back(std::move(Node));
    if (!declare(M, N.Name, N.NameRange, {Symbol::Vocab, Slot, Id, {}}))
      return;
    Pending.push_back({M, Slot, Id, &N});
    static const std::vector<ast::Annotation> None;
    for (const auto &C : N.Children)
      declareNode(M, Slot, C, None, Id);
  }

  std::optional<std::pair<AttrKind, uint32_t>> resolveType(uint32_t M, const ast::QualName &Q) {
    if (!Q.isQualified()) {
      StringRef Name = Q.Parts[0];
      if (Name == "bool")
        return std::make_pair(AttrKind::Bool, NoIndex);
      if (Name == "int")
        return std::make_pair(AttrKind::Int, NoIndex);
      if (Name == "duration")
        return std::make_pair(AttrKind::Duration, NoIndex);
    }
    // An enum, possibly from another module; anything else is not a type.
    uint32_t Scope = M;
    if (Q.isQualified()) {
      auto S = lookup(M, Q, {Symbol::Enum});
      if (!S)
        return std::nullopt;
      if (S->K == Symbol::Enum)
        return std::make_pair(AttrKind::Enum, S->Index);
      Diags.report(diag::not_a_type, Q.Range, Q.str())
          .note(S->Range, "`" + Q.Parts.back() + "` is " + describe(*S));
      return std::nullopt;
    }
    Want EnumWant{Symbol::Enum};
    const Symbol *Found = Mods[Scope].Symbols.find(Q.Parts[0], EnumWant.ns());
    if (Found && Found->K == Symbol::Enum)
      return std::make_pair(AttrKind::Enum, Found->Index);
    auto B = Diags.report(diag::not_a_type, Q.Range, Q.str());
    if (Found)
      B.note(Found->Range, "`" + Q.Parts[0] + "` is " + describe(*Found));
    std::vector<std::string> Candidates{"bool", "int", "duration"};
    for (auto &Name : Mods[Scope].Symbols.names(EnumWant.ns()))
      Candidates.push_back(Name);
    if (auto Near = closestName(Q.Parts[0], Candidates))
      B.didYouMean(Q.Range, *Near);
    else
      B.help("types are `bool`, `int`, `duration` and declared enums");
    return std::nullopt;
  }

  void resolvePending() {
    for (const PendingNode &PN : Pending) {
      const ast::VocabNode &N = *PN.Node;
      uint32_t M = PN.Module;
      for (const auto &Parent : N.Parents) {
        auto S = lookup(M, Parent, {Symbol::Vocab, PN.Slot});
        if (!S)
          continue;
        if (S->K != Symbol::Vocab || S->Slot != PN.Slot) {
          Diags
              .report(diag::parent_kind_mismatch, Parent.Range, Parent.str(), KindNoun[PN.Slot],
                      N.Name, describe(*S))
              .note(S->Range, "`" + Parent.Parts.back() + "` is declared here");
          continue;
        }
        vocab(PN.Slot).Nodes[PN.Id].Parents.push_back(S->Index);
      }
      if (N.Param) {
        if (PN.Slot != ObligationSlot) {
          Diags.report(diag::parameter_misplaced, N.Param->Range, N.Name, KindWithArticle[PN.Slot]);
        } else if (auto T = resolveType(M, *N.Param)) {
          P.Obligations.Nodes[PN.Id].ParamKind = T->first;
          P.Obligations.Nodes[PN.Id].ParamEnum = T->second;
        }
      }
      for (const auto &Prop : N.Props) {
        static const char *const Spelling[] = {"role", "located in", "under contract"};
        if (PN.Slot != unsigned(Dimension::Recipient)) {
          Diags.report(diag::recipient_property_misplaced, Prop.Range, Spelling[Prop.K])
              .help("`" + N.Name + "` is " + KindWithArticle[PN.Slot]);
          continue;
        }
        VocabNode &Node = P.vocab(Dimension::Recipient).Nodes[PN.Id];
        if (Prop.K == ast::RecipientProp::UnderContract) {
          Node.UnderContract = true;
        } else if (Prop.K == ast::RecipientProp::Role) {
          if (auto R = resolveNode(M, Prop.Target, unsigned(Dimension::Recipient))) {
            Node.Roles.push_back(*R);
            Node.Parents.push_back(*R);
          }
        } else if (auto R = resolveNode(M, Prop.Target, unsigned(Dimension::Region))) {
          P.vocab(Dimension::Recipient).Nodes[PN.Id].LocatedIn = *R;
        }
      }
    }
  }

  void resolveAttributes(uint32_t M) {
    for (const auto &[Mod, Index, A] : AttributeDecls) {
      if (Mod != M)
        continue;
      auto T = resolveType(M, A->Type);
      if (!T) {
        UntypedAttributes.insert(Index);
        continue;
      }
      P.Attributes[Index].Kind = T->first;
      P.Attributes[Index].Enum = T->second;
      if (A->Default)
        P.Attributes[Index].Default = constant(M, *A->Default, T->first, T->second);
    }
  }

  /// Reports each cycle in each hierarchy once and removes the edge closing it, so the
  /// hierarchies are DAGs afterwards.
  void breakCycles() {
    for (unsigned Slot = 0; Slot <= ObligationSlot; ++Slot) {
      Vocabulary &V = vocab(Slot);
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
            Diags.report(diag::hierarchy_cycle, V.Nodes[Node].Location, Cycle)
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

  //===- Values and conditions ----------------------------------------------------------===//

  std::string typeName(AttrKind K, uint32_t Enum) {
    switch (K) {
    case AttrKind::Bool:
      return "a `bool`";
    case AttrKind::Int:
      return "an `int`";
    case AttrKind::Duration:
      return "a `duration` such as `30 days`";
    case AttrKind::Enum:
      return "a value of enum `" + P.Enums[Enum].Name + "`";
    }
    return "a value";
  }

  std::string shortTypeName(AttrKind K, uint32_t Enum) {
    switch (K) {
    case AttrKind::Bool:
      return "bool";
    case AttrKind::Int:
      return "int";
    case AttrKind::Duration:
      return "duration";
    case AttrKind::Enum:
      return P.Enums[Enum].Name;
    }
    return "?";
  }

  static std::string valueDescription(const ast::Value &V) {
    switch (V.K) {
    case ast::Value::Bool:
      return V.BoolValue ? "`true`" : "`false`";
    case ast::Value::Int:
      return "the integer `" + V.Digits + "`";
    case ast::Value::Duration:
      return "the duration `" + V.Digits + " " + V.Unit + "`";
    case ast::Value::String:
      return "a string";
    case ast::Value::Name:
      return "`" + V.NameValue.str() + "`";
    }
    return "a value";
  }

  std::optional<int64_t> integer(const ast::Value &V) {
    uint64_t N = 0;
    if (StringRef(V.Digits).getAsInteger(10, N) || N > uint64_t(INT64_MAX)) {
      Diags.report(diag::integer_out_of_range, V.Range, V.Digits);
      return std::nullopt;
    }
    return int64_t(N);
  }

  std::optional<int64_t> duration(const ast::Value &V) {
    static const std::pair<const char *, int64_t> Units[] = {
        {"second", 1},         {"seconds", 1},        {"minute", 60},        {"minutes", 60},
        {"hour", 3600},        {"hours", 3600},       {"day", 86400},        {"days", 86400},
        {"week", 7 * 86400},   {"weeks", 7 * 86400},  {"month", 30 * 86400}, {"months", 30 * 86400},
        {"year", 365 * 86400}, {"years", 365 * 86400}};
    int64_t Scale = 0;
    for (const auto &[Name, Seconds] : Units)
      if (V.Unit == Name)
        Scale = Seconds;
    if (!Scale) {
      auto B = Diags.report(diag::bad_duration_unit, V.UnitRange, V.Unit);
      std::vector<std::string> Names;
      for (const auto &U : Units)
        Names.push_back(U.first);
      if (auto Near = closestName(V.Unit, Names))
        B.didYouMean(V.UnitRange, *Near);
      else
        B.help("units are seconds, minutes, hours, days, weeks, months and years");
      return std::nullopt;
    }
    auto N = integer(V);
    if (!N)
      return std::nullopt;
    if (*N > INT64_MAX / Scale) {
      Diags.report(diag::integer_out_of_range, V.Range, V.Digits + " " + V.Unit);
      return std::nullopt;
    }
    return *N * Scale;
  }

  /// A constant of the given type (bool 0/1, enum index, duration in seconds).
  std::optional<int64_t> constant(uint32_t M, const ast::Value &V, AttrKind K, uint32_t Enum) {
    switch (K) {
    case AttrKind::Bool:
      if (V.K == ast::Value::Bool)
        return V.BoolValue ? 1 : 0;
      break;
    case AttrKind::Int:
      if (V.K == ast::Value::Int)
        return integer(V);
      break;
    case AttrKind::Duration:
      if (V.K == ast::Value::Duration)
        return duration(V);
      if (V.K == ast::Value::Int) {
        Diags.report(diag::type_mismatch, V.Range, typeName(K, Enum), valueDescription(V))
            .help("add a unit: `" + V.Digits + " days`");
        return std::nullopt;
      }
      break;
    case AttrKind::Enum:
      if (V.K == ast::Value::Name) {
        const EnumType &T = P.Enums[Enum];
        const std::string &Name = V.NameValue.Parts.back();
        bool QualifierOk = !V.NameValue.isQualified();
        if (!QualifierOk) {
          // `consent_state.given` or `gdpr.consent_state.given`: the prefix must name the enum.
          ast::QualName Prefix = V.NameValue;
          Prefix.Parts.pop_back();
          auto S = lookup(M, Prefix, {Symbol::Enum});
          if (!S)
            return std::nullopt;
          QualifierOk = S->K == Symbol::Enum && S->Index == Enum;
        }
        auto It = llvm::find(T.Values, Name);
        if (QualifierOk && It != T.Values.end())
          return It - T.Values.begin();
        auto B = Diags.report(diag::unknown_enum_value, V.Range, V.NameValue.str(), T.Name);
        B.note(T.Location.Range, "enum `" + T.Name + "` is declared here");
        if (auto Near = closestName(Name, T.Values))
          B.didYouMean(V.Range, *Near);
        return std::nullopt;
      }
      break;
    }
    Diags.report(diag::type_mismatch, V.Range, typeName(K, Enum), valueDescription(V));
    return std::nullopt;
  }

  /// If E is a name of an attribute visible from M, its index (no diagnostics).
  std::optional<uint32_t> attributeNamed(uint32_t M, const ast::Expr &E) {
    const auto *VE = dyn_cast<ast::ValueExpr>(&E);
    if (!VE || VE->V.K != ast::Value::Name)
      return std::nullopt;
    const ast::QualName &Q = VE->V.NameValue;
    uint32_t Scope = M;
    if (Q.isQualified()) {
      auto It = Mods[M].Imports.find(join(ArrayRef<std::string>(Q.Parts).drop_back(), "."));
      if (It == Mods[M].Imports.end())
        return std::nullopt;
      Scope = It->second;
    }
    const Symbol *S = Mods[Scope].Symbols.find(Q.Parts.back(), Want{Symbol::Attribute}.ns());
    if (!S || S->K != Symbol::Attribute)
      return std::nullopt;
    return S->Index;
  }

  static CmpOp cmpOp(ast::CompareOp Op) { return CmpOp(unsigned(Op)); }

  static CmpOp flip(CmpOp Op) {
    switch (Op) {
    case CmpOp::Lt:
      return CmpOp::Gt;
    case CmpOp::Le:
      return CmpOp::Ge;
    case CmpOp::Gt:
      return CmpOp::Lt;
    case CmpOp::Ge:
      return CmpOp::Le;
    default:
      return Op;
    }
  }

  std::optional<Cond> cond(uint32_t M, const ast::Expr &E) {
    Cond C;
    C.Location = locOf(M, E.Range);
    if (const auto *V = dyn_cast<ast::ValueExpr>(&E)) {
      if (V->V.K == ast::Value::Bool) {
        C.K = V->V.BoolValue ? Cond::True : Cond::False;
        return C;
      }
      if (V->V.K != ast::Value::Name) {
        Diags.report(diag::condition_not_bool, E.Range,
                     V->V.K == ast::Value::String ? "\"" + V->V.Text + "\""
                     : V->V.K == ast::Value::Int  ? V->V.Digits
                                                  : V->V.Digits + " " + V->V.Unit,
                     V->V.K == ast::Value::String ? "string"
                     : V->V.K == ast::Value::Int  ? "int"
                                                  : "duration");
        return std::nullopt;
      }
      auto S = resolve(M, V->V.NameValue, {Symbol::Attribute});
      if (!S)
        return std::nullopt;
      const Attribute &A = P.Attributes[S->Index];
      if (UntypedAttributes.count(S->Index))
        return std::nullopt;
      if (A.Kind != AttrKind::Bool) {
        auto B = Diags.report(diag::condition_not_bool, E.Range, V->V.NameValue.str(),
                              shortTypeName(A.Kind, A.Enum));
        B.note(A.Location.Range, "`" + A.Name + "` is declared here");
        if (A.Kind == AttrKind::Enum && !P.Enums[A.Enum].Values.empty())
          B.help("compare it with a value: `" + V->V.NameValue.str() +
                 " == " + P.Enums[A.Enum].Values[0] + "`");
        return std::nullopt;
      }
      C.K = Cond::BoolAttr;
      C.Attr = S->Index;
      return C;
    }
    if (const auto *N = dyn_cast<ast::NotExpr>(&E)) {
      auto Op = cond(M, *N->Operand);
      if (!Op)
        return std::nullopt;
      C.K = Cond::Not;
      C.Ops.push_back(std::move(*Op));
      return C;
    }
    if (const auto *L = dyn_cast<ast::LogicalExpr>(&E)) {
      C.K = L->isAnd() ? Cond::And : Cond::Or;
      bool Ok = true;
      for (const auto &Op : L->Operands) {
        auto X = cond(M, *Op);
        if (!X)
          Ok = false;
        else
          C.Ops.push_back(std::move(*X));
      }
      if (!Ok)
        return std::nullopt;
      return C;
    }
    if (const auto *In = dyn_cast<ast::InExpr>(&E)) {
      auto Attr = attributeNamed(M, *In->LHS);
      if (!Attr) {
        if (const auto *VE = dyn_cast<ast::ValueExpr>(In->LHS.get());
            VE && VE->V.K == ast::Value::Name) {
          resolve(M, VE->V.NameValue, {Symbol::Attribute});
        } else {
          Diags.report(diag::bad_comparison, In->LHS->Range,
                       "the left side of `in` must be an attribute");
        }
        return std::nullopt;
      }
      if (UntypedAttributes.count(*Attr))
        return std::nullopt;
      const Attribute &A = P.Attributes[*Attr];
      C.K = Cond::InSet;
      C.Attr = *Attr;
      bool Ok = true;
      for (const auto &V : In->Set) {
        auto X = constant(M, V, A.Kind, A.Enum);
        if (!X)
          Ok = false;
        else
          C.Set.push_back(*X);
      }
      if (!Ok)
        return std::nullopt;
      llvm::sort(C.Set);
      C.Set.erase(std::unique(C.Set.begin(), C.Set.end()), C.Set.end());
      if (!In->Negated)
        return C;
      Cond Not;
      Not.K = Cond::Not;
      Not.Location = C.Location;
      Not.Ops.push_back(std::move(C));
      return Not;
    }
    const auto &Cmp = cast<ast::CompareExpr>(E);
    auto LA = attributeNamed(M, *Cmp.LHS);
    auto RA = attributeNamed(M, *Cmp.RHS);
    if (LA && RA) {
      Diags.report(diag::bad_comparison, E.Range,
                   "cannot compare two attributes; compare an attribute with a constant");
      return std::nullopt;
    }
    if (!LA && !RA) {
      for (const ast::Expr *Side : {Cmp.LHS.get(), Cmp.RHS.get()}) {
        const auto *VE = dyn_cast<ast::ValueExpr>(Side);
        if (VE && VE->V.K == ast::Value::Name) {
          resolve(M, VE->V.NameValue, {Symbol::Attribute});
          return std::nullopt;
        }
      }
      Diags.report(diag::bad_comparison, E.Range,
                   "a comparison needs an attribute on one side and a constant on the other");
      return std::nullopt;
    }
    uint32_t Attr = LA ? *LA : *RA;
    if (UntypedAttributes.count(Attr))
      return std::nullopt;
    const ast::Expr &Other = LA ? *Cmp.RHS : *Cmp.LHS;
    const auto *OV = dyn_cast<ast::ValueExpr>(&Other);
    if (!OV) {
      Diags.report(diag::bad_comparison, Other.Range,
                   "expected a constant to compare `" + P.Attributes[Attr].Name + "` with");
      return std::nullopt;
    }
    const Attribute &A = P.Attributes[Attr];
    CmpOp Op = cmpOp(Cmp.Op);
    if ((A.Kind == AttrKind::Bool || A.Kind == AttrKind::Enum) && Op != CmpOp::Eq &&
        Op != CmpOp::Ne) {
      Diags
          .report(diag::unordered_comparison, Cmp.OpRange, ast::compareOpSpelling(Cmp.Op),
                  shortTypeName(A.Kind, A.Enum))
          .help("only `==` and `!=` (and `in`) apply to this type");
      return std::nullopt;
    }
    auto Value = constant(M, OV->V, A.Kind, A.Enum);
    if (!Value)
      return std::nullopt;
    C.K = Cond::Compare;
    C.Attr = Attr;
    C.Op = LA ? Op : flip(Op);
    C.Value = *Value;
    return C;
  }

  std::optional<Cond> conditions(uint32_t M, const std::vector<ast::Condition> &Cs, bool &Ok) {
    std::vector<Cond> Parts;
    for (const auto &C : Cs) {
      auto X = cond(M, *C.E);
      if (!X) {
        Ok = false;
        continue;
      }
      if (C.IsUnless) {
        Cond Not;
        Not.K = Cond::Not;
        Not.Location = locOf(M, C.Range);
        Not.Ops.push_back(std::move(*X));
        X = std::move(Not);
      }
      Parts.push_back(std::move(*X));
    }
    if (Parts.empty())
      return std::nullopt;
    if (Parts.size() == 1)
      return std::move(Parts[0]);
    Cond And;
    And.K = Cond::And;
    And.Location = Parts[0].Location;
    And.Ops = std::move(Parts);
    return And;
  }

  //===- Patterns, obligations ------------------------------------------------------------===//

  static Dimension dimensionOf(ast::ScopeClause::Part Part) {
    static const Dimension Dims[] = {Dimension::Action,  Dimension::Data,   Dimension::Subject,
                                     Dimension::Purpose, Dimension::Basis,  Dimension::Recipient,
                                     Dimension::Region,  Dimension::Context};
    return Dims[Part];
  }

  /// Resolves one scope item, explaining the common slip of naming data first.
  std::optional<NodeId> scopeNode(uint32_t M, const ast::ScopeClause &Clause,
                                  const ast::ScopeItem &Item, bool HasDataClause) {
    unsigned Slot = unsigned(dimensionOf(Clause.P));
    auto S = lookup(M, Item.Name, {Symbol::Vocab, Slot});
    if (!S)
      return std::nullopt;
    if (S->K == Symbol::Vocab && S->Slot == Slot)
      return S->Index;
    auto B = Diags.report(diag::wrong_kind, Item.Name.Range, Item.Name.str(), describe(*S),
                          KindWithArticle[Slot]);
    B.note(S->Range, "`" + Item.Name.Parts.back() + "` is declared here");
    if (Clause.P == ast::ScopeClause::Actions && S->K == Symbol::Vocab &&
        S->Slot == unsigned(Dimension::Data) && !HasDataClause)
      B.help("the first list names actions; write `any " + Item.Name.str() +
             "` for data under any action");
    else if (S->K == Symbol::Vocab && S->Slot < NumDimensions && S->Slot >= 2)
      B.help("introduce " + std::string(DimPlural[S->Slot]) + " with `" +
             dimensionPreposition(Dimension(S->Slot)).str() + "`");
    return std::nullopt;
  }

  bool scope(uint32_t M, const ast::Pattern &Pat, Scope &S) {
    bool Ok = true;
    std::array<const ast::ScopeClause *, NumDimensions> Seen{};
    bool HasData = llvm::any_of(
        Pat.Clauses, [](const ast::ScopeClause &C) { return C.P == ast::ScopeClause::Data; });
    for (const auto &Clause : Pat.Clauses) {
      Dimension D = dimensionOf(Clause.P);
      if (Seen[unsigned(D)]) {
        Diags.report(diag::duplicate_clause, Clause.Range, DimPlural[unsigned(D)])
            .note(Seen[unsigned(D)]->Range, "first named here")
            .help("list several values with commas: `" + dimensionPreposition(D).str() +
                  (dimensionPreposition(D).empty() ? "" : " ") + "a, b`");
        Ok = false;
        continue;
      }
      Seen[unsigned(D)] = &Clause;
      const Vocabulary &V = P.vocab(D);
      BitVector Bits(V.numLeaves());
      for (const auto &Item : Clause.Items) {
        auto N = scopeNode(M, Clause, Item, HasData);
        if (!N) {
          Ok = false;
          continue;
        }
        S.Written[unsigned(D)].push_back({*N, Item.Negated});
        BitVector Covered = V.Covers[*N];
        if (Item.Negated)
          Covered.flip();
        Bits |= Covered;
      }
      S.Dims[unsigned(D)] = std::move(Bits);
    }
    return Ok;
  }

  /// Reports an empty dimension of a checked scope; What names the rule or invariant.
  bool checkNotEmpty(const Scope &S, const ast::Pattern &Pat, const std::string &What) {
    for (unsigned D = 0; D < NumDimensions; ++D) {
      if (!S.Dims[D] || S.Dims[D]->any())
        continue;
      SMRange Where = Pat.Range;
      for (const auto &C : Pat.Clauses)
        if (unsigned(dimensionOf(C.P)) == D)
          Where = C.Range;
      Diags.report(diag::empty_scope, Where, What, dimensionName(Dimension(D)))
          .help("a `not x` item covers everything except what is under `x`; here that is nothing");
      return false;
    }
    return true;
  }

  /// Obligations as attached (ArgRequired) or as required by an invariant or test.
  std::optional<std::vector<ObligationRef>>
  obligations(uint32_t M, const std::vector<ast::ObligationUse> &Uses, bool ArgRequired) {
    std::vector<ObligationRef> Out;
    bool Ok = true;
    for (const auto &U : Uses) {
      auto N = resolveNode(M, U.Name, ObligationSlot);
      if (!N) {
        Ok = false;
        continue;
      }
      const VocabNode &Node = P.Obligations.Nodes[*N];
      ObligationRef Ref;
      Ref.Obligation = *N;
      Ref.Location = locOf(M, U.Range);
      if (U.Arg) {
        if (!Node.ParamKind) {
          Diags.report(diag::unexpected_obligation_argument, U.Arg->Range, U.Name.str())
              .note(Node.Location.Range, "`" + Node.Name + "` is declared here");
          Ok = false;
          continue;
        }
        auto V = constant(M, *U.Arg, *Node.ParamKind, Node.ParamEnum);
        if (!V) {
          Ok = false;
          continue;
        }
        Ref.Arg = *V;
      } else if (Node.ParamKind && ArgRequired) {
        Diags
            .report(diag::missing_obligation_argument, U.Range, U.Name.str(),
                    shortTypeName(*Node.ParamKind, Node.ParamEnum))
            .note(Node.Location.Range, "`" + Node.Name + "` is declared here");
        Ok = false;
        continue;
      }
      Out.push_back(Ref);
    }
    if (!Ok)
      return std::nullopt;
    llvm::sort(Out);
    Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
    return Out;
  }

  //===- Rules, combinations, invariants -----------------------------------------------------===//

  std::string derivedId(uint32_t M, SMRange R) {
    Loc L = locOf(M, R);
    return Mods[M].Name + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
  }

  uint32_t rule(uint32_t M, const ast::RuleDecl &R, uint32_t Parent) {
    uint32_t Index = P.Rules.size();
    P.Rules.emplace_back();
    {
      Rule &X = P.Rules[Index];
      X.IsAllow = R.IsAllow;
      X.Parent = Parent;
      X.Module = M;
      X.Location = locOf(M, R.Range);
      X.SourceText = R.SourceText.str();
      X.Named = !R.Label.empty();
      X.Id = X.Named ? Mods[M].Prefix + R.Label : derivedId(M, R.Range);
    }
    if (!R.Label.empty())
      declareLabel(M, R.Label, R.LabelRange, true, Index);
    AnnotationInfo Info = annotations(M, R.Annotations, true, "a rule");
    P.Rules[Index].Sources = std::move(Info.Sources);
    P.Rules[Index].Suppressions = std::move(Info.Suppressions);

    Scope S;
    std::string What = R.Label.empty() ? (Parent == NoIndex ? "this rule" : "this exception")
                                       : "rule `" + R.Label + "`";
    if (scope(M, R.Pat, S))
      checkNotEmpty(S, R.Pat, What);
    P.Rules[Index].S = std::move(S);
    bool Ok = true;
    auto C = conditions(M, R.Conditions, Ok);
    P.Rules[Index].Condition = std::move(C);
    if (!R.Obligations.empty()) {
      if (!R.IsAllow)
        Diags.report(diag::obligations_on_deny, R.ObligationsRange)
            .note(R.EffectRange, "this rule denies");
      else if (auto Os = obligations(M, R.Obligations, true))
        P.Rules[Index].Obligations = std::move(*Os);
    }
    for (const auto &E : R.Exceptions) {
      if (E->IsAllow == R.IsAllow)
        Diags.report(diag::except_same_effect, E->EffectRange, R.IsAllow ? "allow" : "deny")
            .note(R.EffectRange, "the enclosing rule is here")
            .help(std::string("an exception to an `") + (R.IsAllow ? "allow" : "deny") +
                  "` must be a `" + (R.IsAllow ? "deny" : "allow") + "`");
      uint32_t Child = rule(M, *E, Index);
      P.Rules[Index].Exceptions.push_back(Child);
    }
    return Index;
  }

  void checkBodies(uint32_t M) {
    for (const auto &D : Mods[M].AST->Decls) {
      if (const auto *R = dyn_cast<ast::RuleDecl>(D.get())) {
        rule(M, *R, NoIndex);
      } else if (const auto *C = dyn_cast<ast::CombineDecl>(D.get())) {
        annotations(M, D->Annotations, false, "a combination");
        unsigned Data = unsigned(Dimension::Data);
        auto A = resolveNode(M, C->First, Data);
        auto B = resolveNode(M, C->Second, Data);
        auto R = resolveNode(M, C->Result, Data);
        if (A && B && R)
          P.Combinations.push_back({*A, *B, *R, locOf(M, D->Range), M});
      } else if (const auto *Q = dyn_cast<ast::RequireDecl>(D.get())) {
        invariant(M, *Q);
      }
    }
  }

  void invariant(uint32_t M, const ast::RequireDecl &Q) {
    Invariant Inv;
    Inv.Module = M;
    Inv.Location = locOf(M, Q.Range);
    Inv.SourceText = Q.SourceText.str();
    Inv.Id = Q.Label.empty() ? derivedId(M, Q.Range) : Mods[M].Prefix + Q.Label;
    if (!Q.Label.empty())
      declareLabel(M, Q.Label, Q.LabelRange, false, P.Invariants.size());
    AnnotationInfo Info = annotations(M, Q.Annotations, false, "an invariant");
    Inv.Sources = std::move(Info.Sources);
    if (Q.Q == ast::RequireDecl::None) {
      Inv.K = Invariant::Obliged;
      if (Q.Obligations.empty())
        Diags.report(diag::invariant_without_kind, Q.KeywordRange)
            .help("write `require never ...`, `require always ...` or `require ... with o`");
    } else {
      Inv.K = Q.Q == ast::RequireDecl::Never ? Invariant::Never : Invariant::Always;
      if (!Q.Obligations.empty())
        Diags.report(diag::invariant_kind_with_obligations, Q.ObligationsRange,
                     Q.Q == ast::RequireDecl::Never ? "never" : "always");
    }
    if (scope(M, Q.Pat, Inv.S))
      checkNotEmpty(Inv.S, Q.Pat,
                    Q.Label.empty() ? "this invariant" : "invariant `" + Q.Label + "`");
    bool Ok = true;
    Inv.Condition = conditions(M, Q.Conditions, Ok);
    if (auto Os = obligations(M, Q.Obligations, false))
      Inv.Required = std::move(*Os);
    P.Invariants.push_back(std::move(Inv));
  }

  //===- Tests -----------------------------------------------------------------------------===//

  void checkTests(uint32_t M) {
    for (const auto &D : Mods[M].AST->Decls) {
      const auto *T = dyn_cast<ast::TestDecl>(D.get());
      if (!T)
        continue;
      annotations(M, D->Annotations, false, "a test");
      TestCase TC;
      TC.Name = T->Name;
      TC.Location = locOf(M, D->Range);
      TC.Module = M;
      for (const auto &X : T->Expectations)
        TC.Expectations.push_back(expectation(M, X));
      P.Tests.push_back(std::move(TC));
    }
  }

  Expectation expectation(uint32_t M, const ast::Expectation &X) {
    Expectation E;
    E.Expect = X.Expect == ast::Expectation::Allow  ? Expectation::Allow
               : X.Expect == ast::Expectation::Deny ? Expectation::Deny
                                                    : Expectation::Error;
    E.Location = locOf(M, X.Range);
    E.SourceText = X.SourceText.str();
    E.Sources = annotations(M, X.Annotations, false, "an expectation").Sources;
    std::array<const ast::ScopeClause *, NumDimensions> Seen{};
    bool HasData = llvm::any_of(
        X.Pat.Clauses, [](const ast::ScopeClause &C) { return C.P == ast::ScopeClause::Data; });
    for (const auto &Clause : X.Pat.Clauses) {
      Dimension D = dimensionOf(Clause.P);
      if (Seen[unsigned(D)]) {
        Diags.report(diag::duplicate_clause, Clause.Range, DimPlural[unsigned(D)])
            .note(Seen[unsigned(D)]->Range, "first named here");
        continue;
      }
      Seen[unsigned(D)] = &Clause;
      if (D != Dimension::Data && Clause.Items.size() > 1)
        Diags.report(diag::request_several_values, Clause.Range, KindNoun[unsigned(D)],
                     Clause.Items.size());
      for (const auto &Item : Clause.Items) {
        if (Item.Negated) {
          Diags.report(diag::negation_in_request, Item.Range)
              .help("name the value the request carries");
          continue;
        }
        if (auto N = scopeNode(M, Clause, Item, HasData))
          E.Req.dim(D).push_back(*N);
      }
    }
    StringMap<SMRange> Given;
    for (const auto &A : X.Given) {
      auto S = resolve(M, A.Attr, {Symbol::Attribute});
      if (!S)
        continue;
      auto [It, Inserted] = Given.try_emplace(P.Attributes[S->Index].Name, A.Range);
      if (!Inserted) {
        Diags.report(diag::duplicate_assignment, A.Range, A.Attr.str())
            .note(It->second, "first given here");
        continue;
      }
      const Attribute &Attr = P.Attributes[S->Index];
      if (UntypedAttributes.count(S->Index))
        continue;
      if (auto V = constant(M, A.V, Attr.Kind, Attr.Enum))
        E.Req.Attrs.push_back({S->Index, *V});
    }
    if (!X.Obligations.empty() && X.Expect != ast::Expectation::Allow)
      Diags
          .report(diag::expectation_obligations_on_deny, X.ObligationsRange,
                  X.Expect == ast::Expectation::Deny ? "deny" : "error")
          .note(X.OutcomeRange, "only an allowed request carries obligations");
    else if (auto Os = obligations(M, X.Obligations, false))
      E.Obligations = std::move(*Os);
    if (X.By)
      E.ByRule = ruleByLabel(M, *X.By);
    return E;
  }

  std::optional<uint32_t> ruleByLabel(uint32_t M, const ast::QualName &Q) {
    uint32_t Scope = M;
    if (Q.isQualified()) {
      std::string Qualifier = join(ArrayRef<std::string>(Q.Parts).drop_back(), ".");
      auto It = Mods[M].Imports.find(Qualifier);
      if (It == Mods[M].Imports.end()) {
        Diags.report(diag::unknown_module, Q.Range, Qualifier);
        return std::nullopt;
      }
      Scope = It->second;
    }
    auto It = Mods[Scope].Labels.find(Q.Parts.back());
    if (It != Mods[Scope].Labels.end() && It->second.IsRule)
      return It->second.Index;
    auto B = Diags.report(diag::unknown_name, Q.Range, "rule", Q.str());
    if (It != Mods[Scope].Labels.end()) {
      B.note(It->second.Range, "`" + Q.Parts.back() + "` labels an invariant, not a rule");
      return std::nullopt;
    }
    std::vector<std::string> Labels;
    for (const auto &L : Mods[Scope].Labels)
      if (L.second.IsRule)
        Labels.push_back(L.first().str());
    if (auto Near = closestName(Q.Parts.back(), Labels))
      B.didYouMean(Q.Range, *Near);
    return std::nullopt;
  }

  DiagnosticEngine &Diags;
  SourceMgr &SM;
  std::vector<ModuleState> Mods;
  std::vector<PendingNode> Pending;
  std::vector<std::tuple<uint32_t, uint32_t, const ast::AttributeDecl *>> AttributeDecls;
  /// Attributes whose type was wrong (already reported): conditions on them say nothing more.
  std::set<uint32_t> UntypedAttributes;
  Policy P;
};

} // namespace

std::optional<Policy> sema::checkModules(std::vector<sema::ParsedModule> Modules,
                                         DiagnosticEngine &Diags) {
  return Sema(Diags).run(std::move(Modules));
}

} // namespace privet
