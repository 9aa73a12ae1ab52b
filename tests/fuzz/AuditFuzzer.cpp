//===- AuditFuzzer.cpp - libFuzzer target for the audit mapping and event parsers ----------===//
//
// The input is a mapping file, a NUL byte, then events (JSON Lines, and the same bytes again as
// CSV). Without a NUL the whole input is tried as a mapping, and as events under a fixed mapping.
// The policy is the sample artifact the C API tests use. Any input must give a located error or
// a summary; never a crash, a sanitizer report or a hang.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Audit/Audit.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace privet;

namespace {

const char *FixedMapping = R"({
  "fields": {"action": "op", "data": "data", "purpose": "purpose"},
  "attributes": {"marketing_opt_out": "opt_out", "consent_status": "consent", "age": "age",
                 "data_age": "data_age"},
  "metadata": {"id": "id", "time": "ts", "system": "system", "collected": "collected"},
  "values": {"purpose": {"mkt": "marketing"}, "consent_status": {"Y": "given"}},
  "sources": {"mailer": {"action": "use"}}
})";

std::shared_ptr<const rt::CompiledPolicy> policy() {
  static std::shared_ptr<const rt::CompiledPolicy> P = [] {
    auto R = rt::CompiledPolicy::load(PRIVET_FUZZ_ARTIFACT);
    if (!R)
      __builtin_trap(); // the seed artifact must load
    return R.take();
  }();
  return P;
}

void auditInput(llvm::StringRef MapText, llvm::StringRef Events) {
  auto M = audit::parseMapping("fuzz.json", MapText, *policy());
  if (!M) {
    llvm::consumeError(M.takeError());
    return;
  }
  for (llvm::StringRef Name : {"events.jsonl", "events.csv"}) {
    audit::AuditOptions Opts;
    Opts.SampleLimit = 2;
    Opts.MaxLineBytes = 4096;
    audit::Auditor A(policy(), *M, Opts);
    A.auditText(Name, Events);
    audit::Summary S = A.finish();
    // The summary must survive its own JSON.
    auto Back = audit::Summary::fromJson(S.toJson());
    if (!Back || Back->Total.total() != S.Total.total())
      __builtin_trap();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef In(reinterpret_cast<const char *>(Data), Size);
  size_t Nul = In.find('\0');
  if (Nul != llvm::StringRef::npos) {
    auditInput(In.take_front(Nul), In.drop_front(Nul + 1));
    return 0;
  }
  auditInput(In, "");
  auditInput(FixedMapping, In);
  return 0;
}
