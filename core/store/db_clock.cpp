#include "store/db_clock.hpp"

#include "common/timestamp.hpp"

namespace abm::store {

std::string sqlNow(const Database& db) { return sqlNowPlus(db, std::chrono::seconds(0)); }

std::string sqlNowPlus(const Database& db, std::chrono::seconds offset) {
  const long long s = offset.count();
  // statement_timestamp(), not now(): now() is when the transaction began, which for a writer is
  // before it waited for the writers' lock, and a lease dated then could be written already expired.
  // It carries microseconds; the store's format has whole seconds, and SQLite's text times compare
  // correctly only when every value has the same shape.
  if (db.backend() == Backend::Postgresql)
    return s == 0 ? "date_trunc('second', statement_timestamp())"
                  : "(date_trunc('second', statement_timestamp()) + interval '" + std::to_string(s) + " seconds')";
  if (s == 0) return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
  return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '" + std::string(s > 0 ? "+" : "") + std::to_string(s) + " seconds')";
}

std::string sqlChangeTime(const Database& db) { return sqlChangeTimePlus(db, std::chrono::seconds(0)); }

std::string sqlChangeTimePlus(const Database& db, std::chrono::seconds offset) {
  // The same expressions as the triggers of migration 0015, which stamp what the writer does not.
  const long long s = offset.count();
  if (db.backend() == Backend::Postgresql)
    return s == 0 ? "date_trunc('milliseconds', statement_timestamp())"
                  : "(date_trunc('milliseconds', statement_timestamp()) + interval '" + std::to_string(s) + " seconds')";
  if (s == 0) return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '" + std::string(s > 0 ? "+" : "") + std::to_string(s) + " seconds')";
}

Result<int64_t> databaseNow(Database& db) {
  auto q = db.prepare("SELECT " + sqlNow(db));
  if (!q) return q.status();
  if (q->step() != Step::Row)
    return Status::error("cannot read the clock of store " + db.path() + ": " + q->status().message());
  auto t = parseTimestamp(q->columnView(0));
  if (!t) return Status::error("store " + db.path() + " answered an unreadable time '" + q->columnText(0) + "'");
  return *t;
}

}  // namespace abm::store
