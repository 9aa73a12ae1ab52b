//===- JsonlQuery.h - Batch decisions: JSON request lines in, JSON decision lines out -*- C++
//-*-===//
//
// The engine behind `privet query --jsonl`: a small scanner for the flat request schema of
// docs/runtime-api.md, names resolved through the policy's hash maps, one reused Request and
// Decision, and per-rule / per-obligation JSON fragments rendered once, so a line costs no
// allocation in the common case. Output is byte-for-byte what rt::decisionJson produces.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LOWER_JSONLQUERY_H
#define PRIVET_LOWER_JSONLQUERY_H

#include "privet/Runtime.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace privet {

class JsonlQuery {
public:
  explicit JsonlQuery(const rt::CompiledPolicy &P);

  /// Decides one request line (without its newline) and appends the decision line, newline
  /// included, to Out. A malformed line appends an error object. Returns false for an error.
  bool processLine(std::string_view Line, std::string &Out);

  /// Reads In to its end and writes one decision line per request line to Out. Returns the
  /// number of error lines, or -1 on an I/O error (Err says which).
  long run(std::FILE *In, std::FILE *Out, std::string &Err);

private:
  bool parseRequest(std::string_view Line, std::string_view &RawId, std::string &Error);
  void appendDecision(std::string_view RawId, std::string &Out);

  const rt::CompiledPolicy &P;
  rt::Request Req;
  rt::Decision Dec;
  /// JSON texts by index, kept end to end in one buffer: a decision appends several, and at
  /// ten thousand rules separate strings would each be a cache miss of their own.
  struct JsonTable {
    std::string Text;
    std::vector<uint32_t> Start{0};
    void add(const std::string &S) {
      Text += S;
      Start.push_back(uint32_t(Text.size()));
    }
    void appendTo(std::string &Out, uint32_t I) const {
      Out.append(Text, Start[I], Start[I + 1] - Start[I]);
    }
  };
  JsonTable RuleJson;       ///< {"id":..,"file":..,"line":..,"col":..}
  JsonTable ObligationJson; ///< {"name":..[,"arg":..[,"seconds":..]]}
  std::string Scratch;      ///< Decoded strings with escapes.
};

} // namespace privet

#endif // PRIVET_LOWER_JSONLQUERY_H
