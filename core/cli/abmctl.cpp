#include "cli/abmctl.hpp"
#include "cli/exit_codes.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bootstrap/setup.hpp"
#include "cli/progress.hpp"
#include "cli/report_command.hpp"
#include "cli/segment_commands.hpp"
#include "common/timestamp.hpp"
#include "log/logger.hpp"
#include "metrics/metrics_cycle.hpp"
#include "metrics/metrics_stage.hpp"
#include "pipeline/sync_runner.hpp"
#include "plugin_host/worker_command.hpp"
#include "store/config_problems.hpp"
#include "store/instances.hpp"
#include "store/lease_keeper.hpp"
#include "store/push_stats.hpp"
#include "store/run_log.hpp"
#include "store/store_copy.hpp"
#include "store/store_lock.hpp"
#include "store/store_open.hpp"
#include "wire/protocol.hpp"
#include "worker/worker_process.hpp"

namespace abm::cli {

using nlohmann::json;
using bootstrap::loadSetup;
using bootstrap::openStore;
using bootstrap::Setup;

namespace {

constexpr const char* kUsage = R"(usage: abmctl [-c CONFIG] COMMAND [ARGS]

Manage abmd connectors and read the unified ABM store.

Commands:
  validate                    check the daemon config, every plugin and every connector file
  config                      print the configuration with secrets redacted
  plugins                     list installed plugins and the options each takes
  check NAME                  test that connector NAME can reach its source
  discover NAME               list the streams connector NAME provides
  sync NAME [--full-refresh]  run one sync of NAME into the store; exit 0 on success
  status                      last run of every connector (and "config invalid, running previous"
                              for one a daemon keeps running after its file broke); events received
                              and refused of push connectors; the instances using the store and
                              the leases they hold;
                              the metrics cycle in progress and who computes each shard
  runs [NAME] [--limit N]     recent runs (default 20)
  state show NAME             the saved checkpoints of NAME
  state reset NAME [STREAM]   forget checkpoints so the next sync starts over
  metrics run [--as-of TS] [--full]
                              compute attribution, engagement, stages and the funnel as of TS
                              (an ISO-8601 time; default now); only what can have changed since
                              the last run is recomputed, unless --full. A cycle another instance
                              opened is joined and finished first
  report [--top N]            what the store holds and the most engaged accounts
  report executive|campaigns|funnel|accounts [--format table|json|csv] [--period P] [--segment NAME]
                              the dashboards' figures: KPIs target vs non-target, campaigns and
                              channels, the journey funnel, the most engaged accounts
                              (abmctl report --help)
  export TABLE [--format csv|ndjson]
                              stream a table or view of the store (abmctl export --help)
  store copy --to URL         copy the whole store (every table, ids kept) into an empty store at
                              URL, e.g. postgresql://abm@db:5432/abm (password through ${env:NAME}
                              or PGPASSFILE); counts are compared table by table afterwards. Stop
                              abmd first, then point "store" in abmd.json at URL and start it
)";

// After the segment, account and list commands (cli/segment_commands.cpp).
constexpr const char* kUsageTail = R"(
Options:
  -c, --config FILE   daemon config (default $ABMD_CONFIG, else /etc/abmd/abmd.json)
  -h, --help          this help
  --version           print the version

Plugins shipped: csv (files), hubspot and salesforce (CRMs); `abmctl plugins` lists their settings,
plugins/<name>/README.md says what each pulls and how its fields map, and
connectors_config/examples/ has a connector file for each.

Exit status: 0 success, 1 the command failed (reason on stderr), 2 bad usage or configuration.
A sync that ends rate_limited (the vendor's daily quota is spent) exits 1 and says when it may resume.
Docs: docs/operations.md, docs/configuration.md.
)";

void printErrors(const Setup& s) {
  for (const auto& e : s.errors) std::cerr << "error: " << e << "\n";
}

using plugin_host::WorkerAnswer;

// Runs a worker command (check/discover) for a connector; the plugin's logs go to stderr.
WorkerAnswer runWorkerCommand(const Setup& s, const config::ConnectorConfig& c, const std::string& command) {
  const auto* plugin = s.plugins.find(c.plugin);
  if (plugin->push()) return {c.name + " is a push source: it has no worker to run " + command, {}, {}};
  return plugin_host::runWorkerCommand(s.daemon, *plugin, c, command,
                                       [](std::string_view l) { std::cerr << l << "\n"; });
}

