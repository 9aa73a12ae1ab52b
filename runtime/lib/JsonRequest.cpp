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

namespace privet::rt {

namespace {

/// A cursor over one line of JSON.
struct Scanner {
  const char *Pos, *End;
  std::string &Scratch;

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

  /// A string literal; points into the line when it has no escapes, else into Scratch.
  bool string(std::string_view &Out) {
    if (!eat('"'))
      return false;
    const char *Start = Pos;
    while (Pos < End && *Pos != '"' && *Pos != '\\' && (unsigned char)*Pos >= 0x20)
      ++Pos;
    if (Pos < End && *Pos == '"') {
      Out = std::string_view(Start, Pos - Start);
      ++Pos;
      return true;
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
      case 'u': {
        if (End - Pos < 4)
          return false;
        uint32_t Code = 0;
        auto [Ptr, Ec] = std::from_chars(Pos, Pos + 4, Code, 16);
        if (Ec != std::errc() || Ptr != Pos + 4)
          return false;
        Pos += 4;
        appendUtf8(Scratch, Code);
        break;
      }
      default:
        return false;
      }
    }
    if (Pos >= End)
      return false;
    ++Pos;
    Out = Scratch;
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

  bool integer(int64_t &V) {
    ws();
    auto [Ptr, Ec] = std::from_chars(Pos, End, V);
    if (Ec != std::errc())
      return false;
    // A fraction or exponent is not an integer.
    if (Ptr < End && (*Ptr == '.' || *Ptr == 'e' || *Ptr == 'E'))
      return false;
    Pos = Ptr;
    return true;
  }

  /// Skips any JSON value (for `id`), checking its syntax.
  bool skipValue(unsigned Depth = 0) {
    ws();
    if (Pos >= End || Depth > 64)
      return false;
    std::string_view S;
    switch (*Pos) {
    case '"':
      return string(S);
    case '{':
      ++Pos;
      if (eat('}'))
        return true;
      do {
        if (!string(S) || !eat(':') || !skipValue(Depth + 1))
          return false;
      } while (eat(','));
      return eat('}');
    case '[':
      ++Pos;
      if (eat(']'))
        return true;
      do {
        if (!skipValue(Depth + 1))
          return false;
      } while (eat(','));
      return eat(']');
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    default: {
      const char *Start = Pos;
      if (Pos < End && *Pos == '-')
        ++Pos;
      while (Pos < End && (std::isdigit((unsigned char)*Pos) || *Pos == '.' || *Pos == 'e' ||
                           *Pos == 'E' || *Pos == '+' || *Pos == '-'))
        ++Pos;
      return Pos > Start && std::isdigit((unsigned char)Pos[-1]);
    }
    }
  }
};

/// Reads one request object into a Request. Mistakes are returned as the error answer's text:
/// syntax errors name the column, unknown names and wrong types say what was expected.
class RequestParser {
public:
  RequestParser(const CompiledPolicy &P, Request &Req, std::string &Scratch, std::string_view Line)
      : P(P), Req(Req), Line(Line), S{Line.data(), Line.data() + Line.size(), Scratch} {}

  /// Fills the request; on failure returns false with Error set. RawId is the `id` member's JSON
  /// text when the line has one (also on failure, when it was read before the mistake).
  bool parse(std::string_view &RawId, std::string &Error) {
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
    *Err = "invalid request at column " + std::to_string(S.Pos - Line.data() + 1) + ": " + What;
    return false;
  }
  /// A mistake about names or values, which has no column.
  bool fail(std::string Message) {
    *Err = std::move(Message);
    return false;
  }

  /// One `"key": value` of the request object.
  bool member(std::string_view &RawId) {
    std::string_view Key;
    if (!S.string(Key))
      return bad("expected a key string");
    if (!S.eat(':'))
      return bad("expected `:`");
    if (Key == "id") {
      S.ws();
      const char *Start = S.Pos;
      if (!S.skipValue())
        return bad("malformed `id` value");
      RawId = std::string_view(Start, S.Pos - Start);
      return true;
    }
    if (Key == "attributes")
      return attributes();
    std::optional<Dim> D = dimensionFromName(Key);
    if (!D)
      return fail("unknown key `" + std::string(Key) + "`");
    return dimension(*D);
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
    } else if (!S.integer(V)) {
      return bad("attribute `" + std::string(Name) +
                 "` is a duration: expected seconds or a string like \"30 days\"");
    }
    Req.setDuration(A, V);
    return true;
  }

