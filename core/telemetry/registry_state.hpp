// The registry's data, shared by registry.cpp (updates) and render.cpp (the text format). Internal
// to the telemetry library.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "telemetry/histogram.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::telemetry {

// Label values the registry keeps apart before it folds the rest into kOverflowLabel. Connector and
// source names come from configuration, routes from the router, reasons and outcomes from the code,
// so the cap is only reached by a bug; it keeps a bug from growing the scrape without bound.
inline constexpr size_t kMaxLabelValues = 256;
inline constexpr std::string_view kOverflowLabel = "_other";

// An ordered map from a label value to its series, found without allocating once seen.
template <typename V>
class LabelMap {
 public:
  V& entry(std::string_view key) {
    auto it = map_.find(key);
    if (it != map_.end()) return it->second;
    if (map_.size() >= kMaxLabelValues) key = kOverflowLabel;
    return map_.try_emplace(std::string(key)).first->second;
  }
  const V* find(std::string_view key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  auto begin() const { return map_.begin(); }
  auto end() const { return map_.end(); }
  bool empty() const { return map_.empty(); }

 private:
  std::map<std::string, V, std::less<>> map_;
};

struct ConnectorSeries {
  LabelMap<uint64_t> syncs;  // by outcome
  uint64_t records = 0;
  uint64_t rejected = 0;
  Histogram duration{kSyncSecondsBuckets};
  int64_t last_success = 0;  // unix seconds; 0: never (the sample is left out)
  double schedule_gap = -1;   // seconds; -1: not told (the sample is left out)
};

struct SourceSeries {
  uint64_t received = 0;
  int64_t last_event = 0;      // unix seconds; 0: none yet (the sample is left out)
  LabelMap<uint64_t> refused;  // by reason
};

struct RouteSeries {
  LabelMap<std::map<int, uint64_t>> requests;  // by method, then status code
  Histogram duration{kHttpSecondsBuckets};
};

struct Registry::State {
  mutable std::mutex mutex;
  double start_epoch_seconds = 0;

  LabelMap<ConnectorSeries> connectors;
  int64_t runs_waiting = 0;
  int64_t runs_running = 0;

  LabelMap<SourceSeries> sources;
  Histogram group_commit_requests{kCommitSizeBuckets};
  Histogram group_commit_events{kCommitSizeBuckets};
  Histogram group_commit_duration{kCommitSecondsBuckets};

  LabelMap<RouteSeries> routes;
  int64_t http_connections = 0;

  Histogram metrics_stage_duration{kMetricsStageSecondsBuckets};
  uint64_t metrics_stage_failures = 0;
};

}  // namespace abm::telemetry
