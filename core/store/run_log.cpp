#include "store/run_log.hpp"

#include <unistd.h>

#include "common/timestamp.hpp"

namespace abm::store {

namespace {

// Who was running a run, for the message on it: "abmctl sync (pid 4242)".
constexpr const char* kOwnerText =
    "CASE WHEN owner IS NULL THEN 'the process running it' ELSE owner || ' (pid ' || owner_pid || ')' END";

Status closeOwnUnfinishedRuns(Database& db, const std::string& connector) {
  auto st = db.prepare(
      "UPDATE sync_runs SET status = 'failed', finished_at = ?1,"
      " error = 'the end of this run could not be recorded (the store refused the write, e.g. a full disk);"
      " the next run resumed from the last checkpoint'"
      " WHERE status = 'running' AND connector = ?2 AND owner_pid = ?3");
  if (!st) return st.status();
  st->bind(1, formatTimestamp(nowEpochSeconds()));
  st->bind(2, connector);
  st->bind(3, static_cast<int64_t>(::getpid()));
  return st->run();
}

}  // namespace

Result<int64_t> startRun(Database& db, const std::string& connector, bool full_refresh, const std::string& owner) {
  if (auto s = closeOwnUnfinishedRuns(db, connector); !s)
    return Status::error("cannot record the run in sync_runs: " + s.message());
  auto st = db.prepare(
      "INSERT INTO sync_runs(connector, started_at, status, full_refresh, owner, owner_pid)"
      " VALUES(?, ?, 'running', ?, ?, ?) RETURNING run_id");
  if (!st) return st.status();
  st->bind(1, connector);
  st->bind(2, formatTimestamp(nowEpochSeconds()));
  st->bind(3, full_refresh ? 1 : 0);
  st->bind(4, owner);
  st->bind(5, static_cast<int64_t>(::getpid()));
  if (st->step() != Step::Row) return Status::error("cannot record the run in sync_runs: " + st->status().message());
  const int64_t run_id = st->columnInt(0);
  st->reset();
  return run_id;
}

Status recordProgress(Database& db, int64_t run_id, int64_t records, int64_t rejected) {
  auto st = db.prepare("UPDATE sync_runs SET records = ?, rejected = ? WHERE run_id = ?");
  if (!st) return st.status();
  st->bind(1, records);
  st->bind(2, rejected);
  st->bind(3, run_id);
  return st->run();
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

Status failRun(Database& db, int64_t run_id, const std::string& error) {
  auto st = db.prepare("UPDATE sync_runs SET finished_at = ?, status = 'failed', error = ? WHERE run_id = ?");
  if (!st) return st.status();
  st->bind(1, formatTimestamp(nowEpochSeconds()));
  st->bind(2, error);
  st->bind(3, run_id);
  return st->run();
}

Result<std::vector<std::string>> closeAbandonedRuns(Database& db) {
  std::vector<std::string> closed;
  auto q = db.prepare(std::string("SELECT run_id, connector, ") + kOwnerText +
                      " FROM sync_runs WHERE status = 'running' ORDER BY run_id");
  if (!q) return q.status();
  while (q->step() == Statement::Step::Row)
    closed.push_back("run " + std::to_string(q->columnInt(0)) + " of " + q->columnText(1) + ", left by " +
                     q->columnText(2));
  if (auto s = q->status(); !s) return Status::error("cannot read the runs left running in sync_runs: " + s.message());
  if (closed.empty()) return closed;
  auto st = db.prepare(std::string("UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ") + kOwnerText +
                       " || ' stopped during the run; the next run resumes from the last checkpoint'"
                       " WHERE status = 'running'");
  if (!st) return st.status();
  st->bind(1, formatTimestamp(nowEpochSeconds()));
  if (auto s = st->run(); !s) return Status::error("cannot close the runs left running in sync_runs: " + s.message());
  return closed;
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

Result<std::map<std::string, std::string>> lastSuccesses(Database& db) {
  std::map<std::string, std::string> out;
  // Runs of one connector never overlap, so its highest succeeded run_id is its last success.
  auto q = db.prepare("SELECT connector, finished_at FROM sync_runs WHERE run_id IN"
                      " (SELECT max(run_id) FROM sync_runs WHERE status = 'succeeded' GROUP BY connector)");
  if (!q) return q.status();
  while (q->step() == Statement::Step::Row) out[q->columnText(0)] = q->columnText(1);
  if (auto s = q->status(); !s) return Status::error("cannot read the last successful runs from sync_runs: " + s.message());
  return out;
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
