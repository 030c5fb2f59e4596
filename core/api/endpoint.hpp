// What the endpoint files share: the part of a request a query thread needs (copied off the event
// loop, since the request itself lives only while the handler runs), and small helpers.
#pragma once

#include <map>
#include <string>

#include "api/api_error.hpp"
#include "api/daemon_control.hpp"
#include "api/query_params.hpp"
#include "api/store_access.hpp"

namespace abm::api {

struct Call {
  std::string endpoint;                       // "GET /api/v1/accounts/{account_id}", for messages
  std::map<std::string, std::string> params;  // from the route pattern
  QueryParams query;
  DaemonControl* control = nullptr;  // null when the daemon gave none
};

using QueryResult = ApiResult<http::Response>;

// A path parameter that must be a positive id ({account_id}, {run_id}).
ApiResult<int64_t> idParam(const Call& call, const std::string& name);

// `text` made a LIKE pattern matching it anywhere, with LIKE's own characters escaped by '\'.
std::string containsPattern(const std::string& text);

// `text` with its ASCII letters lowered, as lower() lowers a column on both stores (SQLite's lower(),
// PostgreSQL's under the store's "C" collation): what a filter that ignores case compares with
// lower(column), since SQLite's COLLATE NOCASE and its case-blind LIKE have no PostgreSQL twin.
std::string asciiLower(std::string text);

inline QueryResult ok(const nlohmann::json& body) { return jsonResponse(200, body); }

// An account as every answer about one gives it: SELECT kAccountColumns kAccountJoins, read by
// accountJson.
extern const char* const kAccountColumns;
extern const char* const kAccountJoins;
nlohmann::json accountJson(const RowReader& r);

// The endpoints, one function per route; each runs on a query thread with its own connection.
QueryResult listAccounts(Connection& c, const Call& call);
QueryResult getAccount(Connection& c, const Call& call);
QueryResult listAccountTouchpoints(Connection& c, const Call& call);
QueryResult listCampaigns(Connection& c, const Call& call);
QueryResult listOpportunities(Connection& c, const Call& call);
QueryResult getAttribution(Connection& c, const Call& call);
QueryResult listRuns(Connection& c, const Call& call);
QueryResult getRun(Connection& c, const Call& call);
QueryResult listConnectors(Connection& c, const Call& call);
QueryResult getHealth(Connection* c, const std::string& open_error, const Call& call);
QueryResult listKpis(Connection& c, const Call& call);
QueryResult listCampaignPerformance(Connection& c, const Call& call);
QueryResult getFunnel(Connection& c, const Call& call);
QueryResult listEngagement(Connection& c, const Call& call);
QueryResult listSegments(Connection& c, const Call& call);
QueryResult getSegment(Connection& c, const Call& call);

// Their query parameters (filters and, for lists, limit, cursor and sort).
std::vector<ParamSpec> accountsParams();
std::vector<ParamSpec> accountTouchpointsParams();
std::vector<ParamSpec> campaignsParams();
std::vector<ParamSpec> opportunitiesParams();
std::vector<ParamSpec> attributionParams();
std::vector<ParamSpec> runsParams();
std::vector<ParamSpec> connectorsParams();
std::vector<ParamSpec> kpisParams();
std::vector<ParamSpec> campaignPerformanceParams();
std::vector<ParamSpec> engagementParams();
std::vector<ParamSpec> segmentParams();

}  // namespace abm::api
