#include "google_ads_context.hpp"

#include <chrono>
#include <cstdlib>

namespace google_ads {

namespace http = abm::sdk::http;

std::string customerDigits(const std::string& typed) {
  std::string out;
  for (char c : typed)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

int versionNumber(const std::string& version) { return std::atoi(version.c_str() + (version.empty() ? 0 : 1)); }

namespace {

// The error object, whether the body is {"error": ...} (search) or [{"error": ...}] (searchStream).
const json& errorOf(const json& body) {
  static const json none;
  if (body.is_array() && !body.empty()) return errorOf(body.front());
  return body.is_object() && body.contains("error") && body["error"].is_object() ? body["error"] : none;
}

// The GoogleAdsFailure errors of the details.
json failures(const json& error) {
  json out = json::array();
  for (const auto& d : http::fieldOf(error, "details"))
    for (const auto& e : http::fieldOf(d, "errors")) out.push_back(e);
  return out;
}

}  // namespace

std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  const json& error = errorOf(body);
  if (error.is_null()) return {};
  std::string out = http::textOf(error, "status");
  if (const auto message = http::textOf(error, "message"); !message.empty()) out += (out.empty() ? "" : ": ") + message;
  for (const auto& e : failures(error)) {
    out += ";";
    for (const auto& [kind, code] : http::fieldOf(e, "errorCode").items())
      out += " " + kind + " " + (code.is_string() ? code.get<std::string>() : code.dump());
    if (const auto message = http::textOf(e, "message"); !message.empty()) out += ": " + message;
  }
  for (const auto& d : http::fieldOf(error, "details"))
    if (const auto id = http::textOf(d, "requestId"); !id.empty()) out += " (requestId " + id + ")";
  return out;
}

std::optional<http::Millis> retryDelay(const http::Response& r) {
  if (r.status != 429) return std::nullopt;
  const json body = json::parse(r.body, nullptr, false);
  for (const auto& e : failures(errorOf(body))) {
    // A protobuf Duration in JSON: seconds with an "s", maybe fractional ("30s", "1.500s").
    const std::string delay = http::textOf(http::fieldOf(http::fieldOf(e, "details"), "quotaErrorDetails"), "retryDelay");
    if (delay.size() < 2 || delay.back() != 's') continue;
    char* end = nullptr;
    const double seconds = std::strtod(delay.c_str(), &end);
    if (end == delay.c_str() + delay.size() - 1 && seconds >= 0)
      return http::Millis(static_cast<int64_t>(seconds * 1000));
  }
  return std::nullopt;
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace google_ads
