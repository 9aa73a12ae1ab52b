//===- HttpMessageTest.cpp - The server's bounded request-head parser -----------------===//
#include "HttpMessage.h"

#include <gtest/gtest.h>

#include <string>

using namespace privet::serve;

namespace {

/// Feeds Text to a parser one byte at a time (as a trickling client would), then all at once,
/// and checks both give the same result.
RequestHeadParser::Result parseBoth(const std::string &Text, HeadLimits Limits, HttpRequest &Req,
                                    int &Status) {
  RequestHeadParser Whole(Limits);
  HttpRequest WholeReq;
  auto R = Whole.parse(Text, WholeReq);
  RequestHeadParser Trickled(Limits);
  auto T = RequestHeadParser::Result::NeedMore;
  for (size_t N = 1; N <= Text.size() && T == RequestHeadParser::Result::NeedMore; ++N)
    T = Trickled.parse(std::string_view(Text).substr(0, N), Req);
  EXPECT_EQ(int(R), int(T)) << Text.substr(0, 60);
  EXPECT_EQ(Whole.errorStatus(), Trickled.errorStatus());
  if (R == RequestHeadParser::Result::Done) {
    EXPECT_EQ(Whole.headLength(), Trickled.headLength());
  }
  Status = Whole.errorStatus();
  return R;
}

TEST(HttpHead, ParsesMethodPathQueryAndHeaders) {
  HttpRequest Req;
  int Status = 0;
  std::string Text = "\r\nPOST /v1/permitted%2Dvalues?dimension=pur%70ose&x=a+b&flag HTTP/1.1\r\n"
                     "Host: x\r\nX-Request-Id:   abc \r\ncontent-length: 2\r\n\r\n{}";
  ASSERT_EQ(parseBoth(Text, HeadLimits(), Req, Status), RequestHeadParser::Result::Done);
  EXPECT_EQ(Req.Method, "POST");
  EXPECT_EQ(Req.Path, "/v1/permitted-values");
  EXPECT_EQ(Req.param("dimension"), "purpose");
  EXPECT_EQ(Req.param("x"), "a b");
  EXPECT_TRUE(Req.hasParam("flag"));
  EXPECT_FALSE(Req.hasParam("nothing"));
  EXPECT_EQ(Req.header("x-request-id"), "abc");
  EXPECT_EQ(Req.header("Content-Length"), "2");
  EXPECT_EQ(Req.VersionMinor, 1u);
  RequestHeadParser P{HeadLimits()};
  ASSERT_EQ(P.parse(Text, Req), RequestHeadParser::Result::Done);
  EXPECT_EQ(Text.substr(P.headLength()), "{}");
}

TEST(HttpHead, Http10) {
  HttpRequest Req;
  int Status = 0;
  ASSERT_EQ(parseBoth("GET /healthz HTTP/1.0\r\n\r\n", HeadLimits(), Req, Status),
            RequestHeadParser::Result::Done);
  EXPECT_EQ(Req.VersionMinor, 0u);
}

TEST(HttpHead, Malformed) {
  for (const char *Text : {"GARBAGE\r\n\r\n", "GET /x HTTP/1.1\n\n", "GET x HTTP/1.1\r\n\r\n",
                           "GET /x HTTP/1.1\r\nNo colon\r\n\r\n",
                           "GET /x HTTP/1.1\r\n folded\r\n\r\n", "GET /%zz HTTP/1.1\r\n\r\n",
                           "GET /x?a=%4 HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1 extra\r\n\r\n",
                           "GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", "GET /x FTP/1.0\r\n\r\n"}) {
    HttpRequest Req;
    int Status = 0;
    EXPECT_EQ(parseBoth(Text, HeadLimits(), Req, Status), RequestHeadParser::Result::Error) << Text;
    EXPECT_EQ(Status, 400) << Text;
  }
  HttpRequest Req;
  int Status = 0;
  EXPECT_EQ(parseBoth("GET /x HTTP/2.0\r\n\r\n", HeadLimits(), Req, Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 505);
}

TEST(HttpHead, LimitsApplyBeforeALineEnds) {
  HeadLimits L;
  L.MaxLineBytes = 64;
  L.MaxHeaders = 3;
  L.MaxHeaderBytes = 100;
  HttpRequest Req;
  int Status = 0;
  // A request line that has not ended but is already too long.
  EXPECT_EQ(parseBoth("GET /" + std::string(70, 'a'), L, Req, Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 414);
  // A request line of exactly the limit is fine.
  EXPECT_EQ(parseBoth("GET /" + std::string(64 - 14, 'a') + " HTTP/1.1\r\n\r\n", L, Req, Status),
            RequestHeadParser::Result::Done);
  // A header line that has not ended but is too long.
  EXPECT_EQ(parseBoth("GET / HTTP/1.1\r\nX-Pad: " + std::string(70, 'a'), L, Req, Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 431);
  // Too many lines.
  EXPECT_EQ(parseBoth("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", L, Req, Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 431);
  EXPECT_EQ(parseBoth("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", L, Req, Status),
            RequestHeadParser::Result::Done);
  // Too many bytes in all, each line within its limit; the partial third line counts too.
  std::string Forty = "X: " + std::string(35, 'b') + "\r\n";
  EXPECT_EQ(parseBoth("GET / HTTP/1.1\r\n" + Forty + Forty + "Y: " + std::string(30, 'c'), L, Req,
                      Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 431);
  // Empty lines before the request line count against the line limit.
  std::string Empty;
  for (int I = 0; I < 40; ++I)
    Empty += "\r\n";
  EXPECT_EQ(parseBoth(Empty + "GET / HTTP/1.1\r\n\r\n", L, Req, Status),
            RequestHeadParser::Result::Error);
  EXPECT_EQ(Status, 400);
}

TEST(HttpHead, ResetParsesTheNextRequest) {
  RequestHeadParser P{HeadLimits()};
  HttpRequest Req;
  std::string Two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nX: y\r\n\r\n";
  ASSERT_EQ(P.parse(Two, Req), RequestHeadParser::Result::Done);
  EXPECT_EQ(Req.Path, "/a");
  std::string Rest = Two.substr(P.headLength());
  P.reset();
  HttpRequest Next;
  ASSERT_EQ(P.parse(Rest, Next), RequestHeadParser::Result::Done);
  EXPECT_EQ(Next.Path, "/b");
  EXPECT_EQ(Next.header("X"), "y");
}

} // namespace
