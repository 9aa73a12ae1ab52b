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

/// The longest request `id` accepted, in bytes of its JSON text: a longer one is an error answer.
constexpr size_t MaxIdBytes = 256;

/// The longest JSONL request line read by default, newline excluded (JsonlSession::run): a
/// longer line is answered with an error and skipped without being kept in memory.
constexpr size_t DefaultMaxLineBytes = size_t(1) << 20;

/// Appends S to Out as a JSON string literal (quotes included). Control characters are escaped
/// and each byte that is not part of valid UTF-8 becomes U+FFFD, so the result is always valid
/// JSON and valid UTF-8.
void appendJsonString(std::string &Out, std::string_view S);

/// The decision as a one-line JSON object:
/// {"decision":"allow","rules":[{"id":..,"file":..,"line":..,"col":..}],"obligations":[..],
/// "policy":{"name":..,"version":..,"hash":..}} or {"decision":"error","error":"..","policy":..}.
/// RawId, if not empty, is JSON text emitted as the "id" field.
std::string decisionJson(const CompiledPolicy &Policy, const Decision &D,
                         std::string_view RawId = {});

/// A WhyNot as a JSON object (the "why_not" member of explained decisions; docs/runtime-api.md).
std::string whyNotJson(const CompiledPolicy &Policy, const WhyNot &W);

/// The decision JSON of decisionJson with a "why_not" member when the request is denied (null
/// otherwise): the answer of `privet query --format json --explain` and the server's explain.
std::string explainedDecisionJson(const CompiledPolicy &Policy, const Request &Req,
                                  const Decision &D, std::string_view RawId = {});

/// {"decision":"error","error":Message}, with RawId as the "id" field when not empty: the answer
/// for a request that could not be decided at all, with no policy to name.
std::string errorJson(std::string_view Message, std::string_view RawId = {});

/// The same error answer for a request to Policy that could not be parsed, closed by the policy
/// member every answer of a policy has.
std::string errorJson(const CompiledPolicy &Policy, std::string_view Message,
                      std::string_view RawId = {});

/// Decides one JSON request (an object, without a newline) and appends the decision object to
/// Out, with the request's `id` when it has one. A malformed request appends an error object.
/// Returns the answer's kind. Safe to call from many threads on one policy.
Decision::Kind decideJson(const CompiledPolicy &Policy, std::string_view RequestJson,
                          std::string &Out);

/// Parses one JSON request (an object, without a newline) into Req, clearing it first. On failure
/// returns false with Error set to the message decideJson would answer. Id is the request's `id`
/// member re-serialized as JSON text (a string or a number, never the request's own bytes), when
/// it has one (also on failure, when it came before the mistake). For clients that need the Request
/// itself, not only its decision: explanations, permitted values, decision logs.
bool parseRequestJson(const CompiledPolicy &Policy, std::string_view RequestJson, Request &Req,
                      std::string &Id, std::string &Error);

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

  /// Reads In (through its file descriptor: nothing may have been read from In before) to its
  /// end and writes one decision line per request line to Out. From a regular file it reads and
  /// writes in large blocks; from a pipe, terminal or socket it answers each complete line as it
  /// arrives and flushes Out, so a client can write a request and wait for its answer. A line
  /// longer than maxLineBytes() is answered with an error. Returns the number of error lines, or
  /// -1 on an I/O error (Err says which).
  long run(std::FILE *In, std::FILE *Out, std::string &Err);

  size_t maxLineBytes() const { return MaxLineBytes; }
  void setMaxLineBytes(size_t N) { MaxLineBytes = N; }
  /// How many lines this session has answered with K (allow, deny or error), for `privet query
  /// --jsonl --fail`.
  uint64_t count(Decision::Kind K) const { return Counts[unsigned(K)]; }

  /// JSON texts by index, each rendered the first time a decision lists it and then kept end
  /// to end in one buffer: a decision appends several, and at ten thousand rules separate
  /// strings would each be a cache miss of their own. Rendering on first use keeps a session's
  /// start-up cost independent of the policy's size (a process that answers one line renders
  /// the rules that line names, not all of them).
  struct JsonTable {
    struct Entry {
      size_t Start = 0;
      size_t Size = 0; ///< 0: not rendered yet (no rendered text is empty).
    };
    std::string Text;
    std::vector<Entry> Entries;
    /// Sizes the table for Count texts, none rendered.
    void reset(size_t Count) {
      Text.clear();
      Entries.assign(Count, Entry());
    }
    /// Appends text I to Out, rendering it with Render(std::string &) first if needed.
    template <typename RenderFn> void appendTo(std::string &Out, uint32_t I, RenderFn &&Render) {
      Entry &E = Entries[I];
      if (E.Size == 0) {
        size_t Start = Text.size();
        Render(Text);
        E.Start = Start;
        E.Size = Text.size() - Start;
      }
      Out.append(Text, E.Start, E.Size);
    }
  };

private:
  const CompiledPolicy &P;
  Request Req;
  Decision Dec;
  JsonTable RuleJson;       ///< {"id":..,"file":..,"line":..,"col":..}
  JsonTable ObligationJson; ///< {"name":..[,"arg":..[,"seconds":..]]}
  std::string Scratch;      ///< Decoded strings with escapes.
  std::string IdBuf;        ///< The current request's `id`, re-serialized.
  size_t MaxLineBytes = DefaultMaxLineBytes;
  uint64_t Counts[3] = {}; ///< Lines answered, by Decision::Kind.
  std::string PolicyJson;  ///< ,"policy":{..}, the same on every line.
};

} // namespace privet::rt

#endif // PRIVET_JSON_H
