#include "mailchimp_context.hpp"

#include <abm/sdk/time.hpp>

#include <cctype>

namespace mailchimp {

namespace http = abm::sdk::http;

namespace {

// A data centre is letters then digits ("us6", "eu1"): nothing else may become part of a host name.
bool plausibleDataCentre(const std::string& dc) {
  size_t i = 0;
  while (i < dc.size() && std::islower(static_cast<unsigned char>(dc[i]))) ++i;
  const size_t letters = i;
  while (i < dc.size() && std::isdigit(static_cast<unsigned char>(dc[i]))) ++i;
  return letters > 0 && i > letters && i == dc.size();
}

}  // namespace

std::string apiHost(const json& settings, std::string& why) {
  if (const std::string base = settings.value("base_url", ""); !base.empty()) return base;
  const std::string key = settings.value("api_key", "");
  const auto dash = key.rfind('-');
  const std::string dc = dash == std::string::npos ? std::string() : key.substr(dash + 1);
  if (!plausibleDataCentre(dc)) {
    // The key is secret: say what is wrong with it, never what it is.
    why = "api_key must end with its data centre, as Mailchimp issues it (\"…-us6\"), or set base_url";
    return {};
  }
  return "https://" + dc + ".api.mailchimp.com";
}

std::unique_ptr<http::ApiSession> newSession(Host& host, const json& settings) {
  std::string why;
  json s = settings;
  s["base_url"] = apiHost(settings, why);
  const std::string key = settings.value("api_key", "");
  return std::make_unique<http::ApiSession>(host, s, settings.value("requests_per_second", 10.0), "", &describeError,
                                            [&key](http::OAuthSettings& o) {
                                              o.fixed_authorization = http::basicAuthorization("abmd", key);
                                              o.credential_settings = "api_key";
                                            });
}

std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return {};
  std::string out = http::textOf(body, "title");
  const std::string detail = http::textOf(body, "detail");
  if (!detail.empty()) out += (out.empty() ? "" : ": ") + detail;
  return out;
}

std::string isoTime(const std::string& mailchimp_time) {
  const auto ms = abm::sdk::isoToMillis(mailchimp_time);
  return ms ? abm::sdk::millisToIso(*ms) : std::string();
}

}  // namespace mailchimp
