#include "pipeline/sync_runner.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <thread>

#include "common/catch_all.hpp"
#include "common/timestamp.hpp"
#include "log/logger.hpp"
#include "pipeline/batch.hpp"
#include "pipeline/message_reader.hpp"
#include "pipeline/read_job.hpp"
#include "pipeline/store_writer.hpp"
#include "store/deleted_records.hpp"
#include "store/touchpoint_batch.hpp"
#include "store/instances.hpp"
#include "store/run_log.hpp"
#include "worker/worker_process.hpp"

namespace abm::pipeline {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// The run's side of its lease: set from the lease keeper's thread when the lease is lost, it kills
// the worker at once (nothing it sends could be committed any more) and tells the writer to stop.
class LeaseLoss {
 public:
  void trigger(const std::string& why) {
    std::lock_guard lock(mu_);
    if (lost_) return;
    why_ = why;
    lost_ = true;
    if (proc_) proc_->kill();
  }
  void attach(worker::WorkerProcess* proc) {
    std::lock_guard lock(mu_);
    proc_ = proc;
    if (lost_ && proc_) proc_->kill();
  }
  bool lost() const { return lost_; }
  std::string why() const {
    std::lock_guard lock(mu_);
    return why_;
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> lost_{false};
  std::string why_;
  worker::WorkerProcess* proc_ = nullptr;
};

// Keeps the loss pointing at the worker only while it may be signalled (never after it is reaped).
class AttachedWorker {
 public:
  AttachedWorker(LeaseLoss* loss, worker::WorkerProcess* proc) : loss_(loss) {
    if (loss_) loss_->attach(proc);
  }
  ~AttachedWorker() { detach(); }
  void detach() {
    if (loss_) loss_->attach(nullptr);
    loss_ = nullptr;
  }

 private:
  LeaseLoss* loss_;
};

// Checked inside every commit of the run's data: a commit after another instance took the lease
// would write beside that instance's run. The lease is taken in a write transaction too, so the
// check and a takeover never interleave.
struct LeaseFence {
  std::string resource, holder;
  LeaseLoss* loss = nullptr;
};

// The writing side of one run: identity resolution and upserts, checkpoints committed with the
// records they cover (and the run's counts with them), rejected rows kept.
class RunSession {
 public:
  RunSession(const config::DaemonConfig& daemon, const config::ConnectorConfig& c, store::Database& db,
             StoreWriter& writer, int64_t run_id, const LeaseFence* fence,
             std::function<bool(const std::string&)> on_checkpoint)
      : daemon_(daemon), c_(c), db_(db), writer_(writer), run_id_(run_id), fence_(fence),
        on_checkpoint_(std::move(on_checkpoint)) {}

  // Writes one batch; returns false with `fatal` set when the run cannot go on.
  bool write(const Batch& batch);
  Status flush(bool force);
  Status finishStore();

  SyncProgress progress;
  uint64_t committed_records = 0;  // what the store holds of this run, as its row says
  uint64_t committed_rejected = 0;
  std::string fatal;  // a store failure

 private:
  bool fail(std::string why) {
    fatal = std::move(why);
    return false;
  }
  Status ensureTx() { return writer_.inTransaction() ? Status::ok() : writer_.begin(); }
  bool reject(const BatchItem& item);
  // The run's counts ride in the transaction they describe, so a killed process leaves them true.
  Status commit();

