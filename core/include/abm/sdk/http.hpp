// The SDK's HTTP kit, shared by every HTTP plugin (header-only; link abmd::sdk_http):
//   Client          one reused libcurl handle: connection reuse, gzip, timeouts, TLS verification
//                   always on (a CA file may be added), proxy, a User-Agent naming abmd.
//   sendWithRetry   exponential backoff with jitter on timeouts, connection errors, 429 and 5xx,
//                   honouring Retry-After (seconds or an HTTP date); a stop request ends a wait.
//   RateLimiter     keeps a connector under its vendor's requests-per-second budget.
//   parseJsonBody   JSON, or a one-line reason naming the endpoint (HTML page, truncated, malformed).
//   paging helpers  HubSpot's paging.next.after, Salesforce's nextRecordsUrl; never another host.
// Every request goes to `base_url` (sandboxes, EU data centres, proxies, tests).
#pragma once

#include <abm/sdk/backoff.hpp>
#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef ABMD_SDK_VERSION
#define ABMD_SDK_VERSION "0.1.0"
#endif

namespace abm::sdk::http {

using Millis = std::chrono::milliseconds;

struct Request {
  std::string method = "GET";
  std::string target;                // a path under base_url ("/crm/v3/objects/companies?limit=100")
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  CURLcode transport = CURLE_OK;  // a network-level failure (timeout, refused, truncated)
  std::string transport_error;    // names the host and the setting that chose it
  bool config_error = false;      // a failure no retry can mend: the host does not resolve, TLS against plain HTTP
  bool stopped = false;           // the host asked to stop while a retry waited: this is the last answer
  std::string endpoint;           // METHOD path, for messages (never the query's secrets)

