#include "surface/http_surface.hpp"

#include "api/api.hpp"
#include "collector/collector.hpp"
#include "dashboards/dashboards.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "log/logger.hpp"
#include "prometheus/prometheus_handler.hpp"

namespace abm::surface {

namespace {

// The connectors of the built-in push plugin: the collector takes their write keys.
std::vector<config::ConnectorConfig> pushConnectors(const bootstrap::Setup& setup) {
  std::vector<config::ConnectorConfig> out;
  for (const auto& c : setup.connectors)
    if (const auto* p = setup.plugins.find(c.plugin); p && p->push() && c.enabled) out.push_back(c);
  return out;
}

}  // namespace

HttpSurface::HttpSurface(boost::asio::io_context& io, const bootstrap::Setup& setup, api::DaemonControl& control)
    : router_(std::make_shared<http::Router>()) {
  collector_ = std::make_unique<collector::Collector>(setup.daemon, *setup.identity, pushConnectors(setup));
  collector_->addRoutes(*router_);
  metrics_ = prometheus::addPrometheusRoute(*router_, setup.daemon.store);
  api_ = api::addRoutes(*router_, api::ApiContext{setup.daemon.store, &control});
  dashboards::addDashboardRoutes(*router_);
  server_ = std::make_unique<http::HttpServer>(io, *setup.daemon.http, router_);
}

HttpSurface::~HttpSurface() {
  if (collector_) collector_->stop();
}

Status HttpSurface::start() { return server_->start(); }

void HttpSurface::reload(const bootstrap::Setup& setup) {
  if (setup.daemon.http) server_->applySettings(*setup.daemon.http);
  collector_->reload(pushConnectors(setup));
}

// Requests in flight are answered first (the collector commits what it was sent); then the
// collector's writer ends, and the API's and /metrics' threads, which hold no request any more.
void HttpSurface::stop(std::function<void()> drained) {
  server_->stop([this, drained = std::move(drained)] {
    collector_->stop();
    api_->stop();
    metrics_->stop();
    if (drained) drained();
  });
}

uint16_t HttpSurface::port() const { return server_->port(); }

}  // namespace abm::surface