  const config::DaemonConfig& daemon_;
  const config::ConnectorConfig& c_;
  store::Database& db_;
  StoreWriter& writer_;
  int64_t run_id_;
  const LeaseFence* fence_;
  std::function<bool(const std::string&)> on_checkpoint_;
  uint64_t in_tx_ = 0;
  Clock::time_point last_commit_ = Clock::now();
};

bool RunSession::reject(const BatchItem& item) {
  ++progress.rejected;
  ++progress.streams[item.stream].second;
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
  if (fence_ && fence_->loss->lost()) return fail("lease lost");
  // The transaction in which the ids the rest of the batch names were prefetched (each transaction
  // on PostgreSQL starts with the cache forgotten); 0: none yet.
  uint64_t prefetched_in = 0;
  for (size_t i = 0; i < batch.items.size(); ++i) {
    const BatchItem& item = batch.items[i];
    switch (item.kind) {
      case BatchItem::Record:
        if (auto s = ensureTx(); !s) return fail(s.message());
        if (prefetched_in != writer_.transactionsBegun()) {
          if (auto s = writer_.prefetchIds(std::span(batch.items).subspan(i)); !s) return fail("store: " + s.message());
          prefetched_in = writer_.transactionsBegun();
        }
        if (auto s = writer_.write(*item.row); !s) return fail("store: " + s.message());
        ++progress.records;
        if (item.record_stream) ++progress.streams[*item.record_stream].first;
        if (++in_tx_ >= 2 * daemon_.batch_records)
          if (auto s = flush(true); !s) return fail(s.message());
        break;
      case BatchItem::State:
        if (auto s = ensureTx(); !s) return fail(s.message());
        if (auto s = writer_.saveState(item.stream, item.text); !s) return fail("store: " + s.message());
        ++progress.checkpoints;
        if (auto s = flush(false); !s) return fail(s.message());
        if (on_checkpoint_ && !on_checkpoint_(item.stream)) return fail("stopped after the checkpoint of " + item.stream);
        break;
      case BatchItem::Reject:
        if (!reject(item)) return false;
        break;
    }
  }
  return true;
}

Status RunSession::commit() {
  if (fence_) {
    auto holder = store::leaseHolder(db_, fence_->resource);
    if (!holder) return holder.status();
    if (*holder != fence_->holder)
      fence_->loss->trigger(fence_->resource + (*holder ? " taken by " + **holder : std::string(" removed from the store")));
    if (fence_->loss->lost()) return Status::error("lease lost");
  }
  if (auto s = store::recordProgress(db_, run_id_, static_cast<int64_t>(progress.records),
                                     static_cast<int64_t>(progress.rejected));
      !s)
    return s;
  if (auto s = writer_.commit(); !s) return s;
  committed_records = progress.records;
  committed_rejected = progress.rejected;
  return Status::ok();
}

// Commits when enough has gathered (or when forced), so checkpoints land with their records.
Status RunSession::flush(bool force) {
  if (!writer_.inTransaction()) return Status::ok();
  const bool due = in_tx_ >= daemon_.batch_records || Clock::now() - last_commit_ >= std::chrono::seconds(1);
  if (!force && !due) return Status::ok();
  if (auto s = commit(); !s) return s;
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
  return commit();
}

// Moves the worker's messages into the store: a reading thread parses and validates, this thread
// writes. Either side failing, or throwing, stops the other and the worker; the facts say why.
void streamToStore(worker::WorkerProcess& proc, RunSession& session, const std::string& connector, int64_t run_id,
                   const SyncOptions& options, Clock::time_point started, RunFacts& facts) {
  BatchQueue queue(4);
  MessageReader reader(proc, queue, connector, run_id);
  std::string reader_crash;
  std::thread reading([&] {
    reader_crash = catchAll([&] { reader.run(); });
    if (!reader_crash.empty()) {
      proc.kill();
      queue.close();
    }
  });
  const std::string writer_crash = catchAll([&] {
    auto next_progress = Clock::now();
    while (auto batch = queue.pop()) {
      if (!session.write(*batch)) {
        queue.close();  // the reader stops at its next hand-over
        proc.kill();
        break;
      }
      if (options.progress && Clock::now() >= next_progress) {
        session.progress.elapsed = Clock::now() - started;
        options.progress(session.progress);
        next_progress = Clock::now() + std::chrono::milliseconds(500);
      }
    }
  });
  if (!writer_crash.empty()) {
    queue.close();
    proc.kill();
  }
  reading.join();
  facts.internal_error = !writer_crash.empty() ? writer_crash : reader_crash;
  facts.read_end = reader.end;
  facts.protocol_error = reader.fatal;
  facts.plugin_error = reader.plugin_error;
  facts.resume_at = reader.resume_at;
}

}  // namespace

// The lease a run holds, given back once the run's end is recorded (or it did not start).
struct SyncRunner::Lease {
  store::LeaseKeeper* keeper = nullptr;
  std::string resource;
  std::shared_ptr<LeaseLoss> loss = std::make_shared<LeaseLoss>();
  LeaseFence fence;
  Lease() = default;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    if (keeper) keeper->release(resource);
  }
};

