#include "pipeline/sync_runner.hpp"

#include <nlohmann/json.hpp>

#include <thread>

#include "common/timestamp.hpp"
#include "log/logger.hpp"
#include "pipeline/batch.hpp"
#include "pipeline/message_reader.hpp"
#include "pipeline/store_writer.hpp"
#include "store/run_log.hpp"
#include "worker/worker_host.hpp"
#include "worker/worker_process.hpp"

namespace abm::pipeline {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string_view runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Succeeded: return "succeeded";
    case RunStatus::Failed: return "failed";
    case RunStatus::Retry: return "retry";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::RateLimited: return "rate_limited";
  }
  return "failed";
}

namespace {

// The writing side of one run: identity resolution and upserts, checkpoints committed with the
// records they cover, rejected rows kept.
class RunSession {
 public:
  RunSession(const config::DaemonConfig& daemon, const config::ConnectorConfig& c, StoreWriter& writer,
             int64_t run_id)
      : daemon_(daemon), c_(c), writer_(writer), run_id_(run_id) {}

  // Writes one batch; returns false with `fatal` set when the run cannot go on.
  bool write(const Batch& batch);
  Status flush(bool force);
  Status finishStore();

  SyncProgress progress;
  std::string fatal;  // a store failure

 private:
  bool fail(std::string why) {
    fatal = std::move(why);
    return false;
  }
  Status ensureTx() { return writer_.inTransaction() ? Status::ok() : writer_.begin(); }
  bool reject(const BatchItem& item);

  const config::DaemonConfig& daemon_;
  const config::ConnectorConfig& c_;
  StoreWriter& writer_;
  int64_t run_id_;
  uint64_t in_tx_ = 0;
  Clock::time_point last_commit_ = Clock::now();
};

bool RunSession::reject(const BatchItem& item) {
  ++progress.rejected;
  if (progress.rejected <= 20)
    log::warn("rejected " + item.stream + " record" + (item.origin.empty() ? "" : " at " + item.origin) + ": " +
                  item.text,
              c_.name, run_id_);
  else if (progress.rejected == 21)
    log::warn("more rejected records; see the rejected_records table for run " + std::to_string(run_id_), c_.name,
              run_id_);
  if (auto s = ensureTx(); !s) return fail(s.message());
  if (auto s = writer_.saveRejected(run_id_, item.stream, item.origin, item.text, item.data); !s)
    return fail("store: " + s.message());
  return true;
}

bool RunSession::write(const Batch& batch) {
  for (const auto& item : batch.items) {
    switch (item.kind) {
      case BatchItem::Record:
        if (auto s = ensureTx(); !s) return fail(s.message());
        if (auto s = writer_.write(*item.row); !s) return fail("store: " + s.message());
        ++progress.records;
        if (++in_tx_ >= 2 * daemon_.batch_records)
          if (auto s = flush(true); !s) return fail(s.message());
        break;
      case BatchItem::State:
        if (auto s = ensureTx(); !s) return fail(s.message());
        if (auto s = writer_.saveState(item.stream, item.text); !s) return fail("store: " + s.message());
        ++progress.checkpoints;
        if (auto s = flush(false); !s) return fail(s.message());
        break;
      case BatchItem::Reject:
        if (!reject(item)) return false;
        break;
    }
  }
  return true;
}

// Commits when enough has gathered (or when forced), so checkpoints land with their records.
Status RunSession::flush(bool force) {
  if (!writer_.inTransaction()) return Status::ok();
  const bool due = in_tx_ >= daemon_.batch_records || Clock::now() - last_commit_ >= std::chrono::seconds(1);
  if (!force && !due) return Status::ok();
  if (auto s = writer_.commit(); !s) return s;
  in_tx_ = 0;
  last_commit_ = Clock::now();
  return Status::ok();
}

Status RunSession::finishStore() {
  if (auto s = ensureTx(); !s) return s;
  if (auto s = writer_.resolvePendingLinks(); !s) {
    writer_.rollback();
    return s;
  }
  return writer_.commit();
}

std::string describeLimit(worker::WorkerProcess::Read r, const config::ConnectorConfig& c,
                          const worker::WorkerLimits& limits) {
  using R = worker::WorkerProcess::Read;
  if (r == R::TimedOut)
    return "sync exceeded its time limit of " + std::to_string(limits.timeout.count() / 1000) +
           "s and was killed (raise \"timeout\" in " + c.file.string() + ")";
  if (r == R::OverMemory)
    return "plugin exceeded its memory limit of " + std::to_string(limits.memory_limit_mb) +
           " MiB and was killed (raise \"memory_limit_mb\" in " + c.file.string() + ")";
  return "plugin did not stop within " + std::to_string(limits.stop_grace.count() / 1000) +
         "s of the shutdown request and was killed";
}

}  // namespace

