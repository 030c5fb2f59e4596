#include "store/db_clock.hpp"

#include "common/timestamp.hpp"

namespace abm::store {

namespace {

// The store's now plus `offset`, truncated to `unit` (PostgreSQL's date_trunc name) and written on
// SQLite with `format`.
std::string clockSql(const Database& db, std::chrono::seconds offset, const char* unit, const char* format) {
  const long long s = offset.count();
  // statement_timestamp(), not now(): now() is when the transaction began, which for a writer is
  // before it waited for the writers' lock, and a lease dated then could be written already expired.
  // It carries microseconds; the store's formats are fixed, and SQLite's text times compare
  // correctly only when every value has the same shape.
  if (db.backend() == Backend::Postgresql) {
    const std::string now = std::string("date_trunc('") + unit + "', statement_timestamp())";
    return s == 0 ? now : "(" + now + " + interval '" + std::to_string(s) + " seconds')";
  }
  const std::string head = std::string("strftime('") + format + "', 'now'";
  if (s == 0) return head + ")";
  return head + ", '" + (s > 0 ? "+" : "") + std::to_string(s) + " seconds')";
}

}  // namespace

std::string sqlNow(const Database& db) { return sqlNowPlus(db, std::chrono::seconds(0)); }

std::string sqlNowPlus(const Database& db, std::chrono::seconds offset) {
  return clockSql(db, offset, "second", "%Y-%m-%dT%H:%M:%SZ");
}

std::string sqlChangeTime(const Database& db) { return sqlChangeTimePlus(db, std::chrono::seconds(0)); }

// The same expressions as the triggers of migration 0015, which stamp what the writer does not.
std::string sqlChangeTimePlus(const Database& db, std::chrono::seconds offset) {
  return clockSql(db, offset, "milliseconds", "%Y-%m-%dT%H:%M:%fZ");
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
