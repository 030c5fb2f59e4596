// How records find their account by domain: registrable domains (so eu.acme.com meets acme.com),
// never through a free-mail provider, never through a domain the admin listed as never to merge on.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "pipeline/domain.hpp"
#include "pipeline/public_suffix.hpp"

namespace abm::pipeline {

struct IdentityRules {
  FreeMailDomains free_mail;
  PublicSuffixList suffixes;
  std::unordered_set<std::string> never_merge;  // registrable domains

  // The key a (normalized) account domain is matched on, or nothing when it must not match.
  std::optional<std::string> accountKey(std::string_view domain) const {
    std::string key = suffixes.registrableDomain(domain);
    if (never_merge.count(key)) return std::nullopt;
    return key;
  }
  // The same for an email address; free-mail providers say nothing about a company.
  std::optional<std::string> emailKey(std::string_view email) const {
    auto d = emailDomain(email);
    if (!d || free_mail.contains(*d)) return std::nullopt;
    auto key = accountKey(*d);
    if (key && free_mail.contains(*key)) return std::nullopt;
    return key;
  }

  static IdentityRules make(FreeMailDomains free_mail, PublicSuffixList suffixes,
                            const std::vector<std::string>& never_merge) {
    IdentityRules r{std::move(free_mail), std::move(suffixes), {}};
    for (const auto& d : never_merge)
      if (auto n = normalizeDomain(d)) r.never_merge.insert(r.suffixes.registrableDomain(*n));
    return r;
  }
};

}  // namespace abm::pipeline
