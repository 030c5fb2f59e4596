// abmd: runs every enabled connector on its schedule and keeps the unified store up to date.
#include <csignal>
#include <iostream>
#include <string>

#include "bootstrap/setup.hpp"
#include "log/logger.hpp"
#include "scheduler/scheduler.hpp"
#include "store/lease_keeper.hpp"
#include "store/run_log.hpp"
#include "store/store_lock.hpp"

namespace {

constexpr const char* kUsage = R"(usage: abmd [-c CONFIG] [--once] [--log-format text|json]

The account-based marketing measurement daemon: pulls CRM, email, ad and web data through connector
plugins on schedules into one unified account/touchpoint store.

Options:
  -c, --config FILE   daemon config (default $ABMD_CONFIG, else /etc/abmd/abmd.json)
  --once              run every enabled connector once, then exit (non-zero if any failed)
  --log-format F      log lines as text or json (default: text on a terminal, else json, which
                      journald and log shippers store as is)
  -h, --help          this help
  --version           print the version

With an "http" key in the daemon config, abmd also listens (never with --once): the Segment-
compatible event collector for push sources (POST /v1/batch, /v1/track, ...), the read API
(/api/v1/..., bearer tokens from http.api_tokens) and Prometheus metrics (GET /metrics).

Signals: SIGHUP reloads the connectors folder and applies what it can of the daemon config (API
tokens and write keys included; the log says which changed keys need a restart); SIGTERM or SIGINT
stop accepting HTTP connections, answer the requests in flight, stop starting syncs, let running
ones checkpoint, and exit. Logs go to stderr (see --log-format). Under systemd (Type=notify) abmd
reports READY, RELOADING and STOPPING and pings the watchdog.
Docs: docs/operations.md, docs/configuration.md, docs/http.md, docs/collector.md, docs/api.md,
docs/monitoring.md.
)";

}  // namespace

int main(int argc, char** argv) {
  // A worker that dies before reading its whole job must not take the daemon down with SIGPIPE:
  // the write fails with EPIPE instead, and the worker's exit status says what happened.
  std::signal(SIGPIPE, SIG_IGN);
  std::string config_arg;
  bool once = false;
  abm::log::setFormat(abm::log::formatForStderr());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--version") {
      std::cout << "abmd " << ABMD_VERSION << "\n";
      return 0;
    }
    if (a == "--once") once = true;
    else if (a == "--log-format" || a.rfind("--log-format=", 0) == 0) {
      const std::string value = a == "--log-format" ? (i + 1 < argc ? argv[++i] : "") : a.substr(13);
      abm::log::Format format;
      if (!abm::log::parseFormat(value, format)) {
        std::cerr << "abmd: --log-format takes text or json, not '" << value << "' (see abmd --help)\n";
        return 2;
      }
      abm::log::setFormat(format);
    }
    else if ((a == "-c" || a == "--config") && i + 1 < argc) config_arg = argv[++i];
    else if (a.rfind("--config=", 0) == 0) config_arg = a.substr(9);
    else {
      std::cerr << "abmd: unknown argument '" << a << "' (see abmd --help)\n";
      return 2;
    }
  }
  const auto config_path = abm::config::resolveConfigPath(config_arg);
  abm::bootstrap::Setup setup;
  try {
    setup = abm::bootstrap::loadSetup(config_path);
  } catch (const std::exception& e) {
    abm::log::error(std::string("cannot start: ") + e.what());
    return 2;
  }
  // Without these folders abmd would run nothing and look healthy.
  if (auto folders = abm::config::requireFolders(setup.daemon); !folders) {
    abm::log::error("cannot start: " + folders.message());
    return 2;
  }
  for (const auto& e : setup.errors) abm::log::error("connector skipped: " + e);
  for (const auto& c : setup.connectors)
    for (const auto& w : c.warnings) abm::log::warn(w);

  auto lock = abm::store::StoreLock::acquire(setup.daemon.store, "abmd");
  if (!lock) {
    abm::log::error("cannot start: " + lock.error());
    return 1;
  }
  // This connection stays open while the daemon runs: with one connection always open, the runs'
  // own connections closing never checkpoint and remove the WAL under an exclusive lock, which
  // readers opening the store at that moment would meet as "database is locked".
  auto db = abm::bootstrap::openStore(setup.daemon);
  if (!db) {
    abm::log::error("cannot start: " + db.error());
    return 1;
  }
  // This daemon's instance: registered in the store, heartbeating, holding the leases of its runs.
  abm::store::LeaseKeeper::Hooks hooks;
  hooks.on_warning = [](const std::string& m) { abm::log::warn(m); };
  auto keeper = abm::store::LeaseKeeper::start(setup.daemon.store, setup.daemon.instance_id, setup.daemon.lease_ttl,
                                               std::move(hooks));
  if (!keeper) {
    abm::log::error("cannot start: " + keeper.error());
    return 1;
  }
  {
    auto closed = abm::store::closeAbandonedRuns(*db);
    if (!closed) {
      abm::log::error("cannot start: " + closed.error());
      return 1;
    }
    if (!closed->empty()) {
      std::string which;
      for (const auto& c : *closed) which += (which.empty() ? "" : "; ") + c;
      abm::log::warn(std::to_string(closed->size()) + " run(s) left running by a previous process were marked failed: " +
                     which);
    }
  }
  abm::scheduler::Scheduler scheduler(config_path, std::move(setup), **keeper);
  const int code = scheduler.run(once);
  (*keeper)->stop();  // gives back its leases and leaves the instances table
  return code;
}
