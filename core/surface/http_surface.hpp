// Everything the daemon serves over HTTP, put together: the router with the collector's /v1/*, the
// read API's /api/v1/*, /metrics, the dashboards (/, /campaigns, ...), and the listener on the
// scheduler's io_context. The scheduler owns one when the daemon config has an "http" key.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

#include "api/daemon_control.hpp"
#include "bootstrap/setup.hpp"
#include "common/status.hpp"

namespace abm::http {
class HttpServer;
class Router;
}  // namespace abm::http
namespace abm::collector {
class Collector;
}
namespace abm::api {
class Api;
}  // namespace abm::api
namespace abm::prometheus {
class MetricsRoute;
}  // namespace abm::prometheus

namespace abm::surface {

class HttpSurface {
 public:
  HttpSurface(boost::asio::io_context& io, const bootstrap::Setup& setup, api::DaemonControl& control);
  ~HttpSurface();

  Status start();
  // SIGHUP: tokens, limits and timeouts of the listener; write keys and mappings of push sources.
  void reload(const bootstrap::Setup& setup);
  // SIGTERM: stop accepting, answer what is in flight (the collector commits what it was sent), then
  // stop the collector's writer, the API's query threads and /metrics' thread, then call `drained`.
  void stop(std::function<void()> drained);
  uint16_t port() const;

 private:
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<collector::Collector> collector_;  // before server_: the server goes first
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<prometheus::MetricsRoute> metrics_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace abm::surface
