// The metrics stage's settings: the "metrics" object of the daemon config, defaults as documented
// in docs/metrics.md.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace abm::metrics {

// A cost outside the ad platforms (agency fees, events, tools) counted in CAC: `amount` spread evenly
// over the days [from, to) (epoch seconds at UTC midnight), credited to `channel` (sdk::kChannels)
// or to no channel.
struct OtherCost {
  int64_t from = 0, to = 0;
  double amount = 0;
  std::optional<std::string> channel;
};

// The most shards a cycle may have: each is a lease, a row and a scan of the touchpoint index.
constexpr int kMaxShards = 256;

struct MetricsSettings {
  // Attribution
  int lookback_days = 365;
  double time_decay_half_life_days = 7;
  int markov_order = 1;
  std::array<bool, 13> attributable{};  // indexed like sdk::kActivities
  // Engagement
  double engagement_half_life_days = 30;
  int engagement_window_days = 90;
  std::array<double, 13> activity_weights{};
  std::map<std::string, double> role_multipliers;  // buying_role -> multiplier (default 1)
  // Stages
  double mqa_score = 60;
  double mqa_score_with_contacts = 30;
  int mqa_min_contacts = 3;
  double engaged_score = 15;
  // KPIs (docs/metrics.md#kpis)
  std::map<std::string, double> stage_probabilities;  // opportunity stage -> probability 0..1
  std::vector<OtherCost> other_costs;
  int kpi_model = 6;  // index into kRuleModelNames: w_shaped
  bool run_after_sync = true;
  // How many shards a cycle's accounts are split into (docs/metrics.md#sharded-runs); 0 leaves it to
  // the store: 1 on SQLite (one daemon), 4 on PostgreSQL. Not part of settingsText(): shards change
  // who computes what, never the results.
  int shards = 0;

  MetricsSettings();
};

// Reads the "metrics" object; throws ConfigError naming `file` and the key on a bad value.
MetricsSettings parseMetricsSettings(const nlohmann::json& j, const std::string& file);

// The settings as canonical JSON text: results computed under other settings are not reused.
std::string settingsText(const MetricsSettings& s);

// Index of an activity name in sdk::kActivities, or -1.
int activityIndex(std::string_view activity);
int channelIndex(std::string_view channel);

}  // namespace abm::metrics
