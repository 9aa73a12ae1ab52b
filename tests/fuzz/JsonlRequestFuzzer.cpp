//===- JsonlRequestFuzzer.cpp - libFuzzer target for JSON requests and their answers -------===//
//
// Each input is split into lines and answered by a JsonlSession and, line by line, by decideJson,
// against the runtime tests' sample policy. Whatever the bytes, every answer must be one line of
// valid UTF-8 holding one JSON object (checked here by a validator independent of the runtime's
// own scanner), both paths must give the same bytes, and no request that is not valid JSON may be
// allowed.
//
//===-----------------------------------------------------------------------------------------===//
#include "SamplePolicy.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

using namespace privet::rt;

namespace {

/// A strict RFC 8259 validator for the answers, over text that must also be valid UTF-8.
struct Validator {
  const char *P, *End;

  bool ws() {
    while (P < End && (*P == ' ' || *P == '\t' || *P == '\r' || *P == '\n'))
      ++P;
    return true;
  }
  bool utf8() {
    auto B = [&](int I) { return static_cast<unsigned char>(P[I]); };
    auto Cont = [&](int I) { return P + I < End && (B(I) & 0xC0) == 0x80; };
    unsigned char C = B(0);
    int N = C >= 0xC2 && C <= 0xDF   ? 2
            : C >= 0xE0 && C <= 0xEF ? 3
            : C >= 0xF0 && C <= 0xF4 ? 4
                                     : 0;
    for (int I = 1; I < N; ++I)
      if (!Cont(I))
        return false;
    if (N == 0 || (C == 0xE0 && B(1) < 0xA0) || (C == 0xED && B(1) > 0x9F) ||
        (C == 0xF0 && B(1) < 0x90) || (C == 0xF4 && B(1) > 0x8F))
      return false;
    P += N;
    return true;
  }
  bool string() {
    if (P >= End || *P++ != '"')
      return false;
    while (P < End && *P != '"') {
      auto C = static_cast<unsigned char>(*P);
      if (C < 0x20)
        return false;
      if (C >= 0x80) {
        if (!utf8())
          return false;
        continue;
      }
      ++P;
      if (C == '\\') {
        if (P >= End)
          return false;
        char E = *P++;
        if (E == 'u') {
          for (int I = 0; I < 4; ++I, ++P)
            if (P >= End || !std::isxdigit(static_cast<unsigned char>(*P)))
              return false;
        } else if (!std::strchr("\"\\/bfnrt", E)) {
          return false;
        }
      }
    }
    return P++ < End;
  }
  bool digits() {
    const char *From = P;
    while (P < End && *P >= '0' && *P <= '9')
      ++P;
    return P > From;
  }
  bool number() {
    if (P < End && *P == '-')
      ++P;
    if (P < End && *P == '0')
      ++P;
    else if (!digits())
      return false;
    if (P < End && *P == '.' && (++P, !digits()))
      return false;
    if (P < End && (*P == 'e' || *P == 'E')) {
      ++P;
      if (P < End && (*P == '+' || *P == '-'))
        ++P;
      return digits();
    }
    return true;
  }
  bool literal(std::string_view W) {
    if (size_t(End - P) < W.size() || std::string_view(P, W.size()) != W)
      return false;
    P += W.size();
    return true;
  }
  bool value(int Depth) {
    ws();
    if (P >= End || Depth > 64)
      return false;
    switch (*P) {
    case '"':
      return string();
    case '{':
    case '[': {
      char Close = *P == '{' ? '}' : ']';
      bool Object = *P++ == '{';
      if (ws() && P < End && *P == Close)
        return ++P, true;
      do {
        if (Object && !(ws() && string() && ws() && P < End && *P++ == ':'))
          return false;
        if (!value(Depth + 1) || !ws())
          return false;
      } while (P < End && *P == ',' && ++P);
      return P < End && *P++ == Close;
    }
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    default:
      return number();
    }
  }
};

void checkAnswer(std::string_view Answer) {
  Validator V{Answer.data(), Answer.data() + Answer.size()};
  if (Answer.empty() || Answer.front() != '{' || !V.value(0) || V.P != V.End)
    std::abort(); // not one JSON object on one line, or not valid UTF-8
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static std::shared_ptr<const CompiledPolicy> Policy =
      CompiledPolicy::fromBytes(serializeArtifact(testing::samplePolicy())).take();
  std::string_view Input(reinterpret_cast<const char *>(Data), Size);
  JsonlSession Session(*Policy);
  std::string Out, One;
  while (!Input.empty()) {
    size_t Newline = Input.find('\n');
    std::string_view Line = Input.substr(0, Newline);
    Input = Newline == std::string_view::npos ? std::string_view() : Input.substr(Newline + 1);
    Out.clear();
    One.clear();
    Session.processLine(Line, Out);
    if (Out.empty() || Out.back() != '\n')
      std::abort();
    Out.pop_back();
    if (Out.find_first_of("\r\n") != std::string::npos)
      std::abort();
    checkAnswer(Out);
    Decision::Kind K = decideJson(*Policy, Line, One);
    if (One != Out)
      std::abort(); // the session and the one-shot call must agree byte for byte
    // A line that is not a JSON object at all can never be allowed.
    Validator V{Line.data(), Line.data() + Line.size()};
    bool IsJson = !Line.empty() && V.value(0) && V.ws() && V.P == V.End;
    if (!IsJson && K == Decision::Kind::Allow)
      std::abort();
  }
  return 0;
}
