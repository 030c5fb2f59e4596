// The periods the KPIs are computed over (docs/metrics.md#kpis), all ending at or before as_of.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace abm::metrics {

// [start, end) in epoch seconds.
struct KpiPeriod {
  std::string name;  // last_90d | last_365d | YYYY-MM | qtd
  int64_t start = 0, end = 0;
  bool contains(int64_t t) const { return start <= t && t < end; }
};

// Every period of a run as of A, in this order: last_90d, last_365d, the 12 calendar months before
// A's month (oldest first), A's month up to A, and qtd = [start of A's quarter, A). Months and
// quarters are UTC. At most 32 periods, so a set of them fits a bit mask.
std::vector<KpiPeriod> kpiPeriods(int64_t as_of);

// The periods of the campaign table: kpiPeriods() without qtd.
std::vector<KpiPeriod> campaignPeriods(int64_t as_of);

// Index of the qtd period in kpiPeriods(): the last one.
size_t qtdIndex(const std::vector<KpiPeriod>& periods);

// The end (exclusive) of the quarter that contains t: the first instant of the next quarter.
int64_t quarterEnd(int64_t t);

}  // namespace abm::metrics
