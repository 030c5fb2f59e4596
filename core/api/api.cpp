#include "api/api.hpp"

#include <atomic>
#include <functional>

#include "api/control_endpoints.hpp"
#include "api/endpoint.hpp"
#include "api/query_pool.hpp"
#include "common/catch_all.hpp"
#include "log/logger.hpp"

namespace abm::api {

struct Api::State {
  explicit State(ApiContext c)
      : context(std::move(c)),
        pool(context.store, context.query_threads, context.max_waiting, context.query_time_limit) {}
  ApiContext context;
  QueryPool pool;
  std::atomic<bool> stopped{false};
};

namespace {

using Access = http::Access;

enum class Work {
  Query,    // store work on a query thread
  Health,   // like Query, but also answers when the store cannot be opened
  Sync,     // asks the daemon to start a run; no store work
  Reset,    // asks the daemon to forget a connector's checkpoints
  OpenApi,  // the compiled-in document
};

struct Entry {
  EndpointSpec spec;
  Work work = Work::Query;
  std::function<QueryResult(Connection&, const Call&)> query;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = {
      {{"GET", "/api/v1/health", Access::Public, {}, false}, Work::Health, nullptr},
      {{"GET", "/api/v1/openapi.json", Access::ApiToken, {}, false}, Work::OpenApi, nullptr},
      {{"GET", "/api/v1/accounts", Access::ApiToken, accountsParams(), true}, Work::Query, listAccounts},
      {{"GET", "/api/v1/accounts/{account_id}", Access::ApiToken, {}, false}, Work::Query, getAccount},
      {{"GET", "/api/v1/accounts/{account_id}/touchpoints", Access::ApiToken, accountTouchpointsParams(),
        true},
       Work::Query,
       listAccountTouchpoints},
      {{"GET", "/api/v1/campaigns", Access::ApiToken, campaignsParams(), true}, Work::Query, listCampaigns},
      {{"GET", "/api/v1/opportunities", Access::ApiToken, opportunitiesParams(), true},
       Work::Query,
       listOpportunities},
      {{"GET", "/api/v1/attribution", Access::ApiToken, attributionParams(), true},
       Work::Query,
       getAttribution},
      {{"GET", "/api/v1/kpis", Access::ApiToken, kpisParams(), true}, Work::Query, listKpis},
      {{"GET", "/api/v1/campaign-performance", Access::ApiToken, campaignPerformanceParams(), true},
       Work::Query,
       listCampaignPerformance},
      {{"GET", "/api/v1/funnel", Access::ApiToken, {}, false}, Work::Query, getFunnel},
      {{"GET", "/api/v1/engagement", Access::ApiToken, engagementParams(), true}, Work::Query, listEngagement},
      {{"GET", "/api/v1/connectors", Access::ApiToken, connectorsParams(), true},
       Work::Query,
       listConnectors},
      {{"POST", "/api/v1/connectors/{name}/sync", Access::ApiToken, {}, false}, Work::Sync, nullptr},
      {{"DELETE", "/api/v1/connectors/{name}/state", Access::ApiToken, stateResetParams(), false},
       Work::Reset,
       nullptr},
      {{"GET", "/api/v1/runs", Access::ApiToken, runsParams(), true}, Work::Query, listRuns},
      {{"GET", "/api/v1/runs/{run_id}", Access::ApiToken, {}, false}, Work::Query, getRun},
      {{"GET", "/api/v1/segments", Access::ApiToken, {}, false}, Work::Query, listSegments},
      {{"GET", "/api/v1/segments/{name}", Access::ApiToken, segmentParams(), true}, Work::Query, getSegment},
  };
  return all;
}

void handle(const std::shared_ptr<Api::State>& state, const Entry& entry, const http::Request& request,
            http::Respond respond) {
  if (state->stopped) return respond(shuttingDown());
  const std::string endpoint = entry.spec.method + " " + entry.spec.pattern;
  auto params = parseQuery(request, entry.spec.query, endpoint);
  if (!params) return respond(params.error().response());
  Call call{endpoint, request.params, std::move(*params), state->context.control};

  if (entry.work == Work::OpenApi)
    return respond(http::Response::text(200, std::string(openApiDocument()), "application/json"));
  if (entry.work == Work::Sync) return startSync(call, request.body, std::move(respond));
  if (entry.work == Work::Reset) return resetConnectorState(call, std::move(respond));

  auto job = [call = std::move(call), respond, &entry](Connection* c, const std::string& open_error) {
    http::Response response;
    bool store_failed = false;
    const auto escaped = catchAll([&] {
      QueryResult r = ApiError::internal("no answer");
      if (entry.work == Work::Health)
        r = getHealth(c, open_error, call);
      else if (!c)
        r = ApiError::unavailable("store_unavailable", open_error + "; retry in a moment");
      else
        r = entry.query(*c, call);
      store_failed = !r && r.error().code == kStoreErrorCode;
      response = r ? std::move(*r) : r.error().response();
    });
    if (!escaped.empty()) {
      log::error("read API, " + call.endpoint + ": " + escaped);
      response =
          ApiError::internal(escaped + " (" + call.endpoint + "); the daemon log has the details").response();
    }
    respond(std::move(response));
    return !store_failed;
  };
  switch (state->pool.submit(std::move(job))) {
    case QueryPool::Submitted::Accepted:
      return;
    case QueryPool::Submitted::Busy: {
      auto r = ApiError{429, "too_many_requests",
                        "every query thread is busy and " + std::to_string(state->context.max_waiting) +
                            " requests are waiting (" + endpoint + "); retry after a second"}
                   .response();
      r.headers.emplace_back("Retry-After", "1");
      return respond(std::move(r));
    }
    case QueryPool::Submitted::Stopped:
      return respond(shuttingDown());
  }
}

}  // namespace

// The files of core/api compiled in by cmake/EmbedFiles.cmake (openapi_document.cpp).
std::string_view embeddedApiFile(std::string_view name);

std::string_view openApiDocument() { return embeddedApiFile("openapi.json"); }

Api::Api(ApiContext context) : state_(std::make_shared<State>(std::move(context))) {}

Api::~Api() { stop(); }

void Api::stop() {
  state_->stopped = true;
  state_->pool.stop();
}

void Api::addRoutes(http::Router& router) {
  for (const auto& entry : entries()) {
    router.add(entry.spec.method, entry.spec.pattern, entry.spec.access,
               [state = state_, &entry](const http::Request& request, http::Respond respond) {
                 handle(state, entry, request, std::move(respond));
               });
  }
}

std::vector<EndpointSpec> Api::endpoints() {
  std::vector<EndpointSpec> out;
  for (const auto& e : entries()) out.push_back(e.spec);
  return out;
}

std::unique_ptr<Api> addRoutes(http::Router& router, ApiContext context) {
  auto api = std::make_unique<Api>(std::move(context));
  api->addRoutes(router);
  return api;
}

}  // namespace abm::api
