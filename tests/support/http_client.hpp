// A deliberately plain HTTP/1.1 client over a loopback TCP socket for tests: it sends exactly the
// bytes it is given (malformed requests, trickled headers, pipelined requests) and parses answers
// with Content-Length, so tests see what a real client on the wire would.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace abm::test {

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;
};

class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False when the peer closed the connection (or the write failed).
  bool send(const std::string& bytes);
  // One answer, or nullopt when the connection closed or nothing came within `wait`.
  std::optional<HttpAnswer> readAnswer(std::chrono::milliseconds wait = std::chrono::seconds(10));
  // True when the peer closed the connection within `wait` (reads and drops anything sent first).
  bool closedByPeer(std::chrono::milliseconds wait);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string pending_;
};

// One request on a fresh connection; the body gets a Content-Length. `extra_headers` are
// "Name: value\r\n" lines.
std::optional<HttpAnswer> httpRequest(uint16_t port, const std::string& method, const std::string& target,
                                      const std::string& body = "", const std::string& extra_headers = "");

// "Basic <base64(user:)>": how Segment's SDKs send a write key (user = key, empty password).
std::string basicAuthValue(const std::string& user);

// `in` as one gzip member, as a client sending "Content-Encoding: gzip" would.
std::string gzipBytes(const std::string& in);

// A loopback port nobody listens on right now.
uint16_t freeLoopbackPort();

// Polls GET /api/v1/health on `port` until the daemon's listener answers 200 or `timeout` passes.
bool waitForHealth(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace abm::test
