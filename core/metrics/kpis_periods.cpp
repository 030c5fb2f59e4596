#include "metrics/kpis_periods.hpp"

#include <cstdio>

#include "common/timestamp.hpp"

namespace abm::metrics {

namespace {

constexpr int64_t kDay = 86400;

// The first instant of month `m` (1-12, may run past 12 or below 1) of year `y`.
int64_t monthStart(int64_t y, int64_t m) {
  const int64_t months = y * 12 + (m - 1);
  const int64_t year = months >= 0 ? months / 12 : (months - 11) / 12;
  return daysFromCivil(year, static_cast<unsigned>(months - year * 12 + 1), 1) * kDay;
}

void civilOf(int64_t t, int64_t& y, unsigned& m) {
  unsigned d = 0;
  const int64_t days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  civilFromDays(days, y, m, d);
}

std::string monthName(int64_t start) {
  int64_t y = 0;
  unsigned m = 0;
  civilOf(start, y, m);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(y), m);
  return buf;
}

}  // namespace

int64_t quarterEnd(int64_t t) {
  int64_t y = 0;
  unsigned m = 0;
  civilOf(t, y, m);
  return monthStart(y, static_cast<int64_t>((m - 1) / 3 * 3 + 4));
}

std::vector<KpiPeriod> kpiPeriods(int64_t as_of) {
  std::vector<KpiPeriod> out;
  out.push_back({"last_90d", as_of - 90 * kDay, as_of});
  out.push_back({"last_365d", as_of - 365 * kDay, as_of});
  int64_t y = 0;
  unsigned m = 0;
  civilOf(as_of, y, m);
  for (int64_t back = 12; back >= 1; --back) {
    const int64_t start = monthStart(y, static_cast<int64_t>(m) - back);
    out.push_back({monthName(start), start, monthStart(y, static_cast<int64_t>(m) - back + 1)});
  }
  const int64_t this_month = monthStart(y, m);
  out.push_back({monthName(this_month), this_month, as_of});
  out.push_back({"qtd", monthStart(y, static_cast<int64_t>((m - 1) / 3 * 3 + 1)), as_of});
  return out;
}

std::vector<KpiPeriod> campaignPeriods(int64_t as_of) {
  auto periods = kpiPeriods(as_of);
  periods.pop_back();
  return periods;
}

size_t qtdIndex(const std::vector<KpiPeriod>& periods) { return periods.size() - 1; }

}  // namespace abm::metrics
