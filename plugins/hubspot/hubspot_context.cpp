#include "hubspot_context.hpp"

#include <chrono>

namespace hubspot {

std::string describeError(const abm::sdk::http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return {};
  std::string out = abm::sdk::http::textOf(body, "category");
  const std::string message = abm::sdk::http::textOf(body, "message");
  if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
  if (const auto policy = abm::sdk::http::textOf(body, "policyName"); !policy.empty()) out += " (policy " + policy + ")";
  if (const auto id = abm::sdk::http::textOf(body, "correlationId"); !id.empty()) out += " (correlationId " + id + ")";
  return out;
}

Status streamFailure(Context& ctx, const std::string& stream, const abm::sdk::http::Answer& a, bool optional_scope) {
  if (optional_scope && a.response.status == 403 &&
      abm::sdk::http::textOf(json::parse(a.response.body, nullptr, false), "category") == "MISSING_SCOPES") {
    ctx.host.warn(stream + " skipped: the HubSpot app lacks the scope it needs (" + describeError(a.response) + ")");
    return Status::ok();
  }
  return a.status;
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string joined(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out.push_back(sep);
    out += i;
  }
  return out;
}

}  // namespace hubspot
