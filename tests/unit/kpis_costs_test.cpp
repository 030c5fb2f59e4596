// Ad spend and CAC, for segment `all`, by hand (docs/metrics.md#kpis).
#include <gtest/gtest.h>

#include "kpis_examples.hpp"
#include "metrics/kpis_costs.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

namespace {

// 300 spread over the 30 days from 2026-10-15 to 2026-11-14: 10 a day.
OtherCost event() { return {at("2026-10-15"), at("2026-11-14"), 300, "event"}; }

KpiInput costsExample() {
  KpiInput in = dealsExample();  // three new customers in October
  in.ad_spend = {{at("2026-05-10"), 7}, {at("2026-10-01"), 100}, {at("2026-10-31"), 50}, {at("2026-11-01"), 30}};
  return in;
}

}  // namespace

TEST(KpiCosts, AnOtherCostCountsTheDaysThatStartInThePeriod) {
  EXPECT_EQ(costIn(event(), at("2026-10-01"), at("2026-11-01")), 170);  // October 15-31
  EXPECT_EQ(costIn(event(), at("2026-11-01"), at("2026-11-15T12:00:00Z")), 130);  // November 1-13
  EXPECT_EQ(costIn(event(), at("2026-10-20T12:00:00Z"), at("2026-10-22")), 10);  // only the 21st starts inside
  EXPECT_EQ(costIn(event(), at("2026-01-01"), at("2027-01-01")), 300);
  EXPECT_EQ(costIn(event(), at("2026-11-14"), at("2026-12-01")), 0);  // `to` is exclusive
  EXPECT_EQ(costIn({at("2026-10-15"), at("2026-10-15"), 300, std::nullopt}, at("2026-01-01"), at("2027-01-01")), 0);
}

TEST(KpiCosts, AdSpendAndCacInAllOnly) {
  MetricsSettings s = dealsSettings();
  s.other_costs = {event()};
  const KpiTable t = computeKpis(costsExample(), s, kAsOf);
  EXPECT_EQ(figure(t, Kpi::AdSpend, "all", "2026-10"), 150);
  EXPECT_DOUBLE_EQ(figure(t, Kpi::Cac, "all", "2026-10").value(), (150.0 + 170) / 3);
  EXPECT_EQ(figure(t, Kpi::AdSpend, "all", "2026-11"), 30);
  EXPECT_EQ(figure(t, Kpi::Cac, "all", "2026-11"), std::nullopt);  // no new customer
  EXPECT_EQ(figure(t, Kpi::AdSpend, "all", "2026-05"), 7);
  EXPECT_EQ(figure(t, Kpi::AdSpend, "all", "last_365d"), 187);
  EXPECT_DOUBLE_EQ(figure(t, Kpi::Cac, "all", "last_365d").value(), (187.0 + 300) / 3);
  EXPECT_EQ(figure(t, Kpi::AdSpend, "all", "2026-09"), 0);
  for (size_t seg = 1; seg < t.segments().size(); ++seg)
    for (size_t p = 0; p < t.periods().size(); ++p) {
      EXPECT_FALSE(t.has(Kpi::AdSpend, seg, p));
      EXPECT_FALSE(t.has(Kpi::Cac, seg, p));
    }
}
