// Registry::render: every family in a fixed order, each with # HELP and # TYPE even before it has
// a sample, so a dashboard or alert can rely on the names from the first scrape. Series of a known
// connector or push source are written for every known outcome or reason, at zero when nothing
// happened yet: rate() and increase() then see the first failure instead of a series appearing.
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "telemetry/exposition.hpp"
#include "telemetry/registry_state.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::telemetry {

namespace {

constexpr std::string_view kOutcomes[] = {"succeeded", "failed", "retry", "interrupted", "rate_limited"};
constexpr std::string_view kRefusals[] = {"unauthorized", "bad_request", "too_large", "unavailable"};

// The known values first, at zero when unseen, then any other value the map holds.
template <typename Fn>
void withKnown(const LabelMap<uint64_t>& seen, std::span<const std::string_view> known, bool zero_fill, Fn&& fn) {
  for (std::string_view value : known) {
    const uint64_t* n = seen.find(value);
    if (n != nullptr || zero_fill) fn(value, n != nullptr ? *n : 0);
  }
  for (const auto& [k, v] : seen) {
    bool is_known = false;
    for (std::string_view value : known) is_known = is_known || k == value;
    if (!is_known) fn(k, v);
  }
}

std::string statusLabel(int status) { return status == 0 ? std::string("invalid") : std::to_string(status); }

}  // namespace

