//===- JsonRequest.cpp - JSON requests: the scanner, the request parser and JSONL sessions ---===//
//
// A small scanner for the flat request schema of docs/runtime-api.md, names resolved through the
// policy's hash maps. Standard library only: every client of the runtime parses requests here.
//
//===------------------------------------------------------------------------------------------===//
#include "JsonImpl.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace privet::rt {

namespace {

/// A cursor over one line of JSON.
struct Scanner {
  const char *Pos, *End;
  std::string &Scratch;
  /// Set when a string failed for its contents (invalid UTF-8, a lone surrogate escape) rather
  /// than its syntax, so the error can say so.
  bool BadText = false;

  void ws() {
    while (Pos < End && (*Pos == ' ' || *Pos == '\t' || *Pos == '\r' || *Pos == '\n'))
      ++Pos;
  }
  bool eat(char C) {
    ws();
    if (Pos < End && *Pos == C) {
      ++Pos;
      return true;
    }
    return false;
  }
  bool peek(char C) {
    ws();
    return Pos < End && *Pos == C;
  }

  static void appendUtf8(std::string &Out, uint32_t C) {
    if (C < 0x80) {
      Out += char(C);
    } else if (C < 0x800) {
      Out += char(0xC0 | (C >> 6));
      Out += char(0x80 | (C & 0x3F));
    } else if (C < 0x10000) {
      Out += char(0xE0 | (C >> 12));
      Out += char(0x80 | ((C >> 6) & 0x3F));
      Out += char(0x80 | (C & 0x3F));
    } else {
      Out += char(0xF0 | (C >> 18));
      Out += char(0x80 | ((C >> 12) & 0x3F));
      Out += char(0x80 | ((C >> 6) & 0x3F));
      Out += char(0x80 | (C & 0x3F));
    }
  }

  /// Four hex digits of a \u escape.
  bool hex4(uint32_t &Code) {
    if (End - Pos < 4)
      return false;
    auto [Ptr, Ec] = std::from_chars(Pos, Pos + 4, Code, 16);
    if (Ec != std::errc() || Ptr != Pos + 4)
      return false;
    Pos += 4;
    return true;
  }

  /// A \u escape after its `\u`: a UTF-16 surrogate pair is one code point, and a lone
  /// surrogate has no UTF-8 form, so it is refused.
  bool unicodeEscape() {
    uint32_t Code;
    if (!hex4(Code))
      return false;
    if (Code >= 0xDC00 && Code <= 0xDFFF)
      return BadText = true, false;
    if (Code >= 0xD800 && Code <= 0xDBFF) {
      uint32_t Low;
      if (End - Pos < 2 || Pos[0] != '\\' || Pos[1] != 'u')
        return BadText = true, false;
      Pos += 2;
      if (!hex4(Low))
        return false;
      if (Low < 0xDC00 || Low > 0xDFFF)
        return BadText = true, false;
      Code = 0x10000 + ((Code - 0xD800) << 10) + (Low - 0xDC00);
    }
    appendUtf8(Scratch, Code);
    return true;
  }

  static constexpr uint64_t Ones = 0x0101010101010101ull;
  /// The top bit of each byte of W that is `"`, `\\` or below 0x20, and of no other byte. Each
  /// byte's test stays within the byte (no carry or borrow crosses into the next), so every bit
  /// is exact, not only the lowest.
  static uint64_t stopBytes(uint64_t W) {
    constexpr uint64_t Low7 = Ones * 0x7F, Top = Ones * 0x80;
    // A byte is zero iff adding 0x7F to its low seven bits leaves its top bit and its own top
    // bit clear; a byte is below 0x20 iff adding 0x60 does.
    auto Zero = [&](uint64_t X) { return ~(((X & Low7) + Low7) | X) & Top; };
    uint64_t Control = ~(((W & Low7) + Ones * 0x60) | W) & Top;
    return Zero(W ^ (Ones * '"')) | Zero(W ^ (Ones * '\\')) | Control;
  }

