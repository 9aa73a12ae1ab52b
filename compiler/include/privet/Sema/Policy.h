//===- Policy.h - The checked policy: what sema produces and every later stage reads -*- C++
//-*-===//
//
// A Policy is the whole program after name resolution and type checking: the root file and every
// module it imports, merged. Names are resolved to dense ids, hierarchies are closed (each node
// knows the leaves it covers), conditions are typed, rules carry their provenance. Lowering, the
// reference evaluator, the analyses, the test runner and diff all consume this and nothing else,
// so the generators in tests/ and bench/ build Policies directly without going through text.
//
// The semantics every consumer implements are written down in docs/language.md.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SEMA_POLICY_H
#define PRIVET_SEMA_POLICY_H

#include "privet/Sema/LeafSet.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace privet {

/// The request dimensions, in declaration order. A request names (at most) one value per
/// dimension, except Data, which may name several categories.
enum class Dimension : uint8_t {
  Action,
  Data,
  Subject,
  Purpose,
  Basis,
  Recipient,
  Region,
  Context,
  Actor,
};
constexpr unsigned NumDimensions = 9;

/// "action", "data", "subject", "purpose", "basis", "recipient", "region", "context", "actor".
llvm::StringRef dimensionName(Dimension D);
/// The declaration keyword: "action", "category", "subject", ... .
llvm::StringRef dimensionKeyword(Dimension D);
/// The preposition introducing the dimension in a pattern ("" for action and data).
llvm::StringRef dimensionPreposition(Dimension D);

/// Where something came from. File indexes Policy::Files; Line and Col are 1-based (0: none,
/// e.g. for generated policies). Range is valid only while the SourceMgr that sema used lives.
struct Loc {
  uint32_t File = 0;
  uint32_t Line = 0;
  uint32_t Col = 0;
  llvm::SMRange Range;
};

using NodeId = uint32_t;
using LeafIndex = uint32_t;
constexpr uint32_t NoIndex = ~0u;

/// Attribute types. Values of every type are carried as int64_t: bool is 0/1, an enum value is
/// its index in EnumType::Values, a duration is a number of seconds.
enum class AttrKind : uint8_t { Bool, Int, Duration, Enum };

/// One node of a vocabulary hierarchy (a DAG: a node may have several parents).
struct VocabNode {
  std::string Name;        ///< Qualified for imported modules ("gdpr.consent"), plain for the root.
  std::string Title;       ///< Human title, may be empty.
  std::string Description; ///< From @doc("..."), may be empty.
  std::vector<std::string> Sources; ///< From @source("..."): where in the notice it comes from.
  std::vector<NodeId> Parents;
  std::vector<NodeId> Children;
  Loc Location;
  uint32_t Module = 0; ///< Index into Policy::Modules.

  // Recipients and actors (`role`, `under contract`); recipients only (`located in`).
  std::vector<NodeId> Roles;       ///< `role X`: also added to Parents.
  std::optional<NodeId> LocatedIn; ///< `located in R`: a node of the Region vocabulary.
  bool UnderContract = false;      ///< `under contract`.

  // Obligations only: the type of the argument, if the obligation takes one
  // (`retain_for(duration)`).
  std::optional<AttrKind> ParamKind;
  uint32_t ParamEnum = NoIndex; ///< With ParamKind == Enum: index into Policy::Enums.
  /// `retain_for(duration) limits data_age`: a duration attribute (index into
  /// Policy::Attributes) that an allow carrying this obligation with argument D bounds: where
  /// the attribute exceeds D, the allow's implicit retention exception denies.
  uint32_t LimitsAttr = NoIndex;
};

/// The closed hierarchy of one kind of vocabulary. Leaves are the nodes without children, numbered
/// densely; every node knows the set of leaves it covers (itself, for a leaf).
struct Vocabulary {
  std::vector<VocabNode> Nodes;
  std::vector<NodeId> Leaves;    ///< LeafIndex -> NodeId.
  std::vector<LeafIndex> LeafOf; ///< NodeId -> LeafIndex, NoIndex for internal nodes.
  std::vector<LeafSet> Covers;   ///< NodeId -> set of LeafIndex it covers (sparse when small).

  bool empty() const { return Nodes.empty(); }
  unsigned numLeaves() const { return Leaves.size(); }
  std::optional<NodeId> lookup(llvm::StringRef Name) const;
  /// Whether N is Ancestor or reaches it through parents.
  bool isAtOrUnder(NodeId N, NodeId Ancestor) const;
};

struct EnumType {
  std::string Name;
  std::string Title;
  std::vector<std::string> Values;
  Loc Location;
  uint32_t Module = 0;
};

