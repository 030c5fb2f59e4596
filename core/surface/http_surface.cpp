#include "surface/http_surface.hpp"

#include "api/api.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "log/logger.hpp"

namespace abm::surface {

HttpSurface::HttpSurface(boost::asio::io_context& io, const bootstrap::Setup& setup, api::DaemonControl& control)
    : router_(std::make_shared<http::Router>()) {
  api_ = api::addRoutes(*router_, api::ApiContext{setup.daemon.store_path, &control});
  server_ = std::make_unique<http::HttpServer>(io, *setup.daemon.http, router_);
}

HttpSurface::~HttpSurface() = default;

Status HttpSurface::start() { return server_->start(); }

void HttpSurface::reload(const bootstrap::Setup& setup) {
  if (setup.daemon.http) server_->applySettings(*setup.daemon.http);
}

// The API's query threads stop once the listener has answered everything in flight: none of them
// still holds a request then, so joining them is immediate.
void HttpSurface::stop(std::function<void()> drained) {
  server_->stop([this, drained = std::move(drained)] {
    api_->stop();
    drained();
  });
}

uint16_t HttpSurface::port() const { return server_->port(); }

}  // namespace abm::surface
