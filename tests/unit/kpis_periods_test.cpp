// The KPI periods: rolling windows, calendar months in UTC, the quarter so far.
#include <gtest/gtest.h>

#include "common/timestamp.hpp"
#include "kpis_examples.hpp"
#include "metrics/kpis_periods.hpp"

using namespace abm::metrics;
using abm::metrics::examples::at;

namespace {

std::string describe(const KpiPeriod& p) {
  return p.name + " [" + abm::formatTimestamp(p.start) + ", " + abm::formatTimestamp(p.end) + ")";
}

}  // namespace

TEST(KpiPeriods, RollingWindowsTwelveMonthsTheMonthSoFarAndTheQuarterSoFar) {
  const auto periods = kpiPeriods(at("2026-11-15T12:00:00Z"));
  ASSERT_EQ(periods.size(), 16u);
  EXPECT_EQ(describe(periods[0]), "last_90d [2026-08-17T12:00:00Z, 2026-11-15T12:00:00Z)");
  EXPECT_EQ(describe(periods[1]), "last_365d [2025-11-15T12:00:00Z, 2026-11-15T12:00:00Z)");
  EXPECT_EQ(describe(periods[2]), "2025-11 [2025-11-01T00:00:00Z, 2025-12-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[3]), "2025-12 [2025-12-01T00:00:00Z, 2026-01-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[4]), "2026-01 [2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[13]), "2026-10 [2026-10-01T00:00:00Z, 2026-11-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[14]), "2026-11 [2026-11-01T00:00:00Z, 2026-11-15T12:00:00Z)");
  EXPECT_EQ(describe(periods[15]), "qtd [2026-10-01T00:00:00Z, 2026-11-15T12:00:00Z)");
  EXPECT_EQ(qtdIndex(periods), 15u);
  // Months follow each other without a gap.
  for (size_t i = 3; i < 15; ++i) EXPECT_EQ(periods[i].start, periods[i - 1].end) << describe(periods[i]);
}

TEST(KpiPeriods, MonthBoundariesAreUtcAndEndsAreExclusive) {
  const auto periods = kpiPeriods(at("2026-11-15T12:00:00Z"));
  const KpiPeriod& october = periods[13];
  EXPECT_TRUE(october.contains(at("2026-10-01T00:00:00Z")));
  EXPECT_TRUE(october.contains(at("2026-10-31T23:59:59Z")));
  EXPECT_FALSE(october.contains(at("2026-11-01T00:00:00Z")));
  EXPECT_FALSE(october.contains(at("2026-09-30T23:59:59Z")));
  // 00:30 on November 1st in Berlin is still October in UTC.
  EXPECT_TRUE(october.contains(at("2026-11-01T00:30:00+01:00")));
  EXPECT_FALSE(periods[0].contains(at("2026-11-15T12:00:00Z")));  // as_of itself is after every period
}

TEST(KpiPeriods, AsOfAtTheStartOfAYearAndOfAQuarter) {
  const auto periods = kpiPeriods(at("2026-01-01T00:00:00Z"));
  EXPECT_EQ(describe(periods[2]), "2025-01 [2025-01-01T00:00:00Z, 2025-02-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[13]), "2025-12 [2025-12-01T00:00:00Z, 2026-01-01T00:00:00Z)");
  // The month and the quarter so far are empty at their first instant.
  EXPECT_EQ(describe(periods[14]), "2026-01 [2026-01-01T00:00:00Z, 2026-01-01T00:00:00Z)");
  EXPECT_EQ(describe(periods[15]), "qtd [2026-01-01T00:00:00Z, 2026-01-01T00:00:00Z)");
}

TEST(KpiPeriods, QuarterMath) {
  EXPECT_EQ(describe(kpiPeriods(at("2028-02-29T10:00:00Z"))[15]), "qtd [2028-01-01T00:00:00Z, 2028-02-29T10:00:00Z)");
  EXPECT_EQ(describe(kpiPeriods(at("2026-06-30T23:59:59Z"))[15]), "qtd [2026-04-01T00:00:00Z, 2026-06-30T23:59:59Z)");
  EXPECT_EQ(describe(kpiPeriods(at("2026-07-01T00:00:01Z"))[15]), "qtd [2026-07-01T00:00:00Z, 2026-07-01T00:00:01Z)");
  EXPECT_EQ(abm::formatTimestamp(quarterEnd(at("2026-01-01T00:00:00Z"))), "2026-04-01T00:00:00Z");
  EXPECT_EQ(abm::formatTimestamp(quarterEnd(at("2026-03-31T23:59:59Z"))), "2026-04-01T00:00:00Z");
  EXPECT_EQ(abm::formatTimestamp(quarterEnd(at("2026-08-15T00:00:00Z"))), "2026-10-01T00:00:00Z");
  EXPECT_EQ(abm::formatTimestamp(quarterEnd(at("2026-12-31T23:59:59Z"))), "2027-01-01T00:00:00Z");
  // In a leap year February has 29 days: the month before March 2028 ends on the 29th.
  const auto march = kpiPeriods(at("2028-03-10T00:00:00Z"));
  EXPECT_EQ(describe(march[13]), "2028-02 [2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z)");
}
