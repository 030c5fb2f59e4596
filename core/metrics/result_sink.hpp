// Where the computation puts each account's results: straight into the store, inside the shard's
// write transaction (MetricsOutput), or held in memory until the shard is written (ShardResults).
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"

namespace abm::metrics {

enum Conversion { kPipeline = 0, kRevenue = 1 };
constexpr const char* kConversionNames[] = {"pipeline", "revenue"};

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // Incremental runs: forget what was computed for this account before.
  virtual Status clearAttribution(int64_t account) = 0;
  virtual Status clearJourney(int64_t account) = 0;
  // Forgets only the spans still open at `after` or later; earlier ones cannot have changed.
  virtual Status clearJourneyAfter(int64_t account, int64_t after) = 0;

  virtual Status touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign,
                       int channel, int64_t occurred_at, const std::array<double, kRuleModelCount>& shares,
                       double amount) = 0;
  // One channel path (one char per step, an index into sdk::kChannels) of an account.
  virtual Status path(int64_t account, Conversion c, const std::string& channels, double conversions, double value,
                      double nulls) = 0;
  virtual Status engagement(int64_t account, const Engagement& now, double previous_score) = 0;
  // The spans that end after `after` (all of them by default) and the current stage.
  virtual Status journey(int64_t account, const std::vector<StageSpan>& history, int64_t after = INT64_MIN) = 0;
  virtual Status accountState(int64_t account, int64_t last_touch) = 0;
};

}  // namespace abm::metrics
