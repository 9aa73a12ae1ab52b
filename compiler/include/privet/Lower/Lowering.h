//===- Lowering.h - From a checked Policy to the artifact's contents ------------*- C++ -*-===//
//
// The back end's entry point: builds the decision diagram of a Policy and flattens it, with the
// symbol tables the runtime needs (names, titles, parents, value classes, attributes, obligations,
// rules with their provenance, combinations), into an rt::ArtifactContents. The runtime serialises
// that (privet/Artifact.h); nothing else crosses from the compiler to the runtime.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LOWER_LOWERING_H
#define PRIVET_LOWER_LOWERING_H

#include "privet/ArtifactContents.h"
#include "privet/Lower/DecisionDiagram.h"
#include "privet/Runtime.h"
#include "privet/Sema/Policy.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace privet {

/// What `privet build --stats` reports.
struct LoweringStats {
  std::string Strategy; ///< "decision-diagram".
  uint32_t Nodes = 0;
  uint64_t Edges = 0;
  uint32_t Terminals = 0;
  std::array<uint32_t, NumDimensions> Classes{}; ///< Classes per dimension (leaf + derived).
  std::string Order;         ///< The variable order, root first, e.g. "action,data,purpose,@age".
  double DiagramSeconds = 0; ///< Building the diagram.
  double LowerSeconds = 0;   ///< Flattening it into ArtifactContents.
  DiagramBuildStats Diagram; ///< The phases of the diagram build.
};

/// Flattens a built diagram and the policy's symbol tables. Source files are named as
/// Policy::Files has them.
rt::ArtifactContents lowerToArtifact(const DecisionDiagram &DD);
/// The same contents, freeing DD's terminals and then its nodes as soon as each is lowered
/// (DecisionDiagram::releaseTerminals, releaseNodes).
rt::ArtifactContents lowerAndReleaseDiagram(DecisionDiagram &DD);

/// The runtime request for R (node ids as value ids, attribute values by kind), against CP, the
/// artifact lowered from P.
rt::Request toRuntimeRequest(const Policy &P, const rt::CompiledPolicy &CP, const Request &R);

/// Builds the diagram of P and lowers it; fills Stats when given.
llvm::Expected<rt::ArtifactContents> compilePolicy(const Policy &P, const DiagramOptions &Opts = {},
                                                   LoweringStats *Stats = nullptr);

} // namespace privet

#endif // PRIVET_LOWER_LOWERING_H
