// The metrics stage: reads the unified store and writes attribution, engagement, stages and the
// journey funnel back to it (docs/metrics.md). A pure function of the store and as_of: the same data
// and as_of give the same rows, whether computed in full or incrementally.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "metrics/metrics_settings.hpp"
#include "store/location.hpp"

namespace abm::metrics {

struct MetricsSummary {
  int64_t as_of = 0;
  bool full = true;
  int64_t accounts = 0, accounts_recomputed = 0, touchpoints = 0, conversions = 0, unattributed = 0,
          attribution_rows = 0;
  double seconds_read = 0, seconds_attribution = 0, seconds_engagement = 0, seconds_journey = 0,
         seconds_models = 0, seconds_total = 0;
  std::string describe() const;
};

// Computes everything as of `as_of` (epoch seconds) in one write transaction. When the previous run
// used the same settings and an earlier or equal as_of, only the accounts whose results can have
// changed are recomputed (docs/metrics.md#incremental-runs), unless `force_full`. The stage's write
// transaction opens before it reads anything, so no other writer (a sync, another instance's stage)
// commits between what it reads and what it writes, on SQLite and on PostgreSQL alike.
Result<MetricsSummary> runMetrics(const store::Location& store, const MetricsSettings& settings, int64_t as_of,
                                  bool force_full = false);

}  // namespace abm::metrics
