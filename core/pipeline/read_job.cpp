#include "pipeline/read_job.hpp"

namespace abm::pipeline {

Result<nlohmann::json> readJob(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                               nlohmann::json states) {
  nlohmann::json job = config::workerJob(c, "read");
  job["state"] = std::move(states);
  auto state_dir = config::connectorStateDir(daemon, c.name);
  if (!state_dir) return state_dir.status();
  job["state_dir"] = state_dir->string();
  return job;
}

worker::WorkerLimits readLimits(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                                const std::atomic<bool>* stop) {
  worker::WorkerLimits limits;
  limits.timeout = c.timeout.value_or(daemon.sync_timeout);
  limits.memory_limit_mb = c.memory_limit_mb.value_or(daemon.memory_limit_mb);
  limits.stop_grace = daemon.shutdown_grace;
  limits.stop = stop;
  limits.working_dir = c.file.parent_path().string();
  return limits;
}

}  // namespace abm::pipeline
