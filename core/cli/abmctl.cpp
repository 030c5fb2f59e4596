#include "cli/abmctl.hpp"
#include "cli/command_help.hpp"
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
#include "cli/daemon_requests.hpp"
#include "cli/progress.hpp"
#include "cli/report_command.hpp"
#include "cli/segment_commands.hpp"
#include "cli/status_command.hpp"
#include "cli/sync_dry_run.hpp"
#include "common/timestamp.hpp"
#include "log/logger.hpp"
#include "metrics/metrics_cycle.hpp"
#include "metrics/metrics_stage.hpp"
#include "pipeline/state_reset.hpp"
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
  config                      print the configuration with secrets redacted (JSON; references a
                              read-only command cannot resolve are listed as unresolved_secrets)
  plugins [--format json]     list installed plugins and the options each takes
  check NAME                  test that connector NAME can reach its source
  discover NAME               list the streams connector NAME provides
  sync NAME [--full-refresh] [--no-wait]
                              run one sync of NAME into the store; exit 0 on success. While abmd
                              holds the store, ask it to run NAME now over its API (http.listen,
                              a token from http.api_tokens) and follow the run to its end
                              (--no-wait: return once it started)
  sync NAME --dry-run [--format text|json]
                              read NAME and validate every record as a sync would, print per
                              stream what would be written, the rows rejected and why, and the
                              checkpoint that would be committed; writes nothing, creates no
                              store; exits as the sync would
  status [--format json]      every connector's last run, next run, last success and last error
                              (and "config invalid, running previous" for one a daemon keeps running
                              after its file broke); events received and refused of push connectors;
                              the instances using the store and the leases they hold; the metrics
                              cycle in progress and who computes each shard
  runs [NAME] [--limit N] [--format json]
                              recent runs (default 20)
  state show NAME [--format json]
                              the saved checkpoints of NAME
  state reset NAME [STREAM]   forget checkpoints so the next sync starts over (while abmd holds
                              the store, asked of the daemon; refused while NAME is running)
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
  --log-format F      log lines on stderr as text or json (default: text on a terminal, else
                      json); sync's progress line stays below the log on a terminal
  -h, --help          this help; after a command, that command's (abmctl sync --help)
  --version           print the version

