// How a run ended and what the operator is told: a pure function of what the run saw (the store,
// the message stream, the worker's exit, the shutdown request), so every ending is unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "log/logger.hpp"
#include "worker/worker_process.hpp"

namespace abm::pipeline {

// The last two are not runs: the connector's lease is held by another live instance, or another
// instance has just done the run this one was about to start. Neither is recorded in sync_runs.
enum class RunStatus { Succeeded, Failed, Retry, Interrupted, RateLimited, HeldElsewhere, NotDue };
std::string_view runStatusName(RunStatus s);
// Whether the outcome is a run recorded in sync_runs (not HeldElsewhere or NotDue).
bool isRecordedRun(RunStatus s);

// The limits the worker ran under, for messages that say which setting to raise.
struct RunLimits {
  std::chrono::milliseconds timeout{0};
  size_t memory_limit_mb = 0;
  std::chrono::milliseconds stop_grace{0};
  std::string connector_file;
};

// Everything a run saw, gathered after the worker has been reaped and the store settled.
struct RunFacts {
  std::string store_error;     // the writing side failed ("store: ...")
  std::string internal_error;  // an exception escaped one of the run's threads
  std::string protocol_error;  // the daemon found the message stream broken
  worker::WorkerProcess::Read read_end = worker::WorkerProcess::Read::Eof;
  worker::WorkerExit exit{true, 0, false};
  std::string plugin_error;    // the plugin's own reason (TRACE error)
  int64_t resume_at = 0;       // the vendor's quota is back then (TRACE rate_limited)
  bool stop_requested = false;  // the daemon is shutting down
  std::string lease_lost;       // why the connector's lease was lost ("taken by host:pid"); nothing more was committed
  RunLimits limits;
};

struct RunEnd {
  RunStatus status = RunStatus::Failed;
  std::string error;  // one line: what failed and where ("" on success)
  log::Level level = log::Level::Error;  // of the run's summary line
  int64_t resume_at = 0;
};

RunEnd decideRunEnd(const RunFacts& facts);

}  // namespace abm::pipeline
