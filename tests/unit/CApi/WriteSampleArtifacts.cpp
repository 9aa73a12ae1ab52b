//===- WriteSampleArtifacts.cpp - Writes the sample policy for tests that cannot build one -===//
//
// The C API test is written in C, so it cannot fill an ArtifactContents; this writes the shared
// sample policy (SamplePolicy.h) as <dir>/sample.pvc, a variant as <dir>/sample-v2.pvc (email
// marketing denied), and a corrupt copy as <dir>/corrupt.pvc. Two more shapes seed the loader
// fuzzer: <dir>/met.pvc, whose dimension nodes keep only their leaf-class children (group values
// are met at decision time), and <dir>/rules.pvc, a rule-index artifact (rule-list nodes and the
// rule table with scopes and conditions).
//
//===--------------------------------------------------------------------------------------===//
#include "../Runtime/SamplePolicy.h"

#include "privet/Artifact.h"

#include <cstdio>

using namespace privet::rt;

int main(int Argc, char **Argv) {
  if (Argc != 2) {
    std::fprintf(stderr, "usage: %s <output-directory>\n", Argv[0]);
    return 2;
  }
  std::string Dir = Argv[1];
  ArtifactContents C = testing::samplePolicy();
  std::string V1 = serializeArtifact(C);
  C.PolicyName = "sample-v2";
  C.Terminals[1].Allow = false;
  C.Terminals[1].Obligations.clear();
  std::string V2 = serializeArtifact(C);
  std::string Corrupt = V1;
  Corrupt[Corrupt.size() / 2] ^= 0x40;

  ArtifactContents M = testing::samplePolicy();
  for (Node &N : M.Nodes)
    if (N.K == Node::DimensionTest)
      N.Children.resize(M.Dims[N.Var].NumLeafClasses);
  std::string Met = serializeArtifact(M);

  // The rules of the sample as a rule index: the whole policy below the action test is one list.
  ArtifactContents R = testing::samplePolicy();
  R.RuleTable = true;
  auto Scope = [&](uint32_t Rule, Dim D, std::vector<uint32_t> Classes) {
    R.Rules[Rule].Constrained |= 1u << unsigned(D);
    R.Rules[Rule].Scope[unsigned(D)] = std::move(Classes);
  };
  Scope(0, Dim::Data, {0});
  Scope(0, Dim::Purpose, {0});
  Scope(2, Dim::Data, {1});
  Scope(2, Dim::Purpose, {0});
  Scope(3, Dim::Data, {2});
  Scope(3, Dim::Purpose, {1});
  Scope(4, Dim::Data, {1});
  Scope(4, Dim::Purpose, {1});
  Scope(5, Dim::Data, {3});
  Scope(5, Dim::Purpose, {0});
  auto Op = [](CondOp O) { return uint32_t(O); };
  R.Rules[1].Condition = {Op(CondOp::Bool), testing::MarketingOptOut};
  R.Rules[3].Condition = {Op(CondOp::Compare),
                          testing::DataAge,
                          2,
                          30 * 86400,
                          0,
                          Op(CondOp::Compare),
                          testing::Age,
                          5,
                          16,
                          0,
                          Op(CondOp::And),
                          2};
  R.Rules[4].Condition = {Op(CondOp::InSet), testing::ConsentStatus, 1, 0, 0};
  R.Rules[0].Obligations = {0};
  R.Rules[3].Obligations = {1};
  R.Nodes[1] = Node{Node::RuleList, 0, {}, {0, 1, 2, 3, 4, 5}};
  R.Nodes.resize(2); // the action test at the root, then the list for `use`
  std::string Rules = serializeArtifact(R);

  for (auto [Name, Bytes] : {std::pair{"/sample.pvc", &V1}, std::pair{"/sample-v2.pvc", &V2},
                             std::pair{"/corrupt.pvc", &Corrupt}, std::pair{"/met.pvc", &Met},
                             std::pair{"/rules.pvc", &Rules}}) {
    Status S = writeFileAtomically(Dir + Name, *Bytes);
    if (!S) {
      std::fprintf(stderr, "error: %s\n", S.error().c_str());
      return 2;
    }
  }
  return 0;
}
