// What a read run hands its worker, shared by a sync and a dry run so the two read alike: the job
// (settings, the checkpoints, the connector's state folder) and the limits it runs under.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>

#include "common/status.hpp"
#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "worker/worker_process.hpp"

namespace abm::pipeline {

// The worker's "read" job for `c`, handing it `states` ({stream: checkpoint}; {} starts over).
Result<nlohmann::json> readJob(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                               nlohmann::json states);

// The time and memory limits of a read of `c`; `stop` is the daemon's shutdown flag (or null).
worker::WorkerLimits readLimits(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                                const std::atomic<bool>* stop);

}  // namespace abm::pipeline
