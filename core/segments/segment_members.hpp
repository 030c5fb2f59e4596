// The accounts a filter selects, and the members of every saved segment: what the KPIs are cut by
// (segment:<name>), the API's /api/v1/segments and abmctl accounts --segment.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "segments/account_facts.hpp"
#include "segments/filter_ast.hpp"
#include "store/database.hpp"

namespace abm::segments {

struct SegmentMembers {
  std::string name;
  std::vector<int64_t> account_ids;  // ascending
};

// Calls `visit` for every account matching `filter`, in account_id order.
Status forEachMatchingAccount(store::Database& db, const Expr& filter, int64_t as_of,
                              const std::function<void(const AccountFacts&)>& visit);

// The ids (ascending) of the accounts matching `filter`; contact months in role are counted to
// `as_of` (seconds since the epoch).
Result<std::vector<int64_t>> matchingAccounts(store::Database& db, const Expr& filter, int64_t as_of);

// Every saved segment (by name) with its members as of `as_of`, in one pass over the accounts. It
// reads in the caller's transaction when one is open (the metrics stage's), so all segments see the
// same store. A saved filter that no longer parses is an error naming the segment.
Result<std::vector<SegmentMembers>> savedSegmentMembers(store::Database& db, int64_t as_of);

}  // namespace abm::segments
