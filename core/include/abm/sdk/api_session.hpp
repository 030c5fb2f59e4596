// What every HTTP connector shares (header-only; link CURL::libcurl): the settings they all take and
// one call that sends a request the way each of them must — inside the request budget, with the
// access token (refreshed on expiry and once on a 401), retried on transient failures — and turns the
// answer into JSON or a Status that says what failed, where, and whether a later run may succeed:
//   error        bad credentials, a 4xx the vendor will answer again, a body that is not JSON
//   retry        the vendor kept failing (5xx, timeouts, cut-off bodies) after every attempt
//   rateLimited  the day's quota is spent: the plugin has checkpointed, the daemon resumes later
#pragma once

#include <abm/sdk/api_auth.hpp>
#include <abm/sdk/oauth.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/request_budget.hpp>

#include <array>
#include <charconv>
#include <functional>
#include <memory>
#include <string>

namespace abm::sdk::http {

// The settings every HTTP plugin takes after its own (base_url and the vendor's rate come first,
// with the vendor's defaults).
inline constexpr Option kHttpOptions[] = {
    {"access_token", OptionType::String, false, "\"\"",
     "Static bearer token (a private app token); leave empty to use the refresh-token flow", true},
    {"token_url", OptionType::String, false, "\"\"", "OAuth 2.0 token endpoint (empty: the vendor's)"},
    {"client_id", OptionType::String, false, "\"\"", "OAuth 2.0 client id"},
    {"client_secret", OptionType::String, false, "\"\"", "OAuth 2.0 client secret", true},
    {"refresh_token", OptionType::String, false, "\"\"",
     "OAuth 2.0 refresh token; a rotated one is kept in the connector's state folder (0600)", true},
    {"requests_per_day", OptionType::Integer, false, "0",
     "The connector's own daily request budget (0: only the vendor's signals end the day)"},
    {"timeout_seconds", OptionType::Integer, false, "60", "Total time allowed for one request"},
    {"connect_timeout_seconds", OptionType::Integer, false, "10", "Time allowed to connect"},
    {"max_attempts", OptionType::Integer, false, "6", "Attempts per request on timeouts, 429 and 5xx"},
    {"retry_initial_ms", OptionType::Integer, false, "1000",
     "First wait between attempts; it doubles (with jitter) up to a minute, or what Retry-After asks"},
    {"ca_file", OptionType::String, false, "\"\"", "Extra CA bundle to trust (verification is never off)"},
    {"proxy", OptionType::String, false, "\"\"", "HTTP(S) proxy URL"},
    {"allow_insecure_http", OptionType::Boolean, false, "false",
     "Allow a plain http:// base_url or token_url to a host other than this machine; credentials then "
     "travel in clear, and every run warns"},
};

// A plugin's options followed by kHttpOptions, for ABM_PLUGIN.
template <size_t N>
constexpr std::array<Option, N + std::size(kHttpOptions)> withHttpOptions(const Option (&own)[N]) {
  std::array<Option, N + std::size(kHttpOptions)> all{};
  for (size_t i = 0; i < N; ++i) all[i] = own[i];
  for (size_t i = 0; i < std::size(kHttpOptions); ++i) all[N + i] = kHttpOptions[i];
  return all;
}

// The settings after kHttpOptions' OAuth ones (access_token .. refresh_token): for a vendor that
// signs otherwise (an API key, the client-credentials grant) and declares its own credentials.
inline constexpr size_t kOAuthOptionCount = 5;

// A plugin's options followed by kHttpOptions without the OAuth ones, for ABM_PLUGIN.
template <size_t N>
constexpr std::array<Option, N + std::size(kHttpOptions) - kOAuthOptionCount> withTransportOptions(const Option (&own)[N]) {
  std::array<Option, N + std::size(kHttpOptions) - kOAuthOptionCount> all{};
  for (size_t i = 0; i < N; ++i) all[i] = own[i];
  for (size_t i = kOAuthOptionCount; i < std::size(kHttpOptions); ++i) all[N + i - kOAuthOptionCount] = kHttpOptions[i];
  return all;
}

// A plugin's options, then kAuthOptions (API key, Basic), then kHttpOptions, for ABM_PLUGIN: for a
// plugin whose connector file says how its source signs (the rest plugin).
template <size_t N>
constexpr std::array<Option, N + std::size(kAuthOptions) + std::size(kHttpOptions)> withAuthOptions(const Option (&own)[N]) {
  std::array<Option, N + std::size(kAuthOptions) + std::size(kHttpOptions)> all{};
  size_t i = 0;
  for (const auto& o : own) all[i++] = o;
  for (const auto& o : kAuthOptions) all[i++] = o;
  for (const auto& o : kHttpOptions) all[i++] = o;
  return all;
}

// "" when the settings hold a way to authenticate, else what to set.
inline std::string missingCredentials(const nlohmann::json& settings) {
  auto set = [&](const char* key) {
    const auto it = settings.find(key);
    return it != settings.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
  };
  if (set("access_token") || set("refresh_token") || set("api_key") || set("basic_user")) return {};
  return "set access_token, or client_id, client_secret and refresh_token (OAuth)";
}

struct Answer {
  nlohmann::json body;
  Response response;
  Status status;  // ok, or why there is no body
  bool ok() const { return status.isOk(); }
};

class ApiSession {
 public:
  // `vendor_error` turns a vendor's error body into one line ("CATEGORY: message"); it must not
  // echo anything secret. `default_token_url` is used when the settings leave token_url empty.
  // `sign`, when given, adjusts how requests are signed after the settings are read (Mailchimp's API
  // key as HTTP Basic, Marketo's client-credentials grant).
  ApiSession(Host& host, const nlohmann::json& settings, double per_second, std::string default_token_url,
             std::function<std::string(const Response&)> vendor_error,
             const std::function<void(OAuthSettings&)>& sign = {})
      : host_(host), vendor_error_(std::move(vendor_error)) {
    ClientOptions c;
    c.base_url = settings.value("base_url", "");
    c.timeout = std::chrono::seconds(settings.value("timeout_seconds", 60));
    c.connect_timeout = std::chrono::seconds(settings.value("connect_timeout_seconds", 10));
    c.ca_file = settings.value("ca_file", "");
    c.proxy = settings.value("proxy", "");
    const std::string dir = host.stateDir();
    OAuthSettings o;
    o.access_token = settings.value("access_token", "");
    o.client_id = settings.value("client_id", "");
    o.client_secret = settings.value("client_secret", "");
    o.refresh_token = settings.value("refresh_token", "");
    o.token_url = settings.value("token_url", "");
    if (o.token_url.empty() && !o.refresh_token.empty()) o.token_url = std::move(default_token_url);
    if (!dir.empty()) o.state_file = dir + "/oauth.json";
    // Only a plugin that declares kAuthOptions has them (the host fills their defaults): another's
    // own api_key (Mailchimp's) is its own business, signed through `sign`.
    if (settings.contains("api_key_header")) settings_error_ = readAuthSettings(settings, o, query_key_);
    if (sign) sign(o);
    credential_settings_ = o.credential_settings;
    // A token must not cross the network in clear unless the admin says so, and then not silently.
    for (const auto& [setting, url] : {std::pair<const char*, std::string>{"base_url", c.base_url}, {"token_url", o.token_url}}) {
      if (url.rfind("http://", 0) != 0 || isLoopbackUrl(url) || !settings_error_.empty()) continue;
      if (settings.value("allow_insecure_http", false))
        host.warn(std::string(setting) + " " + originOf(url) + " is plain http: credentials travel in clear " +
                  "(allow_insecure_http is set)");
      else
        settings_error_ = std::string(setting) + ": " + originOf(url) + " is plain http to another machine, so the " +
                          "credentials would travel in clear; use https://, or set allow_insecure_http: true";
    }
    // What no message may show: a key in the query string (as sent, and encoded) or in a header.
    for (const std::string& secret : {query_key_.value, o.fixed_authorization})
      if (secret.size() >= 4) {
        secrets_.push_back(secret);
        if (formEncode(secret) != secret) secrets_.push_back(formEncode(secret));
      }
    ClientOptions token_client = c;
    auth_ = std::make_unique<OAuth>(std::move(o), std::move(token_client));
    client_ = std::make_unique<Client>(std::move(c));
    budget_ = std::make_unique<RequestBudget>(per_second, settings.value("requests_per_day", int64_t{0}),
                                              dir.empty() ? std::string() : dir + "/request_budget.json");
    retry_.max_attempts = std::max(1, settings.value("max_attempts", 6));
    retry_.initial = Millis(std::max(1, settings.value("retry_initial_ms", 1000)));
    retry_.stop_requested = [this] { return host_.stopRequested(); };
    retry_.on_retry = [this](int attempt, Millis wait, const std::string& why) {
      host_.warn("attempt " + std::to_string(attempt) + " failed (" + why + "); retrying in " +
                 std::to_string(wait.count()) + " ms");
    };
  }

