// How many bytes the store takes, for monitoring (abmd_store_size_bytes): an SQLite store's files
// on disk, or a PostgreSQL store's database as the server counts it. What to measure is the store's
// business, so a reader of the figure never needs to know which backend it has.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "store/database.hpp"
#include "store/location.hpp"

namespace abm::store {

// Bytes of an SQLite store on disk: the database file plus its -wal and -shm files when present; -1
// when the database file itself cannot be read (missing, no permission).
int64_t sqliteStoreBytes(const std::filesystem::path& file);

// Measures one store again and again. SQLite: sqliteStoreBytes of the file, no connection. PostgreSQL:
// pg_database_size of the store's database (every table, index and partition in it, as `\l+`
// shows), over a read-only connection opened on first use and kept; a failed measurement drops the
// connection and the next one opens another. Not thread-safe: one thread measures.
class StoreSize {
 public:
  explicit StoreSize(Location where, std::chrono::milliseconds time_limit = std::chrono::seconds(5));

  // The size, or -1 when it cannot be told now (then error() says why). On PostgreSQL it waits for
  // the server, up to `time_limit` for the query (connecting is bounded by the URL's
  // connect_timeout): never call it on an event loop.
  int64_t bytes();
  const std::string& error() const { return error_; }

 private:
  Location where_;
  std::chrono::milliseconds time_limit_;
  std::optional<Database> db_;
  std::string error_;
};

}  // namespace abm::store