  const CompiledPolicy &P;
  Request &Req;
  std::string_view Line;
  Scanner S;
  std::string *Err = nullptr;
};

/// Parses Line into Req (cleared first) and decides it into Dec; appends the answer to Out.
Decision::Kind answer(const CompiledPolicy &P, Request &Req, Decision &Dec, std::string &Scratch,
                      std::string_view Line, std::string &Out, const JsonlSession::JsonTable *Rules,
                      const JsonlSession::JsonTable *Obligations, std::string_view PolicyJson) {
  Req.clear();
  std::string_view RawId;
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

Decision::Kind decideJson(const CompiledPolicy &P, std::string_view RequestJson, std::string &Out) {
  Request Req(P);
  Decision Dec;
  std::string Scratch;
  return answer(P, Req, Dec, Scratch, RequestJson, Out, nullptr, nullptr, {});
}

JsonlSession::JsonlSession(const CompiledPolicy &P) : P(P), Req(P) {
  json::appendPolicy(PolicyJson, P);
  std::string S;
  for (uint32_t R = 0; R < P.numRules(); ++R) {
    S.clear();
    json::appendRule(S, P, R);
    RuleJson.add(S);
  }
  for (uint32_t I = 0; I < P.numObligationInstances(); ++I) {
    S.clear();
    json::appendObligation(S, P, I);
    ObligationJson.add(S);
  }
}

bool JsonlSession::processLine(std::string_view Line, std::string &Out) {
  Decision::Kind K =
      answer(P, Req, Dec, Scratch, Line, Out, &RuleJson, &ObligationJson, PolicyJson);
  Out += '\n';
  ++Counts[unsigned(K)];
  return K != Decision::Kind::Error;
}

long JsonlSession::run(std::FILE *In, std::FILE *OutFile, std::string &Err) {
  constexpr size_t Chunk = 1 << 20;
  std::string Buffer, Out;
  Buffer.reserve(2 * Chunk);
  Out.reserve(2 * Chunk);
  long Errors = 0;
  size_t Start = 0;
  bool Eof = false;
  while (!Eof) {
    // Keep the unfinished line, read more after it.
    Buffer.erase(0, Start);
    Start = 0;
    size_t Old = Buffer.size();
    Buffer.resize(Old + Chunk);
    size_t Got = std::fread(&Buffer[Old], 1, Chunk, In);
    Buffer.resize(Old + Got);
    if (Got < Chunk) {
      if (std::ferror(In)) {
        Err = std::string("cannot read requests: ") + std::strerror(errno);
        return -1;
      }
      Eof = true;
      if (!Buffer.empty() && Buffer.back() != '\n')
        Buffer += '\n';
    }
    while (true) {
      size_t Newline = Buffer.find('\n', Start);
      if (Newline == std::string::npos)
        break;
      std::string_view Line(Buffer.data() + Start, Newline - Start);
      if (!Line.empty() && Line.back() == '\r')
        Line.remove_suffix(1);
      if (!processLine(Line, Out))
        ++Errors;
      Start = Newline + 1;
      if (Out.size() >= Chunk) {
        if (std::fwrite(Out.data(), 1, Out.size(), OutFile) != Out.size()) {
          Err = std::string("cannot write decisions: ") + std::strerror(errno);
          return -1;
        }
        Out.clear();
      }
    }
  }
  if (!Out.empty() && std::fwrite(Out.data(), 1, Out.size(), OutFile) != Out.size()) {
    Err = std::string("cannot write decisions: ") + std::strerror(errno);
    return -1;
  }
  if (std::fflush(OutFile) != 0) {
    Err = std::string("cannot write decisions: ") + std::strerror(errno);
    return -1;
  }
  return Errors;
}

} // namespace privet::rt
