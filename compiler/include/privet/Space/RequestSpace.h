//===- RequestSpace.h - The finite request space of one or more policies --------*- C++ -*-===//
//
// A leaf request is one leaf per dimension and one value per attribute class
// (space::AttrClasses: intervals between the constants conditions compare with). That makes the
// request space finite and every analysis exact.
//
// A space may be shared by several policies (diff): values and attributes are matched by qualified
// name, and each policy gets a PolicyView mapping its own ids into the shared variables.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SPACE_REQUESTSPACE_H
#define PRIVET_SPACE_REQUESTSPACE_H

#include "privet/Sema/Policy.h"
#include "privet/Space/AttrClasses.h"
#include "privet/Space/Mdd.h"
#include "privet/Space/NodeStore.h"

#include "llvm/ADT/StringMap.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace privet::space {

/// The classes of one attribute in the shared space: the cuts of every policy's conditions.
struct AttrDomain : space::AttrClasses {
  std::string Name;
  std::vector<std::string> EnumValues; ///< Enum only: value names, by shared index.
  std::optional<int64_t> Default;      ///< In shared terms (enum: shared index).

  /// A value inside class I, the default when the class holds it.
  int64_t representative(uint32_t I) const { return AttrClasses::representative(I, Default); }
  /// Describes class I for people: "true", "given", ">= 18", ">= 18 and < 65".
  std::string describeClass(uint32_t I) const { return describe(I, EnumValues); }
};

/// Per dimension, the shared leaf values (qualified names).
struct DimDomain {
  std::vector<std::string> Names;
  llvm::StringMap<uint32_t> Index;
  uint32_t size() const { return std::max<size_t>(Names.size(), 1); }
};

class RequestSpace;

/// How one policy's ids map into a RequestSpace.
class PolicyView {
public:
  PolicyView(const RequestSpace &S, const Policy &P, unsigned Which);

  const Policy &policy() const { return P; }
  /// The shared values of dimension D a local leaf set covers. A shared value that is an internal
  /// node locally is covered when all its local leaves are; one the policy does not declare is not
  /// covered, except in a dimension the policy has no vocabulary for (every value then).
  llvm::BitVector mapLeaves(Dimension D, const std::optional<llvm::BitVector> &Local) const;
  /// The shared leaf value of a local leaf.
  uint32_t sharedLeaf(Dimension D, LeafIndex L) const { return LeafMap[unsigned(D)][L]; }
  /// The shared attribute of a local attribute, and a local value in shared terms.
  uint32_t sharedAttr(uint32_t Local) const { return AttrMap[Local]; }
  int64_t sharedValue(uint32_t LocalAttr, int64_t V) const;
  /// The local attribute of a shared one (NoIndex when this policy has none).
  uint32_t localAttr(uint32_t Shared) const;
  /// The local leaf (NoIndex if none) and node (NoIndex if none) named by a shared value.
  LeafIndex localLeaf(Dimension D, uint32_t Shared) const;
  NodeId localNode(Dimension D, uint32_t Shared) const { return NodeMap[unsigned(D)][Shared]; }

private:
  const RequestSpace &S;
  const Policy &P;
  std::array<std::vector<uint32_t>, NumDimensions> LeafMap; ///< local leaf -> shared value
  std::array<std::vector<NodeId>, NumDimensions> NodeMap;   ///< shared value -> local node
  std::vector<uint32_t> AttrMap;
};

class RequestSpace {
public:
  /// The space of Policies (usually one; two for diff). The policies must outlive the space.
  explicit RequestSpace(std::vector<const Policy *> Policies, Budget B = {});

  Mdd &mdd() { return *M; }
  const Mdd &mdd() const { return *M; }
  const PolicyView &view(unsigned Which) const { return *Views[Which]; }
  unsigned numPolicies() const { return Views.size(); }

  const DimDomain &dim(Dimension D) const { return Dims[unsigned(D)]; }
  const std::vector<AttrDomain> &attrs() const { return Attrs; }
  /// Mdd variable of a dimension / shared attribute.
  unsigned dimVar(Dimension D) const { return DimVars[unsigned(D)]; }
  unsigned attrVar(uint32_t A) const { return NumDimensions + A; }
  /// The dimension tested by variable V, or nullopt for an attribute variable.
  std::optional<Dimension> dimOfVar(unsigned V) const;

  /// The set of leaf requests where C (a condition of policy Which) holds.
  Mdd::Ref condition(unsigned Which, const Cond &C);
  /// The leaf requests inside a scope of policy Which (without any condition).
  Mdd::Ref scope(unsigned Which, const Scope &Sc);
  /// Per variable, the value a witness should prefer: attribute defaults.
  std::vector<uint32_t> preferredPoint() const;
  /// Whether a budget of the set diagram was exceeded, and which.
  llvm::Error takeError() const { return M->takeError(); }

private:
  std::vector<const Policy *> Policies;
  std::array<DimDomain, NumDimensions> Dims;
  std::array<unsigned, NumDimensions> DimVars{};
  std::vector<AttrDomain> Attrs;
  llvm::StringMap<uint32_t> AttrIndex;
  std::unique_ptr<Mdd> M;
  std::vector<std::unique_ptr<PolicyView>> Views;
  friend class PolicyView;
};

} // namespace privet::space

#endif // PRIVET_SPACE_REQUESTSPACE_H
