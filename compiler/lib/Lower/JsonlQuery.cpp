//===- JsonlQuery.cpp - Batch decisions: JSON request lines in, JSON decision lines out ------===//
#include "privet/Lower/JsonlQuery.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace privet {

using rt::AttrKind;
using rt::Dim;

JsonlQuery::JsonlQuery(const rt::CompiledPolicy &P) : P(P), Req(P) {
  for (uint32_t R = 0; R < P.numRules(); ++R) {
    rt::RuleInfo Info = P.rule(R);
    std::string S = "{\"id\":";
    rt::appendJsonString(S, Info.Id);
    S += ",\"file\":";
    rt::appendJsonString(S, Info.File);
    S += ",\"line\":" + std::to_string(Info.Line) + ",\"col\":" + std::to_string(Info.Col) + "}";
    RuleJson.add(S);
  }
  for (uint32_t I = 0; I < P.numObligationInstances(); ++I) {
    rt::ObligationInstance OI = P.obligationInstance(I);
    std::string S = "{\"name\":";
    rt::appendJsonString(S, P.obligationName(OI.Obligation));
    if (OI.HasArg) {
      AttrKind K = P.obligationParamKind(OI.Obligation);
      S += ",\"arg\":";
      rt::appendJsonString(S, P.formatValue(K, P.obligationParamEnum(OI.Obligation), OI.Arg));
      if (K == AttrKind::Duration)
        S += ",\"seconds\":" + std::to_string(OI.Arg);
    }
    S += "}";
    ObligationJson.add(S);
  }
}

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

std::string_view dimKey(Dim D) { return rt::dimensionName(D); }

} // namespace

bool JsonlQuery::parseRequest(std::string_view Line, std::string_view &RawId, std::string &Error) {
  Scanner S{Line.data(), Line.data() + Line.size(), Scratch};
  auto Bad = [&](const std::string &What) {
    Error = "invalid request at column " + std::to_string(S.Pos - Line.data() + 1) + ": " + What;
    return false;
  };
  if (!S.eat('{'))
    return Bad("expected a JSON object");
  if (!S.eat('}')) {
    do {
      std::string_view Key;
      if (!S.string(Key))
        return Bad("expected a key string");
      if (!S.eat(':'))
        return Bad("expected `:`");
      if (Key == "id") {
        S.ws();
        const char *Start = S.Pos;
        if (!S.skipValue())
          return Bad("malformed `id` value");
        RawId = std::string_view(Start, S.Pos - Start);
        continue;
      }
      if (Key == "attributes") {
        if (!S.eat('{'))
          return Bad("`attributes` must be an object");
        if (S.eat('}'))
          continue;
        do {
          std::string_view Name;
          if (!S.string(Name))
            return Bad("expected an attribute name");
          if (!S.eat(':'))
            return Bad("expected `:`");
          uint32_t A = P.attributeId(Name);
          // For messages: a name decoded into Scratch is copied, since the value may reuse it;
          // one that is a slice of the line stays valid (the common case: no allocation).
          std::string Decoded;
          if (Name.data() < Line.data() || Name.data() >= Line.data() + Line.size())
            Name = Decoded = std::string(Name);
          auto AttrName = [&] { return std::string(Name); };
          if (A == rt::InvalidId) {
            Error = "unknown attribute `" + AttrName() + "`" + P.suggestAttribute(AttrName());
            return false;
          }
          AttrKind K = P.attributeKind(A);
          S.ws();
          switch (K) {
          case AttrKind::Bool:
            if (S.literal("true"))
              Req.setBool(A, true);
            else if (S.literal("false"))
              Req.setBool(A, false);
            else
              return Bad("attribute `" + AttrName() + "` is a bool: expected true or false");
            break;
          case AttrKind::Int: {
            int64_t V;
            if (!S.integer(V))
              return Bad("attribute `" + AttrName() + "` is an int: expected an integer");
            Req.setInt(A, V);
            break;
          }
          case AttrKind::Duration: {
            int64_t V;
            std::string_view Text;
            if (S.peek('"')) {
              if (!S.string(Text))
                return Bad("malformed string");
              auto Seconds = rt::parseDuration(Text);
              if (!Seconds)
                return Bad("attribute `" + AttrName() + "` is a duration: `" + std::string(Text) +
                           "` is not one (e.g. \"30 days\")");
              V = *Seconds;
            } else if (!S.integer(V)) {
              return Bad("attribute `" + AttrName() +
                         "` is a duration: expected seconds or a string like \"30 days\"");
            }
            Req.setDuration(A, V);
            break;
          }
          case AttrKind::Enum: {
            std::string_view Value;
            if (!S.string(Value))
              return Bad("attribute `" + AttrName() + "` is an enum: expected a value name");
            uint32_t Id = P.enumValueId(P.attributeEnum(A), Value);
            if (Id == rt::InvalidId) {
              Error = "unknown value `" + std::string(Value) + "` of enum `" +
                      std::string(P.enumName(P.attributeEnum(A))) + "` for attribute `" +
                      AttrName() + "`";
              return false;
            }
            Req.setEnum(A, Id);
            break;
          }
          }
        } while (S.eat(','));
        if (!S.eat('}'))
          return Bad("expected `,` or `}` in `attributes`");
        continue;
      }
      std::optional<Dim> D = rt::dimensionFromName(Key);
      if (!D) {
        Error = "unknown key `" + std::string(Key) + "`";
        return false;
      }
      auto SetName = [&](std::string_view Name, bool Add) {
        uint32_t Id = P.valueId(*D, Name);
        if (Id == rt::InvalidId) {
          Req.set(*D, Name); // records the runtime's "unknown <noun> `x`" error
          return;
        }
        if (Add)
          Req.addData(Id);
        else
          Req.set(*D, Id);
      };
      if (S.peek('[')) {
        if (*D != Dim::Data)
          return Bad("only `data` may list several values");
        S.eat('[');
        if (!S.eat(']')) {
          do {
            std::string_view Name;
            if (!S.string(Name))
              return Bad("expected a data category name");
            SetName(Name, true);
          } while (S.eat(','));
          if (!S.eat(']'))
            return Bad("expected `,` or `]`");
        }
        continue;
      }
      std::string_view Name;
      if (!S.string(Name))
        return Bad("`" + std::string(dimKey(*D)) + "` must be a value name");
      SetName(Name, false);
    } while (S.eat(','));
    if (!S.eat('}'))
      return Bad("expected `,` or `}`");
  }
  S.ws();
  if (S.Pos != S.End)
    return Bad("unexpected text after the request object");
  return true;
}

