#include "cli/status_command.hpp"

#include <iomanip>
#include <iostream>
#include <set>

#include "common/timestamp.hpp"
#include "metrics/metrics_cycle.hpp"
#include "store/config_problems.hpp"
#include "store/instances.hpp"
#include "store/push_stats.hpp"
#include "store/run_log.hpp"
#include "store/store_open.hpp"

namespace abm::cli {

using bootstrap::Setup;
using nlohmann::json;

namespace {

using SysClock = std::chrono::system_clock;

// When the connector runs next by its schedule, as a daemon (re)started now would run it: an
// interval after its last success, a cron at its next time. "" for a disabled one or a cron that
// never fires; "due now" when it is due.
Result<std::string> nextRun(const Setup& s, store::Database& db, const std::string& name) {
  const auto* c = s.connector(name);
  if (!c || !c->enabled || !c->has_schedule) return std::string();
  std::optional<SysClock::time_point> last_end;
  auto last = store::lastRun(db, name);
  if (!last) return last.status();
  if (*last && (*last)->status == "succeeded")
    if (auto t = parseTimestamp((*last)->finished_at)) last_end = SysClock::time_point(std::chrono::seconds(*t));
  const auto now = SysClock::now();
  const auto when = c->schedule.firstRun(now, last_end);
  if (when == SysClock::time_point::max()) return std::string();
  if (when <= now) return std::string("due now");
  return formatTimestamp(std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count());
}


// "    next run 2026-…; last success 2026-… (run 7); last error 2026-… (run 6): reason"
Status printSchedule(const Setup& s, store::Database& db, const std::string& name) {
  auto next = nextRun(s, db, name);
  if (!next) return next.status();
  auto success = store::lastSuccess(db, name);
  if (!success) return success.status();
  auto error = store::lastError(db, name);
  if (!error) return error.status();
  std::cout << "    next run " << (next->empty() ? "none" : *next) << "; last success "
            << (*success ? (*success)->finished_at + " (run " + std::to_string((*success)->run_id) + ")" : "never");
  if (*error)
    std::cout << "; last error " << (*error)->finished_at << " (run " << (*error)->run_id << ", " << (*error)->status
              << "): " << (*error)->error;
  std::cout << "\n";
  return Status::ok();
}

// Every instance registered in the store (all daemons sharing it), and the leases each holds.
Status printInstances(store::Database& db, std::chrono::seconds ttl) {
  auto instances = store::listInstances(db, ttl);
  if (!instances) return instances.status();
  auto leases = store::listLeases(db);
  if (!leases) return leases.status();
  if (instances->empty() && leases->empty()) {
    std::cout << "\ninstances: none registered (abmd and abmctl sync register while they run)\n";
    return Status::ok();
  }
  std::cout << "\n" << std::setw(34) << "instance" << std::setw(20) << "host" << std::setw(9) << "pid" << std::setw(10)
            << "version" << std::setw(22) << "started" << std::setw(22) << "last heartbeat" << "state\n";
  auto printLeases = [&](const std::string& holder) {
    for (const auto& l : *leases)
      if (l.holder == holder)
        std::cout << "    holds " << l.resource << " since " << l.acquired_at << (l.live ? ", expires " : ", expired ")
                  << l.expires_at << "\n";
  };
  std::set<std::string> known;
  for (const auto& i : *instances) {
    known.insert(i.instance_id);
    std::cout << std::setw(34) << i.instance_id << std::setw(20) << i.host << std::setw(9) << i.pid << std::setw(10)
              << i.version << std::setw(22) << i.started_at << std::setw(22) << i.heartbeat_at
              << (i.live ? "live" : "dead") << "\n";
    printLeases(i.instance_id);
  }
  // Leases outlive a dead holder's row until another instance takes them.
  std::set<std::string> orphans;
  for (const auto& l : *leases)
    if (!known.count(l.holder)) orphans.insert(l.holder);
  for (const auto& holder : orphans) {
    std::cout << std::setw(34) << holder << "(no longer registered)\n";
    printLeases(holder);
  }
  return Status::ok();
}

// The metrics cycle in progress, if any: which shards are written, and who computes the others.
Status printMetricsCycle(store::Database& db) {
  auto open = metrics::readOpenCycle(db);
  if (!open) return open.status();
  if (!*open) return Status::ok();
  const auto& c = (*open)->cycle;
  std::cout << "\nmetrics cycle " << c.id << " as of " << formatTimestamp(c.as_of) << " (" << (c.full ? "full" : "incremental")
            << ", " << c.shards << " shards), opened by " << c.opened_by << " at " << c.opened_at << "\n";
  for (const auto& sh : (*open)->shards) {
    std::cout << "    shard " << sh.shard << ": ";
    if (!sh.done_at.empty()) std::cout << "written by " << sh.done_by << " at " << sh.done_at;
    else if (sh.holder.empty()) std::cout << "waiting for an instance";
    else if (sh.lease_live) std::cout << "computed by " << sh.holder << ", lease expires " << sh.expires_at;
    else std::cout << "waiting (the lease of " << sh.holder << " expired " << sh.expires_at << ")";
    std::cout << "\n";
  }
  return Status::ok();
}

// The config problems recorded by daemons that are still live (a dead one runs nothing).
Result<std::vector<store::ConfigProblem>> liveConfigProblems(store::Database& db, std::chrono::seconds ttl) {
  auto all = store::listConfigProblems(db);
  if (!all) return all.status();
  auto instances = store::listInstances(db, ttl);
  if (!instances) return instances.status();
  std::set<std::string> live;
  for (const auto& i : *instances)
    if (i.live) live.insert(i.instance_id);
  std::vector<store::ConfigProblem> out;
  for (auto& p : *all)
    if (live.count(p.instance_id)) out.push_back(std::move(p));
  return out;
}

int printStatusText(const Setup& s, store::Database& db_ref) {
  store::Database* db = &db_ref;
  auto isPush = [&](const config::ConnectorConfig& c) {
    const auto* p = s.plugins.find(c.plugin);
    return p && p->push();
  };
  auto problems = liveConfigProblems(*db, s.daemon.lease_ttl);
  if (!problems) {
    std::cerr << "abmctl: " << problems.error() << "\n";
    return 1;
  }
  std::cout << std::left << std::setw(20) << "connector" << std::setw(12) << "plugin" << std::setw(13) << "last run"
            << std::setw(22) << "finished" << std::setw(10) << "records" << "schedule\n";
  auto printRow = [&](const std::string& name, const std::string& plugin, const std::string& schedule) {
    auto read = store::lastRun(*db, name);
    if (!read) return Status::error(read.error());
    const auto& last = *read;
    std::cout << std::setw(20) << name << std::setw(12) << plugin << std::setw(13) << (last ? last->status : "never")
              << std::setw(22) << (last ? last->finished_at : "") << std::setw(10)
              << (last ? std::to_string(last->records) : "") << schedule << "\n";
    if (last && !last->error.empty()) std::cout << "    " << last->error << "\n";
    if (auto st = printSchedule(s, *db, name); !st) return st;
    // A daemon that could not load this connector's file at its last reload runs what it had.
    for (const auto& p : *problems)
      if (p.connector == name)
        std::cout << "    config invalid, running previous (" << p.instance_id << " since " << p.since
                  << "): " << p.problem << "\n";
    return Status::ok();
  };
  std::set<std::string> shown;
  for (const auto& c : s.connectors) {
    if (isPush(c)) continue;
    shown.insert(c.name);
    if (auto st = printRow(c.name, c.plugin, c.schedule.text() + (c.enabled ? "" : " (disabled)")); !st) {
      std::cerr << "abmctl: " << st.message() << "\n";
      return 1;
    }
  }
  // Connectors whose file does not load here either, and that a daemon keeps running as they were.
  for (const auto& p : *problems) {
    if (!shown.insert(p.connector).second) continue;
    if (auto st = printRow(p.connector, "", "config invalid, running previous"); !st) {
      std::cerr << "abmctl: " << st.message() << "\n";
      return 1;
    }
  }
  // Push connectors have no runs: their events arrive over HTTP (docs/collector.md).
  bool header = false;
  for (const auto& c : s.connectors) {
    if (!isPush(c)) continue;
    auto stats = store::pushStats(*db, c.name);
    if (!stats) {
      std::cerr << "abmctl: " << stats.error() << "\n";
      return 1;
    }
    if (!header) {
      std::cout << "\n" << std::setw(20) << "push connector" << std::setw(12) << "received" << std::setw(12)
                << "refused" << "last event received\n";
      header = true;
    }
    std::cout << std::setw(20) << c.name << std::setw(12) << stats->events_received << std::setw(12)
              << stats->events_refused << (stats->last_event_at.empty() ? "never" : stats->last_event_at)
              << (c.enabled ? "" : " (disabled)") << "\n";
  }
  if (auto st = printInstances(*db, s.daemon.lease_ttl); !st) {
    std::cerr << "abmctl: " << st.message() << "\n";
    return 1;
  }
  if (auto st = printMetricsCycle(*db); !st) {
    std::cerr << "abmctl: " << st.message() << "\n";
    return 1;
  }
  for (const auto& e : s.errors) std::cerr << "error: " << e << "\n";
  return 0;
}

// The same as the text, as one JSON document for scripts and monitoring.
Result<json> statusJson(const Setup& s, store::Database& db) {
  auto problems = liveConfigProblems(db, s.daemon.lease_ttl);
  if (!problems) return problems.status();
  json out = {{"connectors", json::array()}, {"push_connectors", json::array()}, {"instances", json::array()},
              {"metrics_cycle", nullptr}, {"config_errors", s.errors}};
  auto problemOf = [&](const std::string& name) -> json {
    for (const auto& p : *problems)
      if (p.connector == name)
        return {{"state", "config invalid, running previous"}, {"instance_id", p.instance_id}, {"since", p.since},
                {"file", p.file}, {"problem", p.problem}};
    return nullptr;
  };
  auto pullJson = [&](const std::string& name, const config::ConnectorConfig* c) -> Result<json> {
    auto last = store::lastRun(db, name);
    if (!last) return last.status();
    auto success = store::lastSuccess(db, name);
    if (!success) return success.status();
    auto error = store::lastError(db, name);
    if (!error) return error.status();
    auto next = nextRun(s, db, name);
    if (!next) return next.status();
    return json{{"name", name},
                {"plugin", c ? json(c->plugin) : json(nullptr)},
                {"schedule", c ? json(c->schedule.text()) : json(nullptr)},
                {"enabled", c ? c->enabled : true},
                {"next_run", next->empty() ? json(nullptr) : json(*next)},
                {"last_run", runJson(*last)},
                {"last_success", runJson(*success)},
                {"last_error", runJson(*error)},
                {"config", problemOf(name)}};
  };
  std::set<std::string> shown;
  for (const auto& c : s.connectors) {
    const auto* plugin = s.plugins.find(c.plugin);
    if (plugin && plugin->push()) {
      auto stats = store::pushStats(db, c.name);
      if (!stats) return stats.status();
      out["push_connectors"].push_back({{"name", c.name}, {"enabled", c.enabled},
                                        {"events_received", stats->events_received},
                                        {"events_refused", stats->events_refused},
                                        {"last_event_at", stats->last_event_at.empty() ? json(nullptr) : json(stats->last_event_at)}});
      continue;
    }
    shown.insert(c.name);
    auto one = pullJson(c.name, &c);
    if (!one) return one.status();
    out["connectors"].push_back(std::move(*one));
  }
  for (const auto& p : *problems) {
    if (!shown.insert(p.connector).second) continue;
    auto one = pullJson(p.connector, nullptr);
    if (!one) return one.status();
    out["connectors"].push_back(std::move(*one));
  }
  auto instances = store::listInstances(db, s.daemon.lease_ttl);
  if (!instances) return instances.status();
  auto leases = store::listLeases(db);
  if (!leases) return leases.status();
  for (const auto& i : *instances) {
    json held = json::array();
    for (const auto& l : *leases)
      if (l.holder == i.instance_id)
        held.push_back({{"resource", l.resource}, {"acquired_at", l.acquired_at}, {"expires_at", l.expires_at}, {"live", l.live}});
    out["instances"].push_back({{"instance_id", i.instance_id}, {"host", i.host}, {"pid", i.pid}, {"version", i.version},
                                {"started_at", i.started_at}, {"heartbeat_at", i.heartbeat_at}, {"live", i.live},
                                {"leases", std::move(held)}});
  }
  auto open = metrics::readOpenCycle(db);
  if (!open) return open.status();
  if (*open) {
    const auto& c = (*open)->cycle;
    json shards = json::array();
    for (const auto& sh : (*open)->shards)
      shards.push_back({{"shard", sh.shard}, {"done_at", sh.done_at.empty() ? json(nullptr) : json(sh.done_at)},
                        {"done_by", sh.done_by.empty() ? json(nullptr) : json(sh.done_by)},
                        {"holder", sh.holder.empty() ? json(nullptr) : json(sh.holder)}, {"lease_live", sh.lease_live}});
    out["metrics_cycle"] = {{"id", c.id}, {"as_of", formatTimestamp(c.as_of)}, {"full", c.full}, {"shards", c.shards},
                            {"opened_by", c.opened_by}, {"opened_at", c.opened_at}, {"shard_states", std::move(shards)}};
  }
  return out;
}

}  // namespace

json runJson(const std::optional<store::RunRecord>& r) {
  if (!r) return nullptr;
  return {{"run_id", r->run_id},     {"status", r->status},   {"started_at", r->started_at},
          {"finished_at", r->finished_at.empty() ? json(nullptr) : json(r->finished_at)},
          {"records", r->records},   {"rejected", r->rejected}, {"full_refresh", r->full_refresh},
          {"error", r->error.empty() ? json(nullptr) : json(r->error)}};
}

int cmdStatus(const Setup& s, bool as_json) {
  auto db = store::openForReading(s.daemon.store);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  if (!as_json) return printStatusText(s, *db);
  auto out = statusJson(s, *db);
  if (!out) {
    std::cerr << "abmctl: " << out.error() << "\n";
    return 1;
  }
  std::cout << out->dump(2) << "\n";
  return 0;
}

}  // namespace abm::cli
