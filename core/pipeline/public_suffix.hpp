// Registrable domains ("eu.acme.co.uk" -> "acme.co.uk") from the Public Suffix List, read from the
// copy Debian's publicsuffix package installs, so that subdomains of one company meet.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

namespace abm::pipeline {

class PublicSuffixList {
 public:
  // Throws ConfigError naming the file when it cannot be read.
  static PublicSuffixList load(const std::filesystem::path& file);
  static PublicSuffixList fromRules(std::string_view rules);  // the list's own format, for tests

  // The public suffix plus one label; the domain itself when it is a public suffix or shorter.
  std::string registrableDomain(std::string_view domain) const;
  size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  void addRule(std::string_view line);
  std::unordered_set<std::string> rules_, wildcards_, exceptions_;  // wildcards_ holds "ck" for "*.ck"
};

}  // namespace abm::pipeline
