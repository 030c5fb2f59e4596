// OAuth 2.0 for HTTP plugins (header-only, on top of <abm/sdk/http.hpp>):
//   - a static bearer `access_token`, or the refresh-token flow (token endpoint, client id/secret,
//     refresh token — all from secret references in the connector's settings);
//   - the access token lives in memory only and is refreshed before it expires and once on a 401;
//   - a vendor that rotates refresh tokens hands back a new one: it is written to a state file that
//     only the daemon's user can read (mode 0600), never to the config, a log, a message or the store.
// No message this file produces contains a token or a secret.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abm/sdk/http.hpp>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace abm::sdk::http {

struct OAuthSettings {
  std::string access_token;   // static bearer token; when set, nothing is refreshed
  std::string token_url;      // e.g. https://api.hubapi.com/oauth/v1/token
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string state_file;     // where a rotated refresh token is kept (0600); empty: memory only
  // "refresh_token", or "client_credentials" where the client id and secret alone buy an access
  // token and nothing is rotated (Marketo's custom services).
  std::string grant_type = "refresh_token";
  // Asks the token endpoint with a GET carrying the fields in its query string instead of a form POST
  // (Marketo's identity service documents the GET). Messages never show that query.
  bool token_by_get = false;
  // A whole Authorization value for vendors that sign with an API key rather than OAuth (Mailchimp's
  // HTTP Basic, from basicAuthorization()); when set, nothing is ever refreshed.
  std::string fixed_authorization;
  // The header that carries fixed_authorization: an API key may go in its own ("X-API-Key").
  std::string fixed_header = "Authorization";
  // The settings a refused sign-in (401) should tell the admin to check; "" for the bearer/OAuth ones.
  std::string credential_settings;
  // The key travels in the query string (ApiSession adds it, <abm/sdk/api_auth.hpp>): no header is sent.
  bool query_signed = false;
};

// "Basic base64(user:password)", as RFC 7617 says.
inline std::string basicAuthorization(const std::string& user, const std::string& password) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out = "Basic ";
  for (size_t i = 0; i < in.size(); i += 3) {
    const size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? static_cast<unsigned char>(in[i + k]) : 0u);
    for (size_t k = 0; k < 4; ++k) out.push_back(k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=');
  }
  return out;
}

inline std::string formEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

class OAuth {
 public:
  using Clock = std::chrono::system_clock;

  explicit OAuth(OAuthSettings s, ClientOptions token_client = {}) : s_(std::move(s)) {
    token_client.base_url = originOf(s_.token_url);
    token_client.url_setting = "token_url";
    token_client_ = std::make_unique<Client>(std::move(token_client));
    // A refresh token rotated by an earlier run outranks the one in the config, which the vendor
    // has already invalidated.
    if (!s_.state_file.empty()) {
      std::ifstream in(s_.state_file);
      std::stringstream ss;
      ss << in.rdbuf();
      auto j = nlohmann::json::parse(ss.str(), nullptr, false);
      if (j.is_object() && j.contains("refresh_token") && j["refresh_token"].is_string())
        s_.refresh_token = j["refresh_token"].get<std::string>();
    }
  }

  // "Authorization: Bearer …" for the next request, refreshing first when needed. On failure the
  // header is empty and error() says why.
  std::string header() {
    if (s_.query_signed) return {};
    if (!s_.fixed_authorization.empty()) return s_.fixed_header + ": " + s_.fixed_authorization;
    if (!s_.access_token.empty() && s_.token_url.empty()) return "Authorization: Bearer " + s_.access_token;
    if (token_.empty() || (expires_ != Clock::time_point{} && Clock::now() >= expires_)) refresh();
    return token_.empty() ? std::string() : "Authorization: Bearer " + token_;
  }
  // After a 401: the access token is no longer good.
  void invalidate() { token_.clear(); }
  bool canRefresh() const { return !s_.token_url.empty() && s_.fixed_authorization.empty() && !s_.query_signed; }
  bool querySigned() const { return s_.query_signed; }
  const std::string& error() const { return error_; }
  // How the last failed refresh ended: a transport failure or a 5xx says the token endpoint could
  // not be reached or was down, not that the credentials were refused.
  CURLcode refreshTransport() const { return refresh_transport_; }
  long refreshStatus() const { return refresh_status_; }
  const std::string& instanceUrl() const { return instance_url_; }  // Salesforce tells where the org lives
  int refreshes() const { return refreshes_; }