struct Attribute {
  std::string Name;
  std::string Title;
  AttrKind Kind = AttrKind::Bool;
  uint32_t Enum = NoIndex;        ///< With Kind == Enum: index into Policy::Enums.
  std::optional<int64_t> Default; ///< Used when a request does not supply the attribute.
  Loc Location;
  uint32_t Module = 0;
};

enum class CmpOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

/// A typed condition over attributes. Comparisons are normalised to `attribute OP constant`.
struct Cond {
  enum Kind : uint8_t {
    True,
    False,
    Not,      ///< Ops[0]
    And,      ///< Ops (two or more)
    Or,       ///< Ops (two or more)
    BoolAttr, ///< Attr is true
    Compare,  ///< Attr Op Value
    InSet,    ///< Attr is one of Set
  };
  Kind K = True;
  std::vector<Cond> Ops;
  uint32_t Attr = NoIndex;
  CmpOp Op = CmpOp::Eq;
  int64_t Value = 0;
  std::vector<int64_t> Set;
  Loc Location;
};

/// An obligation as attached to a permission: a node of the Obligation vocabulary, with its
/// argument when the obligation takes one.
struct ObligationRef {
  NodeId Obligation = 0;
  std::optional<int64_t> Arg;
  Loc Location;

  friend bool operator==(const ObligationRef &A, const ObligationRef &B) {
    return A.Obligation == B.Obligation && A.Arg == B.Arg;
  }
  friend bool operator<(const ObligationRef &A, const ObligationRef &B) {
    return A.Obligation != B.Obligation ? A.Obligation < B.Obligation : A.Arg < B.Arg;
  }
};

/// A condition on a recipient's declared facts (`recipients where ...`), resolved.
struct RecipientFacts {
  enum Kind : uint8_t {
    Role,     ///< Node (a recipient node) is the recipient or one of its ancestors
    Located,  ///< the recipient's location is known and lies within Node (a region node)
    Contract, ///< the recipient or one of its ancestors is declared `under contract`
    Not,      ///< Ops[0]
    And,      ///< Ops (two or more)
    Or,       ///< Ops (two or more)
  };
  Kind K = Contract;
  NodeId Node = 0;
  std::vector<RecipientFacts> Ops;
};

/// Nine lists of T, one per dimension, in one vector ordered by dimension. A scope names items
/// in two or three dimensions; nine vectors each (216 bytes, and an allocation per list) made
/// up a quarter of a rule, which at 100,000 rules is tens of megabytes of the build's peak.
/// `L[D]` reads and writes dimension D's list like a vector: iteration, size, indexing,
/// push_back, clear and assignment from another list.
template <typename T> class PerDimension {
public:
  class List;
  /// Dimension D's items, read-only.
  class ConstList {
  public:
    const T *begin() const { return Begin; }
    const T *end() const { return End; }
    size_t size() const { return size_t(End - Begin); }
    bool empty() const { return Begin == End; }
    const T &operator[](size_t I) const { return Begin[I]; }
    const T &front() const { return *Begin; }
    const T &back() const { return End[-1]; }

  private:
    friend class PerDimension;
    ConstList(const T *B, const T *E) : Begin(B), End(E) {}
    const T *Begin, *End;
  };
  /// Dimension D's items, writable. Valid until the next change to another dimension's list.
  class List {
  public:
    T *begin() const { return Owner->Items.data() + Owner->Start[D]; }
    T *end() const { return Owner->Items.data() + Owner->Start[D + 1]; }
    size_t size() const { return Owner->Start[D + 1] - Owner->Start[D]; }
    bool empty() const { return size() == 0; }
    T &operator[](size_t I) const { return begin()[I]; }
    T &front() const { return *begin(); }
    T &back() const { return end()[-1]; }
    operator ConstList() const { return ConstList(begin(), end()); }
    void push_back(T V) const {
      Owner->Items.insert(Owner->Items.begin() + Owner->Start[D + 1], std::move(V));
      Owner->shift(D, 1);
    }
    template <typename... Args> void emplace_back(Args &&...A) const {
      push_back(T(std::forward<Args>(A)...));
    }
    void clear() const {
      uint32_t N = Owner->Start[D + 1] - Owner->Start[D];
      Owner->Items.erase(Owner->Items.begin() + Owner->Start[D],
                         Owner->Items.begin() + Owner->Start[D + 1]);
      Owner->shift(D, -int64_t(N));
    }
    /// Replaces this list by Other's items (which may be this container's own).
    const List &operator=(ConstList Other) const {
      std::vector<T> Copy(Other.begin(), Other.end());
      clear();
      Owner->Items.insert(Owner->Items.begin() + Owner->Start[D],
                          std::make_move_iterator(Copy.begin()),
                          std::make_move_iterator(Copy.end()));
      Owner->shift(D, int64_t(Copy.size()));
      return *this;
    }
    const List &operator=(const List &Other) const { return *this = ConstList(Other); }

  private:
    friend class PerDimension;
    List(PerDimension *O, unsigned D) : Owner(O), D(D) {}
    PerDimension *Owner;
    unsigned D;
  };

  List operator[](unsigned D) { return List(this, D); }
  ConstList operator[](unsigned D) const {
    return ConstList(Items.data() + Start[D], Items.data() + Start[D + 1]);
  }
  /// Every dimension's items, dimension after dimension.
  size_t totalSize() const { return Items.size(); }

private:
  std::vector<T> Items;
  /// Dimension D's items are Items[Start[D], Start[D + 1]).
  std::array<uint32_t, NumDimensions + 1> Start{};
  void shift(unsigned D, int64_t By) {
    for (unsigned K = D + 1; K <= NumDimensions; ++K)
      Start[K] = uint32_t(int64_t(Start[K]) + By);
  }
};