int cmdValidate(const Setup& s) {
  printErrors(s);
  for (const auto& c : s.connectors)
    for (const auto& w : c.warnings) std::cerr << "warning: " << w << "\n";
  if (auto folders = config::requireFolders(s.daemon); !folders) std::cerr << "error: " << folders.message() << "\n";
  std::cout << s.connectors.size() << " connector(s) valid, " << s.errors.size() << " problem(s); "
            << s.plugins.all().size() << " plugin(s) in " << s.daemon.plugin_dir.string() << "\n";
  return s.errors.empty() ? 0 : 1;
}

int cmdConfig(const Setup& s) {
  json out;
  out["config_file"] = s.daemon.file.string();
  out["store"] = s.daemon.store_url;
  out["store_path"] = s.daemon.store.describe();
  out["plugin_dir"] = s.daemon.plugin_dir.string();
  out["connectors_dir"] = s.daemon.connectors_dir.string();
  out["max_concurrent_syncs"] = s.daemon.max_concurrent_syncs;
  out["connectors"] = json::array();
  for (const auto& c : s.connectors) out["connectors"].push_back(config::redactedView(c, s.plugins.find(c.plugin)->options));
  std::cout << out.dump(2) << "\n";
  printErrors(s);
  return 0;
}

int cmdPlugins(const Setup& s) {
  for (const auto& [name, p] : s.plugins.all()) {
    std::cout << name << " " << p.version << " (" << p.kind << ", ABI " << p.abi << ")  "
              << (p.push() ? "built into abmd" : p.path.string()) << "\n";
    if (!p.description.empty()) std::cout << "  " << p.description << "\n";
    for (const auto& o : p.options) {
      std::cout << "    " << std::left << std::setw(22) << o.name << std::setw(12) << o.type
                << (o.required ? "required " : "optional ") << (o.secret ? "secret " : "");
      if (o.default_value) std::cout << "default " << o.default_value->dump() << " ";
      std::cout << "- " << o.description << "\n";
    }
  }
  for (const auto& p : s.plugins.problems()) std::cerr << "error: " << p << "\n";
  return s.plugins.problems().empty() ? 0 : 1;
}

const config::ConnectorConfig* needConnector(const Setup& s, const std::string& name) {
  const auto* c = s.connector(name);
  if (!c) {
    printErrors(s);
    std::cerr << "abmctl: no valid connector named '" << name << "' in " << s.daemon.connectors_dir.string() << "\n";
  }
  return c;
}

// A push source has no worker to ask and nothing to pull: say what it is instead.
bool isPushSource(const Setup& s, const config::ConnectorConfig& c) { return s.plugins.find(c.plugin)->push(); }

constexpr const char* kPushSourceNote =
    "is a push source (plugin events): clients POST events to the daemon's HTTP listener (/v1/batch, "
    "see docs/collector.md); there is nothing to pull";

int cmdCheck(const Setup& s, const std::string& name) {
  const auto* c = needConnector(s, name);
  if (!c) return 1;
  if (isPushSource(s, *c)) {
    std::cout << name << ": ok (settings valid; " << kPushSourceNote << ")\n";
    return 0;
  }
  auto answer = runWorkerCommand(s, *c, "check");
  if (answer.failure.empty() && answer.status && answer.status->succeeded) {
    std::cout << name << ": ok\n";
    return 0;
  }
  std::cerr << name << ": check failed: " << (answer.failure.empty() ? "no answer from the plugin" : answer.failure)
            << "\n";
  return 1;
}

int cmdDiscover(const Setup& s, const std::string& name) {
  const auto* c = needConnector(s, name);
  if (!c) return 1;
  if (isPushSource(s, *c)) {
    std::cerr << name << ": discover: " << name << " " << kPushSourceNote << "\n";
    return 1;
  }
  const auto answer = runWorkerCommand(s, *c, "discover");
  for (const auto& st : answer.streams)
    std::cout << std::left << std::setw(24) << st.name << " -> " << std::setw(14) << st.entity
              << (st.incremental ? " incremental" : " full") << "\n";
  if (!answer.failure.empty()) {
    std::cerr << name << ": discover failed: " << answer.failure << "\n";
    return 1;
  }
  return 0;
}

