// The daemon config's "http" object: where the listener binds and what it accepts.
//   "http": {"listen": "127.0.0.1:7470", "api_tokens": ["${env:ABMD_API_TOKEN}"], "max_body_bytes": 524288}
// No "http" key: no listener. docs/http.md describes every key.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/secrets.hpp"

namespace abm::config {

struct HttpSettings {
  std::string listen = "127.0.0.1:7470";  // as written
  std::string host = "127.0.0.1";          // without brackets for IPv6
  uint16_t port = 7470;                    // 0: any free port (the log says which)
  bool loopback = true;                    // host is a loopback address
  std::vector<std::string> api_tokens;     // resolved; never log or print
  // Secrets::Optional only: the references (never values) of tokens this process cannot resolve,
  // e.g. "${env:ABMD_API_TOKEN}" in an admin's shell where the service's variable is not set.
  std::vector<std::string> unresolved_tokens;
  size_t max_body_bytes = 512 * 1024;      // request body, after gzip inflation too
  size_t max_header_bytes = 16 * 1024;
  int max_connections = 512;
  std::chrono::milliseconds read_timeout = std::chrono::seconds(10);  // a whole request, from first byte
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);  // keep-alive wait for the next one
  std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
  bool metrics_require_token = false;
};

// Parses and checks the "http" object of `file`; throws ConfigError naming file and key. Secret
// references in api_tokens are resolved here. A non-loopback listen address without tokens is an
// error: the API would be open to the network. With Secrets::Optional a token reference that cannot
// be resolved here is listed in unresolved_tokens instead of being an error.
HttpSettings parseHttpSettings(const nlohmann::json& http, const std::filesystem::path& file,
                               Secrets secrets = Secrets::Required);

// Splits "host:port" / "[v6]:port"; false when it is neither.
bool splitListenAddress(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace abm::config