/// The part of the request space a rule, invariant or expectation talks about. Per dimension,
/// either any value (nullopt) or a set of leaves (a BitVector over that vocabulary's LeafIndex).
struct Scope {
  std::array<std::optional<llvm::BitVector>, NumDimensions> Dims;
  /// What the author wrote, per dimension, for messages and summaries: the named nodes, and
  /// whether each was negated (`not x`).
  PerDimension<std::pair<NodeId, bool>> Written;
  /// Items Written cannot spell: `not (a, b)` groups per dimension, and `recipients where`
  /// sets (recipient dimension). Dims already includes them.
  PerDimension<std::vector<NodeId>> Neither;
  std::vector<RecipientFacts> Where;

  const std::optional<llvm::BitVector> &dim(Dimension D) const { return Dims[unsigned(D)]; }
  std::optional<llvm::BitVector> &dim(Dimension D) { return Dims[unsigned(D)]; }
};

/// An inline suppression: `@suppress(dead_rule, "reason")` on a rule.
struct Suppression {
  std::string Check;
  std::string Reason;
  Loc Location;
};

struct Rule {
  std::string Id;     ///< Stable: the label, or derived from the location.
  bool Named = false; ///< Id came from a label.
  bool IsAllow = true;
  Scope S; ///< The rule's own scope (exceptions: not yet intersected with the parent's).
  std::optional<Cond> Condition; ///< All `when` and `unless` clauses, conjoined; nullopt: always.
  std::vector<ObligationRef> Obligations; ///< Sorted, unique.
  std::vector<uint32_t> Exceptions;       ///< Indexes into Policy::Rules.
  uint32_t Parent = NoIndex;              ///< For an exception, its parent rule.
  std::vector<std::string> Sources;       ///< @source annotations.
  std::vector<Suppression> Suppressions;
  std::string SourceText; ///< The rule as written, for explanations.
  Loc Location;
  uint32_t Module = 0;
  /// For the deny exception a retention limit implies (`limits`): the obligation instance of
  /// the parent that it enforces. Empty for every rule written in the source.
  std::optional<ObligationRef> RetentionOf;

  bool isTopLevel() const { return Parent == NoIndex; }
};

/// `combine A with B as C;`: a request carrying a category under A and another under B is also
/// treated as carrying C. `combine A with B treated as C;` (TreatedAs; B is at or under C): in
/// such a request, the categories under A and not under C are governed as the request's
/// categories under C, i.e. they are dropped from the set the request is decided for.
struct Combination {
  NodeId First = 0;
  NodeId Second = 0;
  NodeId Result = 0;
  Loc Location;
  uint32_t Module = 0;
  bool TreatedAs = false;
};

struct Invariant {
  enum Kind : uint8_t {
    Never,   ///< `require never P`: no request in P is allowed.
    Always,  ///< `require always P`: every request in P is allowed.
    Obliged, ///< `require P with X`: every allowed request in P carries obligations X.
    Within,  ///< `require P within A`: every allowed request in P is allowed as actor A too.
  };
  std::string Id;
  Kind K = Never;
  Scope S;
  std::optional<Cond> Condition;
  std::vector<ObligationRef>
      Required;                 ///< For Obliged: each must be met by an obligation at or under it.
  NodeId WithinActor = NoIndex; ///< For Within: a leaf of the Actor vocabulary.
  std::vector<std::string> Sources;
  std::string SourceText;
  /// The header of the `within` block the invariant is in (`within when ccpa.consumer`), or
  /// empty: its scope and condition are already part of S and Condition.
  std::string WithinBlock;
  Loc Location;
  uint32_t Module = 0;
};

/// A concrete request, as written in a test or built by a tool. Per dimension the named nodes
/// (empty: omitted, meaning every value); only Data may hold more than one.
struct Request {
  std::array<std::vector<NodeId>, NumDimensions> Values;
  std::vector<std::pair<uint32_t, int64_t>> Attrs; ///< (attribute index, value)

