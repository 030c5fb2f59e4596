// The bearer tokens of the read API, replaceable at runtime (SIGHUP) while requests check them.
// Comparison takes the same time whatever the token's content, so timing does not leak a prefix.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace abm::http {

class ApiTokens {
 public:
  void replace(std::vector<std::string> tokens);
  bool empty() const;
  // True when the Authorization header value is "Bearer <one of the tokens>".
  bool accepts(std::string_view authorization) const;
  // True when `token` itself is one of the tokens (the dashboards' cookie carries it bare).
  bool acceptsToken(std::string_view token) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<std::string>> tokens_ = std::make_shared<std::vector<std::string>>();
};

// Constant-time equality (length is not secret).
bool equalConstantTime(std::string_view a, std::string_view b);

}  // namespace abm::http
