//===- LoaderFuzzer.cpp - libFuzzer target for the artifact loader and the evaluator ---===//
//
// Each input is loaded twice: as is (so the header and checksum paths are fuzzed) and with its
// checksum recomputed (so mutations reach the structural validation behind the checksum).
// Whatever loads is then exercised through every query: a validated artifact must never lead to
// an out-of-bounds read, a loop or a crash.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Json.h"
#include "privet/Runtime.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

using namespace privet::rt;

namespace {

void exercise(const CompiledPolicy &P) {
  (void)P.name(), (void)P.title(), (void)P.version();
  for (unsigned D = 0; D < NumDimensions; ++D)
    for (uint32_t V = 0; V < std::min<uint32_t>(P.numValues(Dim(D)), 16); ++V) {
      (void)P.valueId(Dim(D), P.valueName(Dim(D), V));
      (void)P.valueTitle(Dim(D), V);
      for (uint32_t Parent : P.parents(Dim(D), V))
        (void)P.valueName(Dim(D), Parent);
    }
  for (uint32_t R = 0; R < std::min<uint32_t>(P.numRules(), 16); ++R)
    for (size_t K = 0; K < P.rule(R).NumSources; ++K)
      (void)P.ruleSource(R, K);
  for (uint32_t O = 0; O < std::min<uint32_t>(P.numObligationInstances(), 16); ++O)
    (void)P.describeObligationInstance(O);

  // Requests: every attribute set (with boundary values) or left to its default, one data
  // category at a time, then all of them together (combination rules).
  for (int Pass = 0; Pass < 3; ++Pass) {
    Request Req(P);
    for (uint32_t A = 0; A < P.numAttributes(); ++A) {
      if (Pass == 0)
        continue;
      switch (P.attributeKind(A)) {
      case AttrKind::Bool:
        Req.setBool(A, Pass == 1);
        break;
      case AttrKind::Int:
        Req.setInt(A, Pass == 1 ? INT64_MIN : INT64_MAX);
        break;
      case AttrKind::Duration:
        Req.setDuration(A, Pass == 1 ? 0 : 400 * 86400);
        break;
      case AttrKind::Enum:
        if (P.numEnumValues(P.attributeEnum(A)))
          Req.setEnum(A, Pass == 1 ? 0u : P.numEnumValues(P.attributeEnum(A)) - 1);
        break;
      }
    }
    for (unsigned D = 0; D < NumDimensions; ++D)
      if (D != unsigned(Dim::Data) && P.numValues(Dim(D)) && Pass)
        Req.set(Dim(D), Pass == 1 ? 0u : P.numValues(Dim(D)) - 1);
    Decision Dec;
    P.decide(Req, Dec);
    (void)decisionJson(P, Dec);
    const uint32_t NumData = std::min<uint32_t>(P.numValues(Dim::Data), 32);
    for (uint32_t V = 0; V < NumData; ++V) {
      Req.set(Dim::Data, V);
      P.decide(Req, Dec);
      if (Dec.permitted() && Dec.isError())
        __builtin_trap(); // fail-closed: an error is never an allow
    }
    for (uint32_t V = 0; V < NumData; ++V)
      Req.addData(V);
    P.decide(Req, Dec);
    (void)decisionJson(P, Dec);
    (void)P.explain(Req);
    if (Pass == 2)
      for (unsigned D = 0; D < NumDimensions; ++D)
        if (P.numValues(Dim(D)) <= 32)
          (void)P.permittedValues(Req, Dim(D));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string_view Bytes(reinterpret_cast<const char *>(Data), Size);
  if (auto P = CompiledPolicy::fromBytes(Bytes))
    exercise(**P);
  if (Size >= sizeof(format::FileHeader)) {
    std::string Fixed(Bytes);
    uint64_t Sum =
        xxHash64(Fixed.data() + format::ChecksumStart, Fixed.size() - format::ChecksumStart);
    std::memcpy(Fixed.data() + offsetof(format::FileHeader, Checksum), &Sum, sizeof(Sum));
    if (auto P = CompiledPolicy::fromBytes(Fixed))
      exercise(**P);
  }
  return 0;
}
