// Account domains, normalized so that "https://WWW.Acme.com:443/about" and "acme.com" meet.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace abm::pipeline {

// Lowercase; scheme, user info, "www.", port, path, query and trailing dot removed. Returns nothing
// when what is left is not a host name with at least one dot.
std::optional<std::string> normalizeDomain(std::string_view text);

// The normalized domain after '@' of an email address, or nothing if it has none.
std::optional<std::string> emailDomain(std::string_view email);

// Consumer mail providers (gmail.com, ...) whose domain says nothing about a person's company.
class FreeMailDomains {
 public:
  // One domain per line; '#' starts a comment. `allow` removes entries (a provider that is a customer).
  static FreeMailDomains load(const std::filesystem::path& file, const std::vector<std::string>& allow);
  static FreeMailDomains fromList(const std::vector<std::string>& domains);
  bool contains(std::string_view domain) const { return domains_.count(std::string(domain)) > 0; }
  size_t size() const { return domains_.size(); }

 private:
  std::unordered_set<std::string> domains_;
};

}  // namespace abm::pipeline