void JsonlQuery::appendDecision(std::string_view RawId, std::string &Out) {
  Out += '{';
  if (!RawId.empty()) {
    Out += "\"id\":";
    Out += RawId;
    Out += ',';
  }
  if (Dec.isError()) {
    Out += "\"decision\":\"error\",\"error\":";
    rt::appendJsonString(Out, Dec.error());
    Out += "}\n";
    return;
  }
  Out +=
      Dec.permitted() ? "\"decision\":\"allow\",\"rules\":[" : "\"decision\":\"deny\",\"rules\":[";
  bool First = true;
  for (uint32_t R : Dec.rules()) {
    if (!First)
      Out += ',';
    First = false;
    RuleJson.appendTo(Out, R);
  }
  Out += "],\"obligations\":[";
  First = true;
  for (uint32_t O : Dec.obligations()) {
    if (!First)
      Out += ',';
    First = false;
    ObligationJson.appendTo(Out, O);
  }
  Out += "]}\n";
}

bool JsonlQuery::processLine(std::string_view Line, std::string &Out) {
  Req.clear();
  std::string_view RawId;
  std::string Error;
  if (!parseRequest(Line, RawId, Error)) {
    Out += '{';
    if (!RawId.empty()) {
      Out += "\"id\":";
      Out += RawId;
      Out += ',';
    }
    Out += "\"decision\":\"error\",\"error\":";
    rt::appendJsonString(Out, Error);
    Out += "}\n";
    return false;
  }
  P.decide(Req, Dec);
  appendDecision(RawId, Out);
  return !Dec.isError();
}

long JsonlQuery::run(std::FILE *In, std::FILE *OutFile, std::string &Err) {
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

} // namespace privet