  std::vector<NodeId> &dim(Dimension D) { return Values[unsigned(D)]; }
  const std::vector<NodeId> &dim(Dimension D) const { return Values[unsigned(D)]; }
};

struct Expectation {
  enum Outcome : uint8_t { Allow, Deny, Error };
  Outcome Expect = Deny;
  Request Req;
  std::vector<ObligationRef> Obligations; ///< Each must be among the decision's obligations.
  std::optional<uint32_t> ByRule; ///< Index into Policy::Rules: must be among the deciding rules.
  std::vector<std::string> Sources;
  std::string SourceText;
  Loc Location;
};

struct TestCase {
  std::string Name;
  std::vector<Expectation> Expectations;
  Loc Location;
  uint32_t Module = 0;
};

struct Module {
  std::string Name; ///< Declared name (`policy outpost24` / `module gdpr`).
  std::string Title;
  std::string Version;
  std::string Effective;
  bool IsPolicy = false; ///< `policy` rather than `module`.
  uint32_t File = 0;
};

/// A name and its contact details, as the policy's `controller` block writes them.
struct ContactParty {
  std::string Name;
  std::vector<std::string> Contacts;
  Loc Location;
};

/// `processor for "C" contact "..." purpose p, q;`: a controller on whose behalf the policy's
/// owner processes personal data (GDPR Art. 30(2)). Its processing is what the allow rules
/// permit for a purpose at or under one of Purposes.
struct ProcessingClient : ContactParty {
  std::vector<NodeId> Purposes; ///< Nodes of the Purpose vocabulary.
};

/// The policy's `controller` block: who its owner is (Art. 30(1)(a), 13(1)(a)-(b)), its
/// representative in the Union (Art. 27), its data protection officer (Art. 37-39), and the
/// controllers it acts for as a processor (Art. 30(2)(a)).
struct ControllerRecord {
  ContactParty Controller;
  std::optional<ContactParty> Representative;
  std::optional<ContactParty> Dpo;
  std::vector<ProcessingClient> Clients;
  std::vector<std::string> Sources; ///< The block's @source sentences.
};

struct Policy {
  /// Modules[0] is the root file; imported modules follow.
  std::vector<Module> Modules;
  /// Paths of the source files, indexed by Loc::File.
  std::vector<std::string> Files;
  /// xxHash64 over the contents of every file, in Files order.
  uint64_t SourceHash = 0;

  std::array<Vocabulary, NumDimensions> Vocab;
  Vocabulary Obligations;
  std::vector<EnumType> Enums;
  std::vector<Attribute> Attributes;
  std::vector<Rule> Rules; ///< Top-level rules and exceptions, in source order.
  std::vector<Combination> Combinations;
  std::vector<Invariant> Invariants;
  std::vector<TestCase> Tests;
  /// The root policy's `controller` block, if it has one (a module cannot declare one).
  std::optional<ControllerRecord> Controller;

  Vocabulary &vocab(Dimension D) { return Vocab[unsigned(D)]; }
  const Vocabulary &vocab(Dimension D) const { return Vocab[unsigned(D)]; }
  std::optional<uint32_t> findAttribute(llvm::StringRef Name) const;
  std::optional<uint32_t> findRule(llvm::StringRef Id) const;
  /// The built-in actor `us` (the controller itself), which exists once the policy declares an
  /// actor. Omitted from a top-level rule, an invariant or a request, the actor is `us`.
  std::optional<NodeId> controllerActor() const;
  /// The leaf of `us`, if the policy has actors.
  std::optional<LeafIndex> controllerActorLeaf() const;

  /// Recomputes Leaves, LeafOf and Covers of every vocabulary from Parents/Children. Sema calls it
  /// once; generators call it after building the hierarchy by hand.
  void closeHierarchies();
  /// Gives every allow rule carrying an obligation instance o(D), where o `limits` attribute A,
  /// a deny exception `deny when A > D` (Rule::RetentionOf), appended after all other rules.
  /// Sema calls it once the rules are built; so does the random-policy generator.
  void addRetentionExceptions();

  /// The region leaves a recipient node is located in: its own `located in`, or else the union
  /// of its parents' locations (empty: not known). Needs closed hierarchies.
  llvm::BitVector recipientLocation(NodeId Recipient) const;
  /// Whether a recipient node or one of its ancestors is declared `under contract`.
  bool recipientUnderContract(NodeId Recipient) const;
  /// The recipient leaves whose facts satisfy F (docs/language.md, "Recipient facts").
  llvm::BitVector recipientsWhere(const RecipientFacts &F) const;
};

} // namespace privet

#endif // PRIVET_SEMA_POLICY_H
