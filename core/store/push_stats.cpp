#include "store/push_stats.hpp"

namespace abm::store {

Result<PushStats> pushStats(Database& db, const std::string& connector) {
  PushStats stats;
  // A read-only store is not migrated: before 0007 there is no table and nothing to show.
  auto exists = db.hasTable("push_sources");
  if (!exists) return Status::error("reading push_sources: " + exists.error());
  if (!*exists) return stats;
  auto q = db.prepare(
      "SELECT events_received, events_refused, last_event_at FROM push_sources WHERE connector = ?1");
  if (!q) return q.status();
  q->bindStatic(1, connector);
  if (q->step() == Statement::Step::Row) {
    stats.events_received = q->columnInt(0);
    stats.events_refused = q->columnInt(1);
    stats.last_event_at = q->columnText(2);  // "" when NULL (no event stored yet)
  }
  if (auto s = q->status(); !s) return Status::error("reading push_sources of " + connector + ": " + s.message());
  return stats;
}

}  // namespace abm::store
