//===- EventJson.cpp - Reading a JSON Lines event's members -------------------------------===//
#include "EventJson.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

namespace privet::audit {

FieldValue fromJson(const llvm::json::Value *V) {
  FieldValue F;
  if (!V)
    return F;
  if (auto S = V->getAsString()) {
    F.K = FieldValue::String;
    F.Str = *S;
  } else if (auto B = V->getAsBoolean()) {
    F.K = FieldValue::Boolean;
    F.Bool = *B;
  } else if (auto I = V->getAsInteger()) {
    F.K = FieldValue::Integer;
    F.Int = *I;
  } else if (V->getAsNumber()) {
    F.K = FieldValue::Number;
  } else if (const llvm::json::Array *A = V->getAsArray()) {
    F.K = FieldValue::Array;
    F.Arr = A;
  } else if (V->getAsNull()) {
    F.K = FieldValue::Missing; // null means absent
  } else {
    F.K = FieldValue::Other;
  }
  return F;
}

bool scanFlatObject(llvm::StringRef Text, FlatMembers &Out) {
  Out.clear();
  const char *P = Text.begin(), *E = Text.end();
  auto Space = [&] {
    while (P != E && (*P == ' ' || *P == '\t' || *P == '\r' || *P == '\n'))
      ++P;
  };
  // After the opening quote: the string up to the closing one, which is consumed.
  auto String = [&](llvm::StringRef &S) {
    const char *B = P;
    // Eight bytes at a time up to the first quote, backslash or control character (the lowest
    // byte each test flags is a true hit; only bytes above one can be flagged falsely), then
    // that byte is judged below. A byte at a time was the largest part of the scan.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr uint64_t Ones = 0x0101010101010101ull, Highs = 0x8080808080808080ull;
    while (E - P >= 8) {
      uint64_t W;
      std::memcpy(&W, P, 8);
      const uint64_t Quote = W ^ (Ones * '"'), Slash = W ^ (Ones * '\\');
      const uint64_t Hit =
          (((Quote - Ones) & ~Quote) | ((Slash - Ones) & ~Slash) | ((W - Ones * 0x20) & ~W)) &
          Highs;
      if (Hit) {
        P += __builtin_ctzll(Hit) / 8;
        break;
      }
      P += 8;
    }
#endif
    while (P != E && *P != '"') {
      unsigned char C = static_cast<unsigned char>(*P);
      if (C < 0x20 || C == '\\')
        return false;
      ++P;
    }
    if (P == E)
      return false;
    S = llvm::StringRef(B, size_t(P - B));
    ++P;
    return true;
  };
  Space();
  if (P == E || *P != '{')
    return false;
  ++P;
  Space();
  if (P != E && *P == '}') {
    ++P;
  } else {
    for (;;) {
      if (P == E || *P++ != '"')
        return false;
      llvm::StringRef Key;
      if (!String(Key))
        return false;
      Space();
      if (P == E || *P++ != ':')
        return false;
      Space();
      if (P == E)
        return false;
      FieldValue F;
      char C = *P;
      if (C == '"') {
        ++P;
        F.K = FieldValue::String;
        if (!String(F.Str))
          return false;
      } else if (C == 't' || C == 'f' || C == 'n') {
        llvm::StringRef Rest(P, size_t(E - P));
        llvm::StringRef Word = C == 't' ? "true" : C == 'f' ? "false" : "null";
        if (!Rest.startswith(Word))
          return false;
        P += Word.size();
        F.K = C == 'n' ? FieldValue::Missing : FieldValue::Boolean; // null means absent
        F.Bool = C == 't';
      } else {
        // llvm::json reads the longest run of number characters with strtoll: take only
        // runs that are an optional minus and 1 to 18 digits, whose value strtoll gives.
        const char *B = P;
        while (P != E &&
               (llvm::isDigit(*P) || *P == '-' || *P == '+' || *P == '.' || *P == 'e' || *P == 'E'))
          ++P;
        llvm::StringRef Num(B, size_t(P - B));
        llvm::StringRef Digits = Num;
        Digits.consume_front("-");
        if (Digits.empty() || Digits.size() > 18 ||
            !llvm::all_of(Digits, [](char D) { return llvm::isDigit(D); }))
          return false;
        int64_t V = 0;
        for (char D : Digits)
          V = V * 10 + (D - '0');
        F.K = FieldValue::Integer;
        F.Int = Num.front() == '-' ? -V : V;
      }
      Out.emplace_back(Key, F);
      Space();
      if (P == E)
        return false;
      if (*P == ',') {
        ++P;
        Space();
        continue;
      }
      if (*P != '}')
        return false;
      ++P;
      break;
    }
  }
  Space();
  return P == E;
}

/// Whether Text is valid UTF-8: a line of ASCII (what logs almost always hold) is checked eight
/// bytes at a time, and anything else by llvm::json::isUTF8, which was 7 % of an audit.
bool isValidUtf8(llvm::StringRef Text) {
  const char *P = Text.data();
  size_t N = Text.size(), K = 0;
  uint64_t High = 0;
  for (; K + 8 <= N; K += 8) {
    uint64_t W;
    std::memcpy(&W, P + K, 8);
    High |= W;
  }
  for (; K < N; ++K)
    High |= uint8_t(P[K]);
  if (!(High & 0x8080808080808080ull))
    return true;
  return llvm::json::isUTF8(Text);
}

} // namespace privet::audit
