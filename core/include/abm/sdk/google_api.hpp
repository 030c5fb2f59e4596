// What Google's REST APIs (Analytics Data, Google Ads) share (header-only, with <abm/sdk/http.hpp>):
// the error body {"error": {"code", "message", "status", "details"}} as one line for messages.
#pragma once

#include <abm/sdk/http.hpp>

#include <string>

namespace abm::sdk::http {

// "RESOURCE_EXHAUSTED: Exhausted property tokens per day.", or "" when the body is not Google's
// error shape (the OAuth endpoint's {"error": "invalid_grant", "error_description"} included).
inline std::string describeGoogleError(const Response& r) {
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return {};
  const auto& e = body["error"];
  if (e.is_string())
    return e.get<std::string>() + ": " + (body.contains("error_description") && body["error_description"].is_string()
                                              ? body["error_description"].get<std::string>()
                                              : std::string());
  if (!e.is_object()) return {};
  const std::string status = e.contains("status") && e["status"].is_string() ? e["status"].get<std::string>() : "";
  const std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
  return status.empty() ? message : status + ": " + message;
}

}  // namespace abm::sdk::http
