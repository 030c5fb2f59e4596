#include "gaql_search.hpp"

namespace google_ads {

namespace http = abm::sdk::http;

Status search(Context& ctx, const std::string& gaql, const std::function<bool(const json& rows)>& on_page) {
  std::vector<std::string> headers{"Content-Type: application/json", "developer-token: " + ctx.developer_token};
  if (!ctx.login_customer_id.empty()) headers.push_back("login-customer-id: " + ctx.login_customer_id);
  const std::string path = "/" + ctx.version + "/customers/" + ctx.customer_id + "/googleAds:search";
  std::string token;
  for (;;) {
    json body{{"query", gaql}};
    if (!token.empty()) body["pageToken"] = token;
    const auto a = ctx.api.call({"POST", path, headers, body.dump()});
    if (!a.ok()) return a.status;
    if (!a.body.is_object()) return Status::error(a.response.endpoint + ": the answer is not a JSON object");
    const json& rows = http::fieldOf(a.body, "results");
    if (!rows.is_null() && !rows.is_array()) return Status::error(a.response.endpoint + ": \"results\" is not an array");
    const auto next = http::nextPageToken(a.body, "nextPageToken");
    if (!on_page(rows.is_null() ? json::array() : rows) || !next) return Status::ok();
    token = *next;
  }
}

std::string resourcePath(const Context& ctx, const std::string& resource) {
  return "/" + ctx.version + "/customers/" + ctx.customer_id + "/" + resource;
}

}  // namespace google_ads