bool SyncRunner::takeLease(store::Database& db, const config::ConnectorConfig& c, const SyncOptions& options,
                           Lease& lease, SyncOutcome& out) {
  store::LeaseKeeper& keeper = *options.lease;
  // No run is recorded yet, so the log is the only place a store failure here shows.
  auto failed = [&](const std::string& error) {
    out.error = error;
    log::error("sync not started: " + error, c.name);
    return false;
  };
  const std::string resource = "connector:" + c.name;
  auto taken = keeper.acquire(resource, [loss = lease.loss](const std::string& r, const std::string& why) {
    loss->trigger(r + " " + why);
  });
  if (!taken) return failed(taken.error());
  if (!*taken) {
    out.status = RunStatus::HeldElsewhere;
    auto current = store::readLease(db, resource);
    out.error = current && *current ? "held by instance " + (*current)->holder + " until " + (*current)->expires_at
                                    : "held by another instance";
    log::debug("not syncing here: " + resource + " is " + out.error, c.name);
    return false;
  }
  lease.keeper = &keeper;
  lease.resource = resource;
  lease.fence = {resource, keeper.instanceId(), lease.loss.get()};
  // Whatever is still 'running' was left by an instance that lost this lease: it is over.
  auto closed = store::closeRunsLeftUnfinished(db, c.name, keeper.instanceId());
  if (!closed) return failed(closed.error());
  for (const auto& line : *closed) log::warn("closed " + line, c.name);

  // Another instance may have done this run while this one waited for the lease.
  const DueCheck& due = options.due;
  if (due.kind == DueCheck::Always) return true;
  if (due.kind == DueCheck::Interval) {
    auto until = store::notDueUntil(db, c.name, due.interval);
    if (!until) return failed(until.error());
    if (*until) {
      out.status = RunStatus::NotDue;
      out.due_at = **until;
      log::debug("not due: synced less than an interval ago; due again at " + formatTimestamp(out.due_at), c.name);
      return false;
    }
  }
  auto ran = due.after_run > 0 ? store::ranAfter(db, c.name, due.after_run) : store::ranSince(db, c.name, due.fire_time);
  if (!ran) return failed(ran.error());
  if (*ran) {
    out.status = RunStatus::NotDue;
    log::debug("not due: a sync has started since it fell due at " + formatTimestamp(due.fire_time), c.name);
    return false;
  }
  return true;
}

SyncOutcome SyncRunner::run(const config::ConnectorConfig& c, const plugin_host::PluginInfo& plugin,
                            const SyncOptions& options) {
  SyncOutcome out;
  auto db = store::Database::open(daemon_.store);
  if (!db) {
    out.error = db.error();
    return out;
  }
  Lease lease;  // given back last, after the run's end is recorded
  if (options.lease && !takeLease(*db, c, options, lease, out)) return out;
  auto run_id = store::startRun(*db, c.name, options.full_refresh, options.owner,
                                options.lease ? options.lease->instanceId() : "");
  if (!run_id) {
    out.error = run_id.error();
    return out;
  }
  out.run_id = *run_id;
  if (options.on_recorded) options.on_recorded(*run_id);
  const std::string crash = catchAll([&] { out = runRecorded(*db, *run_id, c, plugin, options, lease.keeper ? &lease : nullptr); });
  if (crash.empty()) return out;
  out.run_id = *run_id;
  out.status = RunStatus::Failed;
  out.error = crash;
  (void)db->exec("ROLLBACK");  // whatever the exception left open; the committed counts stay
  if (auto s = store::failRun(*db, *run_id, crash); !s)
    log::error("cannot record the end of the run: " + s.message(), c.name, *run_id);
  log::error("sync failed: " + crash, c.name, *run_id);
  return out;
}

