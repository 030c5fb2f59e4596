#include "linkedin_context.hpp"

#include <chrono>

namespace linkedin_ads {

namespace http = abm::sdk::http;

http::Answer get(Context& ctx, const std::string& target) {
  return ctx.api.call({"GET", target, {"LinkedIn-Version: " + ctx.version, "X-Restli-Protocol-Version: 2.0.0"}});
}

std::string encodedAccountUrn(const Context& ctx) { return "urn%3Ali%3AsponsoredAccount%3A" + ctx.account_id; }

std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return {};
  std::string out = http::textOf(body, "code");
  if (body.contains("serviceErrorCode"))
    out += (out.empty() ? "" : " ") + std::string("(serviceErrorCode ") + http::idText(body["serviceErrorCode"]) + ")";
  if (const auto message = http::textOf(body, "message"); !message.empty()) out += (out.empty() ? "" : ": ") + message;
  return out;
}

std::optional<http::Millis> dailyLimitWait(const http::Response& r) {
  if (r.status != 429) return std::nullopt;
  if (http::textOf(json::parse(r.body, nullptr, false), "message").find("DAY limit") == std::string::npos)
    return std::nullopt;
  const int64_t now = nowMillis();
  return http::Millis((now / 86'400'000 + 1) * 86'400'000 - now);
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace linkedin_ads