  /// A string literal; points into the line when it has no escapes, else into Scratch. Its text
  /// must be valid UTF-8 (docs/runtime-api.md): a request with anything else is refused, so no
  /// invalid byte reaches a name lookup or an answer.
  bool string(std::string_view &Out) {
    if (!eat('"'))
      return false;
    const char *Start = Pos;
    // Names are ASCII in practice: the scan ORs the bytes together, and the UTF-8 check runs
    // only on a string with a byte past 0x7F. Eight bytes at a time while they last: the bytes
    // that end the plain run (`"`, `\\`, a control byte) are found exactly in each word, so
    // the run ends on the same byte as the one-byte loop after it, which finishes the tail.
    uint64_t High = 0;
#if defined(__BYTE_ORDER__) &&                                                                     \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ // the first byte is the lowest
    while (End - Pos >= 8) {
      uint64_t W;
      std::memcpy(&W, Pos, sizeof W);
      if (uint64_t Stop = stopBytes(W)) {
        unsigned Plain = unsigned(__builtin_ctzll(Stop)) / 8;
        High |= W & ((uint64_t(1) << (8 * Plain)) - 1);
        Pos += Plain;
        break;
      }
      High |= W;
      Pos += 8;
    }
#endif
    while (Pos < End && *Pos != '"' && *Pos != '\\' && (unsigned char)*Pos >= 0x20)
      High |= (unsigned char)*Pos++;
    High &= Ones * 0x80;
    if (Pos < End && *Pos == '"') {
      Out = std::string_view(Start, Pos - Start);
      ++Pos;
      return !High || validText(Out);
    }
    Scratch.assign(Start, Pos);
    while (Pos < End && *Pos != '"') {
      char C = *Pos++;
      if ((unsigned char)C < 0x20)
        return false;
      if (C != '\\') {
        Scratch += C;
        continue;
      }
      if (Pos >= End)
        return false;
      char E = *Pos++;
      switch (E) {
      case '"':
      case '\\':
      case '/':
        Scratch += E;
        break;
      case 'b':
        Scratch += '\b';
        break;
      case 'f':
        Scratch += '\f';
        break;
      case 'n':
        Scratch += '\n';
        break;
      case 'r':
        Scratch += '\r';
        break;
      case 't':
        Scratch += '\t';
        break;
      case 'u':
        if (!unicodeEscape())
          return false;
        break;
      default:
        return false;
      }
    }
    if (Pos >= End)
      return false;
    ++Pos;
    Out = Scratch;
    return validText(Out);
  }

  bool validText(std::string_view Text) {
    if (!json::isValidUtf8(Text))
      return BadText = true, false;
    return true;
  }

  bool literal(const char *Word) {
    ws();
    size_t N = std::strlen(Word);
    if (size_t(End - Pos) >= N && std::memcmp(Pos, Word, N) == 0) {
      Pos += N;
      return true;
    }
    return false;
  }

  /// A JSON integer: no `+`, no leading zero (`018`), no fraction or exponent.
  bool integer(int64_t &V) {
    ws();
    const char *Digits = Pos < End && *Pos == '-' ? Pos + 1 : Pos;
    if (Digits + 1 < End && Digits[0] == '0' && std::isdigit((unsigned char)Digits[1]))
      return false;
    auto [Ptr, Ec] = std::from_chars(Pos, End, V);
    if (Ec != std::errc())
      return false;
    // A fraction or exponent is not an integer.
    if (Ptr < End && (*Ptr == '.' || *Ptr == 'e' || *Ptr == 'E'))
      return false;
    Pos = Ptr;
    return true;
  }

  /// A JSON number as RFC 8259 writes it (`-`? int frac? exp?), its text left in place; nothing
  /// else (`01`, `+1`, `1.2.3e+-5`) is one.
  bool number() {
    ws();
    const char *P = Pos;
    auto Digits = [&] {
      const char *From = P;
      while (P < End && std::isdigit((unsigned char)*P))
        ++P;
      return P > From;
    };
    if (P < End && *P == '-')
      ++P;
    if (P < End && *P == '0')
      ++P;
    else if (!Digits())
      return false;
    if (P < End && *P == '.' && (++P, !Digits()))
      return false;
    if (P < End && (*P == 'e' || *P == 'E')) {
      ++P;
      if (P < End && (*P == '+' || *P == '-'))
        ++P;
      if (!Digits())
        return false;
    }
    // A number ends where the value does: `01` is not `0` followed by junk to report later.
    if (P < End && !std::strchr(" \t\r\n,}]", *P))
      return false;
    Pos = P;
    return true;
  }
};

/// Reads one request object into a Request. Mistakes are returned as the error answer's text:
/// syntax errors name the column, unknown names and wrong types say what was expected.
class RequestParser {
public:
  RequestParser(const CompiledPolicy &P, Request &Req, std::string &Scratch, std::string_view Line)
      : P(P), Req(Req), Line(Line), S{Line.data(), Line.data() + Line.size(), Scratch} {}

