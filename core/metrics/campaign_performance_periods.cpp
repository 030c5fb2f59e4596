#include "metrics/campaign_performance_periods.hpp"

#include <cstdio>

#include "common/timestamp.hpp"

namespace abm::metrics {

namespace {

constexpr int64_t kDay = 86400;

// The first second of the month `offset` months after the month of (y, m).
int64_t monthStart(int64_t y, unsigned m, int offset, std::string* name) {
  int64_t index = y * 12 + (m - 1) + offset;
  const int64_t year = index / 12;
  const auto month = static_cast<unsigned>(index % 12 + 1);
  if (name) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(year), month);
    *name = buf;
  }
  return daysFromCivil(year, month, 1) * kDay;
}

}  // namespace

std::vector<CampaignPeriod> campaignPeriods(int64_t as_of) {
  std::vector<CampaignPeriod> periods;
  periods.push_back({"last_90d", as_of - 90 * kDay, as_of});
  periods.push_back({"last_365d", as_of - 365 * kDay, as_of});
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(as_of >= 0 ? as_of / kDay : (as_of - kDay + 1) / kDay, y, m, d);
  for (int offset = -12; offset <= 0; ++offset) {
    CampaignPeriod p;
    p.start = monthStart(y, m, offset, &p.name);
    p.end = offset == 0 ? as_of : monthStart(y, m, offset + 1, nullptr);
    periods.push_back(std::move(p));
  }
  return periods;
}

}  // namespace abm::metrics
