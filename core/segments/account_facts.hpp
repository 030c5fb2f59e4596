// What a segment filter looks at, per account: its columns, effective target flag and tier, stage,
// engagement, properties and contacts, read from the store with one SELECT per table in the dialect
// both backends share (docs/segments.md says why filters run here and not as generated SQL).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::segments {

struct ContactFacts {
  std::optional<std::string> buying_role, title;
  std::optional<double> months_in_role;  // from created_at to as_of; unknown when the source gave no created_at
};

struct AccountFacts {
  int64_t account_id = 0;
  std::optional<std::string> name, domain, industry, country, tier;
  std::optional<double> employee_count, annual_revenue;
  bool is_target = false;
  std::optional<int> stage;  // position in kStageOrder; none before the metrics stage placed it
  double engagement = 0;     // account_engagement.score; 0 for an account without touches
  nlohmann::json properties = nlohmann::json::object();
  const std::vector<ContactFacts>* contacts = nullptr;  // never null while a visitor runs
};

// Months in a role from the contact's created_at (seconds) to as_of: days / 30.436875, whole
// months completed.
double monthsBetween(int64_t from, int64_t to);

// The contacts of every account that has some, with their months in role as of `as_of`.
Result<std::unordered_map<int64_t, std::vector<ContactFacts>>> loadContacts(store::Database& db, int64_t as_of);

// Calls `visit` for every account in account_id order. `contacts` may be empty when the filter at
// hand names no contact field, and properties are parsed only `with_properties` (parsing them is
// most of the cost of a pass). An account whose properties are not a JSON object is read as having
// none (the ingest only writes objects).
Status forEachAccount(store::Database& db, const std::unordered_map<int64_t, std::vector<ContactFacts>>& contacts,
                      bool with_properties, const std::function<void(const AccountFacts&)>& visit);

}  // namespace abm::segments
