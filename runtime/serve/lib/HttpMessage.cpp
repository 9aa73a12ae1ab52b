//===- HttpMessage.cpp - The bounded HTTP/1.1 request-head parser --------------------------===//
#include "HttpMessage.h"

#include <cctype>

namespace privet::serve {

namespace {

char lower(char C) { return char(std::tolower(static_cast<unsigned char>(C))); }

/// RFC 9110 tchar: the characters of a method or a header name.
bool isTokenChar(char C) {
  if (std::isalnum(static_cast<unsigned char>(C)))
    return true;
  switch (C) {
  case '!':
  case '#':
  case '$':
  case '%':
  case '&':
  case '\'':
  case '*':
  case '+':
  case '-':
  case '.':
  case '^':
  case '_':
  case '`':
  case '|':
  case '~':
    return true;
  default:
    return false;
  }
}

bool isToken(std::string_view S) {
  if (S.empty())
    return false;
  for (char C : S)
    if (!isTokenChar(C))
      return false;
  return true;
}

std::string_view trim(std::string_view S) {
  while (!S.empty() && (S.front() == ' ' || S.front() == '\t'))
    S.remove_prefix(1);
  while (!S.empty() && (S.back() == ' ' || S.back() == '\t'))
    S.remove_suffix(1);
  return S;
}

int hexValue(char C) {
  if (C >= '0' && C <= '9')
    return C - '0';
  C = lower(C);
  if (C >= 'a' && C <= 'f')
    return C - 'a' + 10;
  return -1;
}

} // namespace

bool equalsIgnoreCase(std::string_view A, std::string_view B) {
  if (A.size() != B.size())
    return false;
  for (size_t I = 0; I < A.size(); ++I)
    if (lower(A[I]) != lower(B[I]))
      return false;
  return true;
}

std::string_view HttpRequest::header(std::string_view Name) const {
  for (const auto &H : Headers)
    if (equalsIgnoreCase(H.first, Name))
      return H.second;
  return {};
}

bool HttpRequest::hasHeader(std::string_view Name) const {
  for (const auto &H : Headers)
    if (equalsIgnoreCase(H.first, Name))
      return true;
  return false;
}

bool HttpRequest::hasParam(std::string_view Name) const {
  for (const auto &P : Params)
    if (P.first == Name)
      return true;
  return false;
}

std::string HttpRequest::param(std::string_view Name) const {
  for (const auto &P : Params)
    if (P.first == Name)
      return P.second;
  return {};
}

const char *statusReason(int Status) {
  switch (Status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 404:
    return "Not Found";
  case 408:
    return "Request Timeout";
  case 411:
    return "Length Required";
  case 413:
    return "Payload Too Large";
  case 414:
    return "URI Too Long";
  case 422:
    return "Unprocessable Entity";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Unknown";
  }
}

bool percentDecode(std::string_view In, bool Plus, std::string &Out) {
  Out.clear();
  Out.reserve(In.size());
  for (size_t I = 0; I < In.size(); ++I) {
    char C = In[I];
    if (C == '+' && Plus) {
      Out += ' ';
      continue;
    }
    if (C != '%') {
      Out += C;
      continue;
    }
    if (I + 2 >= In.size())
      return false;
    int Hi = hexValue(In[I + 1]), Lo = hexValue(In[I + 2]);
    if (Hi < 0 || Lo < 0)
      return false;
    Out += char(Hi * 16 + Lo);
    I += 2;
  }
  return true;
}

void RequestHeadParser::reset() {
  LineStart = ScanFrom = 0;
  SawRequestLine = false;
  NumHeaders = HeaderBytes = 0;
  ErrStatus = 0;
  ErrMessage.clear();
}

RequestHeadParser::Result RequestHeadParser::fail(int Status, std::string Message) {
  ErrStatus = Status;
  ErrMessage = std::move(Message);
  return Result::Error;
}

bool RequestHeadParser::requestLine(std::string_view Line, HttpRequest &Req) {
  size_t Sp1 = Line.find(' ');
  size_t Sp2 = Sp1 == std::string_view::npos ? Sp1 : Line.find(' ', Sp1 + 1);
  if (Sp2 == std::string_view::npos || Line.find(' ', Sp2 + 1) != std::string_view::npos) {
    fail(400, "the request line is not `METHOD /path HTTP/1.1`");
    return false;
  }
  std::string_view Method = Line.substr(0, Sp1);
  std::string_view Target = Line.substr(Sp1 + 1, Sp2 - Sp1 - 1);
  std::string_view Version = Line.substr(Sp2 + 1);
  if (!isToken(Method) || Target.empty() || Target.front() != '/') {
    fail(400, "the request line is not `METHOD /path HTTP/1.1`");
    return false;
  }
  if (Version == "HTTP/1.1") {
    Req.VersionMinor = 1;
  } else if (Version == "HTTP/1.0") {
    Req.VersionMinor = 0;
  } else if (Version.size() == 8 && Version.substr(0, 5) == "HTTP/" &&
             std::isdigit(static_cast<unsigned char>(Version[5])) && Version[6] == '.' &&
             std::isdigit(static_cast<unsigned char>(Version[7]))) {
    fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
    return false;
  } else {
    fail(400, "the request line is not `METHOD /path HTTP/1.1`");
    return false;
  }
  Req.Method = std::string(Method);
  size_t Query = Target.find('?');
  if (!percentDecode(Target.substr(0, Query), false, Req.Path)) {
    fail(400, "the request path has a malformed %-escape");
    return false;
  }
  Req.Params.clear();
  if (Query == std::string_view::npos)
    return true;
  std::string_view Rest = Target.substr(Query + 1);
  while (!Rest.empty()) {
    size_t Amp = Rest.find('&');
    std::string_view Pair = Rest.substr(0, Amp);
    Rest = Amp == std::string_view::npos ? std::string_view() : Rest.substr(Amp + 1);
    if (Pair.empty())
      continue;
    size_t Eq = Pair.find('=');
    std::string Key, Value;
    if (!percentDecode(Pair.substr(0, Eq), true, Key) ||
        (Eq != std::string_view::npos && !percentDecode(Pair.substr(Eq + 1), true, Value))) {
      fail(400, "the query string has a malformed %-escape");
      return false;
    }
    Req.Params.emplace_back(std::move(Key), std::move(Value));
  }
  return true;
}

bool RequestHeadParser::headerLine(std::string_view Line, HttpRequest &Req) {
  if (Line.front() == ' ' || Line.front() == '\t') {
    fail(400, "folded header lines are not accepted");
    return false;
  }
  size_t Colon = Line.find(':');
  if (Colon == std::string_view::npos || !isToken(Line.substr(0, Colon))) {
    fail(400, "a header line is not `Name: value`");
    return false;
  }
  std::string_view Value = trim(Line.substr(Colon + 1));
  for (char C : Value)
    if ((static_cast<unsigned char>(C) < 0x20 && C != '\t') || C == 0x7f) {
      fail(400, "a header value holds a control character");
      return false;
    }
  Req.Headers.emplace_back(std::string(Line.substr(0, Colon)), std::string(Value));
  return true;
}

RequestHeadParser::Result RequestHeadParser::parse(std::string_view Buffer, HttpRequest &Req) {
  if (ErrStatus)
    return Result::Error;
  while (true) {
    size_t End = Buffer.find('\n', ScanFrom);
    if (End == std::string_view::npos) {
      // The line has not ended: what is buffered of it already counts against the limits.
      ScanFrom = Buffer.size();
      size_t Partial = Buffer.size() - LineStart;
      // A line of the limit may have its CR buffered and its LF not yet.
      size_t LineLimit = Limits.MaxLineBytes + 1;
      if (!SawRequestLine && Partial > LineLimit)
        return fail(414, "the request line is longer than " + std::to_string(Limits.MaxLineBytes) +
                             " bytes");
      if (SawRequestLine && Partial > LineLimit)
        return fail(431, "a header line is longer than " + std::to_string(Limits.MaxLineBytes) +
                             " bytes");
      if (SawRequestLine && HeaderBytes + Partial > Limits.MaxHeaderBytes)
        return fail(431, "the request headers are larger than " +
                             std::to_string(Limits.MaxHeaderBytes) + " bytes");
      return Result::NeedMore;
    }
    size_t Length = End + 1 - LineStart; // with its line end
    std::string_view Line = Buffer.substr(LineStart, End - LineStart);
    if (Line.empty() || Line.back() != '\r')
      return fail(400, "a line of the request head does not end with CRLF");
    Line.remove_suffix(1);
    if (Length > Limits.MaxLineBytes + 2)
      return SawRequestLine ? fail(431, "a header line is longer than " +
                                            std::to_string(Limits.MaxLineBytes) + " bytes")
                            : fail(414, "the request line is longer than " +
                                            std::to_string(Limits.MaxLineBytes) + " bytes");
    LineStart = ScanFrom = End + 1;
    if (!SawRequestLine) {
      if (Line.empty()) {
        // RFC 9112 2.2: empty lines before the request line are ignored (a few of them).
        if (LineStart > Limits.MaxLineBytes)
          return fail(400, "the request starts with too many empty lines");
        continue;
      }
      if (!requestLine(Line, Req))
        return Result::Error;
      Req.Headers.clear();
      SawRequestLine = true;
      continue;
    }
    if (Line.empty())
      return Result::Done;
    HeaderBytes += Length;
    if (++NumHeaders > Limits.MaxHeaders)
      return fail(431, "the request has more than " + std::to_string(Limits.MaxHeaders) +
                           " header lines");
    if (HeaderBytes > Limits.MaxHeaderBytes)
      return fail(431, "the request headers are larger than " +
                           std::to_string(Limits.MaxHeaderBytes) + " bytes");
    if (!headerLine(Line, Req))
      return Result::Error;
  }
}

} // namespace privet::serve
