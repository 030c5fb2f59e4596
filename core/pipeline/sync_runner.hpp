// One sync of one connector, end to end: record the run, start the worker, validate and write
// what it sends, commit checkpoints with their records, and record how the run ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "pipeline/identity_rules.hpp"
#include "pipeline/run_end.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "store/database.hpp"

namespace abm::pipeline {

struct SyncProgress {
  uint64_t records = 0;
  uint64_t rejected = 0;
  uint64_t checkpoints = 0;
  std::chrono::steady_clock::duration elapsed{};
};

struct SyncOutcome {
  int64_t run_id = 0;
  RunStatus status = RunStatus::Failed;
  uint64_t records = 0;
  uint64_t rejected = 0;
  std::string error;  // one line: what failed and where
  int64_t resume_at = 0;  // RateLimited: when the vendor's quota allows the next run (epoch seconds)
};

struct SyncOptions {
  bool full_refresh = false;
  std::string owner = "abmd";                           // the process kind recorded on the run
  const std::atomic<bool>* stop = nullptr;              // daemon shutdown
  std::function<void(const SyncProgress&)> progress;    // called about twice a second
  std::function<void(int64_t run_id)> on_recorded;       // once the run is in sync_runs, before it starts
};

class SyncRunner {
 public:
  SyncRunner(const config::DaemonConfig& daemon, const IdentityRules& identity)
      : daemon_(daemon), identity_(identity) {}

  // Never throws: whatever goes wrong ends the run, with the reason in the outcome and the run log.
  SyncOutcome run(const config::ConnectorConfig& connector, const plugin_host::PluginInfo& plugin,
                  const SyncOptions& options);

 private:
  SyncOutcome runRecorded(store::Database& db, int64_t run_id, const config::ConnectorConfig& connector,
                          const plugin_host::PluginInfo& plugin, const SyncOptions& options);

  const config::DaemonConfig& daemon_;
  const IdentityRules& identity_;
};

}  // namespace abm::pipeline
