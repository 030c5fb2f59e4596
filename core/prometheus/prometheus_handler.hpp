// GET /metrics: the telemetry registry in the Prometheus text format, with the store's size measured
// at each scrape. Its own library (abmd_prometheus) rather than part of abmd_telemetry, so the HTTP
// server may report to telemetry without the two libraries depending on each other.
#pragma once

#include <memory>

#include "http/http_types.hpp"
#include "http/router.hpp"
#include "store/location.hpp"

namespace abm::prometheus {

// The content type of the text exposition format 0.0.4.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The /metrics route. Measuring the store may wait for a server (PostgreSQL's pg_database_size), so
// scrapes are answered from a thread of the route's own, never on the event loop; scrapes that
// arrive while a measurement runs share the next one.
class MetricsRoute {
 public:
  explicit MetricsRoute(store::Location store);
  ~MetricsRoute();
  MetricsRoute(const MetricsRoute&) = delete;
  MetricsRoute& operator=(const MetricsRoute&) = delete;

  // Answers Registry::global().render(size of the store) once the size is measured (without
  // abmd_store_size_bytes when it cannot be). The handler shares the route's state, so it stays safe
  // after stop() and after the route is destroyed: it then answers at once, without the size.
  http::Handler handler();

  // Answers the waiting scrapes (without the store's size) and joins the thread. Idempotent.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Adds GET /metrics with Access::Metrics (open unless http.metrics_require_token is set). Keep the
// route while the listener serves and stop() it when the listener drains.
std::unique_ptr<MetricsRoute> addPrometheusRoute(http::Router& router, store::Location store);

}  // namespace abm::prometheus