  // Its retry hook points at this object: it stays where it was made.
  ApiSession(const ApiSession&) = delete;
  ApiSession& operator=(const ApiSession&) = delete;

  // Points the session at another host of the same vendor (Salesforce names the org's instance in
  // its token answer). Only the token endpoint's word or the admin's settings should come here.
  void rebase(const std::string& base_url) {
    ClientOptions c = client_->options();
    c.base_url = base_url;
    client_ = std::make_unique<Client>(std::move(c));
  }
  OAuth& auth() { return *auth_; }
  // For a vendor that names its wait in the body (see RetryOptions::asked_wait): retries honour it,
  // and a wait longer than two minutes ends the run rate_limited, as a long Retry-After does.
  void readWaitFrom(std::function<std::optional<Millis>(const Response&)> asked_wait) {
    retry_.asked_wait = std::move(asked_wait);
  }

  // Sends `req` and returns its JSON body, or the Status the plugin should return.
  Answer call(Request req) {
    Answer a;
    if (!settings_error_.empty()) {
      a.status = Status::error(settings_error_);
      return a;
    }
    req.target = withQueryKey(req.target, query_key_);
    if (!budget_->acquire()) {
      a.status = Status::rateLimited(budget_->quota().why, budget_->quota().resume_at);
      return a;
    }
    if (std::none_of(req.headers.begin(), req.headers.end(), [](const std::string& h) { return h.rfind("Accept:", 0) == 0; }))
      req.headers.push_back("Accept: application/json");
    a.response = sendAuthorized(*client_, *auth_, std::move(req), retry_);
    const Response& r = a.response;
    budget_->record(r);
    if (!budget_->saveError().empty()) {
      a.status = Status::error(budget_->saveError());
      return a;
    }
    if (r.ok()) {
      answered_ = true;
      JsonBody body = parseJsonBody(r);
      if (!body.error.empty()) a.status = Status::error(scrub(body.error));
      else a.body = std::move(body.value);
      return a;
    }
    if (budget_->quota().spent) {
      a.status = Status::rateLimited(budget_->quota().why, budget_->quota().resume_at);
      return a;
    }
    if (r.status == 429 || r.status == 503) {
      const auto wait = askedWait(r, retry_, std::time(nullptr));
      if (wait && *wait > retry_.longest_wait) {
        a.status = Status::rateLimited(r.endpoint + ": HTTP " + std::to_string(r.status) + " asks to wait " +
                                           std::to_string(wait->count() / 1000) + " s",
                                       std::time(nullptr) + wait->count() / 1000);
        return a;
      }
    }
    a.status = failure(r);
    a.status.message = scrub(a.status.message);
    return a;
  }

