// The collector's routes on the daemon's router (kept apart from the handler, which tests drive
// directly).
#include "collector/collector.hpp"

namespace abm::collector {

namespace {

constexpr Endpoint kEndpoints[] = {Endpoint::Batch, Endpoint::Identify, Endpoint::Track, Endpoint::Page,
                                   Endpoint::Screen, Endpoint::Group, Endpoint::Alias};

}  // namespace

void Collector::addRoutes(http::Router& router) {
  for (const Endpoint e : kEndpoints) {
    router.add("POST", std::string(endpointPath(e)), http::Access::Public,
               [this, e](const http::Request& request, http::Respond respond) { handle(e, request, std::move(respond)); });
    router.add("OPTIONS", std::string(endpointPath(e)), http::Access::Public,
               [](const http::Request&, http::Respond respond) {
                 http::Response r;
                 r.status = 204;
                 r.content_type.clear();
                 r.headers.emplace_back("Access-Control-Allow-Origin", "*");
                 r.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
                 r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Encoding");
                 r.headers.emplace_back("Access-Control-Max-Age", "86400");
                 respond(std::move(r));
               });
  }
}

}  // namespace abm::collector
