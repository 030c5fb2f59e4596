// Where the metrics stage's results go: rows streamed into the metric tables inside one write
// transaction, and the roll-ups (channels, campaigns, Markov, Shapley, funnel) made at the end.
#pragma once

#include <array>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"
#include "store/sqlite.hpp"

namespace abm::metrics {

enum Conversion { kPipeline = 0, kRevenue = 1 };
constexpr const char* kConversionNames[] = {"pipeline", "revenue"};

struct MetricsSummary;

class MetricsOutput {
 public:
  MetricsOutput(store::Database& db, const MetricsSettings& s, int64_t as_of) : db_(db), s_(s), as_of_(as_of) {}

  Status begin();  // BEGIN IMMEDIATE, clear the previous results
  Status touch(Conversion c, int64_t opportunity, int64_t touchpoint, int64_t campaign, int channel,
               int64_t occurred_at, const std::array<double, kRuleModelCount>& shares, double amount);
  void addUnattributed(Conversion c, int64_t count, double value);
  void convertingPath(Conversion c, const std::string& channels, double value);  // channels: one char per step
  void nullPath(Conversion c, const std::string& channels);
  Status engagement(int64_t account, const Engagement& now, double previous_score);
  Status journey(int64_t account, bool is_target, const std::vector<StageSpan>& history);
  Status finish(const MetricsSummary& summary);  // roll-ups, funnel, run record, COMMIT

 private:
  struct Sum {
    double conversions = 0, value = 0;
  };
  struct PathCount {
    double conversions = 0, value = 0, nulls = 0;
  };
  Status writeChannelModels();
  Status writeFunnel();

  store::Database& db_;
  const MetricsSettings& s_;
  const int64_t as_of_;
  std::string as_of_text_;
  int64_t started_at_ = 0;
  store::Statement touch_, engagement_, history_, stage_;
  std::array<std::array<std::array<Sum, 7>, kRuleModelCount>, 2> channel_sums_{};
  std::array<std::map<int64_t, std::array<Sum, kRuleModelCount>>, 2> campaign_sums_;
  std::array<std::map<std::string, PathCount>, 2> paths_;
  std::array<int64_t, 2> conversions_{}, attributed_{};
  std::array<double, 2> value_{}, attributed_value_{};
  // Funnel over target accounts: per stage, accounts that entered it, and days to a later stage.
  std::array<int64_t, 6> entered_{};
  std::array<std::vector<double>, 6> days_to_next_;
};

}  // namespace abm::metrics
