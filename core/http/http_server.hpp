// The daemon's HTTP listener: Boost.Beast sessions on the daemon's io_context (one thread), one
// request at a time per connection with keep-alive. Every read races a deadline, so a client that
// trickles bytes (slowloris) loses its connection after http.read_timeout; headers, bodies (also
// after gzip inflation) and the number of connections are capped. Handlers answer through
// `Respond` from any thread; the session waits without blocking the loop.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.hpp"
#include "config/http_settings.hpp"
#include "http/router.hpp"

namespace abm::http {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, config::HttpSettings settings, std::shared_ptr<const Router> router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; an error names the address and why (in use, not an address here).
  Status start();
  // The bound port (the one the system chose when listen gave port 0).
  uint16_t port() const;

  // SIGHUP: new tokens, limits and timeouts apply to the next request. The address stays bound.
  // Call on the io_context's thread.
  void applySettings(const config::HttpSettings& settings);

  // SIGTERM: stop accepting, close idle connections, let requests in flight finish and be answered,
  // then call `drained` (on the io_context's thread). Call on the io_context's thread.
  void stop(std::function<void()> drained);

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace abm::http
