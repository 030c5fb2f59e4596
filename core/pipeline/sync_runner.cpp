#include "pipeline/sync_runner.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "log/logger.hpp"
#include "pipeline/record_validator.hpp"
#include "pipeline/store_writer.hpp"
#include "store/run_log.hpp"
#include "worker/protocol.hpp"
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
  }
  return "failed";
}

namespace {

// State shared by the message loop of one run.
class RunSession {
 public:
  RunSession(const config::DaemonConfig& daemon, const config::ConnectorConfig& c, store::Database& db,
             StoreWriter& writer, int64_t run_id)
      : daemon_(daemon), c_(c), db_(db), writer_(writer), run_id_(run_id) {}

  // Handles one message line; returns false with `fatal_` set when the run cannot go on.
  bool handle(std::string_view line);
  Status flush(bool force);
  Status finishStore();

  SyncProgress progress;
  std::string fatal_;        // a protocol or store failure found by the daemon
  std::string plugin_error_; // the plugin's own reason (TRACE error)
  std::string failure_type_;

 private:
  bool fail(std::string why) {
    fatal_ = std::move(why);
    return false;
  }
  Status ensureTx() { return writer_.inTransaction() ? Status::ok() : writer_.begin(); }
  void reject(std::string_view stream, std::string_view origin, const std::string& reason, std::string_view data);

