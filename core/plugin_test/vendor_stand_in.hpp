// What answers a plugin's vendor requests during an abm-plugin-test run, behind the loopback server:
// the cassette (replay), or the vendor itself through a recording proxy (record).
#pragma once

#include <abm/sdk/http.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugin_test/cassette.hpp"

namespace abm::plugin_test {

// What the cassette writes where the vendor's own address appeared in an answer (paging links,
// Location): the replay puts the loopback server's address there.
inline constexpr std::string_view kBaseUrlMark = "<base_url>";

// Answers from a cassette; a request it does not hold gets a 400 naming it, and is remembered.
class ReplayVendor {
 public:
  ReplayVendor(const Cassette& cassette, const Secrets& secrets) : replayer_(cassette), secrets_(secrets) {}
  HttpAnswer answer(const HttpRequest& r, const std::string& loopback_url);
  Replayer& replayer() { return replayer_; }
  // The next request gets this answer before the recorded one (the suite's 429 and 500).
  void inject(HttpAnswer a);

 private:
  Replayer replayer_;
  const Secrets& secrets_;
  std::mutex mu_;
  std::vector<HttpAnswer> injected_;
};

// Forwards every request to the vendor (libcurl, TLS verified) and keeps the exchanges.
class RecordingVendor {
 public:
  // `base_url` and `token_url` as the connector had them; requests whose path is token_url's go there.
  RecordingVendor(std::string base_url, std::string token_url, std::string ca_file);
  HttpAnswer answer(const HttpRequest& r, const std::string& loopback_url);
  // The exchanges so far as a cassette, every secret in `secrets` and every credential the exchanges
  // carried masked.
  Cassette cassette(const std::string& plugin, Secrets secrets) const;
  std::vector<std::string> failures() const;  // requests the vendor could not be reached for

 private:
  std::string base_url_, base_origin_, token_url_, token_origin_, token_path_, ca_file_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<sdk::http::Client>> clients_;  // by origin
  std::vector<std::pair<HttpRequest, HttpAnswer>> exchanges_;            // as sent and received
  std::vector<std::string> failures_;
};

// The path of a URL ("https://x.com/v1?a" -> "/v1"), "" when it has none.
std::string pathOf(const std::string& url);

}  // namespace abm::plugin_test
