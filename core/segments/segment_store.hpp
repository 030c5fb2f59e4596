// Saved segments in the store's segments table: a name and the filter text, validated on the way in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::segments {

struct SavedSegment {
  std::string name, filter, created_at, updated_at;
};

// Segment and list names are what KPIs (segment:<name>), URLs (/api/v1/segments/<name>) and file
// names (<list>-unmatched.csv) carry: 1 to 64 of A-Z a-z 0-9 _ - . ; otherwise an error says what
// is wrong with the `kind` ("segment", "list") name.
Status checkName(const std::string& kind, const std::string& name);

enum class IfExists { Refuse, Replace };

// Parses `filter` first (its error is returned as is), then writes the segment. An existing name
// is an error unless `if_exists` is Replace, which keeps its created_at.
Status saveSegment(store::Database& db, const std::string& name, const std::string& filter, IfExists if_exists);

Result<std::vector<SavedSegment>> listSegments(store::Database& db);
Result<std::optional<SavedSegment>> findSegment(store::Database& db, const std::string& name);
// False when there was no such segment.
Result<bool> deleteSegment(store::Database& db, const std::string& name);

}  // namespace abm::segments
