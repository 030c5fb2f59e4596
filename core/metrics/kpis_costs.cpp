#include "metrics/kpis_costs.hpp"

#include <algorithm>

namespace abm::metrics {

namespace {

constexpr int64_t kDay = 86400;

// The days from..from+k·kDay (k = 0, 1, ...) before t: how many of the cost's days start before t.
int64_t daysBefore(int64_t from, int64_t t) { return t <= from ? 0 : (t - from + kDay - 1) / kDay; }

}  // namespace

double costIn(const OtherCost& c, int64_t start, int64_t end) {
  const int64_t days = daysBefore(c.from, c.to);
  if (days == 0) return 0;
  const int64_t in = std::clamp(daysBefore(c.from, end), int64_t{0}, days) -
                     std::clamp(daysBefore(c.from, start), int64_t{0}, days);
  return in <= 0 ? 0 : c.amount * static_cast<double>(in) / static_cast<double>(days);
}

void costKpis(const KpiInput& in, const MetricsSettings& s, KpiTable& table) {
  const auto& periods = table.periods();
  for (size_t p = 0; p < periods.size(); ++p) {
    double ad_spend = 0;
    for (const auto& day : in.ad_spend)
      if (periods[p].contains(day.day)) ad_spend += day.cost;
    double other = 0;
    for (const auto& c : s.other_costs) other += costIn(c, periods[p].start, periods[p].end);
    constexpr size_t all = KpiSegments::kAll;
    table.set(Kpi::AdSpend, all, p, ad_spend);
    table.set(Kpi::Cac, all, p, ratio(ad_spend + other, table.get(Kpi::NewCustomers, all, p).value_or(0)));
  }
}

}  // namespace abm::metrics