  // "" or why the settings cannot sign a request (a key with nowhere to go, two ways at once).
  const std::string& settingsError() const { return settings_error_; }

 private:
  std::string scrub(std::string text) const {
    for (const auto& s : secrets_)
      for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at)) text.replace(at, s.size(), "[secret]");
    return text;
  }

  Status failure(const Response& r) {
    // The host ends the run as interrupted: a retry status keeps the checkpoint and says why.
    if (r.stopped)
      return Status::retry(r.endpoint + ": stopped while waiting to retry (" +
                           (r.transport != CURLE_OK ? r.transport_error : "HTTP " + std::to_string(r.status)) +
                           ") because the host is shutting down");
    if (r.transport != CURLE_OK && r.status == 0) {
      if (r.config_error) return Status::error(r.endpoint + ": " + r.transport_error);
      return Status::retry(r.endpoint + ": " + r.transport_error + " (after " + std::to_string(retry_.max_attempts) +
                           " attempts)");
    }
    std::string detail = vendor_error_ ? vendor_error_(r) : std::string();
    if (detail.empty() && !r.transport_error.empty()) detail = r.transport_error;
    if (detail.empty() && looksLikeHtml(r))
      detail = "(an HTML page where JSON was expected: a proxy or gateway answered, not the API)";
    const std::string head = r.endpoint + ": HTTP " + std::to_string(r.status) + (detail.empty() ? "" : " " + detail);
    if (r.status == 401)
      return Status::error(head + " — the credentials were refused" +
                           (auth_->canRefresh() ? " even after a token refresh" : "") +
                           "; check the connector's " +
                           (credential_settings_.empty() ? std::string("access_token or OAuth settings") : credential_settings_));
    if (r.status == 429 || r.status >= 500)
      return Status::retry(head + " (after " + std::to_string(retry_.max_attempts) + " attempts)");
    // Every request so far answered 404: more likely a base_url with a path too many than missing data.
    if (r.status == 404 && !answered_)
      return Status::error(head + " — every request so far answered 404; does base_url (" +
                           client_->options().base_url + ") carry an extra path?");
    return Status::error(head);
  }

  Host host_;  // a copy: it only points at the worker's host table, which outlives every call
  std::function<std::string(const Response&)> vendor_error_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<OAuth> auth_;
  std::unique_ptr<RequestBudget> budget_;
  RetryOptions retry_;
  QueryKey query_key_;
  std::string settings_error_;
  std::string credential_settings_;
  bool answered_ = false;  // a request of this session has succeeded
  std::vector<std::string> secrets_;
};

