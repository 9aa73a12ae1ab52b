//===- HttpTestClient.h - A blocking keep-alive client for the server tests -*- C++ -*-===//
//
// Just enough HTTP for the tests: one connection, requests with a Content-Length body, answers
// read by their Content-Length. It reconnects once when the server has closed a kept-alive
// connection, as a browser or a client library would.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TESTS_HTTPTESTCLIENT_H
#define PRIVET_TESTS_HTTPTESTCLIENT_H

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace privet::testing {

struct HttpAnswer {
  int Status = 0;
  std::string Body;
};

class HttpTestClient {
public:
  explicit HttpTestClient(int Port, int TimeoutSeconds = 10)
      : Port(Port), TimeoutSeconds(TimeoutSeconds) {}
  ~HttpTestClient() { disconnect(); }
  HttpTestClient(const HttpTestClient &) = delete;
  HttpTestClient &operator=(const HttpTestClient &) = delete;

  std::optional<HttpAnswer> get(const std::string &Path) { return send("GET", Path, ""); }
  std::optional<HttpAnswer> post(const std::string &Path, const std::string &Body) {
    return send("POST", Path, Body);
  }

private:
  std::optional<HttpAnswer> send(const char *Method, const std::string &Path,
                                 const std::string &Body) {
    std::string Request = std::string(Method) + " " + Path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: " +
                          std::to_string(Body.size()) + "\r\n\r\n" + Body;
    for (int Attempt = 0; Attempt < 2; ++Attempt) {
      bool Reused = Fd >= 0;
      if (Fd < 0 && !connect())
        return std::nullopt;
      if (auto A = exchange(Request))
        return A;
      disconnect();
      if (!Reused)
        return std::nullopt; // a fresh connection failed: no retry
    }
    return std::nullopt;
  }

  bool connect() {
    Fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (Fd < 0)
      return false;
    timeval Tv{TimeoutSeconds, 0};
    ::setsockopt(Fd, SOL_SOCKET, SO_RCVTIMEO, &Tv, sizeof Tv);
    ::setsockopt(Fd, SOL_SOCKET, SO_SNDTIMEO, &Tv, sizeof Tv);
    int One = 1;
    ::setsockopt(Fd, IPPROTO_TCP, TCP_NODELAY, &One, sizeof One);
    sockaddr_in Addr{};
    Addr.sin_family = AF_INET;
    Addr.sin_port = htons(uint16_t(Port));
    Addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(Fd, reinterpret_cast<sockaddr *>(&Addr), sizeof Addr) != 0) {
      disconnect();
      return false;
    }
    Buffer.clear();
    return true;
  }

  void disconnect() {
    if (Fd >= 0)
      ::close(Fd);
    Fd = -1;
  }

  std::optional<HttpAnswer> exchange(const std::string &Request) {
    for (size_t Sent = 0; Sent < Request.size();) {
      ssize_t N = ::send(Fd, Request.data() + Sent, Request.size() - Sent, MSG_NOSIGNAL);
      if (N <= 0)
        return std::nullopt;
      Sent += size_t(N);
    }
    size_t HeadEnd;
    while ((HeadEnd = Buffer.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        return std::nullopt;
    std::string Head = Buffer.substr(0, HeadEnd + 2);
    HttpAnswer A;
    if (Head.compare(0, 9, "HTTP/1.1 ") != 0)
      return std::nullopt;
    A.Status = std::atoi(Head.c_str() + 9);
    size_t Length = 0;
    bool Close = false;
    for (size_t Pos = Head.find("\r\n") + 2; Pos < Head.size();) {
      size_t End = Head.find("\r\n", Pos);
      std::string Line = Head.substr(Pos, End - Pos);
      Pos = End + 2;
      for (char &C : Line)
        C = char(std::tolower(static_cast<unsigned char>(C)));
      if (Line.compare(0, 15, "content-length:") == 0)
        Length = std::stoul(Line.substr(15));
      if (Line == "connection: close")
        Close = true;
    }
    Buffer.erase(0, HeadEnd + 4);
    while (Buffer.size() < Length)
      if (!fill())
        return std::nullopt;
    A.Body = Buffer.substr(0, Length);
    Buffer.erase(0, Length);
    if (Close)
      disconnect();
    return A;
  }

  bool fill() {
    char Chunk[16384];
    ssize_t N = ::recv(Fd, Chunk, sizeof Chunk, 0);
    if (N <= 0)
      return false;
    Buffer.append(Chunk, size_t(N));
    return true;
  }

  int Port;
  int TimeoutSeconds;
  int Fd = -1;
  std::string Buffer;
};

} // namespace privet::testing

#endif // PRIVET_TESTS_HTTPTESTCLIENT_H