 private:
  void refresh() {
    error_.clear();
    if (s_.token_url.empty()) {
      error_ = "no access_token and no token_url to get one";
      return;
    }
    std::string path = s_.token_url.substr(originOf(s_.token_url).size());
    if (path.empty()) path = "/";
    std::string fields = "grant_type=" + formEncode(s_.grant_type) + "&client_id=" + formEncode(s_.client_id) +
                         "&client_secret=" + formEncode(s_.client_secret);
    if (s_.grant_type == "refresh_token") fields += "&refresh_token=" + formEncode(s_.refresh_token);
    Request req = s_.token_by_get
                      ? Request{"GET", path + (path.find('?') == std::string::npos ? "?" : "&") + fields, {"Accept: application/json"}}
                      : Request{"POST", path, {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"}, fields};
    RetryOptions retry;
    retry.max_attempts = 3;
    const Response r = sendWithRetry(*token_client_, req, retry);
    ++refreshes_;
    refresh_transport_ = r.transport;
    refresh_status_ = r.status;
    const JsonBody body = parseJsonBody(r);
    if (!r.ok() || !body.error.empty() || !body.value.contains("access_token")) {
      // The vendor's error code and description name the problem; they never echo the secrets.
      std::string why = !body.error.empty() ? body.error : "HTTP " + std::to_string(r.status);
      if (body.error.empty() && body.value.is_object() && body.value.contains("error"))
        why = body.value.value("error", "") + ": " + body.value.value("error_description", "");
      error_ = "OAuth token refresh at " + originOf(s_.token_url) + path + " failed: " + why;
      return;
    }
    token_ = body.value["access_token"].get<std::string>();
    const long long expires_in = body.value.value("expires_in", 0LL);
    // Refresh a minute early, so a token never expires between the check and the request.
    expires_ = expires_in > 0 ? Clock::now() + std::chrono::seconds(std::max(0LL, expires_in - 60)) : Clock::time_point{};
    instance_url_ = body.value.value("instance_url", "");
    if (body.value.contains("refresh_token") && body.value["refresh_token"].is_string()) {
      const std::string rotated = body.value["refresh_token"].get<std::string>();
      if (rotated != s_.refresh_token) {
        s_.refresh_token = rotated;
        // The vendor has revoked the old token: if the new one is not saved, the next run cannot
        // sign in. Say so now rather than succeed and fail every run after.
        if (!persistRefreshToken()) {
          token_.clear();
          error_ = "the vendor rotated the OAuth refresh token but it could not be saved to " + s_.state_file + " (" +
                   std::strerror(errno) + "); fix the connector's state folder, then authorize the connector again";
        }
      }
    }
  }

  // False with errno set when the token is not safely on disk.
  [[nodiscard]] bool persistRefreshToken() {
    if (s_.state_file.empty()) return true;
    const std::string tmp = s_.state_file + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const std::string text = nlohmann::json{{"refresh_token", s_.refresh_token}}.dump();
    // fchmod: whatever the umask or an older file said.
    const bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                         ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return written && ::rename(tmp.c_str(), s_.state_file.c_str()) == 0;
  }

  OAuthSettings s_;
  std::unique_ptr<Client> token_client_;
  std::string token_;
  Clock::time_point expires_{};
  std::string instance_url_;
  std::string error_;
  CURLcode refresh_transport_ = CURLE_OK;
  long refresh_status_ = 0;
  int refreshes_ = 0;
};

// Sends with the access token, refreshing it once when the vendor answers 401 (HubSpot's
// EXPIRED_AUTHENTICATION, Salesforce's INVALID_SESSION_ID). A second 401 is returned as it is.
inline Response sendAuthorized(Client& client, OAuth& auth, Request req, const RetryOptions& retry = {}) {
  const size_t plain_headers = req.headers.size();
  for (int attempt = 0; attempt < 2; ++attempt) {
    req.headers.resize(plain_headers);
    const std::string header = auth.header();
    if (header.empty() && !auth.querySigned()) {
      Response r;
      r.endpoint = req.method + " " + req.target.substr(0, req.target.find('?'));
      // Refused credentials read as a 401; an unreachable or failing token endpoint as itself, so
      // the caller retries later rather than telling the admin to fix the credentials.
      r.transport = auth.refreshTransport();
      r.status = r.transport != CURLE_OK ? 0 : auth.refreshStatus() >= 500 ? auth.refreshStatus() : 401;
      r.transport_error = auth.error();
      return r;
    }
    if (!header.empty()) req.headers.push_back(header);
    Response r = sendWithRetry(client, req, retry);
    if (r.status != 401 || attempt == 1 || !auth.canRefresh()) return r;
    auth.invalidate();
  }
  return {};
}

}  // namespace abm::sdk::http
