// The daemon's own counters, gauges and histograms, kept in memory and rendered in the Prometheus
// text format by GET /metrics. Every call is thread-safe and cheap (no allocation once a label set
// has been seen); the scheduler, sync threads, collector and HTTP server call them as things happen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace abm::telemetry {

class Registry {
 public:
  // The process-wide registry.
  static Registry& global();

  // A sync run ended. outcome: succeeded | failed | retry | interrupted | rate_limited (runStatusName).
  void syncFinished(std::string_view connector, std::string_view outcome, double seconds, uint64_t records,
                    uint64_t rejected, int64_t finished_epoch_seconds);
  // The last successful run as found in the store at start, so the gauge survives a restart; 0 when
  // it never succeeded, which still makes the connector's series appear (at zero).
  void seedLastSuccess(std::string_view connector, int64_t finished_epoch_seconds);
  // The longest wait between two scheduled runs of the connector (config::Schedule::longestGap), so
  // an alert can tell a connector that is late from one whose schedule is quiet (nights, weekends).
  void setScheduleGap(std::string_view connector, double seconds);
  void setRunsWaiting(int64_t n);  // due syncs waiting for a free slot
  void setRunsRunning(int64_t n);

  // A push source accepted `n` events (committed), the newest stamped `last_event_epoch_seconds`.
  void eventsReceived(std::string_view source, uint64_t n, int64_t last_event_epoch_seconds);
  // A push request was refused. reason: unauthorized | bad_request | too_large | unavailable.
  // source is empty when the write key named no source.
  void eventsRefused(std::string_view source, std::string_view reason, uint64_t n);
  // One group commit of the collector: how many requests and events it carried.
  void groupCommit(uint64_t requests, uint64_t events, double seconds);

  // One answered HTTP request; route is the matched pattern ("/api/v1/accounts/{account_id}") or
  // "unmatched", so label values stay bounded.
  void httpRequest(std::string_view route, std::string_view method, int status, double seconds);
  void setHttpConnections(int64_t open);

  void metricsStageFinished(double seconds, bool ok);

  // Everything in the Prometheus text exposition format 0.0.4; store_bytes (the store's size as
  // store::StoreSize measures it, -1 when unknown) is written as abmd_store_size_bytes.
  std::string render(int64_t store_bytes) const;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

 private:
  struct State;
  State* state_;
};

}  // namespace abm::telemetry
