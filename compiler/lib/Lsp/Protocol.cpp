//===- Protocol.cpp - JSON-RPC framing, UTF-16 positions and completion context ---------===//
#include "privet/Lsp/Protocol.h"

#include "llvm/ADT/StringExtras.h"

namespace privet::lsp {

/// The number of bytes of the UTF-8 sequence starting with Lead (1 for a stray byte, so
/// malformed text still advances).
static unsigned utf8Length(unsigned char Lead) {
  if (Lead < 0xC0)
    return 1;
  if (Lead < 0xE0)
    return 2;
  if (Lead < 0xF0)
    return 3;
  return 4;
}

size_t offsetOf(llvm::StringRef Text, Position P) {
  size_t Offset = 0;
  for (unsigned L = 0; L < P.Line; ++L) {
    size_t NL = Text.find('\n', Offset);
    if (NL == llvm::StringRef::npos)
      return Text.size();
    Offset = NL + 1;
  }
  unsigned Units = 0;
  while (Offset < Text.size() && Text[Offset] != '\n' && Units < P.Character) {
    unsigned Len = utf8Length(Text[Offset]);
    // Code points beyond the BMP take two UTF-16 units (a surrogate pair).
    Units += Len == 4 ? 2 : 1;
    Offset = std::min(Text.size(), Offset + Len);
  }
  return Offset;
}

Position positionOf(llvm::StringRef Text, size_t Offset) {
  Offset = std::min(Offset, Text.size());
  Position P;
  size_t LineStart = 0;
  for (size_t I = 0; I < Offset; ++I)
    if (Text[I] == '\n') {
      ++P.Line;
      LineStart = I + 1;
    }
  for (size_t I = LineStart; I < Offset;) {
    unsigned Len = utf8Length(Text[I]);
    P.Character += Len == 4 ? 2 : 1;
    I += Len;
  }
  return P;
}

llvm::json::Object toJson(Position P) {
  return llvm::json::Object{{"line", P.Line}, {"character", P.Character}};
}

std::optional<Position> positionFromJson(const llvm::json::Value *V) {
  const llvm::json::Object *O = V ? V->getAsObject() : nullptr;
  if (!O)
    return std::nullopt;
  auto Line = O->getInteger("line"), Char = O->getInteger("character");
  if (!Line || !Char || *Line < 0 || *Char < 0)
    return std::nullopt;
  return Position{unsigned(*Line), unsigned(*Char)};
}

static bool isIdentChar(char C) { return llvm::isAlnum(C) || C == '_'; }

llvm::StringRef identifierAt(llvm::StringRef Text, size_t Offset, size_t &Start) {
  Offset = std::min(Offset, Text.size());
  size_t B = Offset, E = Offset;
  while (B > 0 && (isIdentChar(Text[B - 1]) || Text[B - 1] == '.'))
    --B;
  while (E < Text.size() && isIdentChar(Text[E]))
    ++E;
  while (B < E && Text[B] == '.')
    ++B;
  Start = B;
  return Text.slice(B, E);
}

CompletionContext completionContextAt(llvm::StringRef Text, size_t Offset) {
  Offset = std::min(Offset, Text.size());
  CompletionContext C;
  size_t B = Offset;
  while (B > 0 && isIdentChar(Text[B - 1]))
    --B;
  C.Prefix = Text.slice(B, Offset).str();
  if (B > 0 && Text[B - 1] == '.') {
    size_t Q = B - 1;
    while (Q > 0 && isIdentChar(Text[Q - 1]))
      --Q;
    if (Q < B - 1) {
      C.K = CompletionContext::Qualified;
      C.Qualifier = Text.slice(Q, B - 1).str();
      return C;
    }
  }
  // The word before the name: skip blanks, then read it.
  size_t E = B;
  while (E > 0 && llvm::isSpace(Text[E - 1]))
    --E;
  // In a list (`for a, b`) the keyword is further back: skip names and commas.
  while (E > 0 && Text[E - 1] == ',') {
    --E;
    while (E > 0 && llvm::isSpace(Text[E - 1]))
      --E;
    while (E > 0 && (isIdentChar(Text[E - 1]) || Text[E - 1] == '.'))
      --E;
    while (E > 0 && llvm::isSpace(Text[E - 1]))
      --E;
  }
  size_t W = E;
  while (W > 0 && isIdentChar(Text[W - 1]))
    --W;
  llvm::StringRef Word = Text.slice(W, E);
  // The word before Word (or `(`), and whether Word is inside a `recipients where` expression:
  // `where` comes before the `;`, `{` or `}` that ended the previous statement.
  size_t PE = W;
  while (PE > 0 && llvm::isSpace(Text[PE - 1]))
    --PE;
  size_t PW = PE;
  while (PW > 0 && isIdentChar(Text[PW - 1]))
    --PW;
  llvm::StringRef Before = PW < PE ? Text.slice(PW, PE) : Text.slice(PE ? PE - 1 : 0, PE);
  size_t StatementStart = Text.find_last_of(";{}", W == 0 ? 0 : W - 1);
  StatementStart = StatementStart == llvm::StringRef::npos ? 0 : StatementStart;
  llvm::StringRef Statement = Text.slice(StatementStart, W).ltrim(" \t\r\n;{}");
  bool InRecipientSet = Statement.contains("recipients where");
  // `recipient host role processor under contract;`: a declaration's `under` is a fact too.
  bool InRecipientDecl = Statement.startswith("recipient ");
  bool FactPosition =
      Before == "where" ||
      (InRecipientSet && (Before == "and" || Before == "or" || Before == "not" || Before == "("));
  C.Keyword = Word.str();
  if (Word == "for")
    C.K = CompletionContext::Purpose;
  else if (Word == "under")
    C.K = FactPosition || InRecipientDecl ? CompletionContext::Contract : CompletionContext::Basis;
  else if (Word == "with")
    C.K = CompletionContext::Obligation;
  else if (Word == "to" || Word == "role")
    C.K = CompletionContext::Recipient;
  else if (Word == "in")
    C.K = CompletionContext::Region;
  else if (Word == "where" || (InRecipientSet && (Word == "and" || Word == "or" || Word == "not")))
    C.K = CompletionContext::RecipientFact;
  return C;
}

/// The keywords of grammar/Privet.g4.
static const char *const Keywords[] = {
    "allow",     "deny",       "any",    "not",       "and",        "or",          "about",
    "for",       "under",      "to",     "in",        "from",       "when",        "unless",
    "with",      "except",     "true",   "false",     "policy",     "module",      "version",
    "effective", "import",     "as",     "action",    "category",   "subject",     "purpose",
    "basis",     "recipient",  "region", "context",   "obligation", "obligations", "role",
    "located",   "contract",   "enum",   "attribute", "combine",    "require",     "never",
    "always",    "test",       "expect", "error",     "given",      "by",          "limits",
    "treated",   "recipients", "where",  "within",    "actor"};

llvm::ArrayRef<const char *> keywords() { return Keywords; }

bool isKeyword(llvm::StringRef Word) {
  for (const char *K : Keywords)
    if (Word == K)
      return true;
  return false;
}

std::vector<LexToken> lexForHighlighting(llvm::StringRef Text) {
  std::vector<LexToken> Out;
  size_t I = 0, N = Text.size();
  while (I < N) {
    char C = Text[I];
    size_t B = I;
    if (C == '#' || Text.substr(I).startswith("//")) {
      while (I < N && Text[I] != '\n')
        ++I;
      Out.push_back({LexToken::Comment, B, I});
    } else if (Text.substr(I).startswith("/*")) {
      size_t E = Text.find("*/", I + 2);
      I = E == llvm::StringRef::npos ? N : E + 2;
      Out.push_back({LexToken::Comment, B, I});
    } else if (C == '"') {
      for (++I; I < N && Text[I] != '"' && Text[I] != '\n'; ++I)
        if (Text[I] == '\\' && I + 1 < N)
          ++I;
      I = std::min(N, I + 1);
      Out.push_back({LexToken::String, B, I});
    } else if (llvm::isDigit(C)) {
      while (I < N && llvm::isDigit(Text[I]))
        ++I;
      Out.push_back({LexToken::Number, B, I});
    } else if (C == '@' || isIdentChar(C)) {
      for (++I; I < N && isIdentChar(Text[I]);)
        ++I;
      llvm::StringRef Word = Text.slice(B, I);
      Out.push_back({C == '@'          ? LexToken::Annotation
                     : isKeyword(Word) ? LexToken::Keyword
                                       : LexToken::Identifier,
                     B, I});
    } else {
      ++I;
    }
  }
  return Out;
}

std::optional<std::string> uriToPath(llvm::StringRef Uri) {
  if (!Uri.consume_front("file://"))
    return std::nullopt;
  std::string Path;
  for (size_t I = 0; I < Uri.size(); ++I) {
    if (Uri[I] == '%' && I + 2 < Uri.size()) {
      unsigned Hi = llvm::hexDigitValue(Uri[I + 1]), Lo = llvm::hexDigitValue(Uri[I + 2]);
      if (Hi < 16 && Lo < 16) {
        Path += char(Hi * 16 + Lo);
        I += 2;
        continue;
      }
    }
    Path += Uri[I];
  }
  return Path;
}

std::string pathToUri(llvm::StringRef Path) {
  std::string Uri = "file://";
  for (unsigned char C : Path) {
    if (llvm::isAlnum(C) || llvm::StringRef("/-_.~").contains(C))
      Uri += char(C);
    else {
      Uri += '%';
      Uri += llvm::hexdigit(C >> 4, false);
      Uri += llvm::hexdigit(C & 15, false);
    }
  }
  return Uri;
}

std::optional<std::string> readMessage(std::FILE *In, std::string &Error) {
  long Length = -1;
  bool SawHeader = false;
  for (;;) {
    std::string Line;
    int Ch;
    while ((Ch = std::fgetc(In)) != EOF && Ch != '\n')
      Line += char(Ch);
    if (Ch == EOF && Line.empty()) {
      if (SawHeader)
        Error = "end of input inside a message header";
      return std::nullopt;
    }
    SawHeader = true;
    llvm::StringRef L = llvm::StringRef(Line).rtrim("\r");
    if (L.empty())
      break;
    auto [Name, Value] = L.split(':');
    if (Name.trim().equals_insensitive("content-length")) {
      unsigned long long N;
      if (Value.trim().getAsInteger(10, N) || N > (1u << 30)) {
        Error = "malformed Content-Length header";
        return std::nullopt;
      }
      Length = long(N);
    }
  }
  if (Length < 0) {
    Error = "message without a Content-Length header";
    return std::nullopt;
  }
  std::string Body(size_t(Length), '\0');
  if (std::fread(Body.data(), 1, Body.size(), In) != Body.size()) {
    Error = "end of input inside a message body";
    return std::nullopt;
  }
  return Body;
}

void writeMessage(llvm::raw_ostream &OS, const llvm::json::Value &Message) {
  std::string Body;
  llvm::raw_string_ostream(Body) << Message;
  OS << "Content-Length: " << Body.size() << "\r\n\r\n" << Body;
  OS.flush();
}

} // namespace privet::lsp
