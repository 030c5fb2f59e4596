// One sync of one connector, end to end: take the connector's lease, record the run, start the
// worker, validate and write what it sends, commit checkpoints with their records, and record how
// the run ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "pipeline/identity_rules.hpp"
#include "pipeline/run_end.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "store/database.hpp"
#include "store/lease_keeper.hpp"

namespace abm::pipeline {

struct SyncProgress {
  uint64_t records = 0;
  uint64_t rejected = 0;
  uint64_t checkpoints = 0;
  std::chrono::steady_clock::duration elapsed{};
  // Per stream: records written and rejected (abm-plugin-test reports them).
  std::map<std::string, std::pair<uint64_t, uint64_t>, std::less<>> streams;
};

struct SyncOutcome {
  int64_t run_id = 0;
  RunStatus status = RunStatus::Failed;
  uint64_t records = 0;
  uint64_t rejected = 0;
  std::string error;  // one line: what failed and where
  int64_t resume_at = 0;  // RateLimited: when the vendor's quota allows the next run (epoch seconds)
  int64_t due_at = 0;     // NotDue, interval schedules: when the connector is due again (epoch seconds)
  bool lease_lost = false;  // Interrupted because another instance took the connector's lease
};

// Whether a run a timer started is still due once its lease is taken: another instance may have
// just done it. Runs asked for by hand (abmctl sync, the API) are always due.
struct DueCheck {
  enum Kind { Always, Interval, Cron } kind = Always;
  // Interval and Cron: the time the timer fired for (epoch seconds). A run that started since, and
  // was not interrupted, did this one (or failed, and its own instance retries it).
  int64_t fire_time = 0;
  std::chrono::seconds interval{0};  // Interval: also not due while the last success is younger than this
  // A retry of this failed run: due unless a run has started after it. (Its time would not do: the
  // store's times are whole seconds, and a retry may fall due in the second its failed run began.)
  int64_t after_run = 0;
};

struct SyncOptions {
  bool full_refresh = false;
  std::string owner = "abmd";                           // the process kind recorded on the run
  const std::atomic<bool>* stop = nullptr;              // daemon shutdown
  std::function<void(const SyncProgress&)> progress;    // called about twice a second
  std::function<void(int64_t run_id)> on_recorded;       // once the run is in sync_runs, before it starts
  // After each checkpoint is written; false ends the run there, as if the worker died right after
  // it (abm-plugin-test tests resuming so). The run then fails with the hook's reason.
  std::function<bool(const std::string& stream)> on_checkpoint;
  // Takes "connector:<name>" before the run is recorded and gives it back once its end is; the run
  // stops when the lease is lost. None: this process is the store's only writer (no lease).
  store::LeaseKeeper* lease = nullptr;
  DueCheck due;
};

class SyncRunner {
 public:
  SyncRunner(const config::DaemonConfig& daemon, const IdentityRules& identity)
      : daemon_(daemon), identity_(identity) {}

  // Never throws: whatever goes wrong ends the run, with the reason in the outcome and the run log.
  SyncOutcome run(const config::ConnectorConfig& connector, const plugin_host::PluginInfo& plugin,
                  const SyncOptions& options);

 private:
  struct Lease;
  // Takes the lease and checks the run is still due; false with `out` saying why not.
  bool takeLease(store::Database& db, const config::ConnectorConfig& connector, const SyncOptions& options,
                 Lease& lease, SyncOutcome& out);
  SyncOutcome runRecorded(store::Database& db, int64_t run_id, const config::ConnectorConfig& connector,
                          const plugin_host::PluginInfo& plugin, const SyncOptions& options, Lease* lease);

  const config::DaemonConfig& daemon_;
  const IdentityRules& identity_;
};

}  // namespace abm::pipeline
