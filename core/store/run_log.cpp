#include "store/run_log.hpp"

#include "common/timestamp.hpp"

namespace abm::store {

Result<int64_t> startRun(Database& db, const std::string& connector, bool full_refresh) {
  auto st = db.prepare("INSERT INTO sync_runs(connector, started_at, status, full_refresh) VALUES(?, ?, 'running', ?)");
  if (!st) return st.status();
  st->bind(1, connector);
  st->bind(2, formatTimestamp(nowEpochSeconds()));
  st->bind(3, full_refresh ? 1 : 0);
  if (auto s = st->run(); !s) return Status::error("cannot record the run in sync_runs: " + s.message());
  return db.lastInsertRowid();
}

Status finishRun(Database& db, int64_t run_id, const std::string& status, int64_t records, int64_t rejected,
                 const std::string& error) {
  auto st = db.prepare("UPDATE sync_runs SET finished_at = ?, status = ?, records = ?, rejected = ?, error = ?"
                       " WHERE run_id = ?");
  if (!st) return st.status();
  st->bind(1, formatTimestamp(nowEpochSeconds()));
  st->bind(2, status);
  st->bind(3, records);
  st->bind(4, rejected);
  if (error.empty()) st->bindNull(5);
  else st->bind(5, error);
  st->bind(6, run_id);
  return st->run();
}

Result<int> closeAbandonedRuns(Database& db) {
  auto st = db.prepare("UPDATE sync_runs SET status = 'failed', finished_at = ?,"
                       " error = 'abmd stopped during the run; it resumes from the last checkpoint'"
                       " WHERE status = 'running'");
  if (!st) return st.status();
  st->bind(1, formatTimestamp(nowEpochSeconds()));
  if (auto s = st->run(); !s) return Status::error("cannot close the runs left running in sync_runs: " + s.message());
  return db.changes();
}

namespace {
RunRecord readRun(Statement& q) {
  RunRecord r;
  r.run_id = q.columnInt(0);
  r.connector = q.columnText(1);
  r.started_at = q.columnText(2);
  r.finished_at = q.columnText(3);
  r.status = q.columnText(4);
  r.records = q.columnInt(5);
  r.rejected = q.columnInt(6);
  r.full_refresh = q.columnInt(7) != 0;
  r.error = q.columnText(8);
  return r;
}
constexpr const char* kRunColumns =
    "SELECT run_id, connector, started_at, finished_at, status, records, rejected, full_refresh, error FROM sync_runs";
}  // namespace

Result<std::vector<RunRecord>> listRuns(Database& db, const std::string& connector, int limit) {
  std::vector<RunRecord> out;
  auto q = db.prepare(std::string(kRunColumns) + " WHERE (?1 = '' OR connector = ?1) ORDER BY run_id DESC LIMIT ?2");
  if (!q) return q.status();
  q->bind(1, connector);
  q->bind(2, limit);
  while (q->step() == Statement::Step::Row) out.push_back(readRun(*q));
  if (auto s = q->status(); !s) return Status::error("cannot read sync_runs: " + s.message());
  return out;
}

Result<std::optional<RunRecord>> lastRun(Database& db, const std::string& connector) {
  auto runs = listRuns(db, connector, 1);
  if (!runs) return runs.status();
  if (runs->empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(runs->front());
}

Result<nlohmann::json> loadStates(Database& db, const std::string& connector) {
  nlohmann::json out = nlohmann::json::object();
  auto q = db.prepare("SELECT stream, state FROM sync_state WHERE connector = ? ORDER BY stream");
  if (!q) return q.status();
  q->bind(1, connector);
  while (q->step() == Statement::Step::Row) out[q->columnText(0)] = nlohmann::json::parse(q->columnView(1), nullptr, false);
  if (auto s = q->status(); !s) return Status::error("cannot read the checkpoints of " + connector + ": " + s.message());
  return out;
}

Status resetState(Database& db, const std::string& connector, const std::string& stream, int& removed) {
  auto q = db.prepare("DELETE FROM sync_state WHERE connector = ?1 AND (?2 = '' OR stream = ?2)");
  if (!q) return q.status();
  q->bind(1, connector);
  q->bind(2, stream);
  if (auto s = q->run(); !s) return s;
  removed = db.changes();
  return Status::ok();
}

}  // namespace abm::store
