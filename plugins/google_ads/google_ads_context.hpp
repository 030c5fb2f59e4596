// What every Google Ads stream reader works with: the host, the settings, one API session, and the
// customer its queries run on, with the headers Google Ads wants on every request.
#pragma once

#include <abm/sdk/api_session.hpp>

#include <optional>
#include <string>

namespace google_ads {

using nlohmann::json;
using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  std::string version;            // "v26": the path prefix of every request
  std::string customer_id;        // digits only
  std::string login_customer_id;  // digits only; "" when the credentials belong to the customer itself
  std::string developer_token;
};

// The digits of a customer id as Google Ads shows it ("123-456-7890" -> "1234567890").
std::string customerDigits(const std::string& typed);

// The API version's number ("v26" -> 26).
int versionNumber(const std::string& version);

// Google's error body {"error": {code, message, status, details: [GoogleAdsFailure]}} as one line,
// e.g. "INVALID_ARGUMENT: Request contains an invalid argument.; queryError UNRECOGNIZED_FIELD:
// Unrecognized field in the query: 'campaign.start_date'. (requestId abc)".
std::string describeError(const abm::sdk::http::Response& r);

// The wait a RESOURCE_EXHAUSTED answer asks for in quotaErrorDetails.retryDelay ("30s", "1.5s").
std::optional<abm::sdk::http::Millis> retryDelay(const abm::sdk::http::Response& r);

// Milliseconds since the epoch, now.
int64_t nowMillis();

}  // namespace google_ads
