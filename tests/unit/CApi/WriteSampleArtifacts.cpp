//===- WriteSampleArtifacts.cpp - Writes the sample policy for tests that cannot build one -===//
//
// The C API test is written in C, so it cannot fill an ArtifactContents; this writes the shared
// sample policy (SamplePolicy.h) as <dir>/sample.pvc, a variant as <dir>/sample-v2.pvc (email
// marketing denied), and a corrupt copy as <dir>/corrupt.pvc.
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
  for (auto [Name, Bytes] : {std::pair{"/sample.pvc", &V1}, std::pair{"/sample-v2.pvc", &V2},
                             std::pair{"/corrupt.pvc", &Corrupt}}) {
    Status S = writeFileAtomically(Dir + Name, *Bytes);
    if (!S) {
      std::fprintf(stderr, "error: %s\n", S.error().c_str());
      return 2;
    }
  }
  return 0;
}