SyncOutcome SyncRunner::runRecorded(store::Database& db, int64_t run_id, const config::ConnectorConfig& c,
                                    const plugin_host::PluginInfo& plugin, const SyncOptions& options, Lease* lease) {
  SyncOutcome out;
  out.run_id = run_id;
  log::info("sync started (plugin " + plugin.name + " " + plugin.version + (options.full_refresh ? ", full refresh" : "") + ")",
            c.name, run_id);

  StoreWriter writer(db, c.name, identity_);
  RunSession session(daemon_, c, db, writer, run_id, lease ? &lease->fence : nullptr, options.on_checkpoint);
  LeaseLoss* loss = lease ? lease->loss.get() : nullptr;
  const auto started = Clock::now();

  auto finish = [&](RunEnd end) {
    out.status = end.status;
    out.error = std::move(end.error);
    out.resume_at = end.resume_at;
    out.lease_lost = loss && loss->lost();
    // Counts of what was committed: a final commit that failed does not count.
    out.records = session.committed_records;
    out.rejected = session.committed_rejected;
    const auto records = static_cast<int64_t>(out.records), rejected = static_cast<int64_t>(out.rejected);
    const std::string status(runStatusName(out.status));
    if (auto s = store::finishRun(db, run_id, status, records, rejected, out.error); !s) {
      // A failed commit (a full disk) can leave its transaction open; without it the update may fit.
      if (writer.inTransaction()) writer.rollback();
      if (auto again = store::finishRun(db, run_id, status, records, rejected, out.error); !again)
        log::error("cannot record the end of the run (" + again.message() +
                       "); it is closed as failed when the connector next runs",
                   c.name, run_id);
    }
    // Outside the run's transactions, so that making a partition waits for no one holding ours.
    if (!writer.inTransaction()) {
      if (auto moved = store::moveWaitingTouchpoints(db); !moved)
        log::warn("touchpoints waiting in touchpoints_default stay there until the next run: " + moved.error(), c.name,
                  run_id);
      else if (*moved > 0)
        log::info("made the touchpoint partitions of " + std::to_string(*moved) +
                      " month(s) and moved their rows out of touchpoints_default",
                  c.name, run_id);
      // The end of a run is when deletions are logged: the log is kept short there too.
      if (auto pruned = store::pruneDeletedRecords(db, daemon_.deleted_records_retention); !pruned)
        log::warn(pruned.error() + "; tried again at the end of the next run", c.name, run_id);
      else if (*pruned > 0)
        log::info("pruned " + std::to_string(*pruned) + " deletion(s) older than deleted_records_retention from deleted_records",
                  c.name, run_id);
    }
    log::write(end.level,
               "sync " + status + ": " + std::to_string(out.records) + " records, " + std::to_string(out.rejected) +
                   " rejected" + (out.error.empty() ? "" : ": " + out.error),
               c.name, run_id);
    return out;
  };
  auto failed = [&](std::string why) { return finish({RunStatus::Failed, std::move(why), log::Level::Error, 0}); };

  if (auto s = writer.prepare(); !s) return failed("store: " + s.message());
  json states = json::object();
  if (!options.full_refresh) {
    auto stored = store::loadStates(db, c.name);
    if (!stored) return failed("store: " + stored.error());
    states = std::move(*stored);
  }
  auto job = readJob(daemon_, c, std::move(states));
  if (!job) return failed(job.error());

  RunFacts facts;
  const worker::WorkerLimits limits = readLimits(daemon_, c, options.stop);
  facts.limits = {limits.timeout, limits.memory_limit_mb, limits.stop_grace, c.file.string()};
  const std::string connector_name = c.name;
  auto proc = worker::WorkerProcess::spawn(daemon_.worker_path.string(), {"run", plugin.path.string()}, job->dump(),
                                           limits, [connector_name, run_id](std::string_view line) {
                                             log::warn("plugin stderr: " + std::string(line), connector_name, run_id);
                                           });
  *job = json();  // the settings may hold secrets: keep them no longer than needed
  if (!proc) return failed(proc.error());

  AttachedWorker attached(loss, &*proc);
  streamToStore(*proc, session, c.name, run_id, options, started, facts);
  attached.detach();
  facts.exit = proc->wait();
  facts.stop_requested = options.stop && options.stop->load();

  // Everything received intact is kept: records are idempotent and each checkpoint only covers
  // records that precede it, so the stored state is never ahead of the stored data. Unless the
  // lease is lost: then another instance owns the connector and nothing more may be committed. On
  // PostgreSQL a failed statement ends its transaction: what it held goes back with its checkpoint
  // (the next run fetches it again), and the error to report is the one that ended it.
  if (loss && loss->lost()) {
    if (writer.inTransaction()) writer.rollback();
    facts.lease_lost = loss->why();
  } else if (!session.fatal.empty() && writer.inTransaction() && !db.transactionUsable()) {
    writer.rollback();
    facts.store_error = session.fatal;
  } else if (auto s = session.flush(true); !s) {
    writer.rollback();
    facts.store_error = "store: " + s.message();
  } else if (auto f = session.finishStore(); !f) {
    facts.store_error = "store: " + f.message();
  } else {
    facts.store_error = session.fatal;
  }
  if (loss && loss->lost()) facts.lease_lost = loss->why();  // the fence of the last commit found it
  session.progress.elapsed = Clock::now() - started;
  if (options.progress) options.progress(session.progress);
  return finish(decideRunEnd(facts));
}

}  // namespace abm::pipeline
