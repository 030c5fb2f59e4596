#include "pipeline/run_end.hpp"

#include <csignal>

#include "common/timestamp.hpp"
#include "wire/protocol.hpp"

namespace abm::pipeline {

std::string_view runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Succeeded: return "succeeded";
    case RunStatus::Failed: return "failed";
    case RunStatus::Retry: return "retry";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::RateLimited: return "rate_limited";
    case RunStatus::HeldElsewhere: return "held_elsewhere";
    case RunStatus::NotDue: return "not_due";
  }
  return "failed";
}

bool isRecordedRun(RunStatus s) { return s != RunStatus::HeldElsewhere && s != RunStatus::NotDue; }

namespace {

using Read = worker::WorkerProcess::Read;
using log::Level;

std::string seconds(std::chrono::milliseconds d) { return std::to_string(d.count() / 1000) + "s"; }

RunEnd ended(RunStatus status, std::string error, Level level) { return {status, std::move(error), level, 0}; }

RunEnd limitHit(const RunFacts& f) {
  const RunLimits& l = f.limits;
  if (f.read_end == Read::TimedOut)
    return ended(RunStatus::Failed,
                 "sync exceeded its time limit of " + seconds(l.timeout) + " and was killed (raise \"timeout\" in " +
                     l.connector_file + ")",
                 Level::Error);
  if (f.read_end == Read::OverMemory)
    return ended(RunStatus::Failed,
                 "plugin exceeded its memory limit of " + std::to_string(l.memory_limit_mb) +
                     " MiB and was killed (raise \"memory_limit_mb\" in " + l.connector_file + ")",
                 Level::Error);
  // Asked to stop and it did not: the run is interrupted all the same, but the plugin deserves a look.
  return ended(RunStatus::Interrupted,
               "plugin did not stop within " + seconds(l.stop_grace) +
                   " of the shutdown request and was killed; the next run resumes from the last checkpoint",
               Level::Warn);
}

}  // namespace

RunEnd decideRunEnd(const RunFacts& f) {
  // Another instance owns the connector now: whatever else went wrong followed from the stop.
  if (!f.lease_lost.empty())
    return ended(RunStatus::Interrupted,
                 "lease lost (" + f.lease_lost +
                     "): stopped at once, nothing more committed; the instance holding the lease resumes from "
                     "the last checkpoint",
                 Level::Warn);
  if (!f.store_error.empty()) return ended(RunStatus::Failed, f.store_error, Level::Error);
  if (!f.internal_error.empty()) return ended(RunStatus::Failed, f.internal_error, Level::Error);
  if (f.read_end != Read::Eof && f.read_end != Read::Line) return limitHit(f);
  // A worker that died of a signal it was not sent by us crashed, whatever its cut-off last line
  // looked like: the crash is the cause, the broken message only its consequence.
  // The shutdown's SIGTERM reached a worker before it could take it as a stop request.
  if (!f.exit.exited && f.exit.code == SIGTERM && f.stop_requested)
    return ended(RunStatus::Interrupted, "stopped by the shutdown before the plugin could checkpoint", Level::Info);
  const bool killed_for_protocol = f.exit.killed_by_host && !f.protocol_error.empty();
  if (!f.exit.exited && !killed_for_protocol)
    return ended(RunStatus::Failed, "plugin crashed: " + f.exit.describe(), Level::Error);
  if (!f.protocol_error.empty()) return ended(RunStatus::Failed, f.protocol_error, Level::Error);
  switch (f.exit.code) {
    case wire::kExitOk:
      return ended(RunStatus::Succeeded, "", Level::Info);
    case wire::kExitRetry:
      if (f.resume_at > 0) {
        RunEnd e = ended(RunStatus::RateLimited,
                         f.plugin_error + "; resumes at " + formatTimestamp(f.resume_at) + " from the last checkpoint",
                         Level::Warn);
        e.resume_at = f.resume_at;
        return e;
      }
      // A plugin cut short in a retry wait by the shutdown was stopped, not failing.
      if (f.stop_requested)
        return ended(RunStatus::Interrupted,
                     "stopped while waiting to retry because abmd is shutting down" +
                         (f.plugin_error.empty() ? std::string() : " (" + f.plugin_error + ")"),
                     Level::Info);
      return ended(RunStatus::Retry, f.plugin_error.empty() ? "plugin asked to retry" : f.plugin_error, Level::Error);
    case wire::kExitStopped:
      return ended(RunStatus::Interrupted, "stopped at a checkpoint because abmd is shutting down", Level::Info);
    default:
      return ended(RunStatus::Failed, f.plugin_error.empty() ? f.exit.describe() : f.plugin_error, Level::Error);
  }
}

}  // namespace abm::pipeline