// A vendor's field as text: "" when it is missing, null or not a string. Vendors send null freely,
// and nlohmann's value() throws on a null that is present.
inline std::string textOf(const nlohmann::json& obj, const std::string& key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A vendor's field as a whole number (a JSON number or digits in a string), else `fallback`.
inline int64_t integerOf(const nlohmann::json& obj, const std::string& key, int64_t fallback = 0) {
  if (!obj.is_object()) return fallback;
  const auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
  }
  return fallback;
}

// A vendor's field, or null when it is missing (without copying it, unlike value()).
inline const nlohmann::json& fieldOf(const nlohmann::json& obj, const std::string& key) {
  static const nlohmann::json null_value;
  if (key.empty() || !obj.is_object()) return null_value;
  const auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

// A vendor's id as text, whether it came as a string or a number ("" for null).
inline std::string idText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.is_null() ? std::string() : v.dump();
}

// What a stream reader of an HTTP plugin works with; a plugin's own context extends it.
struct Connection {
  Host& host;
  const nlohmann::json& settings;
  ApiSession& api;
};

// Copies a vendor value into a record field: strings stay strings, numbers and booleans keep their
// type, null and missing become nothing (the store keeps what it had).
inline void copyField(JsonObjectWriter& w, std::string_view key, const nlohmann::json& v) {
  if (v.is_string()) {
    if (!v.get_ref<const std::string&>().empty()) w.add(key, v.get_ref<const std::string&>());
  } else if (v.is_boolean()) {
    w.add(key, v.get<bool>());
  } else if (v.is_number_integer()) {
    w.add(key, v.get<int64_t>());
  } else if (v.is_number()) {
    w.add(key, v.get<double>());
  }
}

// Copies `vendor_key` of a vendor object into record field `key` (see above).
inline void copyField(JsonObjectWriter& w, std::string_view key, const nlohmann::json& obj, const std::string& vendor_key) {
  copyField(w, key, fieldOf(obj, vendor_key));
}

}  // namespace abm::sdk::http
