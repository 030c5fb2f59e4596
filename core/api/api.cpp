#include "api/api.hpp"

#include <atomic>
#include <functional>

#include "api/endpoint.hpp"
#include "api/query_pool.hpp"
#include "common/catch_all.hpp"
#include "common/utf8.hpp"
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
      {{"GET", "/api/v1/runs", Access::ApiToken, runsParams(), true}, Work::Query, listRuns},
      {{"GET", "/api/v1/runs/{run_id}", Access::ApiToken, {}, false}, Work::Query, getRun},
      {{"GET", "/api/v1/segments", Access::ApiToken, {}, false}, Work::Query, listSegments},
      {{"GET", "/api/v1/segments/{name}", Access::ApiToken, segmentParams(), true}, Work::Query, getSegment},
  };
  return all;
}

http::Response shuttingDown() {
  auto r =
      ApiError::unavailable("shutting_down", "the daemon is shutting down; retry once it is back").response();
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

// The sync endpoint takes no options: an empty body, or an empty JSON object as some clients send.
bool emptyBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.empty();
}

http::Response syncAnswer(const std::string& name, const SyncRequestResult& r) {
  const std::string quoted = "'" + utf8Excerpt(name, 100) + "'";
  switch (r.kind) {
    case SyncRequestResult::Started: {
      auto response = jsonResponse(202, {{"connector", name}, {"status", "started"}, {"run_id", r.run_id}});
      response.headers.emplace_back("Location", "/api/v1/runs/" + std::to_string(r.run_id));
      return response;
    }
    case SyncRequestResult::Queued:
      return jsonResponse(202, {{"connector", name}, {"status", "queued"}, {"run_id", nullptr}});
    case SyncRequestResult::AlreadyRunning:
      return ApiError{
          409, "already_running",
          "connector " + quoted +
              " is running a sync now; GET /api/v1/runs?connector=" + utf8Excerpt(name, 100) +
              "&status=running shows it, ask again once it has ended"}
          .response();
    case SyncRequestResult::UnknownConnector:
      return ApiError::notFound("no connector " + quoted +
                                "; GET /api/v1/connectors lists the configured connectors")
          .response();
    case SyncRequestResult::NotPullable:
      return ApiError{
          409, "not_pullable",
          "connector " + quoted +
              " is a push source: it receives events on the collector (/v1/batch, /v1/track, ...) and "
              "has nothing to pull"}
          .response();
    case SyncRequestResult::ShuttingDown:
      return shuttingDown();
  }
  return ApiError::internal("unexpected answer from the scheduler").response();
}

void startSync(const std::shared_ptr<Api::State>& state, const Call& call, const std::string& body,
               http::Respond respond) {
  if (!emptyBody(body))
    return respond(
        ApiError::badRequest("invalid_body",
                             "this endpoint takes no options: send no body, or {} (" + call.endpoint + ")")
            .response());
  if (!call.control)
    return respond(ApiError::unavailable("unavailable",
                                         "this daemon cannot start runs on request (" + call.endpoint + ")")
                       .response());
  const std::string name = call.params.at("name");
  call.control->requestSync(name, [respond, name](SyncRequestResult r) { respond(syncAnswer(name, r)); });
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
  if (entry.work == Work::Sync) return startSync(state, call, request.body, std::move(respond));

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
