#include "store/run_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <functional>

#include "common/timestamp.hpp"
#include "store/db_clock.hpp"
#include "store/instances.hpp"

namespace abm::store {

namespace {

// Who was running a run, for the message on it: "abmctl sync (pid 4242)".
constexpr const char* kOwnerText =
    "CASE WHEN owner IS NULL THEN 'the process running it' ELSE owner || ' (pid ' || owner_pid || ')' END";

Status closeOwnUnfinishedRuns(Database& db, const std::string& connector, const std::string& instance_id) {
  auto st = db.prepare(
      "UPDATE sync_runs SET status = 'failed', finished_at = " + sqlNow(db) + ","
      " error = 'the end of this run could not be recorded (the store refused the write, e.g. a full disk);"
      " the next run resumed from the last checkpoint'"
      " WHERE status = 'running' AND connector = ?1 AND owner_pid = ?2 AND coalesce(instance_id, '') = ?3");
  if (!st) return st.status();
  st->bind(1, connector);
  st->bind(2, static_cast<int64_t>(::getpid()));
  st->bind(3, instance_id);
  return st->run();
}

}  // namespace

Result<int64_t> startRun(Database& db, const std::string& connector, bool full_refresh, const std::string& owner,
                         const std::string& instance_id) {
  if (auto s = closeOwnUnfinishedRuns(db, connector, instance_id); !s)
    return Status::error("cannot record the run in sync_runs: " + s.message());
  auto st = db.prepare(
      "INSERT INTO sync_runs(connector, started_at, status, full_refresh, owner, owner_pid, instance_id)"
      " VALUES(?1, " + sqlNow(db) + ", 'running', ?2, ?3, ?4, ?5) RETURNING run_id");
  if (!st) return st.status();
  st->bind(1, connector);
  st->bind(2, full_refresh ? 1 : 0);
  st->bind(3, owner);
  st->bind(4, static_cast<int64_t>(::getpid()));
  if (instance_id.empty()) st->bindNull(5);
  else st->bind(5, instance_id);
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
  auto st = db.prepare("UPDATE sync_runs SET finished_at = " + sqlNow(db) +
                       ", status = ?1, records = ?2, rejected = ?3, error = ?4 WHERE run_id = ?5");
  if (!st) return st.status();
  st->bind(1, status);
  st->bind(2, records);
  st->bind(3, rejected);
  if (error.empty()) st->bindNull(4);
  else st->bind(4, error);
  st->bind(5, run_id);
  return st->run();
}

Status failRun(Database& db, int64_t run_id, const std::string& error) {
  auto st = db.prepare("UPDATE sync_runs SET finished_at = " + sqlNow(db) + ", status = 'failed', error = ?1 WHERE run_id = ?2");
  if (!st) return st.status();
  st->bind(1, error);
  st->bind(2, run_id);
  return st->run();
}

namespace {

// Runs matching `where` (on sync_runs) are closed with `status` and `error_sql`, in one statement so
// that a run recorded meanwhile by an instance that has just taken its lease is never caught.
Result<std::vector<std::pair<int64_t, std::string>>> closeRuns(Database& db, const std::string& status,
                                                               const std::string& error_sql,
                                                               const std::string& where,
                                                               const std::string& returning,
                                                               const std::function<void(Statement&)>& bind) {
  auto st = db.prepare("UPDATE sync_runs SET status = '" + status + "', finished_at = " + sqlNow(db) +
                       ", error = " + error_sql + " WHERE status = 'running' AND " + where + " RETURNING run_id, " +
                       returning);
  if (!st) return st.status();
  bind(*st);
  std::vector<std::pair<int64_t, std::string>> closed;
  while (st->step() == Step::Row) closed.emplace_back(st->columnInt(0), st->columnText(1));
  if (auto s = st->status(); !s) return s;
  std::sort(closed.begin(), closed.end());
  return closed;
}

}  // namespace

Result<std::vector<std::string>> closeAbandonedRuns(Database& db) {
  if (auto ended = releaseEndedLocalInstances(db); !ended)
    return Status::error("cannot release the leases of ended processes: " + ended.error());
  auto closed = closeRuns(
      db, "failed",
      std::string(kOwnerText) + " || ' stopped during the run; the next run resumes from the last checkpoint'",
      "NOT EXISTS (SELECT 1 FROM leases WHERE leases.resource = 'connector:' || sync_runs.connector"
      " AND leases.expires_at >= " + sqlNow(db) + ")",
      "connector || ', left by ' || " + std::string(kOwnerText), [](Statement&) {});
  if (!closed) return Status::error("cannot close the runs left running in sync_runs: " + closed.error());
  std::vector<std::string> lines;
  for (const auto& [run_id, text] : *closed) lines.push_back("run " + std::to_string(run_id) + " of " + text);
  return lines;
}

Result<std::vector<std::string>> closeRunsLeftUnfinished(Database& db, const std::string& connector,
                                                         const std::string& instance_id) {
  auto closed = closeRuns(
      db, "interrupted",
      "'left unfinished by ' || CASE WHEN instance_id IS NULL THEN " + std::string(kOwnerText) +
          " ELSE 'instance ' || instance_id END || '; resumed by ' || ?2",
      "connector = ?1 AND NOT (coalesce(instance_id, '') = ?2 AND owner_pid = ?3)", "error",
      [&](Statement& st) {
        st.bind(1, connector);
        st.bind(2, instance_id);
        st.bind(3, static_cast<int64_t>(::getpid()));
      });
  if (!closed) return Status::error("cannot close the runs of " + connector + " left running: " + closed.error());
  std::vector<std::string> lines;
  for (const auto& [run_id, error] : *closed) lines.push_back("run " + std::to_string(run_id) + " " + error);
  return lines;
}

Result<std::optional<int64_t>> notDueUntil(Database& db, const std::string& connector, std::chrono::seconds interval) {
  auto q = db.prepare("SELECT finished_at FROM sync_runs WHERE connector = ?1 AND status = 'succeeded'"
                      " ORDER BY run_id DESC LIMIT 1");
  if (!q) return q.status();
  q->bind(1, connector);
  std::optional<int64_t> finished;
  if (q->step() == Step::Row) finished = parseTimestamp(q->columnView(0));
  if (auto s = q->status(); !s) return Status::error("cannot read the last run of " + connector + ": " + s.message());
  q->reset();
  if (!finished) return std::optional<int64_t>();
  auto now = databaseNow(db);
  if (!now) return now.status();
  const int64_t due = *finished + interval.count();
  return due > *now ? std::optional<int64_t>(due) : std::optional<int64_t>();
}

Result<bool> ranSince(Database& db, const std::string& connector, int64_t since) {
  auto q = db.prepare("SELECT 1 FROM sync_runs WHERE connector = ?1 AND started_at >= ?2 AND status <> 'interrupted'"
                      " LIMIT 1");
  if (!q) return q.status();
  q->bind(1, connector);
  q->bind(2, formatTimestamp(since));
  const Step step = q->step();
  if (step == Step::Error) return Status::error("cannot read the runs of " + connector + ": " + q->status().message());
  return step == Step::Row;
}

Result<bool> ranAfter(Database& db, const std::string& connector, int64_t run_id) {
  auto q = db.prepare("SELECT 1 FROM sync_runs WHERE connector = ?1 AND run_id > ?2 AND status <> 'interrupted' LIMIT 1");
  if (!q) return q.status();
  q->bind(1, connector);
  q->bind(2, run_id);
  const Step step = q->step();
  if (step == Step::Error) return Status::error("cannot read the runs of " + connector + ": " + q->status().message());
  return step == Step::Row;
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

namespace {

Result<std::optional<RunRecord>> lastRunWhere(Database& db, const std::string& connector, const std::string& condition) {
  auto q = db.prepare(std::string(kRunColumns) + " WHERE connector = ?1 AND " + condition + " ORDER BY run_id DESC LIMIT 1");
  if (!q) return q.status();
  q->bind(1, connector);
  std::optional<RunRecord> out;
  if (q->step() == Statement::Step::Row) out = readRun(*q);
  if (auto s = q->status(); !s) return Status::error("cannot read sync_runs: " + s.message());
  return out;
}

}  // namespace

Result<std::optional<RunRecord>> lastSuccess(Database& db, const std::string& connector) {
  return lastRunWhere(db, connector, "status = 'succeeded'");
}

Result<std::optional<RunRecord>> lastError(Database& db, const std::string& connector) {
  return lastRunWhere(db, connector, "status <> 'succeeded' AND status <> 'running' AND error IS NOT NULL AND error <> ''");
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