  /// Fills the request; on failure returns false with Error set. Id is set to the `id` member
  /// re-serialized as JSON when the line has one (also on failure, when it was read before the
  /// mistake), and is left empty otherwise.
  bool parse(std::string &Id, std::string &Error) {
    Id.clear();
    std::string &RawId = Id;
    Err = &Error;
    if (!S.eat('{'))
      return bad("expected a JSON object");
    if (!S.eat('}')) {
      do {
        if (!member(RawId))
          return false;
      } while (S.eat(','));
      if (!S.eat('}'))
        return bad("expected `,` or `}`");
    }
    S.ws();
    if (S.Pos != S.End)
      return bad("unexpected text after the request object");
    return true;
  }

private:
  /// A syntax error at the scanner's position.
  bool bad(const std::string &What) {
    *Err = "invalid request at column " + std::to_string(S.Pos - Line.data() + 1) + ": " +
           (S.BadText ? std::string("a string is not valid UTF-8 (or escapes a lone surrogate)")
                      : What);
    return false;
  }
  /// A mistake about names or values, which has no column.
  bool fail(std::string Message) {
    *Err = std::move(Message);
    return false;
  }

  /// One `"key": value` of the request object. A key given twice is refused: JSON parsers
  /// disagree on which copy wins, so accepting it would let a request mean two things.
  bool member(std::string &RawId) {
    std::string_view Key;
    if (!S.string(Key))
      return bad("expected a key string");
    if (!S.eat(':'))
      return bad("expected `:`");
    uint32_t Bit;
    std::optional<Dim> D;
    if (Key == "id")
      Bit = 1u << NumDimensions;
    else if (Key == "attributes")
      Bit = 2u << NumDimensions;
    else if ((D = dimensionFromName(Key)))
      Bit = 1u << unsigned(*D);
    else
      return fail("unknown key `" + std::string(Key) + "`");
    if (Seen & Bit)
      return fail("duplicate key `" + std::string(Key) + "`");
    Seen |= Bit;
    if (Key == "id")
      return id(RawId);
    if (Key == "attributes")
      return attributes();
    return dimension(*D);
  }

  /// `"id"`: a string or a number, at most MaxIdBytes long, kept re-serialized so that the
  /// answer line is valid JSON whatever bytes the request held.
  bool id(std::string &Out) {
    S.ws();
    const char *Start = S.Pos;
    std::string_view Text;
    if (S.peek('"')) {
      if (!S.string(Text)) {
        S.Pos = Start; // the column of the id, not of the byte that ended the scan
        return bad("malformed `id` string");
      }
    } else if (!S.number()) {
      return bad("`id` must be a string or a number");
    }
    if (size_t(S.Pos - Start) > MaxIdBytes)
      return fail("`id` is longer than " + std::to_string(MaxIdBytes) + " bytes");
    if (*Start == '"')
      appendJsonString(Out, Text);
    else
      Out.assign(Start, S.Pos);
    return true;
  }

  /// The value of a dimension key: a name, or for `data` an array of names.
  bool dimension(Dim D) {
    if (S.peek('[')) {
      if (D != Dim::Data)
        return bad("only `data` may list several values");
      S.eat('[');
      if (S.eat(']'))
        return true;
      do {
        std::string_view Name;
        if (!S.string(Name))
          return bad("expected a data category name");
        setValue(D, Name, /*Add=*/true);
      } while (S.eat(','));
      return S.eat(']') || bad("expected `,` or `]`");
    }
    std::string_view Name;
    if (!S.string(Name))
      return bad("`" + std::string(dimensionName(D)) + "` must be a value name");
    setValue(D, Name, /*Add=*/false);
    return true;
  }

  void setValue(Dim D, std::string_view Name, bool Add) {
    uint32_t Id = P.valueId(D, Name);
    if (Id == InvalidId) {
      Req.set(D, Name); // records the runtime's "unknown <noun> `x`" error
      return;
    }
    if (Add)
      Req.addData(Id);
    else
      Req.set(D, Id);
  }

