//===- HttpMessage.h - HTTP requests, responses and a bounded head parser -*- C++ -*-===//
//
// The server reads request heads itself so that every byte a client can make it hold is
// bounded: the request line, each header line, the number of header lines and their total size
// all have limits, checked while the bytes arrive (a line that has not ended yet counts too).
// The parser is incremental: fed the connection's growing buffer, it resumes where it stopped,
// so a client that trickles bytes costs time linear in what it sends.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_HTTPMESSAGE_H
#define PRIVET_SERVE_HTTPMESSAGE_H

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace privet::serve {

struct HttpRequest {
  std::string Method;
  std::string Path;                                         ///< percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> Params;  ///< decoded query parameters
  std::vector<std::pair<std::string, std::string>> Headers; ///< as sent, values trimmed
  unsigned VersionMinor = 1;                                ///< HTTP/1.x
  std::string Body;

  /// The first header of this name (case-insensitive), or "".
  std::string_view header(std::string_view Name) const;
  bool hasHeader(std::string_view Name) const;
  bool hasParam(std::string_view Name) const;
  /// The first parameter of this name, or "".
  std::string param(std::string_view Name) const;
};

struct HttpResponse {
  int Status = 200;
  std::string Body;
  std::string ContentType;
  std::vector<std::pair<std::string, std::string>> Headers;

  void setContent(std::string Text, std::string_view Type) {
    Body = std::move(Text);
    ContentType = Type;
  }
  void setHeader(std::string_view Name, std::string_view Value) {
    Headers.emplace_back(std::string(Name), std::string(Value));
  }
};

/// The reason phrase of a status code ("Not Found").
const char *statusReason(int Status);

bool equalsIgnoreCase(std::string_view A, std::string_view B);

struct HeadLimits {
  size_t MaxLineBytes = 8192;    ///< the request line (414) and each header line (431)
  size_t MaxHeaders = 100;       ///< header lines (431)
  size_t MaxHeaderBytes = 32768; ///< all header lines together, line ends included (431)
};

class RequestHeadParser {
public:
  enum class Result { NeedMore, Done, Error };

  explicit RequestHeadParser(HeadLimits Limits) : Limits(Limits) {}

  /// Parses the head at the start of Buffer, which holds what arrived so far (earlier calls saw
  /// a prefix of it). On Done, headLength() is where the body starts and Req holds the head; on
  /// Error, errorStatus() and errorMessage() say why.
  Result parse(std::string_view Buffer, HttpRequest &Req);
  /// Starts over for the next request (whose head starts at the start of the next Buffer).
  void reset();

  size_t headLength() const { return LineStart; }
  int errorStatus() const { return ErrStatus; }
  const std::string &errorMessage() const { return ErrMessage; }

private:
  Result fail(int Status, std::string Message);
  bool requestLine(std::string_view Line, HttpRequest &Req);
  bool headerLine(std::string_view Line, HttpRequest &Req);

  HeadLimits Limits;
  size_t LineStart = 0; ///< where the line being read starts
  size_t ScanFrom = 0;  ///< where the search for its end resumes
  bool SawRequestLine = false;
  size_t NumHeaders = 0;
  size_t HeaderBytes = 0;
  int ErrStatus = 0;
  std::string ErrMessage;
};

/// Decodes %XX escapes (and '+' as a space when Plus); false when an escape is malformed.
bool percentDecode(std::string_view In, bool Plus, std::string &Out);

} // namespace privet::serve

#endif // PRIVET_SERVE_HTTPMESSAGE_H
