//===- Json.h - JSON requests in, JSON decisions out: the one definition of the schema -*- C++
//-*-===//
//
// The request and decision schema of docs/runtime-api.md, implemented once in the runtime so that
// every client (`privet query`, the C API, the bindings and servers) parses and prints it the same
// way. Standard library only, like the rest of the runtime.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_JSON_H
#define PRIVET_JSON_H

#include "privet/Runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace privet::rt {

/// Appends S to Out as a JSON string literal (quotes included).
void appendJsonString(std::string &Out, std::string_view S);

/// The decision as a one-line JSON object:
/// {"decision":"allow","rules":[{"id":..,"file":..,"line":..,"col":..}],"obligations":[..],
/// "policy":{"name":..,"version":..,"hash":..}} or {"decision":"error","error":"..","policy":..}.
/// RawId, if not empty, is JSON text emitted as the "id" field.
std::string decisionJson(const CompiledPolicy &Policy, const Decision &D,
                         std::string_view RawId = {});

/// {"decision":"error","error":Message}, with RawId as the "id" field when not empty: the answer
/// for a request that could not be decided at all, with no policy to name.
std::string errorJson(std::string_view Message, std::string_view RawId = {});

/// Decides one JSON request (an object, without a newline) and appends the decision object to
/// Out, with the request's `id` when it has one. A malformed request appends an error object.
/// Returns the answer's kind. Safe to call from many threads on one policy.
Decision::Kind decideJson(const CompiledPolicy &Policy, std::string_view RequestJson,
                          std::string &Out);

/// Batch decisions, one JSON request line in and one JSON decision line out, for `privet query
/// --jsonl` and any client deciding many requests in a row. It reuses one Request and Decision and
/// renders each rule's and obligation instance's JSON once, so a line costs no allocation in the
/// common case; the output is exactly what decideJson gives. Belongs to one thread at a time.
class JsonlSession {
public:
  explicit JsonlSession(const CompiledPolicy &P);

  /// Decides one request line (without its newline) and appends the decision line, newline
  /// included, to Out. A malformed line appends an error object. Returns false for an error.
  bool processLine(std::string_view Line, std::string &Out);

  /// Reads In to its end and writes one decision line per request line to Out. Returns the
  /// number of error lines, or -1 on an I/O error (Err says which).
  long run(std::FILE *In, std::FILE *Out, std::string &Err);

  /// How many lines this session has answered with K (allow, deny or error), for `privet query
  /// --jsonl --fail`.
  uint64_t count(Decision::Kind K) const { return Counts[unsigned(K)]; }

  /// JSON texts by index, kept end to end in one buffer: a decision appends several, and at ten
  /// thousand rules separate strings would each be a cache miss of their own.
  struct JsonTable {
    std::string Text;
    std::vector<uint32_t> Start{0};
    void add(std::string_view S) {
      Text += S;
      Start.push_back(uint32_t(Text.size()));
    }
    void appendTo(std::string &Out, uint32_t I) const {
      Out.append(Text, Start[I], Start[I + 1] - Start[I]);
    }
  };

private:
  const CompiledPolicy &P;
  Request Req;
  Decision Dec;
  JsonTable RuleJson;       ///< {"id":..,"file":..,"line":..,"col":..}
  JsonTable ObligationJson; ///< {"name":..[,"arg":..[,"seconds":..]]}
  std::string Scratch;      ///< Decoded strings with escapes.
  uint64_t Counts[3] = {};  ///< Lines answered, by Decision::Kind.
  std::string PolicyJson;   ///< ,"policy":{..}, the same on every line.
};

} // namespace privet::rt

#endif // PRIVET_JSON_H