  /// `"attributes": {"name": value, ...}`.
  bool attributes() {
    if (!S.eat('{'))
      return bad("`attributes` must be an object");
    if (S.eat('}'))
      return true;
    do {
      if (!attribute())
        return false;
    } while (S.eat(','));
    return S.eat('}') || bad("expected `,` or `}` in `attributes`");
  }

  bool attribute() {
    std::string_view Name;
    if (!S.string(Name))
      return bad("expected an attribute name");
    if (!S.eat(':'))
      return bad("expected `:`");
    uint32_t A = P.attributeId(Name);
    if (A != InvalidId && Req.hasAttribute(A))
      return fail("duplicate attribute `" + std::string(Name) + "`");
    // For messages: a name decoded into Scratch is copied, since the value may reuse it; one that
    // is a slice of the line stays valid (the common case: no allocation).
    std::string Decoded;
    if (Name.data() < Line.data() || Name.data() >= Line.data() + Line.size())
      Name = Decoded = std::string(Name);
    if (A == InvalidId)
      return fail("unknown attribute `" + std::string(Name) + "`" +
                  P.suggestAttribute(std::string(Name)));
    S.ws();
    return attributeValue(A, Name);
  }

  bool attributeValue(uint32_t A, std::string_view Name) {
    auto Typed = [&](const char *What) {
      return bad("attribute `" + std::string(Name) + "` is " + What);
    };
    switch (P.attributeKind(A)) {
    case AttrKind::Bool:
      if (S.literal("true"))
        Req.setBool(A, true);
      else if (S.literal("false"))
        Req.setBool(A, false);
      else
        return Typed("a bool: expected true or false");
      return true;
    case AttrKind::Int: {
      int64_t V;
      if (!S.integer(V))
        return Typed("an int: expected an integer");
      Req.setInt(A, V);
      return true;
    }
    case AttrKind::Duration:
      return durationValue(A, Name);
    case AttrKind::Enum: {
      std::string_view Value;
      if (!S.string(Value))
        return Typed("an enum: expected a value name");
      uint32_t Id = P.enumValueId(P.attributeEnum(A), Value);
      if (Id == InvalidId)
        return fail("unknown value `" + std::string(Value) + "` of enum `" +
                    std::string(P.enumName(P.attributeEnum(A))) + "` for attribute `" +
                    std::string(Name) + "`");
      Req.setEnum(A, Id);
      return true;
    }
    }
    return false;
  }

  /// Seconds, or a string as the language writes a duration ("30 days").
  bool durationValue(uint32_t A, std::string_view Name) {
    int64_t V;
    if (S.peek('"')) {
      std::string_view Text;
      if (!S.string(Text))
        return bad("malformed string");
      auto Seconds = parseDuration(Text);
      if (!Seconds)
        return bad("attribute `" + std::string(Name) + "` is a duration: `" + std::string(Text) +
                   "` is not one (e.g. \"30 days\")");
      V = *Seconds;
    } else if (!S.integer(V) || V < 0) {
      return bad("attribute `" + std::string(Name) +
                 "` is a duration: expected seconds (not negative) or a string like \"30 days\"");
    }
    Req.setDuration(A, V);
    return true;
  }

  const CompiledPolicy &P;
  Request &Req;
  std::string_view Line;
  Scanner S;
  std::string *Err = nullptr;
  uint32_t Seen = 0; ///< Keys read so far: a bit per dimension, then `id` and `attributes`.
};

/// Parses Line into Req (cleared first) and decides it into Dec; appends the answer to Out.
Decision::Kind answer(const CompiledPolicy &P, Request &Req, Decision &Dec, std::string &Scratch,
                      std::string &RawId, std::string_view Line, std::string &Out,
                      JsonlSession::JsonTable *Rules, JsonlSession::JsonTable *Obligations,
                      std::string_view PolicyJson) {
  Req.clear();
  std::string Error;
  if (!RequestParser(P, Req, Scratch, Line).parse(RawId, Error)) {
    std::string Own;
    if (PolicyJson.empty()) {
      json::appendPolicy(Own, P);
      PolicyJson = Own;
    }
    json::appendError(Out, RawId, Error, PolicyJson);
    return Decision::Kind::Error;
  }
  P.decide(Req, Dec);
  json::appendDecision(Out, P, Dec, RawId, Rules, Obligations, PolicyJson);
  return Dec.kind();
}

} // namespace

