// Times from the store's own clock. Several daemons on several machines share one store, and their
// clocks differ; leases, heartbeats and run times are therefore written and compared with the
// database's "now", never the writer's. This is the one place where that SQL differs by backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::store {

// An SQL expression for the store's now, whole seconds, in the store's time format.
std::string sqlNow(const Database& db);
// The same, `offset` later (earlier when negative).
std::string sqlNowPlus(const Database& db, std::chrono::seconds offset);
// The store's now in milliseconds, for change tracking (updated_at, deleted_records.deleted_at):
// text with three decimals on SQLite (2024-03-01T12:00:00.123Z), so every value has one shape and
// sorts as text; timestamptz on PostgreSQL. Also `offset` later (earlier when negative).
std::string sqlChangeTime(const Database& db);
std::string sqlChangeTimePlus(const Database& db, std::chrono::seconds offset);
// The store's now, in seconds since the epoch.
Result<int64_t> databaseNow(Database& db);

}  // namespace abm::store
