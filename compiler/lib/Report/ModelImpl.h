//===- ModelImpl.h - What the report's builders share: the policy read via the stdlib -===//
#ifndef PRIVET_LIB_REPORT_MODELIMPL_H
#define PRIVET_LIB_REPORT_MODELIMPL_H

#include "privet/Report/Report.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace privet::report::detail {

std::string nodeLabel(const VocabNode &N);

struct GdprNodes {
  /// The standard library's node `gdpr.<Local>` in V, if the policy imports it.
  static std::optional<NodeId> find(const Policy &P, const Vocabulary &V, llvm::StringRef Local);
};

/// The Policy with what every part of the report asks of it computed once.
struct Context {
  Context(const Policy &P, const ReportOptions &Opts);

  const Policy &P;
  const ReportOptions &Opts;
  llvm::BitVector SpecialLeaves; ///< Data leaves under Art. 9(1) / Art. 10.
  std::vector<NodeId> SpecialRoots;
  llvm::BitVector ThirdLeaves;    ///< Region leaves outside the EEA.
  llvm::BitVector AdequateLeaves; ///< Region leaves with an adequacy decision.
  std::optional<NodeId> ProcessorRole, JointControllerRole;
  /// The actor groups of stdlib/gdpr_actors.privet, if the policy imports it.
  std::optional<NodeId> ActorProcessor, ActorJointController, ActorThirdParty;
  std::optional<NodeId> Us; ///< The built-in actor `us`, if the policy has actors.
  std::vector<NodeId> SpecialConditionRoots;
  enum : uint8_t { IsRetention = 1, IsTransferTool = 2, IsSecurity = 4 };
  std::vector<uint8_t> ObligationClass;        ///< Per obligation node.
  std::vector<std::vector<unsigned>> Depths;   ///< Per dimension, per node.
  std::vector<std::optional<Scope>> Effective; ///< Per rule, exceptions narrowed.

  static std::vector<NodeId> ancestors(const Vocabulary &V, NodeId N);
  static bool isUnder(const Vocabulary &V, NodeId N, NodeId Ancestor);
  static bool coversAny(const llvm::BitVector &A, const llvm::BitVector &B);
  /// A is non-empty and inside B.
  static bool within(const llvm::BitVector &A, const llvm::BitVector &B);
  // The same for a node's leaves.
  static bool coversAny(const LeafSet &A, const llvm::BitVector &B) { return A.anyCommon(B); }
  static bool coversAny(const LeafSet &A, const LeafSet &B) { return A.anyCommon(B); }
  static bool within(const LeafSet &A, const llvm::BitVector &B) {
    return !A.none() && A.isSubsetOf(B);
  }

  /// N, or its ancestor along the first parent at (1-based) level Depth.
  NodeId fold(Dimension D, NodeId N, unsigned Depth) const;
  /// The regions a rule's data may go to: the ones it names and its recipients' locations.
  /// Via receives the recipient behind each (NoIndex for a named region).
  std::vector<NodeId> regionsOf(uint32_t Rule, std::vector<NodeId> *Via = nullptr) const;
  bool isThirdCountry(NodeId Region) const;
  bool isAdequate(NodeId Region) const;
  bool isSpecialData(NodeId N) const;
  /// The Art. 9(1) / Art. 10 kinds N covers: "Data concerning health".
  std::string specialKinds(NodeId N) const;
  std::string obligationLabel(const ObligationRef &O) const;
  std::string obligationKey(const ObligationRef &O) const;
  const std::vector<std::string> &sourcesOf(uint32_t Rule) const;
  bool reportable(uint32_t File) const;
  /// The actors rule binds: the nodes its `as` names when they say exactly its set, otherwise
  /// the leaves of the set (`us` alone for a rule of the controller's own); empty when the
  /// policy has no actors, or (with AnyActor set) when the rule binds every actor.
  std::vector<NodeId> actorsOf(uint32_t Rule, bool &AnyActor) const;
  /// "processor (Art. 28); under contract" for an actor node.
  std::string actorNote(NodeId Actor) const;
  std::string actorLabel(NodeId Actor) const;

private:
  static std::vector<unsigned> depths(const Vocabulary &V);
  const Scope &effective(uint32_t I);
};

/// Items keyed by a stable key, each collecting the rules that produced it, in first-seen order.
struct CellBuilder {
  std::vector<Item> Items;
  llvm::StringMap<size_t> Index;
  void add(llvm::StringRef Key, llvm::StringRef Label, llvm::StringRef Note, bool Flagged,
           uint32_t Rule);
};

DataMap buildDataMap(const Context &C, const std::vector<Activity> &Activities);
std::vector<NoticeSection> buildNotice(const Context &C, const Report &R);

} // namespace privet::report::detail

#endif // PRIVET_LIB_REPORT_MODELIMPL_H
