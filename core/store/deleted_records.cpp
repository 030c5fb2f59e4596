#include "store/deleted_records.hpp"

#include "store/db_clock.hpp"

namespace abm::store {

Result<int64_t> pruneDeletedRecords(Database& db, std::chrono::seconds retention) {
  // The cutoff is in the log's own format (milliseconds), so SQLite compares like with like.
  auto del = db.prepare("DELETE FROM deleted_records WHERE deleted_at < " + sqlChangeTimePlus(db, -retention));
  if (!del) return Status::error("cannot prune deleted_records: " + del.status().message());
  if (auto s = del->run(); !s) return Status::error("cannot prune deleted_records: " + s.message());
  return static_cast<int64_t>(db.changes());
}

}  // namespace abm::store
