// The log of deleted rows that readers sync from (deleted_records, docs/store.md#change-tracking) is
// kept for a configurable time (deleted_records_retention in the daemon config); this prunes it.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::store {

// Removes the deletions logged more than `retention` ago by the store's clock, in a statement of
// its own (call it outside a transaction); returns how many went.
Result<int64_t> pruneDeletedRecords(Database& db, std::chrono::seconds retention);

}  // namespace abm::store
