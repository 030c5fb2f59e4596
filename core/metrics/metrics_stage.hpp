// The metrics stage: reads the unified store and writes attribution, engagement, stages and the
// journey funnel back to it (docs/metrics.md). A pure function of the store and as_of: the same data
// and as_of give the same rows, whether computed in full or incrementally.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "metrics/metrics_settings.hpp"
#include "store/location.hpp"

namespace abm::store {
class LeaseKeeper;
}

namespace abm::metrics {

constexpr int kDefaultPostgresqlShards = 4;
// The lease time of the keeper runMetrics starts when the caller gives none (daemon's default).
constexpr std::chrono::seconds kDefaultLeaseTtl{60};

// The shards a new cycle is split into: the "shards" setting, else 1 on SQLite, 4 on PostgreSQL.
int shardCount(const MetricsSettings& settings, store::Backend backend);

// What one call of runMetrics did. The counts are those of the shards this instance computed;
// conversions and unattributed are known only to the instance that finished the cycle.
struct MetricsSummary {
  int64_t as_of = 0;  // the cycle's
  bool full = true;
  int64_t accounts = 0, accounts_recomputed = 0, touchpoints = 0, conversions = 0, unattributed = 0,
          attribution_rows = 0;
  int64_t cycle = 0;
  int shards = 1;
  bool joined = false;          // the cycle was open already (opened_by another call)
  std::string opened_by;
  std::vector<int> computed;    // shards computed and written here
  std::vector<int> lost;        // computed here, but taken over before they could be written
  std::vector<int> held_elsewhere;  // pending shards leased by live instances when this call ended
  bool finished_cycle = false;  // this call wrote the last shard: roll-ups, metrics_runs, cycle closed
  // Computing happens outside any lock; writing (the shard's rows) and the roll-ups in its write transaction.
  double seconds_read = 0, seconds_attribution = 0, seconds_engagement = 0, seconds_journey = 0, seconds_write = 0,
         seconds_models = 0, seconds_total = 0;
  std::string describe() const;
};

// Takes part in a metrics cycle (docs/metrics.md#sharded-runs): joins the open cycle, whatever its
// as_of, or opens one as of `as_of` (epoch seconds); then computes and writes shards nobody has
// written yet, one at a time under a lease of `keeper`'s instance, until none is left that another
// live instance does not hold. Writing the last shard rebuilds the global results and records the
// run. When the previous run used the same settings and an earlier or equal as_of, only the
// accounts whose results can have changed are recomputed (docs/metrics.md#incremental-runs), unless
// `force_full`. Without a keeper, the call registers an instance of its own for its duration.
// An error when the open cycle has other settings: this instance does not compute with them.
Result<MetricsSummary> runMetrics(const store::Location& store, const MetricsSettings& settings, int64_t as_of,
                                  bool force_full = false, store::LeaseKeeper* keeper = nullptr);

}  // namespace abm::metrics
