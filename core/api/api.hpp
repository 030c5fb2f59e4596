// The read API under /api/v1 (docs/api.md): JSON over the store for other tools and dashboards,
// plus starting a connector's run. Handlers never touch the store on the event loop: they validate
// the request there and hand the store work to a few query threads, each with its own read-only
// connection, which answer through the request's Respond.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/daemon_control.hpp"
#include "api/query_params.hpp"
#include "http/router.hpp"
#include "store/location.hpp"

namespace abm::api {

struct ApiContext {
  store::Location store;
  // The running daemon's connectors and run requests; not owned, and must outlive the Api (or
  // until stop()). Null: /connectors and the sync endpoint answer 503.
  DaemonControl* control = nullptr;
  size_t query_threads = 2;
  // Requests waiting for a query thread beyond this many are answered 429 with Retry-After.
  size_t max_waiting = 64;
  // A request whose queries run longer is stopped and answered 503 query_timeout.
  std::chrono::milliseconds query_time_limit = std::chrono::seconds(30);
};

// One route of the API as the OpenAPI document must describe it.
struct EndpointSpec {
  std::string method;
  std::string pattern;
  http::Access access = http::Access::ApiToken;
  std::vector<ParamSpec> query;  // every query parameter it accepts
  bool paged = false;            // answers {"items", "next_cursor"} and takes limit and cursor
};

class Api {
 public:
  explicit Api(ApiContext context);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Registers every endpoint of endpoints() on `router`. The handlers share the Api's state, so
  // they stay safe to call after the Api is destroyed: they then answer 503.
  void addRoutes(http::Router& router);

  // Stops taking requests (503 from then on), answers those already queued and joins the query
  // threads. Call it from the event loop or main thread, never from a query thread.
  void stop();

  // Every endpoint with the query parameters it accepts.
  static std::vector<EndpointSpec> endpoints();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Creates the Api and registers its routes: what the daemon calls. Keep the Api and stop() it when
// the listener drains.
std::unique_ptr<Api> addRoutes(http::Router& router, ApiContext context);

// The OpenAPI 3.1 description served at /api/v1/openapi.json (core/api/openapi.json, compiled in).
std::string_view openApiDocument();

}  // namespace abm::api