SyncOutcome SyncRunner::run(const config::ConnectorConfig& c, const plugin_host::PluginInfo& plugin,
                            const SyncOptions& options) {
  SyncOutcome out;
  auto db = store::Database::open(daemon_.store_path.string());
  if (!db) {
    out.error = db.error();
    return out;
  }
  auto run_id = store::startRun(*db, c.name, options.full_refresh);
  if (!run_id) {
    out.error = run_id.error();
    return out;
  }
  out.run_id = *run_id;
  log::info("sync started (plugin " + plugin.name + " " + plugin.version + (options.full_refresh ? ", full refresh" : "") + ")",
            c.name, out.run_id);

  StoreWriter writer(*db, c.name, identity_);
  RunSession session(daemon_, c, writer, out.run_id);
  const auto started = Clock::now();

  auto finish = [&](RunStatus status, std::string error) {
    out.status = status;
    out.error = std::move(error);
    out.records = session.progress.records;
    out.rejected = session.progress.rejected;
    if (auto s = store::finishRun(*db, out.run_id, std::string(runStatusName(status)),
                                  static_cast<int64_t>(out.records), static_cast<int64_t>(out.rejected), out.error);
        !s)
      log::error("cannot record the end of run: " + s.message(), c.name, out.run_id);
    const std::string summary = "sync " + std::string(runStatusName(status)) + ": " + std::to_string(out.records) +
                                " records, " + std::to_string(out.rejected) + " rejected" +
                                (out.error.empty() ? "" : ": " + out.error);
    if (status == RunStatus::Succeeded) log::info(summary, c.name, out.run_id);
    else log::error(summary, c.name, out.run_id);
    return out;
  };

  if (auto s = writer.prepare(); !s) return finish(RunStatus::Failed, "store: " + s.message());

  json job = config::workerJob(c, "read");
  job["state"] = options.full_refresh ? json::object() : store::loadStates(*db, c.name);
  auto state_dir = config::connectorStateDir(daemon_, c.name);
  if (!state_dir) return finish(RunStatus::Failed, state_dir.error());
  job["state_dir"] = state_dir->string();

  worker::WorkerLimits limits;
  limits.timeout = c.timeout.value_or(daemon_.sync_timeout);
  limits.memory_limit_mb = c.memory_limit_mb.value_or(daemon_.memory_limit_mb);
  limits.stop_grace = daemon_.shutdown_grace;
  limits.stop = options.stop;
  limits.working_dir = c.file.parent_path().string();
  const std::string connector_name = c.name;
  const int64_t rid = out.run_id;
  auto proc = worker::WorkerProcess::spawn(daemon_.worker_path.string(), {"run", plugin.path.string()}, job.dump(),
                                           limits, [connector_name, rid](std::string_view line) {
                                             log::warn("plugin stderr: " + std::string(line), connector_name, rid);
                                           });
  job = json();  // the settings may hold secrets: keep them no longer than needed
  if (!proc) return finish(RunStatus::Failed, proc.error());

  using R = worker::WorkerProcess::Read;
  BatchQueue queue(4);
  MessageReader reader(*proc, queue, c.name, out.run_id);
  std::thread reading([&] { reader.run(); });
  auto next_progress = Clock::now();
  while (auto batch = queue.pop()) {
    if (!session.write(*batch)) {
      queue.close();  // the reader stops at its next hand-over
      proc->kill();
      break;
    }
    if (options.progress && Clock::now() >= next_progress) {
      session.progress.elapsed = Clock::now() - started;
      options.progress(session.progress);
      next_progress = Clock::now() + std::chrono::milliseconds(500);
    }
  }
  reading.join();
  const R r = reader.end;
  const worker::WorkerExit exit = proc->wait();

  // Everything received intact is kept: records are idempotent and each checkpoint only covers
  // records that precede it, so the stored state is never ahead of the stored data.
  if (auto s = session.flush(true); !s) {
    writer.rollback();
    return finish(RunStatus::Failed, "store: " + s.message());
  }
  if (auto s = session.finishStore(); !s) return finish(RunStatus::Failed, "store: " + s.message());
  session.progress.elapsed = Clock::now() - started;
  if (options.progress) options.progress(session.progress);

  if (!session.fatal.empty()) return finish(RunStatus::Failed, session.fatal);
  if (!reader.fatal.empty()) return finish(RunStatus::Failed, reader.fatal);
  if (r != R::Eof && r != R::Line) {
    if (r == R::StopTimedOut) return finish(RunStatus::Interrupted, describeLimit(r, c, limits));
    return finish(RunStatus::Failed, describeLimit(r, c, limits));
  }
  if (!exit.exited) return finish(RunStatus::Failed, "plugin crashed: " + exit.describe());
  switch (exit.code) {
    case worker::kExitOk:
      return finish(RunStatus::Succeeded, "");
    case worker::kExitRetry:
      if (reader.resume_at > 0) {
        out.resume_at = reader.resume_at;
        return finish(RunStatus::RateLimited, reader.plugin_error + "; resumes at " + formatTimestamp(reader.resume_at) +
                                                  " from the last checkpoint");
      }
      return finish(RunStatus::Retry, reader.plugin_error.empty() ? "plugin asked to retry" : reader.plugin_error);
    case worker::kExitStopped:
      return finish(RunStatus::Interrupted, "stopped at a checkpoint because abmd is shutting down");
    default:
      return finish(RunStatus::Failed, reader.plugin_error.empty() ? exit.describe() : reader.plugin_error);
  }
}

}  // namespace abm::pipeline