Plugins shipped: csv (files); hubspot, salesforce (CRMs); marketo (marketing automation); mailchimp
(email); google_ads, linkedin_ads (ads); ga4 (web analytics); events (the collector's push sources);
rest (any JSON API, described in the connector file); airbyte, singer (run an Airbyte source or a
Singer tap).
`abmctl plugins` lists every plugin with its settings and marks "built-in" those shipped with abmd;
plugins/<name>/README.md (docs/<name>.md for rest, airbyte and singer) says what each pulls and how
its fields map, and connectors_config/examples/ has a connector file for each.

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

int cmdPlugins(const Setup& s, bool as_json) {
  if (as_json) {
    json out = json::array();
    for (const auto& [name, p] : s.plugins.all()) {
      json options = json::array();
      for (const auto& o : p.options)
        options.push_back({{"name", o.name}, {"type", o.type}, {"required", o.required}, {"secret", o.secret},
                           {"default", o.default_value ? *o.default_value : json(nullptr)}, {"description", o.description}});
      out.push_back({{"name", name}, {"version", p.version}, {"kind", p.kind}, {"abi", p.abi}, {"built_in", p.builtIn()},
                     {"path", p.push() ? json(nullptr) : json(p.path.string())}, {"description", p.description},
                     {"options", std::move(options)}});
    }
    std::cout << out.dump(2) << "\n";
    for (const auto& p : s.plugins.problems()) std::cerr << "error: " << p << "\n";
    return s.plugins.problems().empty() ? 0 : 1;
  }
  for (const auto& [name, p] : s.plugins.all()) {
    // Built-in: shipped with abmd (the library carries the mark of the abmd build, or is the daemon's own).
    std::cout << name << " " << p.version << " (" << p.kind << ", ABI " << p.abi << ")  "
              << (p.builtIn() ? "built-in  " : "") << (p.push() ? "built into abmd: no library" : p.path.string())
              << "\n";
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

int cmdSync(const Setup& s, const std::string& name, bool full_refresh, bool dry_run, bool wait,
            const std::string& format) {
  if (!dry_run && storeHeldByDaemon(s.daemon)) return syncThroughDaemon(s, name, full_refresh, wait);
  const auto* c = needConnector(s, name);
  if (!c) return 1;
  if (isPushSource(s, *c)) {
    std::cerr << "abmctl: " << name << " " << kPushSourceNote << "\n";
    return 1;
  }
  if (dry_run) return cmdSyncDryRun(s, *c, full_refresh, format);
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl sync");
  if (!lock) {
    // The daemon may have taken the store since the look above.
    if (storeHeldByDaemon(s.daemon)) return syncThroughDaemon(s, name, full_refresh, wait);
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  if (!wait) std::cerr << "abmctl: --no-wait: no abmd holds the store, so " << name << " is synced here, to the end\n";
  // Loaded without requiring secrets (the daemon's run needs none here); a run of our own does.
  if (!c->unresolved_secrets.empty()) {
    for (const auto& u : c->unresolved_secrets) std::cerr << "error: " << u << "\n";
    std::cerr << "abmctl: " << name << ": cannot sync here without the connector's secrets\n";
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


int cmdRuns(const Setup& s, const std::string& name, int limit, bool as_json) {
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
  if (as_json) {
    json out = json::array();
    for (const auto& r : *runs) {
      json one = runJson(r);
      one["connector"] = r.connector;
      out.push_back(std::move(one));
    }
    std::cout << out.dump(2) << "\n";
    return 0;
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
int cmdState(const Setup& s, const std::vector<std::string>& args, bool as_json) {
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
    // Text keeps the bare {stream: checkpoint} object it always printed; JSON names the connector.
    std::cout << (as_json ? json{{"connector", name}, {"streams", *states}} : *states).dump(2) << "\n";
    return 0;
  }
  const std::string stream = args.size() > 2 ? args[2] : "";
  if (storeHeldByDaemon(s.daemon)) return resetStateThroughDaemon(s, name, stream);
  auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl state reset");
  if (!lock) {
    if (storeHeldByDaemon(s.daemon)) return resetStateThroughDaemon(s, name, stream);
    std::cerr << "abmctl: " << lock.error() << "\n";
    return 1;
  }
  auto db = openStore(s.daemon);
  if (!db) {
    std::cerr << "abmctl: " << db.error() << "\n";
    return 1;
  }
  // Under the connector's lease, like a run: on PostgreSQL a daemon may be running it right now.
  auto keeper = startCliInstance(s);
  if (!keeper) {
    std::cerr << "abmctl: " << keeper.error() << "\n";
    return 1;
  }
  // The plugin names the streams when its secrets are at hand; otherwise the checkpoints do.
  const auto* c = s.connector(name);
  if (c && !c->unresolved_secrets.empty()) c = nullptr;
  const auto out = pipeline::resetConnectorState(*db, **keeper, s.daemon, name, stream, c,
                                                 c ? s.plugins.find(c->plugin) : nullptr);
  switch (out.kind) {
    case pipeline::StateResetOutcome::Reset:
      break;
    case pipeline::StateResetOutcome::HeldElsewhere:
      std::cerr << "abmctl: " << name << " " << out.detail
                << "; its checkpoints are left as they are: try again once that run has ended\n";
      return 1;
    case pipeline::StateResetOutcome::UnknownStream:
      std::cerr << "abmctl: connector '" << name << "' has no stream '" << stream << "' (known streams: "
                << (out.detail.empty() ? "none" : out.detail) << ")\n";
      return 1;
    case pipeline::StateResetOutcome::Failed:
      std::cerr << "abmctl: " << out.detail << "\n";
      return 1;
  }
  std::cout << name << ": removed " << out.removed << " checkpoint(s); the next sync reads "
            << (stream.empty() ? std::string("every stream") : "stream " + stream) << " from the start\n";
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
  log::setFormat(log::formatForStderr());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    // report and export have help of their own
    const bool own_help = !args.empty() && (args[0] == "report" || args[0] == "export");
    if ((a == "-h" || a == "--help") && !own_help) {
      // After a command: that command's part of the usage ("abmctl sync --help").
      const std::string usage = std::string(kUsage) + kSegmentCommandsUsage;
      const std::string one = args.empty() ? "" : commandHelp(usage, args[0]);
      if (!args.empty() && one.empty()) return usageError("unknown command '" + args[0] + "'");
      std::cout << (one.empty() ? usage + kUsageTail : one);
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
    } else if (a == "--log-format" || a.rfind("--log-format=", 0) == 0) {
      if (a == "--log-format" && i + 1 >= argc) return usageError("--log-format takes text or json");
      const std::string value = a == "--log-format" ? argv[++i] : a.substr(13);
      log::Format format;
      if (!log::parseFormat(value, format)) return usageError("--log-format takes text or json, not '" + value + "'");
      log::setFormat(format);
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
  bool dry_run = false;
  bool wait = true;
  int limit = 20;
  std::string as_of;
  bool full = false;
  std::string to_url;
  std::string format = "text";
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--full-refresh") full_refresh = true;
    else if (args[i] == "--dry-run") dry_run = true;
    else if (args[i] == "--no-wait") wait = false;
    else if (args[i] == "--format" && i + 1 < args.size()) format = args[++i];
    else if (args[i].rfind("--format=", 0) == 0) format = args[i].substr(9);
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
  if (cmd != "sync" && dry_run) return usageError("--dry-run goes with sync only");
  if ((cmd != "sync" || dry_run) && !wait) return usageError("--no-wait goes with sync only (not --dry-run)");
  if (format != "text" && format != "json") return usageError("--format takes text or json, not '" + format + "'");
  const bool as_json = format == "json";
  static const std::set<std::string> kFormatted = {"status", "runs", "state", "config", "plugins"};
  if (as_json && !dry_run && !kFormatted.count(cmd))
    return usageError("--format json goes with status, runs, state show, config, plugins and sync --dry-run (report and export have their own)");
  if (as_json && cmd == "state" && (positional.empty() || positional[0] != "show"))
    return usageError("--format json goes with state show");

  Setup setup;
  try {
    // Only the commands that run a connector need its secrets; the others read the store or print.
    // A sync checks the secrets itself: run by the daemon (which holds the store), it needs none here.
    const bool runs_connector = cmd == "validate" || cmd == "check" || cmd == "discover" || (cmd == "sync" && dry_run);
    setup = loadSetup(config::resolveConfigPath(config_arg),
                      runs_connector ? config::Secrets::Required : config::Secrets::Optional);
  } catch (const std::exception& e) {
    std::cerr << "abmctl: " << e.what() << "\n";
    return 2;
  }
  if (cmd == "validate") return cmdValidate(setup);
  if (cmd == "config") return cmdConfig(setup);
  if (cmd == "plugins") return cmdPlugins(setup, as_json);
  if (cmd == "check") return need(1, "NAME") ? 2 : cmdCheck(setup, positional[0]);
  if (cmd == "discover") return need(1, "NAME") ? 2 : cmdDiscover(setup, positional[0]);
  if (cmd == "sync") return need(1, "NAME [--full-refresh]") ? 2 : cmdSync(setup, positional[0], full_refresh, dry_run, wait, format);
  if (cmd == "status") return cmdStatus(setup, as_json);
  if (cmd == "runs") return positional.size() > 1 ? usageError("runs takes [NAME]") : cmdRuns(setup, positional.empty() ? "" : positional[0], limit, as_json);
  if (cmd == "state") return cmdState(setup, positional, as_json);
  if (cmd == "metrics") return cmdMetrics(setup, positional, as_of, full);
  return cmdStoreCopy(setup, positional, to_url);  // store
}

}  // namespace abm::cli
