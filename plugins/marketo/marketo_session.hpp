// Marketo's REST API through the SDK's ApiSession: the access token comes from the instance's identity
// service (GET /identity/oauth/token?grant_type=client_credentials&client_id=..&client_secret=..), and
// Marketo reports most errors inside HTTP 200 bodies ({"success": false, "errors": [{"code", "message"}]}).
// Each is treated as its HTTP equivalent:
//   601, 602  access token invalid / expired   → a new token, once (as a 401)
//   606, 615  rate / concurrency limit          → back off and try again (as a 429)
//   607       daily quota reached               → rate_limited until the quota resets (00:00 US Central)
//   others                                       → the run fails naming the endpoint, the code and message
#pragma once

#include <abm/sdk/api_session.hpp>

#include <memory>
#include <string>

namespace marketo {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

class MarketoApi {
 public:
  MarketoApi(Host& host, const json& settings);
  // GETs `target` (a path under base_url) and returns its body when "success" is true.
  abm::sdk::http::Answer get(const std::string& target);

 private:
  Host host_;
  abm::sdk::http::ApiSession api_;
  int max_attempts_;
  abm::sdk::http::Millis initial_wait_;
};

// When Marketo's daily quota resets after `now` (epoch seconds): midnight US Central (CST, UTC-6), as
// Marketo documents it.
int64_t nextQuotaReset(int64_t now);

// Marketo's HTTP-level errors (the identity service's {"error", "error_description"}) as one line.
std::string describeError(const abm::sdk::http::Response& r);

struct Context {
  Host& host;
  const json& settings;
  MarketoApi& api;
};

}  // namespace marketo
