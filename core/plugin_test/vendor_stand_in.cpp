#include "plugin_test/vendor_stand_in.hpp"

#include <algorithm>

namespace abm::plugin_test {

using nlohmann::json;

namespace {

// The answer headers a cassette keeps: what a plugin reads besides the body.
bool keptHeader(const std::string& lower) {
  return lower == "content-type" || lower == "retry-after" || lower == "link" || lower == "location" ||
         lower.find("ratelimit") != std::string::npos || lower.find("rate-limit") != std::string::npos;
}

// Request headers not forwarded: the proxy's own connection, and encodings libcurl sets itself.
bool hopHeader(const std::string& lower) {
  return lower == "host" || lower == "content-length" || lower == "connection" || lower == "accept-encoding" ||
         lower == "transfer-encoding" || lower == "expect" || lower == "user-agent" || lower == "keep-alive";
}

}  // namespace

std::string pathOf(const std::string& url) {
  const std::string origin = sdk::http::originOf(url);
  std::string rest = url.substr(std::min(origin.size(), url.size()));
  rest = rest.substr(0, rest.find_first_of("?#"));
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  return rest;
}

void ReplayVendor::inject(HttpAnswer a) {
  std::lock_guard lock(mu_);
  injected_.push_back(std::move(a));
}

HttpAnswer ReplayVendor::answer(const HttpRequest& r, const std::string& loopback_url) {
  {
    std::lock_guard lock(mu_);
    if (!injected_.empty()) {
      HttpAnswer a = std::move(injected_.front());
      injected_.erase(injected_.begin());
      return a;
    }
  }
  const RecordedRequest asked = toRecorded(r, secrets_);
  const Exchange* e = replayer_.answer(asked);
  HttpAnswer a;
  if (!e) {
    a.status = 400;
    a.headers["content-type"] = "application/json";
    a.body = json{{"error", "abm-plugin-test: the cassette holds no answer for " + asked.describe()}}.dump(-1, ' ', false, json::error_handler_t::replace);
    return a;
  }
  a.status = e->status;
  for (const auto& [k, v] : e->headers.items())
    a.headers[k] = replaceAll(v.get<std::string>(), std::string(kBaseUrlMark), loopback_url);
  a.body = replaceAll(bodyToText(e->body), std::string(kBaseUrlMark), loopback_url);
  if (!a.headers.count("content-type") && (e->body.is_object() || e->body.is_array()))
    a.headers["content-type"] = "application/json";
  return a;
}

RecordingVendor::RecordingVendor(std::string base_url, std::string token_url, std::string ca_file)
    : base_url_(std::move(base_url)),
      base_origin_(sdk::http::originOf(base_url_)),
      token_url_(std::move(token_url)),
      token_origin_(sdk::http::originOf(token_url_)),
      token_path_(pathOf(token_url_)),
      ca_file_(std::move(ca_file)) {}

HttpAnswer RecordingVendor::answer(const HttpRequest& r, const std::string& loopback_url) {
  const std::string path = r.target.substr(0, r.target.find('?'));
  const std::string origin = !token_origin_.empty() && path == token_path_ ? token_origin_ : base_origin_;
  sdk::http::Request fwd;
  fwd.method = r.method;
  fwd.target = r.target;
  fwd.body = r.body;
  for (const auto& [name, value] : r.headers)
    if (!hopHeader(name)) fwd.headers.push_back(name + ": " + value);
  sdk::http::Response res;
  {
    // One handle per origin, one request at a time on it: the plugin's own pace goes through.
    std::lock_guard lock(mu_);
    auto& client = clients_[origin];
    if (!client) {
      sdk::http::ClientOptions o;
      o.base_url = origin;
      o.ca_file = ca_file_;
      client = std::make_unique<sdk::http::Client>(o);
    }
    res = client->send(fwd);
  }
  HttpAnswer a;
  if (res.transport != CURLE_OK) {
    a.status = 502;
    a.headers["content-type"] = "application/json";
    const std::string why = r.method + " " + origin + path + ": " + res.transport_error;
    a.body = json{{"error", "abm-plugin-test: the vendor could not be reached: " + why}}.dump();
    std::lock_guard lock(mu_);
    failures_.push_back(why);
    return a;
  }
  a.status = static_cast<int>(res.status);
  for (const auto& [name, value] : res.headers)
    if (keptHeader(name)) a.headers[name] = value;
  a.body = res.body;
  {
    std::lock_guard lock(mu_);
    exchanges_.emplace_back(r, a);
  }
  // The plugin stays on the proxy: links to the vendor point back at it.
  for (auto& [name, value] : a.headers) {
    value = replaceAll(value, base_origin_, loopback_url);
    if (!token_origin_.empty()) value = replaceAll(value, token_origin_, loopback_url);
  }
  a.body = replaceAll(a.body, base_origin_, loopback_url);
  if (!token_origin_.empty()) a.body = replaceAll(a.body, token_origin_, loopback_url);
  return a;
}

Cassette RecordingVendor::cassette(const std::string& plugin, Secrets secrets) const {
  std::lock_guard lock(mu_);
  // Every credential first, so a token learned late is masked in the exchanges before it too.
  for (const auto& [req, ans] : exchanges_) learnSecrets(req, ans, secrets);
  Cassette c;
  c.plugin = plugin;
  c.base_url = base_url_;
  const std::string mark(kBaseUrlMark);
  for (const auto& [req, ans] : exchanges_) {
    Exchange e;
    e.request = toRecorded(req, secrets);
    e.status = ans.status;
    for (const auto& [name, value] : ans.headers) {
      std::string v = replaceAll(value, base_origin_, mark);
      if (!token_origin_.empty()) v = replaceAll(std::move(v), token_origin_, mark);
      e.headers[name] = secrets.mask(v);
    }
    std::string body = replaceAll(ans.body, base_origin_, mark);
    if (!token_origin_.empty()) body = replaceAll(std::move(body), token_origin_, mark);
    e.body = secrets.mask(bodyToJson(secrets.mask(body)));
    c.exchanges.push_back(std::move(e));
  }
  return c;
}

std::vector<std::string> RecordingVendor::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

}  // namespace abm::plugin_test