  bool ok() const { return transport == CURLE_OK && status >= 200 && status < 300; }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct ClientOptions {
  std::string base_url;  // scheme://host[:port][/prefix]
  std::string url_setting = "base_url";  // the setting base_url came from, for messages
  Millis connect_timeout{10'000};
  Millis timeout{60'000};
  std::string ca_file;   // adds trust; verification is never turned off
  std::string proxy;
  std::string user_agent = "abmd/" ABMD_SDK_VERSION " (+https://abmd.invalid/connectors)";
};

// The scheme://host:port part of a URL (lowercased), or "" when it has none.
inline std::string originOf(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, host_end));
  std::transform(origin.begin(), origin.end(), origin.begin(), [](unsigned char c) { return std::tolower(c); });
  return origin;
}

// "host:port" of a URL, the port spelled out (443 for https, 80 for http) as messages name it.
inline std::string hostPortOf(std::string_view url) {
  const std::string origin = originOf(url);
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return std::string(url);
  std::string host = origin.substr(scheme_end + 3);
  if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);  // never user:password
  const bool bracketed = !host.empty() && host.front() == '[';
  const auto colon = host.rfind(':');
  if (colon != std::string::npos && (!bracketed || colon > host.find(']'))) return host;
  return host + (origin.rfind("https://", 0) == 0 ? ":443" : ":80");
}

// 127.0.0.0/8, ::1 and localhost: where plain HTTP never leaves the machine.
inline bool isLoopbackUrl(std::string_view url) {
  std::string hp = hostPortOf(url);
  std::string host = hp.substr(0, hp.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// One line for a request that got no HTTP answer: what failed, against which host, chosen by which
// setting ("cannot connect to api.hubapi.com:443 (from base_url): connection refused"), and whether
// the failure is one of configuration that retrying cannot mend.
inline std::string describeTransportFailure(CURLcode code, const std::string& url, const std::string& setting,
                                            long os_errno, bool& config_error) {
  const std::string where = hostPortOf(url);
  const std::string from = " (from " + setting + ")";
  const std::string os = os_errno ? std::string(": ") + std::strerror(static_cast<int>(os_errno)) : std::string();
  config_error = false;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      config_error = true;
      return "cannot resolve host " + where.substr(0, where.rfind(':')) + from + ": no such host; check " + setting;
    case CURLE_COULDNT_RESOLVE_PROXY:
      config_error = true;
      return "cannot resolve the proxy's host (from proxy): no such host; check proxy";
    case CURLE_COULDNT_CONNECT:
      return "cannot connect to " + where + from + (os.empty() ? ": connection failed" : os);
    case CURLE_OPERATION_TIMEDOUT:
      return "no answer from " + where + from + " in time (timeout_seconds, connect_timeout_seconds)";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      // A handshake that fails is not mended by sending it again: a plain-HTTP server behind an
      // https:// URL, or a certificate this machine does not trust.
      config_error = true;
      return "TLS with " + where + from + " failed: " + curl_easy_strerror(code) +
             "; is it an http:// server, or does its certificate need ca_file?";
    default:
      return std::string(curl_easy_strerror(code)) + " (" + where + from + ")" + os;
  }
}

// A relative target is joined to base_url; an absolute URL is accepted only on base_url's own origin,
// so a vendor's pagination link can never send the connector's credentials to another host.
inline std::optional<std::string> resolveUrl(const std::string& base_url, const std::string& target) {
  if (target.find("://") != std::string::npos) {
    if (originOf(target) != originOf(base_url)) return std::nullopt;
    return target;
  }
  const std::string origin = originOf(base_url);
  std::string prefix = base_url;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  // An absolute path from the vendor ("/services/data/...") hangs off the origin; a relative one
  // off the whole base URL.
  if (!target.empty() && target.front() == '/') {
    const std::string base_path = prefix.substr(origin.size());
    if (!base_path.empty() && target.rfind(base_path + "/", 0) == 0) return origin + target;
    return prefix + target;
  }
  return prefix + "/" + target;
}

class Client {
 public:
  explicit Client(ClientOptions o) : o_(std::move(o)), curl_(curl_easy_init()) {}
  ~Client() {
    if (curl_) curl_easy_cleanup(curl_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return o_; }

  // One attempt. The connection stays open for the next request to the same host.
  Response send(const Request& req) {
    Response r;
    r.endpoint = req.method + " " + req.target.substr(0, req.target.find('?'));
    const auto url = resolveUrl(o_.base_url, req.target);
    if (!url) {
      r.transport = CURLE_URL_MALFORMAT;
      r.transport_error = "refused to follow " + originOf(req.target) + ": not the configured host " +
                          originOf(o_.base_url);
      return r;
    }
    curl_easy_reset(curl_);  // keeps the connection cache
    curl_easy_setopt(curl_, CURLOPT_URL, url->c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate, decoded by libcurl
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.connect_timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(o_.timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o_.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, o_.ca_file.c_str());
    if (!o_.proxy.empty()) curl_easy_setopt(curl_, CURLOPT_PROXY, o_.proxy.c_str());
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, o_.user_agent.c_str());
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is the vendor's answer, not ours to chase
    curl_slist* headers = nullptr;
    for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
    if (headers) curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    if (req.method == "POST" || !req.body.empty()) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    }
    if (req.method != "GET" && req.method != "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Client::onBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Client::onHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r);
    r.transport = curl_easy_perform(curl_);
    if (r.transport != CURLE_OK) {
      long os_errno = 0;
      curl_easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_errno);
      r.transport_error = describeTransportFailure(r.transport, *url, o_.url_setting, os_errno, r.config_error);
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(headers);
    return r;
  }

 private:
  static size_t onBody(char* data, size_t size, size_t n, void* user) {
    static_cast<Response*>(user)->body.append(data, size * n);
    return size * n;
  }
  static size_t onHeader(char* data, size_t size, size_t n, void* user) {
    std::string_view line(data, size * n);
    auto* r = static_cast<Response*>(user);
    if (line.rfind("HTTP/", 0) == 0) r->headers.clear();  // a new response (after 100-continue)
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
      // Several Link headers are one list (RFC 8288): keep them all, as a comma-joined field.
      auto& kept = r->headers[name];
      kept = name == "link" && !kept.empty() ? kept + ", " + std::string(value) : std::string(value);
    }
    return size * n;
  }

  ClientOptions o_;
  CURL* curl_;
};

// Retry-After is delta-seconds or an HTTP date; the wait it asks for, from `now`.
inline std::optional<Millis> parseRetryAfter(const std::string& value, std::time_t now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
    return Millis(std::stoll(value) * 1000);
  const std::time_t at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return std::nullopt;
  return Millis(std::max<std::time_t>(0, at - now) * 1000);
}

struct RetryOptions {
  int max_attempts = 6;
  Millis initial{1000};
  Millis max{60'000};
  Millis longest_wait{120'000};  // a Retry-After beyond this is returned, not slept through
  std::function<void(Millis)> sleep = [](Millis d) { std::this_thread::sleep_for(d); };
  // Called before each retry with the attempt number, the wait and why (for the connector's log).
  std::function<void(int, Millis, const std::string&)> on_retry;
  // Asked before each retry and every `stop_check` of a wait (Host::stopRequested): when it says
  // yes, sendWithRetry returns the last response at once, marked `stopped`, so a shutdown is not
  // held up by a backoff.
  std::function<bool()> stop_requested;
  Millis stop_check{100};
  // The wait a vendor asks for in its body rather than in Retry-After (Google Ads puts it in the
  // error details: quotaErrorDetails.retryDelay); nothing when the response names none.
  std::function<std::optional<Millis>(const Response&)> asked_wait;
};

// The wait the response asks for: Retry-After, else what `o.asked_wait` reads from the body.
inline std::optional<Millis> askedWait(const Response& r, const RetryOptions& o, std::time_t now) {
  if (auto header = parseRetryAfter(r.header("retry-after"), now)) return header;
  return o.asked_wait ? o.asked_wait(r) : std::nullopt;
}

// Sleeps `wait` through `o.sleep`, in slices when a stop can be requested; false when it was.
inline bool waitUnlessStopped(const RetryOptions& o, Millis wait) {
  if (!o.stop_requested) {
    o.sleep(wait);
    return true;
  }
  const Millis slice = std::max(o.stop_check, Millis(1));
  while (wait > Millis(0)) {
    if (o.stop_requested()) return false;
    const Millis step = std::min(wait, slice);
    o.sleep(step);
    wait -= step;
  }
  return !o.stop_requested();
}

// Why a response is worth retrying, or "" when it is final (success or a client error).
inline std::string retryReason(const Response& r) {
  if (r.transport == CURLE_URL_MALFORMAT || r.config_error) return {};  // retrying will not help
  if (r.transport != CURLE_OK) return r.transport_error;
  if (r.status == 429) return "429 Too Many Requests";
  if (r.status >= 500) return "HTTP " + std::to_string(r.status);
  return {};
}

// Sends until the response is final or attempts run out; returns the last response.
inline Response sendWithRetry(Client& client, const Request& req, const RetryOptions& o = {}) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  Response r;
  for (int attempt = 1;; ++attempt) {
    r = client.send(req);
    const std::string why = retryReason(r);
    if (why.empty() || attempt >= o.max_attempts) return r;
    Millis wait = backoffDelay(attempt, o.initial, o.max, std::uniform_real_distribution<double>(0, 1)(rng));
    if (auto asked = askedWait(r, o, std::time(nullptr))) {
      // A wait beyond the longest backoff is a quota, not a hiccup: the caller decides (checkpoint
      // and resume later) rather than a request sleeping for hours.
      if (*asked > o.longest_wait) return r;
      wait = std::max(wait, *asked);
    }
    if (o.on_retry) o.on_retry(attempt, wait, why);
    if (!waitUnlessStopped(o, wait)) {
      r.stopped = true;
      return r;
    }
  }
}

// A requests-per-second budget: acquire() waits until the next request fits its slot. The clock and
// the sleep can be replaced (tests).
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(double per_second, std::function<void(Millis)> sleep = {},
                       std::function<Clock::time_point()> now = {})
      : interval_(per_second > 0 ? std::chrono::microseconds(static_cast<long long>(1e6 / per_second))
                                 : std::chrono::microseconds(0)),
        sleep_(sleep ? std::move(sleep) : [](Millis d) { std::this_thread::sleep_for(d); }),
        now_(now ? std::move(now) : [] { return Clock::now(); }) {}

  void acquire() {
    if (interval_.count() == 0) return;
    const auto now = now_();
    if (next_ > now) sleep_(std::chrono::ceil<Millis>(next_ - now));
    next_ = std::max(next_, now) + interval_;
  }

 private:
  std::chrono::microseconds interval_;
  std::function<void(Millis)> sleep_;
  std::function<Clock::time_point()> now_;
  Clock::time_point next_{};
};

// An HTML page (a proxy's or gateway's error page, a login form) where an API answers JSON.
inline bool looksLikeHtml(const Response& r) {
  const auto first = r.body.find_first_not_of(" \t\r\n");
  return r.header("content-type").find("html") != std::string::npos ||
         (first != std::string::npos && r.body[first] == '<');
}

struct JsonBody {
  nlohmann::json value;
  std::string error;  // "" when value is good
};

// The body as JSON, or one line saying what was wrong and where.
inline JsonBody parseJsonBody(const Response& r) {
  JsonBody out;
  auto fail = [&](const std::string& why) {
    out.error = r.endpoint + ": " + why;
    return out;
  };
  if (r.transport != CURLE_OK) {
    if (r.transport == CURLE_PARTIAL_FILE) return fail("the response was cut short (truncated body)");
    return fail(r.transport_error);
  }
  if (looksLikeHtml(r))
    return fail("HTTP " + std::to_string(r.status) + " answered with an HTML page where JSON was expected");
  if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) return fail("HTTP " + std::to_string(r.status) + " with an empty body");
  out.value = nlohmann::json::parse(r.body, nullptr, false);
  if (out.value.is_discarded()) return fail("HTTP " + std::to_string(r.status) + " with malformed JSON");
  return out;
}

// HubSpot CRM v3: the next page's cursor, or nothing on the last page (no "paging").
inline std::optional<std::string> hubspotNextAfter(const nlohmann::json& page) {
  if (!page.contains("paging") || !page["paging"].contains("next")) return std::nullopt;
  const auto& next = page["paging"]["next"];
  if (!next.contains("after")) return std::nullopt;
  return next["after"].is_string() ? next["after"].get<std::string>() : next["after"].dump();
}

// Salesforce query: the next batch's URL until "done" is true.
inline std::optional<std::string> salesforceNextRecordsUrl(const nlohmann::json& page) {
  if (page.value("done", true) || !page.contains("nextRecordsUrl")) return std::nullopt;
  return page["nextRecordsUrl"].get<std::string>();
}

// Page token: the token for the next page, or nothing on the last. `more_field` names a flag that
// must be true as well (HubSpot's legacy APIs: {"hasMore": true, "offset": "..."}); Google-style
// APIs have only the token ({"nextPageToken": "..."}).
inline std::optional<std::string> nextPageToken(const nlohmann::json& page, const std::string& token_field,
                                                const std::string& more_field = {}) {
  if (!more_field.empty() && !(page.contains(more_field) && page[more_field].is_boolean() && page[more_field].get<bool>()))
    return std::nullopt;
  if (!page.contains(token_field) || page[token_field].is_null()) return std::nullopt;
  const auto& t = page[token_field];
  std::string token = t.is_string() ? t.get<std::string>() : t.dump();
  if (token.empty()) return std::nullopt;
  return token;
}

// Offset/limit with a total: the next offset, or nothing once every row has been seen (or a page
// came back empty, which would otherwise loop forever).
inline std::optional<int64_t> nextOffset(int64_t offset, int64_t returned, int64_t total) {
  if (returned <= 0 || offset + returned >= total) return std::nullopt;
  return offset + returned;
}

}  // namespace abm::sdk::http
