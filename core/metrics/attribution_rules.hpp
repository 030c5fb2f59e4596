// Rule-based multi-touch attribution over one conversion's path (docs/metrics.md#attribution).
// Pure functions: a path in, one share per touch per model out.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace abm::metrics {

enum class RuleModel {
  FirstTouch, LastTouch, Linear, TimeDecay, PositionBased, UShaped, WShaped, FullPath, JShaped, InverseJ
};
constexpr size_t kRuleModelCount = 10;
constexpr std::array<std::string_view, kRuleModelCount> kRuleModelNames = {
    "first_touch", "last_touch",   "linear",    "time_decay", "position_based",
    "u_shaped",    "w_shaped",     "full_path", "j_shaped",   "inverse_j"};

// The milestones of a path of n touches, as indices into it.
struct Milestones {
  size_t first = 0, last = 0, lead_creation = 0, opportunity_creation = 0;
};

// Lead creation = the last touch at or before `lead_created_at` (earliest contact creation), P[0]
// when there is none or no touch is that early; likewise opportunity creation with its created_at.
// `times` are the path's occurred_at in seconds, sorted.
Milestones findMilestones(const std::vector<int64_t>& times, int64_t lead_created_at, bool has_lead,
                          int64_t opportunity_created_at);

// Shares of every touch under every rule model, each model's shares summing to 1.
// `conversion_time` and `times` in seconds; `half_life_days` for time decay.
std::vector<std::array<double, kRuleModelCount>> ruleShares(const std::vector<int64_t>& times, const Milestones& m,
                                                            int64_t conversion_time, double half_life_days);

}  // namespace abm::metrics
