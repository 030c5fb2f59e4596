// Funnel conversion rates from the journey, by hand (docs/metrics.md#kpis).
#include <gtest/gtest.h>

#include "kpis_examples.hpp"
#include "metrics/kpis_funnel.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

namespace {

KpiInput funnelExample() {
  KpiInput in = accounts();
  const std::vector<KpiStageEntry> entries = {
      {1, Stage::Target, at("2026-01-01")},   {1, Stage::Aware, at("2026-10-02")},
      {1, Stage::Engaged, at("2026-10-05")},  {1, Stage::Mqa, at("2026-10-20")},
      {1, Stage::Opportunity, at("2026-11-03")}, {1, Stage::Customer, at("2026-11-10")},
      {2, Stage::Unaware, at("2026-01-01")},  {2, Stage::Aware, at("2026-09-15")},
      {2, Stage::Engaged, at("2026-10-03")},  {2, Stage::Aware, at("2026-10-28")},  // fell back
      {3, Stage::Target, at("2026-01-01")},   {3, Stage::Aware, at("2026-10-10")},
      {3, Stage::Mqa, at("2026-10-12")},      // skipped engaged
      {3, Stage::Engaged, at("2026-10-30")},  // fell back
  };
  FunnelCounter counter(kpiPeriods(kAsOf));
  for (const auto& e : entries) counter.add(e);
  auto funnel = counter.result();
  EXPECT_TRUE(funnel) << funnel.error();
  if (funnel) in.funnel = *funnel;
  return in;
}

}  // namespace

TEST(KpiFunnel, OfTheAccountsThatEnteredTheFirstStageTheShareThatWentFurther) {
  const KpiTable t = computeKpis(funnelExample(), MetricsSettings{}, kAsOf);
  // Aware in October: 1 (then engaged), 3 (then mqa, past engaged), 2 (fell back to it; never further).
  EXPECT_DOUBLE_EQ(figure(t, Kpi::ConvAwareToEngaged, "all", "2026-10").value(), 2.0 / 3);
  EXPECT_EQ(figure(t, Kpi::ConvAwareToEngaged, "target", "2026-10"), 1);
  EXPECT_EQ(figure(t, Kpi::ConvAwareToEngaged, "non_target", "2026-10"), 0);
  // Engaged in October: 1 (then mqa), 2 (fell back), 3 (entered after its mqa: nothing further after).
  EXPECT_DOUBLE_EQ(figure(t, Kpi::ConvEngagedToMqa, "all", "2026-10").value(), 1.0 / 3);
  EXPECT_EQ(figure(t, Kpi::ConvEngagedToMqa, "target", "2026-10"), 0.5);
  EXPECT_EQ(figure(t, Kpi::ConvEngagedToMqa, "segment:big", "2026-10"), 0);
  EXPECT_EQ(figure(t, Kpi::ConvMqaToOpportunity, "all", "2026-10"), 0.5);
  EXPECT_EQ(figure(t, Kpi::ConvMqaToOpportunity, "tier:strategic", "2026-10"), 1);  // by as_of, in November
  EXPECT_EQ(figure(t, Kpi::ConvOpportunityToCustomer, "all", "2026-10"), std::nullopt);  // nobody entered
  EXPECT_EQ(figure(t, Kpi::ConvOpportunityToCustomer, "all", "2026-11"), 1);
  // An account entering a stage twice in a period counts once, from its first entry: account 2
  // was aware on 09-15 only in September.
  EXPECT_EQ(figure(t, Kpi::ConvAwareToEngaged, "non_target", "2026-09"), 1);
  EXPECT_EQ(figure(t, Kpi::ConvAwareToEngaged, "non_target", "last_365d"), 1);
}

TEST(KpiFunnel, TargetToCustomerIsForTargetAccountsOnly) {
  const KpiTable t = computeKpis(funnelExample(), MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "all", "2026-01"), 0.5);  // 1 became a customer, 3 did not
  EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "target", "last_365d"), 0.5);
  for (const char* period : {"2026-01", "last_365d", "2026-10"})
    EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "non_target", period), std::nullopt) << period;
  EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "all", "2026-10"), std::nullopt);
}

TEST(KpiFunnel, EntriesOutOfAccountOrderAreAnError) {
  FunnelCounter counter(kpiPeriods(kAsOf));
  counter.add({2, Stage::Aware, at("2026-10-01")});
  counter.add({1, Stage::Aware, at("2026-10-02")});
  counter.add({2, Stage::Engaged, at("2026-10-03")});
  auto funnel = counter.result();
  ASSERT_FALSE(funnel);
  EXPECT_EQ(funnel.error(), "stage entries for the KPIs must come in account order");
}

TEST(KpiFunnel, ATargetAccountStartsInTargetEvenWhenItsFirstEventMovedItOnAtOnce) {
  // Account 1 is a target whose history begins with an opportunity (the replay keeps no zero-length
  // "target" row); it enters "target" at that start, as journey_funnel counts it, and reached customer.
  KpiInput in = accounts();
  FunnelCounter counter(kpiPeriods(kAsOf), {1, 3});
  for (const KpiStageEntry& e : std::vector<KpiStageEntry>{{1, Stage::Opportunity, at("2026-10-01")},
                                                           {1, Stage::Customer, at("2026-10-11")},
                                                           {2, Stage::Aware, at("2026-10-04")}})
    counter.add(e);
  auto funnel = counter.result();
  ASSERT_TRUE(funnel) << funnel.error();
  in.funnel = *funnel;
  const KpiTable t = computeKpis(in, MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "target", "2026-10"), 1);
  EXPECT_EQ(figure(t, Kpi::ConvTargetToCustomer, "non_target", "2026-10"), std::nullopt)
      << "account 2 is no target: no implicit start for it";
}
