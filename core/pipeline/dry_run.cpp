#include "pipeline/dry_run.hpp"

#include <thread>

#include "common/catch_all.hpp"
#include "log/logger.hpp"
#include "pipeline/batch.hpp"
#include "pipeline/message_reader.hpp"
#include "pipeline/read_job.hpp"

namespace abm::pipeline {

namespace {

void count(const Batch& batch, DryRunReport& report) {
  for (const auto& item : batch.items) {
    switch (item.kind) {
      case BatchItem::Record: {
        auto& s = report.streams[*item.record_stream];
        ++s.records;
        if (item.row->deleted) ++s.deletions;
        ++report.records;
        break;
      }
      case BatchItem::State: {
        auto& s = report.streams[item.stream];
        ++s.checkpoints;
        s.checkpoint = item.text;
        break;
      }
      case BatchItem::Reject: {
        auto& s = report.streams[item.stream];
        ++s.rejected;
        if (s.rejections.size() < kMaxRejectionsShown) s.rejections.push_back({item.origin, item.text});
        ++report.rejected;
        break;
      }
    }
  }
}

}  // namespace

DryRunReport dryRun(const config::DaemonConfig& daemon, const config::ConnectorConfig& c,
                    const plugin_host::PluginInfo& plugin, nlohmann::json states, const std::atomic<bool>* stop) {
  DryRunReport report;
  auto failed = [&](std::string why) {
    report.status = RunStatus::Failed;
    report.error = std::move(why);
    return report;
  };
  auto job = readJob(daemon, c, std::move(states));
  if (!job) return failed(job.error());
  RunFacts facts;
  const worker::WorkerLimits limits = readLimits(daemon, c, stop);
  facts.limits = {limits.timeout, limits.memory_limit_mb, limits.stop_grace, c.file.string()};
  const std::string connector = c.name;
  auto proc = worker::WorkerProcess::spawn(daemon.worker_path.string(), {"run", plugin.path.string()}, job->dump(),
                                           limits, [connector](std::string_view line) {
                                             log::warn("plugin stderr: " + std::string(line), connector);
                                           });
  *job = nlohmann::json();  // the settings may hold secrets
  if (!proc) return failed(proc.error());

  // The reading side is a sync's own; this side counts where a sync writes.
  BatchQueue queue(4);
  MessageReader reader(*proc, queue, c.name, 0);
  std::string reader_crash;
  std::thread reading([&] {
    reader_crash = catchAll([&] { reader.run(); });
    if (!reader_crash.empty()) {
      proc->kill();
      queue.close();
    }
  });
  while (auto batch = queue.pop()) count(*batch, report);
  reading.join();
  for (const auto& [name, entity] : reader.streams()) report.streams[name].entity = std::string(entityName(entity));
  facts.internal_error = reader_crash;
  facts.read_end = reader.end;
  facts.protocol_error = reader.fatal;
  facts.plugin_error = reader.plugin_error;
  facts.resume_at = reader.resume_at;
  facts.exit = proc->wait();
  facts.stop_requested = stop && stop->load();
  const RunEnd end = decideRunEnd(facts);
  report.status = end.status;
  report.error = end.error;
  report.resume_at = end.resume_at;
  return report;
}

nlohmann::json dryRunJson(const std::string& connector, const DryRunReport& report) {
  nlohmann::json out = {{"connector", connector},
                        {"status", std::string(runStatusName(report.status))},
                        {"error", report.error},
                        {"records", report.records},
                        {"rejected", report.rejected},
                        {"streams", nlohmann::json::object()}};
  for (const auto& [name, s] : report.streams) {
    nlohmann::json rejections = nlohmann::json::array();
    for (const auto& r : s.rejections) rejections.push_back({{"origin", r.origin}, {"reason", r.reason}});
    nlohmann::json checkpoint;  // null: none sent
    if (s.checkpoint) checkpoint = nlohmann::json::parse(*s.checkpoint, nullptr, false);
    out["streams"][name] = {{"entity", s.entity},         {"records", s.records},
                            {"deletions", s.deletions},   {"rejected", s.rejected},
                            {"rejections", rejections},   {"checkpoint", checkpoint}};
  }
  if (report.resume_at > 0) out["resume_at"] = report.resume_at;
  return out;
}

}  // namespace abm::pipeline
