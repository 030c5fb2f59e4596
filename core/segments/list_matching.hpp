// Matching the rows of an imported list to accounts: by registrable domain first (so
// "https://www.acme.com/about" finds the account of eu.acme.com), then by normalized company name.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "pipeline/public_suffix.hpp"
#include "store/database.hpp"

namespace abm::segments {

struct AccountKeys {
  int64_t account_id = 0;
  std::string name;                // as stored ("" when none)
  std::string registrable_domain;  // "" when none
};

enum class MatchOutcome { Matched, Ambiguous, Unmatched };

struct RowMatch {
  MatchOutcome outcome = MatchOutcome::Unmatched;
  std::string matched_by;             // "domain" or "name" when Matched
  std::vector<int64_t> account_ids;   // one when Matched; the candidates when Ambiguous
  std::string reason;                 // why, when not Matched
};

// The accounts by registrable domain and by normalized name.
class AccountIndex {
 public:
  explicit AccountIndex(const std::vector<AccountKeys>& accounts);
  static Result<AccountIndex> load(store::Database& db);

  // `name` and `domain` as written in the file (either may be empty).
  RowMatch match(const std::string& name, const std::string& domain, const pipeline::PublicSuffixList& suffixes) const;

 private:
  std::unordered_map<std::string, std::vector<int64_t>> by_domain_, by_name_;
};

}  // namespace abm::segments
