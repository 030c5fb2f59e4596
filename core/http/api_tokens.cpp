#include "http/api_tokens.hpp"

#include <cctype>

namespace abm::http {

bool equalConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void ApiTokens::replace(std::vector<std::string> tokens) {
  auto fresh = std::make_shared<const std::vector<std::string>>(std::move(tokens));
  std::lock_guard lock(mu_);
  tokens_ = std::move(fresh);
}

bool ApiTokens::empty() const {
  std::lock_guard lock(mu_);
  return tokens_->empty();
}

bool ApiTokens::accepts(std::string_view authorization) const {
  // The scheme is case-insensitive (RFC 9110 11.1).
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  auto presented = authorization.substr(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  while (!presented.empty() && presented.back() == ' ') presented.remove_suffix(1);
  return acceptsToken(presented);
}

bool ApiTokens::acceptsToken(std::string_view token) const {
  std::shared_ptr<const std::vector<std::string>> tokens;
  {
    std::lock_guard lock(mu_);
    tokens = tokens_;
  }
  bool ok = false;
  for (const auto& t : *tokens) ok |= !token.empty() && equalConstantTime(token, t);  // no early exit
  return ok;
}

}  // namespace abm::http
