//===- EventJsonTest.cpp - The flat event reader reads what llvm::json reads -------------===//
//
// Random log lines, most of them flat objects and many of them broken in small ways (cut short,
// a byte changed, duplicate keys, odd numbers, escapes, nesting): whenever scanFlatObject accepts
// a line, llvm::json::parse must accept it too, as an object with the same members and values
// (a repeated key's last value); and every line llvm::json reads as a flat object of the kinds
// the scanner handles must be accepted, so that the fast path is the common path.
//
//===------------------------------------------------------------------------------------===//
#include "EventJson.h"
#include "privet/Audit/Audit.h"

#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

using namespace privet::audit;

namespace {

std::string randomValue(std::mt19937_64 &Rng) {
  static const char *const Values[] = {"\"crm\"",
                                       "\"mkt.subscribers.email\"",
                                       "\"\"",
                                       "\"caf\xc3\xa9\"",
                                       "\"a\\\"b\"",
                                       "\"\\u0041\"",
                                       "true",
                                       "false",
                                       "null",
                                       "0",
                                       "-0",
                                       "007",
                                       "12",
                                       "-42",
                                       "1.5",
                                       "1e3",
                                       "+5",
                                       "-",
                                       "123456789012345678",
                                       "1234567890123456789",
                                       "99999999999999999999",
                                       "[\"a\",\"b\"]",
                                       "{\"x\":1}",
                                       "[]",
                                       "tru",
                                       "nul",
                                       "\"tab\there\""};
  return Values[Rng() % (sizeof(Values) / sizeof(Values[0]))];
}

std::string randomSpace(std::mt19937_64 &Rng) {
  static const char *const Spaces[] = {"", "", "", " ", "  ", "\t", "\r", "\n"};
  return Spaces[Rng() % 8];
}

std::string randomLine(std::mt19937_64 &Rng) {
  static const char *const Keys[] = {"system", "op", "tables", "purpose", "opted_out", "ts", "id"};
  std::string L = randomSpace(Rng) + "{" + randomSpace(Rng);
  unsigned N = Rng() % 6;
  for (unsigned K = 0; K < N; ++K) {
    if (K)
      L += "," + randomSpace(Rng);
    L += std::string("\"") + Keys[Rng() % 7] + "\"" + randomSpace(Rng) + ":" + randomSpace(Rng) +
         randomValue(Rng) + randomSpace(Rng);
  }
  L += "}" + randomSpace(Rng);
  switch (Rng() % 8) {
  case 0: // cut short
    L.resize(Rng() % (L.size() + 1));
    break;
  case 1: // one byte changed
    if (!L.empty())
      L[Rng() % L.size()] = "{}[],:\"x1 -"[Rng() % 11];
    break;
  case 2: // text after the object
    L += Rng() % 2 ? "x" : "{}";
    break;
  default:
    break;
  }
  return L;
}

bool sameValue(const FieldValue &A, const FieldValue &B) {
  if (A.K != B.K)
    return false;
  switch (A.K) {
  case FieldValue::String:
    return A.Str == B.Str;
  case FieldValue::Integer:
    return A.Int == B.Int;
  case FieldValue::Boolean:
    return A.Bool == B.Bool;
  default:
    return true;
  }
}

TEST(EventJson, FlatScanAgreesWithLlvmJson) {
  std::mt19937_64 Rng(13);
  unsigned Scanned = 0, FellBack = 0;
  FlatMembers Members;
  for (unsigned I = 0; I < 200000; ++I) {
    std::string Line = randomLine(Rng);
    if (!llvm::json::isUTF8(Line))
      continue; // the auditor makes these gaps before reading them (invalid UTF-8)
    bool Flat = scanFlatObject(Line, Members);
    llvm::Expected<llvm::json::Value> V = llvm::json::parse(Line);
    if (!V) {
      llvm::consumeError(V.takeError());
      ASSERT_FALSE(Flat) << "accepted what llvm::json rejects: " << Line;
      continue;
    }
    const llvm::json::Object *O = V->getAsObject();
    if (!Flat) {
      ++FellBack;
      // Only lines outside the scanner's subset may fall back.
      bool Simple = O != nullptr;
      if (O)
        for (const auto &E : *O) {
          const llvm::json::Value &M = E.second;
          if (M.getAsArray() || M.getAsObject() || (M.getAsNumber() && !M.getAsInteger()))
            Simple = false;
        }
      // What the scanner leaves to llvm::json: escapes and control characters, arrays and
      // objects (even when a later duplicate replaces them), and numbers other than up to 18
      // digits with an optional minus.
      bool Escapes = Line.find('\\') != std::string::npos ||
                     Line.find_first_of("\t[", Line.find('"')) != std::string::npos ||
                     Line.find('{', Line.find('{') + 1) != std::string::npos ||
                     Line.find_first_of(".+") != std::string::npos;
      size_t Run = 0;
      for (char C : Line) {
        Escapes |= Run && (C == 'e' || C == 'E'); // an exponent
        Run = llvm::isDigit(C) ? Run + 1 : 0;
        Escapes |= Run > 18;
      }
      EXPECT_TRUE(!Simple || Escapes) << "a plain flat object fell back: " << Line;
      continue;
    }
    ++Scanned;
    ASSERT_NE(O, nullptr) << Line;
    // The same members: every scanned key's last value is the tree's, and the tree has no other.
    size_t Distinct = 0;
    for (size_t K = 0; K < Members.size(); ++K) {
      bool Last = true;
      for (size_t J = K + 1; J < Members.size(); ++J)
        Last &= Members[J].first != Members[K].first;
      if (!Last)
        continue;
      ++Distinct;
      FieldValue Tree = fromJson(O->get(Members[K].first));
      EXPECT_TRUE(sameValue(Members[K].second, Tree))
          << "member `" << Members[K].first.str() << "` of " << Line;
    }
    EXPECT_EQ(Distinct, O->size()) << Line;
  }
  // The generator makes both kinds often.
  EXPECT_GT(Scanned, 20000u);
  EXPECT_GT(FellBack, 20000u);
}

// Strings are scanned eight bytes at a time: a quote, a backslash or a control character at
// every offset from the start of the string (and so at every position in a word), before and
// after bytes that must not stop the scan (UTF-8, DEL, space), in keys and in values.
TEST(EventJson, StringScanStopsAtEveryOffset) {
  const std::string Specials[] = {
      "\\\"", "\\n", "\t", std::string(1, '\x01'), "\x1f", "\x7f", "\xc3\xa9", " ", "~", "\\u0041"};
  FlatMembers Members;
  for (size_t Len = 0; Len < 26; ++Len)
    for (const std::string &Special : Specials)
      for (bool InKey : {false, true}) {
        std::string Body = std::string(Len, 'a') + Special + "bcdefghij";
        std::string Line = InKey ? "{\"" + Body + "\":\"v\"}" : "{\"k\":\"" + Body + "\"}";
        bool Flat = scanFlatObject(Line, Members);
        llvm::Expected<llvm::json::Value> V = llvm::json::parse(Line);
        if (!V) { // raw control characters are not JSON
          llvm::consumeError(V.takeError());
          EXPECT_FALSE(Flat) << Line;
          EXPECT_LT(static_cast<unsigned char>(Special[0]), 0x20) << Line;
          continue;
        }
        const llvm::json::Object *O = V->getAsObject();
        ASSERT_NE(O, nullptr);
        // The scanner takes exactly the strings without escapes or control characters.
        bool Plain = Special.find('\\') == std::string::npos &&
                     static_cast<unsigned char>(Special[0]) >= 0x20;
        EXPECT_EQ(Flat, Plain) << Line;
        if (!Flat)
          continue;
        ASSERT_EQ(Members.size(), 1u);
        EXPECT_EQ(Members[0].first.str(), InKey ? Body : "k") << Line;
        EXPECT_EQ(Members[0].second.Str.str(), InKey ? "v" : Body) << Line;
        EXPECT_TRUE(sameValue(Members[0].second, fromJson(O->get(Members[0].first)))) << Line;
      }
}

TEST(EventJson, Examples) {
  FlatMembers M;
  ASSERT_TRUE(scanFlatObject(R"( {"a": "x", "b":-12, "c":true, "d":null, "a":"y"} )", M));
  ASSERT_EQ(M.size(), 5u);
  EXPECT_EQ(M[1].second.K, FieldValue::Integer);
  EXPECT_EQ(M[1].second.Int, -12);
  EXPECT_EQ(M[3].second.K, FieldValue::Missing);
  EXPECT_EQ(M[4].second.Str, "y");
  EXPECT_TRUE(scanFlatObject("{}", M));
  EXPECT_TRUE(M.empty());
  for (const char *Other :
       {"{\"a\":\"\\n\"}", "{\"a\":[1]}", "{\"a\":1.0}", "{\"a\":1}x", "[]", "{\"a\":\"x\"", ""})
    EXPECT_FALSE(scanFlatObject(Other, M)) << Other;
}

} // namespace