  const config::DaemonConfig& daemon_;
  const config::ConnectorConfig& c_;
  store::Database& db_;
  StoreWriter& writer_;
  int64_t run_id_;
  worker::MessageParser parser_;
  Row row_;
  std::string error_;
  std::map<std::string, Entity, std::less<>> streams_;
  uint64_t line_no_ = 0;
  uint64_t in_tx_ = 0;
  Clock::time_point last_commit_ = Clock::now();
};

void RunSession::reject(std::string_view stream, std::string_view origin, const std::string& reason,
                        std::string_view data) {
  ++progress.rejected;
  if (progress.rejected <= 20)
    log::warn("rejected " + std::string(stream) + " record" + (origin.empty() ? "" : " at " + std::string(origin)) +
                  ": " + reason,
              c_.name, run_id_);
  else if (progress.rejected == 21)
    log::warn("more rejected records; see the rejected_records table for run " + std::to_string(run_id_), c_.name,
              run_id_);
  if (auto s = ensureTx(); !s) {
    fail(s.message());
    return;
  }
  if (auto s = writer_.saveRejected(run_id_, stream, origin, reason, data); !s) fail("store: " + s.message());
}

bool RunSession::handle(std::string_view line) {
  ++line_no_;
  if (line.empty()) return true;
  if (!parser_.parse(line)) {
    std::string head(line.substr(0, 120));
    for (char& ch : head)
      if (static_cast<unsigned char>(ch) < 0x20) ch = '?';
    return fail("plugin sent a malformed message (line " + std::to_string(line_no_) + "): " + parser_.error +
                ": " + head);
  }
  switch (parser_.type) {
    case worker::MessageType::Record: {
      const auto& rec = parser_.record;
      auto it = streams_.find(rec.stream);
      if (it == streams_.end())
        return fail("plugin sent a record of stream '" + std::string(rec.stream) + "' that it did not declare");
      if (!validateRecord(it->second, rec.fields, row_, error_)) {
        reject(rec.stream, rec.origin, error_, rec.data_raw);
        return fatal_.empty();
      }
      if (auto s = ensureTx(); !s) return fail(s.message());
      if (auto s = writer_.write(row_); !s)
        return fail("store: " + s.message() + (rec.origin.empty() ? "" : " (" + std::string(rec.origin) + ")"));
      ++progress.records;
      ++in_tx_;
      if (in_tx_ >= 2 * daemon_.batch_records) {
        if (auto s = flush(true); !s) return fail(s.message());
      }
      return true;
    }
    case worker::MessageType::State: {
      const json& st = parser_.other["state"];
      if (!st.is_object() || !st.contains("stream"))
        return fail("plugin sent a STATE message without a per-stream state");
      const json& s = st["stream"];
      const std::string stream = s.value("stream_descriptor", json::object()).value("name", "");
      if (stream.empty() || !s.contains("stream_state")) return fail("plugin sent a STATE message without a stream name");
      if (auto r = ensureTx(); !r) return fail(r.message());
      if (auto r = writer_.saveState(stream, s["stream_state"].dump()); !r) return fail("store: " + r.message());
      ++progress.checkpoints;
      if (auto r = flush(false); !r) return fail(r.message());
      return true;
    }
    case worker::MessageType::Catalog: {
      for (const auto& s : parser_.other["catalog"].value("streams", json::array())) {
        const std::string name = s.value("name", "");
        const std::string entity = s.value("entity", name);
        auto e = entityFromName(entity);
        if (!e)
          return fail("plugin stream '" + name + "' fills unknown entity '" + entity +
                      "' (expected accounts, contacts, opportunities, campaigns, touchpoints or ad_spend)");
        streams_[name] = *e;
      }
      return true;
    }
    case worker::MessageType::Log: {
      const json& l = parser_.other["log"];
      const std::string level = l.value("level", "INFO");
      const std::string msg = l.value("message", "");
      const log::Level lv = level == "ERROR" || level == "FATAL" ? log::Level::Error
                            : level == "WARN"                    ? log::Level::Warn
                            : level == "DEBUG" || level == "TRACE" ? log::Level::Debug
                                                                   : log::Level::Info;
      log::write(lv, msg, c_.name, run_id_);
      return true;
    }
    case worker::MessageType::Trace: {
      const json& t = parser_.other["trace"];
      if (t.value("type", "") != "ERROR") return true;
      const json& e = t.value("error", json::object());
      const std::string type = e.value("failure_type", "system_error");
      if (type == "record_error") {
        reject(e.value("stream", ""), e.value("origin", ""), e.value("message", "bad source row"), {});
        return fatal_.empty();
      }
      plugin_error_ = e.value("message", "plugin reported an error");
      failure_type_ = type;
      return true;
    }
    default:
      return true;  // messages this version does not use are ignored, as in the Airbyte protocol
  }
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

  StoreWriter writer(*db, c.name, free_mail_);
  RunSession session(daemon_, c, *db, writer, out.run_id);
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

  json job{{"command", "read"}, {"settings", c.settings}};
  job["state"] = options.full_refresh ? json::object() : store::loadStates(*db, c.name);

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
  std::string_view line;
  R r;
  auto next_progress = Clock::now();
  while ((r = proc->next(line)) == R::Line) {
    if (!session.handle(line)) {
      proc->kill();
      break;
    }
    if (options.progress && Clock::now() >= next_progress) {
      session.progress.elapsed = Clock::now() - started;
      options.progress(session.progress);
      next_progress = Clock::now() + std::chrono::milliseconds(500);
    }
  }
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

  if (!session.fatal_.empty()) return finish(RunStatus::Failed, session.fatal_);
  if (r != R::Eof && r != R::Line) {
    if (r == R::StopTimedOut) return finish(RunStatus::Interrupted, describeLimit(r, c, limits));
    return finish(RunStatus::Failed, describeLimit(r, c, limits));
  }
  if (!exit.exited) return finish(RunStatus::Failed, "plugin crashed: " + exit.describe());
  switch (exit.code) {
    case worker::kExitOk:
      return finish(RunStatus::Succeeded, "");
    case worker::kExitRetry:
      return finish(RunStatus::Retry, session.plugin_error_.empty() ? "plugin asked to retry" : session.plugin_error_);
    case worker::kExitStopped:
      return finish(RunStatus::Interrupted, "stopped at a checkpoint because abmd is shutting down");
    default:
      return finish(RunStatus::Failed,
                    session.plugin_error_.empty() ? exit.describe() : session.plugin_error_);
  }
}

}  // namespace abm::pipeline
