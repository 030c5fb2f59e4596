// abmctl asking the running daemon over its HTTP API: the address from http.listen, a token from
// http.api_tokens. What `abmctl sync` and `abmctl state reset` do while abmd holds the store.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "common/status.hpp"
#include "config/daemon_config.hpp"

namespace abm::sdk::http {
class Client;
}

namespace abm::cli {

class DaemonClient {
 public:
  // Refused, with what to change, when the config has no "http" listener, listens on port 0, or its
  // API tokens cannot be resolved in this shell.
  static Result<DaemonClient> connect(const config::DaemonConfig& daemon);
  DaemonClient(DaemonClient&&) noexcept;
  ~DaemonClient();

  struct Answer {
    long status = 0;
    nlohmann::json body;  // null when the body is not JSON
    // The API's {"error": {"message"}} text, else the status line.
    std::string message() const;
  };
  // One request. An error when the daemon cannot be reached or refuses the token (401).
  Result<Answer> call(const std::string& method, const std::string& target, const std::string& body = "");
  // "http://127.0.0.1:7470", for messages.
  const std::string& baseUrl() const { return base_url_; }

 private:
  DaemonClient(std::string base_url, std::string token);
  std::string base_url_;
  std::string token_;  // never printed
  std::unique_ptr<sdk::http::Client> http_;
};

// The base URL that reaches a daemon listening on `host`:`port` from this machine: a wildcard
// address (0.0.0.0, ::) is reached on loopback; IPv6 hosts are bracketed.
std::string daemonBaseUrl(const std::string& host, uint16_t port);

}  // namespace abm::cli