/// Lines of random bytes, mostly ASCII, with UTF-8 sequences good and bad placed anywhere
/// (across the eight-byte words the ASCII check reads).
static std::string randomBytes(std::mt19937_64 &Rng) {
  static const char *const Pieces[] = {
      "\xc3\xa9",     "\xe2\x82\xac",    "\xf0\x9f\x98\x80",     "\xc3",
      "\x80",         "\xed\xa0\x80",    "\xf8\x88\x80\x80\x80", "\xc0\xaf",
      "\xef\xbf\xbf", "\xf4\x90\x80\x80"};
  std::string S;
  size_t Len = Rng() % 40;
  for (size_t K = 0; K < Len; ++K) {
    unsigned Pick = Rng() % 20;
    if (Pick == 0)
      S += Pieces[Rng() % (sizeof Pieces / sizeof *Pieces)];
    else if (Pick == 1)
      S += char(Rng() % 256);
    else
      S += char(' ' + Rng() % 95);
  }
  return S;
}

TEST(EventJson, Utf8CheckAgreesWithLlvmJson) {
  std::mt19937_64 Rng(17);
  unsigned Invalid = 0;
  for (unsigned I = 0; I < 200000; ++I) {
    std::string S = randomBytes(Rng);
    bool Want = llvm::json::isUTF8(S);
    ASSERT_EQ(Want, isValidUtf8(S)) << llvm::toHex(S);
    Invalid += !Want;
  }
  EXPECT_GT(Invalid, 1000u);
  EXPECT_LT(Invalid, 190000u);
}

