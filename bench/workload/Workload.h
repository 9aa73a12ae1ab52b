//===- Workload.h - Generated policies and requests of realistic size for benchmarks --*- C++
//-*-===//
//
// Vocabularies shaped like a real privacy notice's (about 300 data categories in three levels with
// some categories under two parents, 60 purposes, 20 recipients, 8 actions, 6 legal bases, a few
// subjects, regions and contexts, four attributes) and N rules drawn the way notices write them:
// mostly allows of a few actions on a few categories for a purpose, some naming recipients, bases
// or conditions, some with deny exceptions, some denies. Deterministic for a given seed.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_BENCH_WORKLOAD_H
#define PRIVET_BENCH_WORKLOAD_H

#include "privet/Sema/Policy.h"

#include <cstdint>
#include <vector>

namespace privet::bench {

Policy generatePolicy(unsigned NumRules, uint64_t Seed = 42);
/// generatePolicy(NumRules) made once per process, for benchmarks that reuse it across runs.
const Policy &cachedPolicy(unsigned NumRules);

/// A leaf request with every attribute supplied: a value id per dimension (UINT32_MAX for an
/// empty vocabulary) and attribute values, in Policy::Attributes order.
struct LeafRequest {
  std::array<uint32_t, NumDimensions> Values;
  std::vector<int64_t> Attrs;
};

/// Random leaf requests, half of them inside some rule's scope so that allows are common.
std::vector<LeafRequest> generateRequests(const Policy &P, unsigned Count, uint64_t Seed = 7);

/// P (a generatePolicy result) as `.privet` source text that checks to the same policy.
std::string policyAsPrivet(const Policy &P);

/// The same requests as JSON lines in the docs/runtime-api.md request schema.
std::string requestsAsJsonl(const Policy &P, const std::vector<LeafRequest> &Requests);

} // namespace privet::bench

#endif // PRIVET_BENCH_WORKLOAD_H
