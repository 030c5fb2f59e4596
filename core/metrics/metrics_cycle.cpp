#include "metrics/metrics_cycle.hpp"

#include <nlohmann/json.hpp>

#include "common/timestamp.hpp"
#include "store/db_clock.hpp"

namespace abm::metrics {

namespace {

using store::Step;

constexpr const char* kCycleColumns =
    "SELECT cycle_id, as_of, settings, mode, previous_as_of, shards, opened_by, opened_at FROM metrics_cycles";

MetricsCycle readCycle(const store::Statement& q) {
  MetricsCycle c;
  c.id = q.columnInt(0);
  c.as_of = parseTimestamp(q.columnView(1)).value_or(0);
  c.settings = q.columnText(2);
  c.full = q.columnView(3) == "full";
  c.previous = q.isNull(4) ? 0 : parseTimestamp(q.columnView(4)).value_or(0);
  c.shards = static_cast<int>(q.columnInt(5));
  c.opened_by = q.columnText(6);
  c.opened_at = q.columnText(7);
  return c;
}

Result<std::optional<MetricsCycle>> openCycle(store::Database& db) {
  auto q = db.prepare(std::string(kCycleColumns) + " WHERE finished_at IS NULL ORDER BY cycle_id LIMIT 1");
  if (!q) return q.status();
  std::optional<MetricsCycle> open;
  if (q->step() == Step::Row) open = readCycle(*q);
  if (auto s = q->status(); !s) return s;
  return open;
}

// Full or incremental, as docs/metrics.md#incremental-runs says: incremental only on top of a run
// with the same settings and an as_of at or before this one.
Status decideMode(store::Database& db, const std::string& settings_text, int64_t as_of, bool force_full,
                  MetricsCycle& c) {
  c.full = true;
  auto prev = db.prepare("SELECT as_of, settings FROM metrics_runs ORDER BY run_id DESC LIMIT 1");
  if (!prev) return prev.status();
  const Step step = prev->step();
  if (step == Step::Error) return prev->status();
  if (force_full || step == Step::Done || prev->columnText(1) != settings_text) return Status::ok();
  const auto previous = parseTimestamp(prev->columnView(0));
  if (!previous || *previous > as_of) return Status::ok();  // going back in time: recompute everything
  c.full = false;
  c.previous = *previous;
  return Status::ok();
}

}  // namespace

std::string shardLease(int64_t cycle, int shard) {
  return "metrics/" + std::to_string(cycle) + "/" + std::to_string(shard);
}

std::string settingsDifference(const std::string& theirs, const std::string& ours) {
  const auto a = nlohmann::json::parse(theirs, nullptr, false), b = nlohmann::json::parse(ours, nullptr, false);
  if (!a.is_object() || !b.is_object()) return "the settings text";
  std::string out;
  auto note = [&](const std::string& key, const nlohmann::json* x, const nlohmann::json* y) {
    out += (out.empty() ? "" : ", ") + key + " (" + (x ? x->dump() : "unset") + " there, " + (y ? y->dump() : "unset") +
           " here)";
  };
  auto compare = [&](const nlohmann::json& x, const nlohmann::json& y, const std::string& prefix, auto& self) -> void {
    for (const auto& [k, v] : x.items()) {
      const auto it = y.find(k);
      if (it == y.end()) note(prefix + k, &v, nullptr);
      else if (v.is_object() && it->is_object()) self(v, *it, prefix + k + ".", self);
      else if (v != *it) note(prefix + k, &v, &*it);
    }
    for (const auto& [k, v] : y.items())
      if (!x.contains(k)) note(prefix + k, nullptr, &v);
  };
  compare(a, b, "", compare);
  return out.empty() ? "the settings text" : out;
}

Result<MetricsCycle> openOrJoinCycle(store::Database& db, const std::string& settings_text, int64_t as_of,
                                     bool force_full, int shards, const std::string& instance) {
  store::Transaction tx(db);
  if (auto s = tx.begin(); !s) return s;
  auto open = openCycle(db);
  if (!open) return open.status();
  if (*open) {
    MetricsCycle c = std::move(**open);
    c.joined = true;
    if (c.settings != settings_text)
      return Status::error("not joining metrics cycle " + std::to_string(c.id) + " (as of " + formatTimestamp(c.as_of) +
                           ", opened by instance " + c.opened_by + " at " + c.opened_at +
                           "): its settings differ from this instance's in " +
                           settingsDifference(c.settings, settings_text) +
                           "; give every instance sharing the store the same \"metrics\" settings. The cycle is "
                           "finished by instances with its settings");
    return c;  // read only: the transaction rolls back
  }
  MetricsCycle c;
  c.as_of = as_of;
  c.settings = settings_text;
  c.shards = shards;
  c.opened_by = instance;
  if (auto s = decideMode(db, settings_text, as_of, force_full, c); !s) return s;
  auto add = db.prepare("INSERT INTO metrics_cycles(as_of, settings, mode, previous_as_of, shards, opened_by, opened_at)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, " + store::sqlNow(db) + ") RETURNING cycle_id, opened_at");
  if (!add) return add.status();
  add->bind(1, formatTimestamp(as_of));
  add->bind(2, settings_text);
  add->bind(3, c.full ? "full" : "incremental");
  if (c.full) add->bindNull(4);
  else add->bind(4, formatTimestamp(c.previous));
  add->bind(5, static_cast<int64_t>(shards));
  add->bind(6, instance);
  if (add->step() != Step::Row) return Status::error("cannot open a metrics cycle: " + add->status().message());
  c.id = add->columnInt(0);
  c.opened_at = add->columnText(1);
  add->reset();
  auto shard = db.prepare("INSERT INTO metrics_cycle_shards(cycle_id, shard) VALUES(?1, ?2)");
  if (!shard) return shard.status();
  for (int k = 0; k < shards; ++k) {
    shard->bind(1, c.id);
    shard->bind(2, k);
    if (auto s = shard->run(); !s) return s;
  }
  // The marks move, not copy: what a sync marks from now on stays for the next cycle.
  const std::string id = std::to_string(c.id);
  if (auto s = db.exec("INSERT INTO metrics_cycle_dirty(cycle_id, account_id) SELECT " + id +
                       ", account_id FROM metrics_dirty_accounts");
      !s)
    return s;
  if (auto s = db.exec("DELETE FROM metrics_dirty_accounts"); !s) return s;
  if (auto s = tx.commit(); !s) return s;
  return c;
}

Result<std::vector<int>> pendingShards(store::Database& db, int64_t cycle) {
  auto q = db.prepare("SELECT shard FROM metrics_cycle_shards WHERE cycle_id = ?1 AND done_at IS NULL ORDER BY shard");
  if (!q) return q.status();
  q->bind(1, cycle);
  std::vector<int> out;
  while (q->step() == Step::Row) out.push_back(static_cast<int>(q->columnInt(0)));
  if (auto s = q->status(); !s) return s;
  return out;
}

Result<bool> shardPending(store::Database& db, int64_t cycle, int shard) {
  auto q = db.prepare("SELECT CASE WHEN done_at IS NULL THEN 1 ELSE 0 END FROM metrics_cycle_shards WHERE cycle_id = ?1 AND shard = ?2");
  if (!q) return q.status();
  q->bind(1, cycle);
  q->bind(2, shard);
  const bool pending = q->step() == Step::Row && q->columnInt(0) != 0;
  if (auto s = q->status(); !s) return s;
  return pending;
}

Status markShardDone(store::Database& db, int64_t cycle, int shard, const std::string& instance,
                     const ShardCounts& counts) {
  auto q = db.prepare("UPDATE metrics_cycle_shards SET done_by = ?3, done_at = " + store::sqlNow(db) +
                      ", accounts = ?4, accounts_recomputed = ?5, touchpoints = ?6, attribution_rows = ?7"
                      " WHERE cycle_id = ?1 AND shard = ?2");
  if (!q) return q.status();
  q->bind(1, cycle);
  q->bind(2, shard);
  q->bind(3, instance);
  q->bind(4, counts.accounts);
  q->bind(5, counts.accounts_recomputed);
  q->bind(6, counts.touchpoints);
  q->bind(7, counts.attribution_rows);
  return q->run();
}

Result<std::optional<ShardCounts>> cycleTotals(store::Database& db, int64_t cycle) {
  auto q = db.prepare("SELECT count(*) - count(done_at), coalesce(sum(accounts), 0), coalesce(sum(accounts_recomputed), 0),"
                      " coalesce(sum(touchpoints), 0), coalesce(sum(attribution_rows), 0) FROM metrics_cycle_shards"
                      " WHERE cycle_id = ?1");
  if (!q) return q.status();
  q->bind(1, cycle);
  if (q->step() != Step::Row) return Status::error("cannot read the shards of metrics cycle " + std::to_string(cycle) +
                                                   ": " + q->status().message());
  std::optional<ShardCounts> totals;
  if (q->columnInt(0) == 0) totals = ShardCounts{q->columnInt(1), q->columnInt(2), q->columnInt(3), q->columnInt(4)};
  q->reset();
  return totals;
}

Status closeCycle(store::Database& db, int64_t cycle, const std::string& instance) {
  auto dirty = db.prepare("DELETE FROM metrics_cycle_dirty WHERE cycle_id = ?1");
  if (!dirty) return dirty.status();
  dirty->bind(1, cycle);
  if (auto s = dirty->run(); !s) return s;
  auto done = db.prepare("UPDATE metrics_cycles SET finished_by = ?2, finished_at = " + store::sqlNow(db) +
                         " WHERE cycle_id = ?1");
  if (!done) return done.status();
  done->bind(1, cycle);
  done->bind(2, instance);
  return done->run();
}

Result<std::optional<OpenCycle>> readOpenCycle(store::Database& db) {
  auto has = db.hasTable("metrics_cycles");
  if (!has) return has.status();
  if (!*has) return std::optional<OpenCycle>();
  auto open = openCycle(db);
  if (!open) return open.status();
  if (!*open) return std::optional<OpenCycle>();
  OpenCycle out{std::move(**open), {}};
  auto q = db.prepare(
      "SELECT s.shard, s.done_by, s.done_at, l.holder, l.expires_at,"
      " CASE WHEN l.expires_at >= " + store::sqlNow(db) + " THEN 1 ELSE 0 END FROM metrics_cycle_shards s"
      " LEFT JOIN leases l ON l.resource = 'metrics/' || s.cycle_id || '/' || s.shard WHERE s.cycle_id = ?1"
      " ORDER BY s.shard");
  if (!q) return q.status();
  q->bind(1, out.cycle.id);
  while (q->step() == Step::Row) {
    ShardState s;
    s.shard = static_cast<int>(q->columnInt(0));
    const std::pair<int, std::string*> texts[] = {{1, &s.done_by}, {2, &s.done_at}, {3, &s.holder}, {4, &s.expires_at}};
    for (auto [col, field] : texts)
      if (!q->isNull(col)) *field = q->columnText(col);
    s.lease_live = q->columnInt(5) != 0;
    out.shards.push_back(std::move(s));
  }
  if (auto s = q->status(); !s) return s;
  return std::optional<OpenCycle>(std::move(out));
}

}  // namespace abm::metrics
