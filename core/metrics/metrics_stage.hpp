// The metrics stage: reads the unified store and writes attribution, engagement, stages and the
// journey funnel back to it (docs/metrics.md). A pure function of the store and as_of: the same data
// and as_of give the same rows.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

struct MetricsSummary {
  int64_t as_of = 0;
  int64_t accounts = 0, touchpoints = 0, conversions = 0, unattributed = 0, attribution_rows = 0;
  double seconds_read = 0, seconds_attribution = 0, seconds_engagement = 0, seconds_journey = 0,
         seconds_models = 0, seconds_total = 0;
  std::string describe() const;
};

// Computes everything as of `as_of` (epoch seconds) and replaces the metrics tables in one
// transaction. The caller holds the store's writer lock.
Result<MetricsSummary> runMetrics(const std::string& store_path, const MetricsSettings& settings, int64_t as_of);

}  // namespace abm::metrics
