// Gross and net revenue retention, by hand (docs/metrics.md#kpis).
#include <gtest/gtest.h>

#include "kpis_examples.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

namespace {

KpiOpportunity typed(KpiOpportunity o, const std::string& type) {
  o.type = type;
  return o;
}

KpiInput retentionExample() {
  KpiInput in = accounts();
  in.opportunities = {
      deal(1, "2026-02-01", 1000, "2026-03-01", true),                  // customer since March
      typed(deal(1, "2026-09-01", 800, "2026-10-05", true), "renewal"),
      typed(deal(1, "2026-09-01", 300, "2026-10-20", true), "expansion"),
      deal(2, "2026-01-10", 500, "2026-02-01", true),                   // customer since February
      typed(deal(2, "2026-09-01", 200, "2026-10-15"), "renewal"),       // lost
      typed(deal(2, "2026-09-01", 900, "2026-10-16"), "expansion"),     // lost expansion: not counted
      deal(3, "2026-09-01", 500, "2026-10-10", true),                   // customer only since October 10
      typed(deal(3, "2026-10-11", 100, "2026-10-25", true), "renewal"),
  };
  return in;
}

}  // namespace

TEST(KpiRetention, RenewalsAndExpansionsOfAccountsThatWereCustomersBeforeThePeriod) {
  const KpiTable t = computeKpis(retentionExample(), MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(t, Kpi::Grr, "all", "2026-10"), 0.8);  // 800 ÷ (800 + 200); account 3's renewal left out
  EXPECT_EQ(figure(t, Kpi::Nrr, "all", "2026-10"), 1.1);  // (800 + 300) ÷ 1000
  EXPECT_EQ(figure(t, Kpi::Grr, "target", "2026-10"), 1);
  EXPECT_EQ(figure(t, Kpi::Nrr, "target", "2026-10"), 1.375);
  EXPECT_EQ(figure(t, Kpi::Grr, "non_target", "2026-10"), 0);
  EXPECT_EQ(figure(t, Kpi::Nrr, "non_target", "2026-10"), 0);
  EXPECT_EQ(figure(t, Kpi::Grr, "all", "last_90d"), 0.8);  // account 3 became a customer inside it
  // At the start of the year window (2025-11-15) none of them was a customer yet.
  EXPECT_EQ(figure(t, Kpi::Grr, "all", "last_365d"), std::nullopt);
  EXPECT_EQ(figure(t, Kpi::Nrr, "all", "2026-09"), std::nullopt);
}
