// The periods the campaign table is cut by, the same as the KPIs' (docs/metrics.md#kpis): the last
// 90 and 365 days, each calendar month (UTC) of the 12 before as_of's month, and as_of's month up to
// as_of. Every period is [start, end) and ends at or before as_of.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace abm::metrics {

struct CampaignPeriod {
  std::string name;  // last_90d | last_365d | YYYY-MM
  int64_t start = 0, end = 0;
  bool contains(int64_t t) const { return t >= start && t < end; }
};

// In that order: last_90d, last_365d, the 12 months oldest first, then as_of's month.
std::vector<CampaignPeriod> campaignPeriods(int64_t as_of);

}  // namespace abm::metrics
