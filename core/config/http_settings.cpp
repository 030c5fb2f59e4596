#include "config/http_settings.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <set>

#include "common/duration.hpp"
#include "common/status.hpp"
#include "config/secrets.hpp"

namespace abm::config {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key, const std::string& what) {
  throw ConfigError(file.string() + ": http." + key + ": " + what);
}

bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool isAddress(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  return host == "localhost" || inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

}  // namespace

bool splitListenAddress(const std::string& listen, std::string& host, uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return false;  // an IPv6 address needs brackets: [::1]:7470
  }
  const std::string digits = listen.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

HttpSettings parseHttpSettings(const nlohmann::json& j, const std::filesystem::path& file, Secrets secrets) {
  static const std::set<std::string> kKeys = {"listen",          "api_tokens",    "max_body_bytes",
                                              "max_header_bytes", "max_connections", "read_timeout",
                                              "idle_timeout",    "write_timeout", "metrics_require_token"};
  if (!j.is_object())
    throw ConfigError(file.string() + ": http: expected an object {\"listen\": \"127.0.0.1:7470\", \"api_tokens\": [...]}");
  HttpSettings h;
  for (auto it = j.begin(); it != j.end(); ++it) {
    // Named, not a structured binding: clang 14 cannot capture those in the lambdas below.
    const std::string k = it.key();
    const nlohmann::json& v = it.value();
    if (!kKeys.count(k)) fail(file, k, "unknown key (see docs/http.md)");
    auto integer = [&](long long lo, long long hi) {
      if (!v.is_number_integer()) fail(file, k, "expected an integer");
      const auto n = v.get<long long>();
      if (n < lo || n > hi) fail(file, k, "expected a value from " + std::to_string(lo) + " to " + std::to_string(hi));
      return n;
    };
    auto duration = [&] {
      auto d = v.is_string() ? parseDuration(v.get<std::string>()) : std::nullopt;
      if (!d || d->count() <= 0) fail(file, k, "expected a duration like \"10s\" or \"1m\"");
      return *d;
    };
    if (k == "listen") {
      if (!v.is_string()) fail(file, k, "expected a string \"host:port\"");
      h.listen = v.get<std::string>();
      if (!splitListenAddress(h.listen, h.host, h.port))
        fail(file, k, "'" + h.listen + "' is not host:port (e.g. \"127.0.0.1:7470\", \"[::1]:7470\", \"0.0.0.0:7470\")");
      if (!isAddress(h.host))
        fail(file, k, "'" + h.host + "' is not an IP address (write the address to bind, e.g. 0.0.0.0 or 127.0.0.1)");
    } else if (k == "api_tokens") {
      if (!v.is_array()) fail(file, k, "expected an array of tokens, e.g. [\"${env:ABMD_API_TOKEN}\"]");
      nlohmann::json tokens = v;
      std::set<std::string> paths;
      std::vector<std::string> errors;
      std::vector<std::string> unresolved;
      resolveSecrets(tokens, "http.api_tokens", paths, errors, nullptr,
                     secrets == Secrets::Optional ? &unresolved : nullptr);
      if (!errors.empty()) throw ConfigError(file.string() + ": " + errors.front());
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (secrets == Secrets::Optional && tokens[i].is_string() && isSecretReference(tokens[i].get<std::string>())) {
          h.unresolved_tokens.push_back(tokens[i].get<std::string>());  // kept as its reference text
          continue;
        }
        if (!tokens[i].is_string() || tokens[i].get<std::string>().empty())
          fail(file, k + "[" + std::to_string(i) + "]", "expected a non-empty string");
        const auto& t = tokens[i].get_ref<const std::string&>();
        for (unsigned char c : t)
          if (c <= 0x20 || c >= 0x7f)
            fail(file, k + "[" + std::to_string(i) + "]",
                 "a token may hold only visible ASCII characters (it travels in an HTTP header)");
        h.api_tokens.push_back(t);
      }
    } else if (k == "max_body_bytes") {
      h.max_body_bytes = static_cast<size_t>(integer(1024, 256LL * 1024 * 1024));
    } else if (k == "max_header_bytes") {
      h.max_header_bytes = static_cast<size_t>(integer(1024, 1024 * 1024));
    } else if (k == "max_connections") {
      h.max_connections = static_cast<int>(integer(1, 100000));
    } else if (k == "read_timeout") {
      h.read_timeout = duration();
    } else if (k == "idle_timeout") {
      h.idle_timeout = duration();
    } else if (k == "write_timeout") {
      h.write_timeout = duration();
    } else if (k == "metrics_require_token") {
      if (!v.is_boolean()) fail(file, k, "expected true or false");
      h.metrics_require_token = v.get<bool>();
    }
  }
  h.loopback = isLoopback(h.host);
  const bool has_tokens = !h.api_tokens.empty() || !h.unresolved_tokens.empty();
  if (!h.loopback && !has_tokens)
    fail(file, "api_tokens",
         "listening on " + h.listen + " (not a loopback address) needs at least one API token, or the read API "
         "would be open to the network; add \"api_tokens\": [\"${env:ABMD_API_TOKEN}\"] or listen on 127.0.0.1");
  if (h.metrics_require_token && !has_tokens)
    fail(file, "metrics_require_token", "is true but no api_tokens are set");
  return h;
}

}  // namespace abm::config