std::string Registry::render(int64_t store_bytes) const {
  std::lock_guard lock(state_->mutex);
  const State& s = *state_;
  Exposition out;

  out.family("abmd_build_info", "gauge", "Always 1; the version label says which abmd is running.");
  out.sample("abmd_build_info", {{"version", ABMD_VERSION}}, int64_t{1});
  out.family("abmd_process_start_time_seconds", "gauge", "When the daemon started, in unix seconds.");
  out.sample("abmd_process_start_time_seconds", {}, s.start_epoch_seconds);

  out.family("abmd_syncs_total", "counter",
             "Sync runs ended, by connector and outcome (succeeded, failed, retry, interrupted, rate_limited).");
  for (const auto& [connector, c] : s.connectors) {
    withKnown(c.syncs, kOutcomes, true, [&](std::string_view outcome, uint64_t n) {
      out.sample("abmd_syncs_total", {{"connector", connector}, {"outcome", outcome}}, n);
    });
  }
  out.family("abmd_sync_records_total", "counter", "Records a connector's runs stored.");
  for (const auto& [connector, c] : s.connectors) {
    out.sample("abmd_sync_records_total", {{"connector", connector}}, c.records);
  }
  out.family("abmd_sync_rejected_records_total", "counter",
             "Records a connector's runs rejected (invalid, unresolvable); the run log has the reasons.");
  for (const auto& [connector, c] : s.connectors) {
    out.sample("abmd_sync_rejected_records_total", {{"connector", connector}}, c.rejected);
  }
  out.family("abmd_sync_duration_seconds", "histogram", "How long sync runs took, from start to end, by connector.");
  for (const auto& [connector, c] : s.connectors) {
    out.histogram("abmd_sync_duration_seconds", {{"connector", connector}}, c.duration);
  }
  out.family("abmd_sync_last_success_timestamp_seconds", "gauge",
             "When the connector's last successful run finished, in unix seconds (absent: never).");
  for (const auto& [connector, c] : s.connectors) {
    if (c.last_success > 0) {
      out.sample("abmd_sync_last_success_timestamp_seconds", {{"connector", connector}}, c.last_success);
    }
  }
  out.family("abmd_sync_schedule_gap_seconds", "gauge",
             "The longest wait between two scheduled runs of the connector (its interval, or for a cron the "
             "longest gap over the coming year).");
  for (const auto& [connector, c] : s.connectors) {
    if (c.schedule_gap >= 0) out.sample("abmd_sync_schedule_gap_seconds", {{"connector", connector}}, c.schedule_gap);
  }
  out.family("abmd_runs_waiting", "gauge", "Due sync runs waiting for a free slot (max_concurrent_syncs).");
  out.sample("abmd_runs_waiting", {}, s.runs_waiting);
  out.family("abmd_runs_running", "gauge", "Sync runs in progress.");
  out.sample("abmd_runs_running", {}, s.runs_running);

  out.family("abmd_events_received_total", "counter", "Events a push source committed to the store.");
  for (const auto& [source, e] : s.sources) {
    if (!source.empty()) out.sample("abmd_events_received_total", {{"source", source}}, e.received);
  }
  out.family("abmd_events_refused_total", "counter",
             "Events refused, by push source (empty when the write key named none) and reason "
             "(unauthorized, bad_request, too_large, unavailable).");
  for (const auto& [source, e] : s.sources) {
    withKnown(e.refused, kRefusals, !source.empty(), [&](std::string_view reason, uint64_t n) {
      out.sample("abmd_events_refused_total", {{"source", source}, {"reason", reason}}, n);
    });
  }
  out.family("abmd_events_last_received_timestamp_seconds", "gauge",
             "When events of the push source were last committed, in unix seconds (absent: none yet).");
  for (const auto& [source, e] : s.sources) {
    if (!source.empty() && e.last_event > 0) {
      out.sample("abmd_events_last_received_timestamp_seconds", {{"source", source}}, e.last_event);
    }
  }
  out.family("abmd_collector_group_commits_total", "counter", "Transactions the event collector committed.");
  out.sample("abmd_collector_group_commits_total", {}, s.group_commit_events.count());
  out.family("abmd_collector_group_commit_requests", "histogram", "HTTP requests answered by one group commit.");
  out.histogram("abmd_collector_group_commit_requests", {}, s.group_commit_requests);
  out.family("abmd_collector_group_commit_events", "histogram", "Events written by one group commit.");
  out.histogram("abmd_collector_group_commit_events", {}, s.group_commit_events);
  out.family("abmd_collector_group_commit_duration_seconds", "histogram",
             "How long one group commit took, from its first write to its durable commit.");
  out.histogram("abmd_collector_group_commit_duration_seconds", {}, s.group_commit_duration);

  out.family("abmd_http_requests_total", "counter",
             "HTTP requests answered, by route pattern (\"unmatched\" for none), method and status code.");
  for (const auto& [route, r] : s.routes) {
    for (const auto& [method, codes] : r.requests) {
      for (const auto& [status, n] : codes) {
        out.sample("abmd_http_requests_total", {{"route", route}, {"method", method}, {"code", statusLabel(status)}},
                   n);
      }
    }
  }
  out.family("abmd_http_request_duration_seconds", "histogram",
             "Time from a request's first byte to its answer written, by route pattern.");
  for (const auto& [route, r] : s.routes) {
    out.histogram("abmd_http_request_duration_seconds", {{"route", route}}, r.duration);
  }
  out.family("abmd_http_open_connections", "gauge", "HTTP connections open on the listener.");
  out.sample("abmd_http_open_connections", {}, s.http_connections);

  out.family("abmd_metrics_stage_duration_seconds", "histogram",
             "How long the metrics stage (attribution, engagement, journeys) took per run.");
  out.histogram("abmd_metrics_stage_duration_seconds", {}, s.metrics_stage_duration);
  out.family("abmd_metrics_stage_failures_total", "counter", "Metrics stage runs that failed; the log says why.");
  out.sample("abmd_metrics_stage_failures_total", {}, s.metrics_stage_failures);

  out.family("abmd_store_size_bytes", "gauge",
            "Size of the store: the SQLite database with its -wal and -shm files, or the PostgreSQL database.");
  if (store_bytes >= 0) out.sample("abmd_store_size_bytes", {}, store_bytes);
  return out.take();
}

}  // namespace abm::telemetry
