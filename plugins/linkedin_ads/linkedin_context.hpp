// What every LinkedIn Ads stream reader works with: the host, the settings, one API session, the ad
// account, and the headers LinkedIn's versioned REST API wants on every request.
#pragma once

#include <abm/sdk/api_session.hpp>

#include <optional>
#include <string>

namespace linkedin_ads {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  std::string account_id;  // the sponsored ad account's number
  std::string version;     // LinkedIn-Version: YYYYMM
};

// GET `target` with LinkedIn-Version and X-Restli-Protocol-Version 2.0.0.
abm::sdk::http::Answer get(Context& ctx, const std::string& target);

// "urn:li:sponsoredAccount:123", percent-encoded as a Rest.li List item must be.
std::string encodedAccountUrn(const Context& ctx);

// LinkedIn's error body {"status", "serviceErrorCode", "code", "message"} as one line:
// "TOO_MANY_REQUESTS (serviceErrorCode 101): Resource level throttle APPLICATION DAY limit ...".
std::string describeError(const abm::sdk::http::Response& r);

// A 429 that says the day's limit is reached carries no Retry-After: the wait is until the next UTC
// midnight, when LinkedIn's daily limits reset. Nothing for other answers (a short throttle is
// retried with backoff).
std::optional<abm::sdk::http::Millis> dailyLimitWait(const abm::sdk::http::Response& r);

// Milliseconds since the epoch, now.
int64_t nowMillis();

}  // namespace linkedin_ads