/// parseTime as it was before its digits were read by hand (getAsInteger on each part, an
/// integer tried first): the reference the faster one must agree with.
static int64_t daysFromCivil(int64_t Y, unsigned M, unsigned D) {
  Y -= M <= 2;
  const int64_t Era = (Y >= 0 ? Y : Y - 399) / 400;
  const unsigned Yoe = unsigned(Y - Era * 400);
  const unsigned Doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
  const unsigned Doe = Yoe * 365 + Yoe / 4 - Yoe / 100 + Doy;
  return Era * 146097 + int64_t(Doe) - 719468;
}

static std::optional<int64_t> referenceParseTime(llvm::StringRef T) {
  T = T.trim();
  int64_t Epoch;
  if (!T.getAsInteger(10, Epoch))
    return Epoch;
  unsigned Y, Mo, D, H = 0, Mi = 0, S = 0;
  auto Num = [&](size_t Pos, size_t Len, unsigned &Out) {
    return Pos + Len <= T.size() && !T.substr(Pos, Len).getAsInteger(10, Out) &&
           llvm::all_of(T.substr(Pos, Len), llvm::isDigit);
  };
  if (!Num(0, 4, Y) || T.size() < 10 || T[4] != '-' || !Num(5, 2, Mo) || T[7] != '-' ||
      !Num(8, 2, D) || Mo < 1 || Mo > 12 || D < 1 || D > 31)
    return std::nullopt;
  size_t Pos = 10;
  int64_t Offset = 0;
  if (Pos < T.size()) {
    if ((T[Pos] != 'T' && T[Pos] != ' ') || !Num(Pos + 1, 2, H) || T.size() < Pos + 9 ||
        T[Pos + 3] != ':' || !Num(Pos + 4, 2, Mi) || T[Pos + 6] != ':' || !Num(Pos + 7, 2, S) ||
        H > 23 || Mi > 59 || S > 60)
      return std::nullopt;
    Pos += 9;
    if (Pos < T.size() && T[Pos] == '.') {
      ++Pos;
      while (Pos < T.size() && llvm::isDigit(T[Pos]))
        ++Pos;
    }
    if (Pos < T.size()) {
      unsigned OH, OM;
      if (T[Pos] == 'Z' && Pos + 1 == T.size()) {
      } else if ((T[Pos] == '+' || T[Pos] == '-') && T.size() == Pos + 6 && Num(Pos + 1, 2, OH) &&
                 T[Pos + 3] == ':' && Num(Pos + 4, 2, OM)) {
        Offset = (T[Pos] == '+' ? 1 : -1) * int64_t(OH * 3600 + OM * 60);
      } else {
        return std::nullopt;
      }
    }
  }
  return daysFromCivil(Y, Mo, D) * 86400 + H * 3600 + Mi * 60 + S - Offset;
}

TEST(EventJson, TimesParseAsBefore) {
  std::mt19937_64 Rng(19);
  const std::string Alphabet = "0123456789-:TZ+. x";
  unsigned Parsed = 0;
  for (unsigned I = 0; I < 200000; ++I) {
    std::string S;
    if (Rng() % 2) {
      // Near an ISO time: a real one with a character or two changed.
      S = privet::audit::formatTime(int64_t(Rng() % 4000000000ull) - 1000000000);
      for (unsigned K = Rng() % 3; K-- > 0;)
        S[Rng() % S.size()] = Alphabet[Rng() % Alphabet.size()];
      if (Rng() % 4 == 0)
        S.resize(Rng() % (S.size() + 1));
    } else {
      for (size_t K = Rng() % 24; K-- > 0;)
        S += Alphabet[Rng() % Alphabet.size()];
    }
    std::optional<int64_t> Want = referenceParseTime(S), Got = privet::audit::parseTime(S);
    ASSERT_EQ(Want, Got) << "`" << S << "`";
    Parsed += Got.has_value();
  }
  EXPECT_GT(Parsed, 20000u);
}
