#include "metrics/attribution_rules.hpp"

#include <algorithm>
#include <cmath>

namespace abm::metrics {

namespace {

size_t lastAtOrBefore(const std::vector<int64_t>& times, int64_t t) {
  auto it = std::upper_bound(times.begin(), times.end(), t);
  return it == times.begin() ? 0 : static_cast<size_t>(it - times.begin()) - 1;
}

struct Shape {
  double first, last, lead, opportunity, middle;
};

// The milestone shares of each U/W-family model; the rest of its touches share `middle`.
constexpr Shape kShapes[] = {
    /* first_touch    */ {1.0, 0, 0, 0, 0},
    /* last_touch     */ {0, 1.0, 0, 0, 0},
    /* linear         */ {0, 0, 0, 0, 0},  // computed apart
    /* time_decay     */ {0, 0, 0, 0, 0},  // computed apart
    /* position_based */ {0.4, 0.4, 0, 0, 0.2},
    /* u_shaped       */ {0.4, 0, 0.4, 0, 0.2},
    /* w_shaped       */ {0.3, 0, 0.3, 0.3, 0.1},
    /* full_path      */ {0.225, 0.225, 0.225, 0.225, 0.1},
    /* j_shaped       */ {0.2, 0.6, 0, 0, 0.2},
    /* inverse_j      */ {0.6, 0.2, 0, 0, 0.2},
};

}  // namespace

Milestones findMilestones(const std::vector<int64_t>& times, int64_t lead_created_at, bool has_lead,
                          int64_t opportunity_created_at) {
  Milestones m;
  if (times.empty()) return m;
  m.first = 0;
  m.last = times.size() - 1;
  m.lead_creation = has_lead ? lastAtOrBefore(times, lead_created_at) : 0;
  m.opportunity_creation = lastAtOrBefore(times, opportunity_created_at);
  return m;
}

std::vector<std::array<double, kRuleModelCount>> ruleShares(const std::vector<int64_t>& times, const Milestones& m,
                                                            int64_t conversion_time, double half_life_days) {
  const size_t n = times.size();
  std::vector<std::array<double, kRuleModelCount>> out(n);
  if (n == 0) return out;
  for (auto& row : out) row.fill(0.0);

  std::vector<double> w(n);
  for (size_t model = 0; model < kRuleModelCount; ++model) {
    std::fill(w.begin(), w.end(), 0.0);
    if (model == static_cast<size_t>(RuleModel::Linear)) {
      std::fill(w.begin(), w.end(), 1.0);
    } else if (model == static_cast<size_t>(RuleModel::TimeDecay)) {
      for (size_t i = 0; i < n; ++i) {
        const double age_days = static_cast<double>(conversion_time - times[i]) / 86400.0;
        w[i] = std::exp2(-age_days / half_life_days);
      }
    } else {
      const Shape& s = kShapes[model];
      std::vector<bool> milestone(n, false);
      auto put = [&](size_t i, double share) {
        if (share <= 0) return;
        w[i] += share;
        milestone[i] = true;
      };
      put(m.first, s.first);
      put(m.last, s.last);
      put(m.lead_creation, s.lead);
      put(m.opportunity_creation, s.opportunity);
      const size_t middle = static_cast<size_t>(std::count(milestone.begin(), milestone.end(), false));
      if (middle > 0 && s.middle > 0)
        for (size_t i = 0; i < n; ++i)
          if (!milestone[i]) w[i] = s.middle / static_cast<double>(middle);
    }
    double total = 0;
    for (double x : w) total += x;
    for (size_t i = 0; i < n; ++i) out[i][model] = total > 0 ? w[i] / total : 0.0;
  }
  return out;
}

}  // namespace abm::metrics