bool parseRequestJson(const CompiledPolicy &P, std::string_view RequestJson, Request &Req,
                      std::string &Id, std::string &Error) {
  Req.clear();
  std::string Scratch;
  return RequestParser(P, Req, Scratch, RequestJson).parse(Id, Error);
}

Decision::Kind decideJson(const CompiledPolicy &P, std::string_view RequestJson, std::string &Out) {
  Request Req(P);
  Decision Dec;
  std::string Scratch, Id;
  return answer(P, Req, Dec, Scratch, Id, RequestJson, Out, nullptr, nullptr, {});
}

JsonlSession::JsonlSession(const CompiledPolicy &P) : P(P), Req(P) {
  json::appendPolicy(PolicyJson, P);
  // Each rule's and obligation's JSON is rendered when a decision first lists it.
  RuleJson.reset(P.numRules());
  ObligationJson.reset(P.numObligationInstances());
}

bool JsonlSession::processLine(std::string_view Line, std::string &Out) {
  Decision::Kind K =
      answer(P, Req, Dec, Scratch, IdBuf, Line, Out, &RuleJson, &ObligationJson, PolicyJson);
  Out += '\n';
  ++Counts[unsigned(K)];
  return K != Decision::Kind::Error;
}

long JsonlSession::run(std::FILE *In, std::FILE *OutFile, std::string &Err) {
  constexpr size_t Chunk = 1 << 20;
  int Fd = ::fileno(In);
  struct stat St;
  // From a regular file, large blocks; from anything else, every line as soon as it arrives.
  bool Interactive = ::fstat(Fd, &St) != 0 || !S_ISREG(St.st_mode);
  std::string Buffer, Out;
  Buffer.reserve(2 * Chunk);
  Out.reserve(2 * Chunk);
  long Errors = 0;
  size_t Start = 0;
  bool Eof = false;
  // Inside a line longer than MaxLineBytes: its start is answered, the rest is dropped unread.
  bool Skipping = false;
  auto Write = [&]() {
    if (!Out.empty() && std::fwrite(Out.data(), 1, Out.size(), OutFile) != Out.size())
      return false;
    Out.clear();
    return !Interactive || std::fflush(OutFile) == 0;
  };
  auto AnswerTooLong = [&] {
    ++Errors;
    ++Counts[unsigned(Decision::Kind::Error)];
    json::appendError(Out, {},
                      "request line is longer than " + std::to_string(MaxLineBytes) + " bytes",
                      PolicyJson);
    Out += '\n';
  };
  auto WriteFailed = [&] {
    Err = std::string("cannot write decisions: ") + std::strerror(errno);
    return -1;
  };
  while (!Eof) {
    // Keep the unfinished line, read more after it.
    Buffer.erase(0, Start);
    Start = 0;
    size_t Old = Buffer.size();
    Buffer.resize(Old + Chunk);
    ssize_t Got = ::read(Fd, &Buffer[Old], Chunk);
    if (Got < 0) {
      Buffer.resize(Old);
      if (errno == EINTR)
        continue;
      Err = std::string("cannot read requests: ") + std::strerror(errno);
      return -1;
    }
    Buffer.resize(Old + size_t(Got));
    if (Got == 0) {
      Eof = true;
      if (!Buffer.empty() && Buffer.back() != '\n')
        Buffer += '\n';
    }
    while (true) {
      size_t Newline = Buffer.find('\n', Start);
      if (Newline == std::string::npos) {
        if (Buffer.size() - Start > MaxLineBytes) {
          if (!Skipping) {
            AnswerTooLong();
            Skipping = true;
          }
          Start = Buffer.size();
        }
        break;
      }
      std::string_view Line(Buffer.data() + Start, Newline - Start);
      Start = Newline + 1;
      if (Skipping) { // the end of an over-long line, already answered
        Skipping = false;
        continue;
      }
      if (!Line.empty() && Line.back() == '\r')
        Line.remove_suffix(1);
      if (Line.size() > MaxLineBytes) {
        AnswerTooLong();
      } else if (!processLine(Line, Out)) {
        ++Errors;
      }
      if (Out.size() >= Chunk && !Write())
        return WriteFailed();
    }
    if (Interactive && !Write())
      return WriteFailed();
  }
  if (!Write() || std::fflush(OutFile) != 0)
    return WriteFailed();
  return Errors;
}

} // namespace privet::rt
