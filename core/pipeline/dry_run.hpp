// A sync that writes nothing (abmctl sync NAME --dry-run): the connector's worker reads every
// stream as in a real sync, every record is validated by the same rules, and what the run would
// write is counted instead of written. The store is not opened by the run at all.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "pipeline/run_end.hpp"
#include "plugin_host/plugin_registry.hpp"

namespace abm::pipeline {

struct DryRunRejection {
  std::string origin;  // where in the source ("row 12", "crm:42"), or ""
  std::string reason;  // the rule the row broke, as a real sync records it
};

struct DryRunStream {
  std::string entity;                     // what the stream fills, as the plugin declared it
  uint64_t records = 0;                   // valid rows that would be written (upserts)
  uint64_t deletions = 0;                 // of which rows the source deleted ("_deleted": true)
  uint64_t rejected = 0;                  // rows a real sync would keep in rejected_records
  std::vector<DryRunRejection> rejections;  // the first kMaxRejectionsShown of them
  uint64_t checkpoints = 0;               // checkpoints the plugin sent
  std::optional<std::string> checkpoint;  // the last one: what a real sync would commit (JSON text)
};

struct DryRunReport {
  RunStatus status = RunStatus::Failed;  // what a real sync would have ended as
  std::string error;                     // one line, as a real sync reports it ("" on success)
  int64_t resume_at = 0;                 // RateLimited: when the vendor's quota is back (epoch seconds)
  std::map<std::string, DryRunStream> streams;  // by stream name; every declared stream, read or not
  uint64_t records = 0, rejected = 0;
};

inline constexpr size_t kMaxRejectionsShown = 20;

// Reads connector `c` with the checkpoints `states` ({stream: state}; {} starts over) and reports
// what a sync would write. The worker's log lines go to the log as in a sync.
DryRunReport dryRun(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                    const plugin_host::PluginInfo& plugin, nlohmann::json states,
                    const std::atomic<bool>* stop = nullptr);

// The report as JSON: {"connector", "status", "error", "records", "rejected", "streams": {name:
// {"entity", "records", "deletions", "rejected", "rejections": [{"origin", "reason"}], "checkpoint"}}}.
nlohmann::json dryRunJson(const std::string& connector, const DryRunReport& report);

}  // namespace abm::pipeline
