//===- BodyCheck.cpp - One pass over a body: UTF-8 validity and JSON nesting depth ---------===//
#include "BodyCheck.h"

#include <cstdint>

namespace privet::serve {

namespace {

/// The length of the UTF-8 sequence at P (RFC 3629: no overlongs, no surrogates, at most
/// U+10FFFF), or 0 when it is not one.
size_t utf8Length(const unsigned char *P, const unsigned char *End) {
  unsigned char C = P[0];
  if (C < 0x80)
    return 1;
  size_t N;
  uint32_t Min, Code;
  if ((C & 0xE0) == 0xC0) {
    N = 2, Min = 0x80, Code = C & 0x1F;
  } else if ((C & 0xF0) == 0xE0) {
    N = 3, Min = 0x800, Code = C & 0x0F;
  } else if ((C & 0xF8) == 0xF0) {
    N = 4, Min = 0x10000, Code = C & 0x07;
  } else {
    return 0;
  }
  if (size_t(End - P) < N)
    return 0;
  for (size_t I = 1; I < N; ++I) {
    if ((P[I] & 0xC0) != 0x80)
      return 0;
    Code = (Code << 6) | (P[I] & 0x3F);
  }
  if (Code < Min || Code > 0x10FFFF || (Code >= 0xD800 && Code <= 0xDFFF))
    return 0;
  return N;
}

} // namespace

BodyProblem checkBody(std::string_view Body, unsigned MaxDepth, std::string &Where) {
  const auto *Begin = reinterpret_cast<const unsigned char *>(Body.data());
  const auto *End = Begin + Body.size();
  unsigned Depth = 0;
  bool InString = false;
  for (const unsigned char *P = Begin; P < End;) {
    size_t N = utf8Length(P, End);
    if (N == 0) {
      Where = "byte " + std::to_string(P - Begin + 1);
      return BodyProblem::InvalidUtf8;
    }
    if (N == 1) {
      char C = char(*P);
      if (C == '\n') {
        // A batch: each line is a request of its own.
        Depth = 0;
        InString = false;
      } else if (InString) {
        if (C == '\\' && P + 1 < End)
          ++P; // the escaped character cannot end the string
        else if (C == '"')
          InString = false;
      } else if (C == '"') {
        InString = true;
      } else if (C == '{' || C == '[') {
        if (++Depth > MaxDepth) {
          Where = "byte " + std::to_string(P - Begin + 1);
          return BodyProblem::TooDeep;
        }
      } else if ((C == '}' || C == ']') && Depth > 0) {
        --Depth;
      }
    }
    P += N;
  }
  return BodyProblem::None;
}

} // namespace privet::serve
