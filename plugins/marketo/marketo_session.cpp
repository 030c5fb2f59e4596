#include "marketo_session.hpp"

#include <abm/sdk/backoff.hpp>

#include <ctime>
#include <random>

namespace marketo {

namespace http = abm::sdk::http;

namespace {

std::string codeOf(const json& error) { return http::idText(http::fieldOf(error, "code")); }

}  // namespace

int64_t nextQuotaReset(int64_t now) {
  constexpr int64_t kCentral = -6 * 3600;
  const int64_t local = now + kCentral;
  return (local / 86400 + 1) * 86400 - kCentral;
}

std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return {};
  return http::textOf(body, "error") + ": " + http::textOf(body, "error_description");
}

MarketoApi::MarketoApi(Host& host, const json& settings)
    : host_(host),
      api_(host, settings, settings.value("requests_per_second", 4.0), "", &describeError,
           [&settings](http::OAuthSettings& o) {
             std::string base = settings.value("base_url", "");
             while (!base.empty() && base.back() == '/') base.pop_back();
             o.access_token.clear();
             o.refresh_token.clear();
             o.grant_type = "client_credentials";
             o.token_by_get = true;
             o.token_url = base + "/identity/oauth/token";
             o.credential_settings = "client_id and client_secret";
           }),
      max_attempts_(std::max(1, settings.value("max_attempts", 6))),
      initial_wait_(std::max(1, settings.value("retry_initial_ms", 1000))) {}

http::Answer MarketoApi::get(const std::string& target) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    http::Answer a = api_.call({"GET", target});
    if (!a.ok()) return a;
    const std::string where = a.response.endpoint;
    if (!a.body.is_object() || !a.body.contains("success") || !a.body["success"].is_boolean()) {
      a.status = Status::error(where + ": the answer has no \"success\" flag");
      return a;
    }
    if (a.body["success"].get<bool>()) return a;
    const json& errors = http::fieldOf(a.body, "errors");
    const json first = errors.is_array() && !errors.empty() ? errors[0] : json::object();
    const std::string code = codeOf(first);
    const std::string line = where + ": Marketo " + (code.empty() ? "error" : code) + " " + http::textOf(first, "message");
    if ((code == "601" || code == "602") && !refreshed) {
      refreshed = true;
      api_.auth().invalidate();
      continue;
    }
    if ((code == "606" || code == "615") && attempt < max_attempts_) {
      const auto wait = abm::sdk::backoffDelay(attempt, initial_wait_, http::Millis(60'000),
                                               std::uniform_real_distribution<double>(0, 1)(rng));
      host_.warn("attempt " + std::to_string(attempt) + " failed (" + line + "); retrying in " +
                 std::to_string(wait.count()) + " ms");
      http::RetryOptions o;
      o.stop_requested = [this] { return host_.stopRequested(); };
      if (!http::waitUnlessStopped(o, wait)) {
        a.status = Status::retry(line + " — stopped while waiting to retry because the host is shutting down");
        return a;
      }
      continue;
    }
    if (code == "607") {
      a.status = Status::rateLimited(line + " (the daily API quota is spent; it resets at midnight US Central)",
                                     nextQuotaReset(std::time(nullptr)));
    } else if (code == "606" || code == "615") {
      a.status = Status::retry(line + " (after " + std::to_string(max_attempts_) + " attempts)");
    } else if (code == "601" || code == "602") {
      a.status = Status::error(line + " even after a new token; check the connector's client_id and client_secret");
    } else {
      a.status = Status::error(line);
    }
    return a;
  }
}

}  // namespace marketo