// abmctl as an instance of the store (abmctl:<host>:<pid>), with its own leases and warnings on stderr.
Result<std::unique_ptr<store::LeaseKeeper>> startCliInstance(const Setup& s) {
  store::LeaseKeeper::Hooks hooks;
  hooks.on_warning = [](const std::string& m) { std::cerr << "abmctl: " << m << "\n"; };
  return store::LeaseKeeper::start(s.daemon.store, "abmctl:" + store::hostName() + ":" + std::to_string(::getpid()),
                                   s.daemon.lease_ttl, std::move(hooks));
}

int cmdSync(const Setup& s, const std::string& name, bool full_refresh) {
  const auto* c = needConnector(s, name);
  if (!c) return 1;
  if (isPushSource(s, *c)) {
    std::cerr << "abmctl: " << name << " " << kPushSourceNote << "\n";
    return 1;
  }
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl sync");
  if (!lock) {
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  auto db = openStore(s.daemon);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  auto closed = store::closeAbandonedRuns(*db);
  if (!closed) {
    std::cerr << "abmctl: " << closed.error() << "\n";
    return 1;
  }
  for (const auto& run : *closed) std::cerr << "abmctl: marked failed: " << run << "\n";
  // An instance of its own, never the daemon's: a daemon's run of this connector must keep it off.
  auto keeper = startCliInstance(s);
  if (!keeper) {
    std::cerr << "abmctl: " << keeper.error() << "\n";
    return 1;
  }
  ProgressLine progress;
  pipeline::SyncRunner runner(s.daemon, *s.identity);
  pipeline::SyncOptions opts;
  opts.full_refresh = full_refresh;
  opts.owner = "abmctl sync";
  opts.lease = keeper->get();
  if (progress.active()) opts.progress = [&](const pipeline::SyncProgress& p) { progress.update(p); };
  const auto out = runner.run(*c, *s.plugins.find(c->plugin), opts);
  progress.finish();
  (*keeper)->stop();
  if (out.status == pipeline::RunStatus::HeldElsewhere) {
    std::cerr << "abmctl: " << name << " is being synced by another instance: connector:" << name << " is "
              << out.error << "; try again once that run has ended (abmctl status shows the instances)\n";
    return 1;
  }
  if (out.status != pipeline::RunStatus::Succeeded) {
    std::cerr << name << ": sync " << pipeline::runStatusName(out.status) << " (run " << out.run_id
              << "): " << out.error << "\n";
    return 1;
  }
  std::cout << name << ": synced " << out.records << " records, " << out.rejected << " rejected (run " << out.run_id
            << ")\n";
  return 0;
}

int cmdStoreCopy(const Setup& s, const std::vector<std::string>& args, const std::string& to_url) {
  if (args.size() != 1 || args[0] != "copy" || to_url.empty()) return usageError("store takes 'copy --to URL'");
  auto target = config::parseStoreUrl(to_url, std::filesystem::current_path());
  if (!target) return usageError("--to: " + target.error());
  if (target->describe() == s.daemon.store.describe())
    return usageError("--to names the store abmd.json already uses (" + target->describe() + ")");
  // The source must not change under the copy: on SQLite this refuses while abmd runs.
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl store copy");
  if (!lock) {
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  auto from = store::openForReading(s.daemon.store);
  if (!from) {
    std::cerr << "abmctl: " << from.error() << "\n";
    return 1;
  }
  config::DaemonConfig to_config = s.daemon;
  to_config.store = *target;
  auto to = openStore(to_config);  // creates and migrates it
  if (!to) {
    std::cerr << "abmctl: " << target->describe() << ": " << to.error() << "\n";
    return 1;
  }
  std::cout << "copying " << s.daemon.store.describe() << " to " << target->describe() << "\n";
  auto copied = store::copyStore(*from, *to, [](const std::string& line) { std::cout << "  " << line << "\n" << std::flush; });
  if (!copied) {
    std::cerr << "abmctl: " << copied.error() << "\n";
    return 1;
  }
  int64_t rows = 0;
  for (const auto& t : *copied) rows += t.rows;
  std::cout << "copied " << rows << " rows in " << copied->size()
            << " tables; every table's count matches. Point \"store\" in " << s.daemon.file.string()
            << " at the new store and start abmd.\n";
  return 0;
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

int cmdStatus(const Setup& s) {
  auto db = store::openForReading(s.daemon.store);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
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
  printErrors(s);
  return 0;
}

int cmdRuns(const Setup& s, const std::string& name, int limit) {
  auto db = store::openForReading(s.daemon.store);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  auto runs = store::listRuns(*db, name, limit);
  if (!runs) {
    std::cerr << "abmctl: " << runs.error() << "\n";
    return 1;
  }
  std::cout << std::left << std::setw(7) << "run" << std::setw(20) << "connector" << std::setw(13) << "status"
            << std::setw(22) << "started" << std::setw(22) << "finished" << std::setw(10) << "records" << "rejected\n";
  for (const auto& r : *runs) {
    std::cout << std::setw(7) << r.run_id << std::setw(20) << r.connector << std::setw(13) << r.status << std::setw(22)
              << r.started_at << std::setw(22) << r.finished_at << std::setw(10) << r.records << r.rejected << "\n";
    if (!r.error.empty()) std::cout << "       " << r.error << "\n";
  }
  return 0;
}

// The streams of connector `name`: those with a checkpoint in the store, and those its plugin lists now.
std::set<std::string> knownStreams(const Setup& s, store::Database& db, const std::string& name) {
  std::set<std::string> known;
  if (auto states = store::loadStates(db, name); states && states->is_object())
    for (const auto& [stream, st] : states->items()) known.insert(stream);
  if (const auto* c = s.connector(name))
    for (const auto& st : runWorkerCommand(s, *c, "discover").streams) known.insert(st.name);
  known.erase("");
  return known;
}

int cmdState(const Setup& s, const std::vector<std::string>& args) {
  if (args.size() < 2 || (args[0] != "show" && args[0] != "reset"))
    return usageError("state takes 'show NAME' or 'reset NAME [STREAM]'");
  const std::string& name = args[1];
  if (!s.connector(name)) std::cerr << "warning: no valid connector named '" << name << "'; using the store as is\n";
  if (args[0] == "show") {
    auto db = store::openForReading(s.daemon.store);
    if (!db) {
      std::cerr << "abmctl: " << db.error() << "\n";
      return 1;
    }
    auto states = store::loadStates(*db, name);
    if (!states) {
      std::cerr << "abmctl: " << states.error() << "\n";
      return 1;
    }
    std::cout << states->dump(2) << "\n";
    return 0;
  }
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl state reset");
  if (!lock) {
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  auto db = openStore(s.daemon);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  if (args.size() > 2) {
    // A misspelt stream would otherwise "remove 0 checkpoints" and look done.
    const auto known = knownStreams(s, *db, name);
    if (!known.count(args[2])) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      std::cerr << "abmctl: connector '" << name << "' has no stream '" << args[2] << "' (known streams: "
                << (names.empty() ? "none" : names) << ")\n";
      return 1;
    }
  }
  int removed = 0;
  if (auto st = store::resetState(*db, name, args.size() > 2 ? args[2] : "", removed); !st) {
    std::cerr << "abmctl: " << st.message() << "\n";
    return 1;
  }
  std::cout << name << ": removed " << removed << " checkpoint(s); the next sync reads "
            << (args.size() > 2 ? "stream " + args[2] : std::string("every stream")) << " from the start\n";
  return 0;
}

int cmdMetrics(const Setup& s, const std::vector<std::string>& args, const std::string& as_of_text, bool full) {
  if (args.size() != 1 || args[0] != "run") return usageError("metrics takes 'run [--as-of TIMESTAMP]'");
  int64_t as_of = nowEpochSeconds();
  if (!as_of_text.empty()) {
    auto t = parseTimestamp(as_of_text);
    if (!t) return usageError("--as-of '" + as_of_text + "' is not an ISO-8601 time like 2026-10-31T00:00:00Z");
    as_of = *t;
  }
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl metrics");
  if (!lock) {
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  if (auto db = openStore(s.daemon); !db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  // An instance of its own, like `abmctl sync`: it leases shards beside the daemons sharing the store.
  auto keeper = startCliInstance(s);
  if (!keeper) {
    std::cerr << "abmctl: " << keeper.error() << "\n";
    return 1;
  }
  auto out = metrics::runMetrics(s.daemon.store, s.metrics, as_of, full, keeper->get());
  // An open cycle is joined first, whatever it is as of; then the cycle asked for, once that one
  // is finished.
  auto differs = [&](const metrics::MetricsSummary& m) {
    return m.joined && ((!as_of_text.empty() && m.as_of != as_of) || (full && !m.full));
  };
  if (out && differs(*out) && out->held_elsewhere.empty()) {
    std::cout << out->describe() << "\n";
    out = metrics::runMetrics(s.daemon.store, s.metrics, as_of, full, keeper->get());
  }
  (*keeper)->stop();
  if (!out) {
    std::cerr << "abmctl: " << out.error() << "\n";
    return 1;
  }
  std::cout << out->describe() << "\n";
  if (differs(*out)) {
    std::cerr << "abmctl: metrics cycle " << out->cycle << " (as of " << formatTimestamp(out->as_of)
              << ") is still being computed by other instances; run again once it has finished (abmctl status shows "
                 "it)\n";
    return 1;
  }
  return 0;
}

}  // namespace

int runAbmctl(int argc, char** argv) {
  std::string config_arg;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    // report and export have help of their own
    const bool own_help = !args.empty() && (args[0] == "report" || args[0] == "export");
    if ((a == "-h" || a == "--help") && !own_help) {
      std::cout << kUsage << kSegmentCommandsUsage << kUsageTail;
      return 0;
    }
    if (a == "--version") {
      std::cout << "abmctl " << ABMD_VERSION << "\n";
      return 0;
    }
    if (a == "-c" || a == "--config") {
      if (i + 1 >= argc) return usageError(a + " needs a file");
      config_arg = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config_arg = a.substr(9);
    } else {
      args.push_back(a);
    }
  }
  if (args.empty()) return usageError("no command given");
  const std::string cmd = args[0];
  args.erase(args.begin());
  // They take options of their own (--format, --filter, --target, --period, ...).
  if (isSegmentCommand(cmd)) return runSegmentCommand(cmd, args, config_arg);
  if (cmd == "report" || cmd == "export") return (cmd == "report" ? runReportCommand : runExportCommand)(config_arg, args);

  bool full_refresh = false;
  int limit = 20;
  std::string as_of;
  bool full = false;
  std::string to_url;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--full-refresh") full_refresh = true;
    else if (args[i] == "--as-of" && i + 1 < args.size()) as_of = args[++i];
    else if (args[i] == "--full") full = true;
    else if (args[i] == "--to" && i + 1 < args.size()) to_url = args[++i];
    else if (args[i] == "--limit" && i + 1 < args.size()) {
      try {
        limit = std::stoi(args[i + 1]);
      } catch (...) {
        return usageError(args[i] + " takes a number");
      }
      ++i;
    } else if (args[i].rfind("--", 0) == 0) return usageError("unknown option " + args[i]);
    else positional.push_back(args[i]);
  }

  static const std::vector<std::string> kCommands = {"validate", "config", "plugins", "check",  "discover", "sync",
                                                     "status",   "runs",   "state",
                                                     "metrics",  "store"};
  if (std::find(kCommands.begin(), kCommands.end(), cmd) == kCommands.end()) return usageError("unknown command '" + cmd + "'");
  auto need = [&](size_t n, const char* what) { return positional.size() == n ? 0 : usageError(cmd + " takes " + what); };

  Setup setup;
  try {
    // Only the commands that run a connector need its secrets; the others read the store or print.
    const bool runs_connector = cmd == "validate" || cmd == "check" || cmd == "discover" || cmd == "sync";
    setup = loadSetup(config::resolveConfigPath(config_arg),
                      runs_connector ? config::Secrets::Required : config::Secrets::Optional);
  } catch (const std::exception& e) {
    std::cerr << "abmctl: " << e.what() << "\n";
    return 2;
  }
  if (cmd == "validate") return cmdValidate(setup);
  if (cmd == "config") return cmdConfig(setup);
  if (cmd == "plugins") return cmdPlugins(setup);
  if (cmd == "check") return need(1, "NAME") ? 2 : cmdCheck(setup, positional[0]);
  if (cmd == "discover") return need(1, "NAME") ? 2 : cmdDiscover(setup, positional[0]);
  if (cmd == "sync") return need(1, "NAME [--full-refresh]") ? 2 : cmdSync(setup, positional[0], full_refresh);
  if (cmd == "status") return cmdStatus(setup);
  if (cmd == "runs") return positional.size() > 1 ? usageError("runs takes [NAME]") : cmdRuns(setup, positional.empty() ? "" : positional[0], limit);
  if (cmd == "state") return cmdState(setup, positional);
  if (cmd == "metrics") return cmdMetrics(setup, positional, as_of, full);
  return cmdStoreCopy(setup, positional, to_url);  // store
}

}  // namespace abm::cli
