// accounts.properties: what sources know about a company beyond the fixed columns, one JSON object
// that every source adds to (docs/store.md#accounts).
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace abm::pipeline {

// `sent` merged into `stored` key by key at the top level: a key sent replaces the stored value
// whole (a nested object too), a key sent as null is removed, keys not sent are kept. Both must be
// JSON objects; the result is one, keys in order. Done here rather than in SQL so that SQLite
// (json_patch merges nested objects) and PostgreSQL (|| keeps nulls) store the same object.
Result<std::string> mergeProperties(std::string_view stored, std::string_view sent);

}  // namespace abm::pipeline
