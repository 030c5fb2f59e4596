// What every HubSpot stream reader works with: the host, the settings, one API session, and the
// search endpoint's own pace.
#pragma once

#include <abm/sdk/api_session.hpp>

#include <string>

namespace hubspot {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  abm::sdk::http::RateLimiter& search_pace;  // search has its own, lower limit
  int page_size = 100;
};

// HubSpot's error body {"status":"error","message":...,"category":...,"correlationId":...} as one line.
std::string describeError(const abm::sdk::http::Response& r);

// A failed answer as the stream's result. A stream that needs a scope the app may lack
// (`optional_scope`: engagements, marketing email) is skipped with a warning on 403 MISSING_SCOPES,
// so the CRM streams still sync.
Status streamFailure(Context& ctx, const std::string& stream, const abm::sdk::http::Answer& a, bool optional_scope);

// Milliseconds since the epoch, now.
int64_t nowMillis();

// "a,b,c"
std::string joined(const std::vector<std::string>& items, char sep = ',');

}  // namespace hubspot
