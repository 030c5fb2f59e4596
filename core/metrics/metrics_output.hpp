// Where the metrics stage's results go. Per-account results (attribution rows, channel paths,
// engagement, stage history) are kept between runs so an incremental run rewrites only the accounts
// it recomputes; the global results (channel and campaign roll-ups, Markov, Shapley, conversions,
// funnel) are then rebuilt from them. A shard's rows are written in one write transaction, and the
// roll-ups in the transaction of the cycle's last shard (docs/metrics.md#sharded-runs).
#pragma once

#include <array>
#include <climits>
#include <string>
#include <vector>

#include "metrics/result_sink.hpp"
#include "store/bulk_insert.hpp"
#include "store/database.hpp"

namespace abm::metrics {


struct MetricsSummary;

class MetricsOutput : public ResultSink {
 public:
  MetricsOutput(store::Database& db, const MetricsSettings& s, int64_t as_of);

  // Prepares the statements; the caller holds a write transaction.
  Status prepare();
  // A full cycle: forgets every per-account result of the accounts with account_id % shards == shard,
  // also those of accounts that no longer exist.
  Status clearShard(int shard, int shards);
  Status clearAttribution(int64_t account) override;
  Status clearJourney(int64_t account) override;
  Status clearJourneyAfter(int64_t account, int64_t after) override;
  Status touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign, int channel,
               int64_t occurred_at, const std::array<double, kRuleModelCount>& shares, double amount) override;
  Status path(int64_t account, Conversion c, const std::string& channels, double conversions, double value,
              double nulls) override;
  Status engagement(int64_t account, const Engagement& now, double previous_score) override;
  Status journey(int64_t account, const std::vector<StageSpan>& history, int64_t after = INT64_MIN) override;
  Status accountState(int64_t account, int64_t last_touch) override;

  // Writes the rows still buffered; before the per-account tables are read in this transaction.
  Status flush();

  // Rebuilds the global results from every stored per-account result. Fills summary.conversions and
  // summary.unattributed.
  Status rollUp(MetricsSummary& summary);
  // The cycle's row in metrics_runs: `summary` holds the counts of all its shards.
  Status recordRun(const MetricsSummary& summary, const std::string& settings_text, const std::string& started_at);

 private:
  Status rollUpRuleModels();
  Status channelModels();
  Status conversions(MetricsSummary& summary);
  Status funnel();

  store::Database& db_;
  const MetricsSettings& s_;
  const int64_t as_of_;
  const std::string as_of_text_;
  // The per-account rows: COPY on PostgreSQL, flushed before the shard is marked done.
  store::BulkInsert touch_, path_, engagement_, history_, stage_, state_;
  store::Statement clear_touches_, clear_paths_, clear_history_, clear_history_after_;
};

}  // namespace abm::metrics
