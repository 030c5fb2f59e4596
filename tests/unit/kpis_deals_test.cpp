// Deal KPIs on the deals example of docs/metrics.md#kpis, by hand.
#include <gtest/gtest.h>

#include "kpis_examples.hpp"
#include "metrics/kpis_deals.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

namespace {

class KpiDeals : public ::testing::Test {
 protected:
  const KpiTable t = computeKpis(dealsExample(), dealsSettings(), kAsOf);
  std::optional<double> f(Kpi k, const std::string& segment, const std::string& period = "2026-10") {
    return figure(t, k, segment, period);
  }
};

}  // namespace

TEST_F(KpiDeals, CreatedCountsAndPipelineIncludeDealsWithoutAnAccountOnlyInAll) {
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "all"), 5);  // the four of accounts 1-3 and the one without account
  EXPECT_EQ(f(Kpi::PipelineCreated, "all"), 450);     // 100 + 300 + 0 (no amount) + 40 + 10
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "target"), 2);
  EXPECT_EQ(f(Kpi::PipelineCreated, "target"), 100);
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "non_target"), 2);
  EXPECT_EQ(f(Kpi::PipelineCreated, "non_target"), 340);
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "tier:strategic"), 1);
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "segment:big"), 3);
  EXPECT_EQ(f(Kpi::PipelineCreated, "segment:big"), 340);
  EXPECT_EQ(f(Kpi::OpportunitiesCreated, "all", "2026-09"), 2);
}

TEST_F(KpiDeals, WonLostAndWinRate) {
  EXPECT_EQ(f(Kpi::WonDeals, "all"), 3);
  EXPECT_EQ(f(Kpi::WonRevenue, "all"), 400);
  EXPECT_EQ(f(Kpi::LostDeals, "all"), 1);
  EXPECT_EQ(f(Kpi::WinRate, "all"), 0.75);
  EXPECT_EQ(f(Kpi::WinRate, "target"), 2.0 / 3);
  EXPECT_EQ(f(Kpi::WinRate, "non_target"), 1);
  EXPECT_EQ(f(Kpi::WinRate, "tier:strategic"), 0.5);
  EXPECT_EQ(f(Kpi::WonDeals, "all", "2026-11"), 1);
  EXPECT_EQ(f(Kpi::WonRevenue, "all", "qtd"), 470);
}

TEST_F(KpiDeals, DealSizeLeavesOutDealsWithoutAmountButTheCycleCountsThem) {
  EXPECT_EQ(f(Kpi::AvgDealSize, "all"), 200);  // (100 + 300) / 2
  EXPECT_EQ(f(Kpi::AvgDealSize, "target"), 100);
  EXPECT_DOUBLE_EQ(f(Kpi::SalesCycleDaysMean, "all").value(), 32.0 / 3);  // (10 + 20 + 2) / 3
  EXPECT_EQ(f(Kpi::SalesCycleDaysMedian, "all"), 10);
  EXPECT_EQ(f(Kpi::SalesCycleDaysMean, "target"), 6);  // (10 + 2) / 2
  EXPECT_EQ(f(Kpi::SalesCycleDaysMedian, "target"), 6);
  EXPECT_EQ(f(Kpi::SalesCycleDaysMedian, "segment:big"), 11);
  // Fractional days.
  KpiInput in = accounts();
  in.opportunities = {deal(1, "2026-10-01T00:00:00Z", 1, "2026-10-02T06:00:00Z", true)};
  EXPECT_EQ(figure(computeKpis(in, MetricsSettings{}, kAsOf), Kpi::SalesCycleDaysMean, "all", "2026-10"), 1.25);
}

TEST_F(KpiDeals, NewCustomersCountAnAccountInThePeriodOfItsFirstWinOnly) {
  EXPECT_EQ(f(Kpi::NewCustomers, "all"), 3);
  EXPECT_EQ(f(Kpi::NewCustomers, "target"), 2);
  EXPECT_EQ(f(Kpi::NewCustomers, "non_target"), 1);
  EXPECT_EQ(f(Kpi::NewCustomers, "all", "2026-11"), 0);  // account 1 won again: not new
  EXPECT_EQ(f(Kpi::NewCustomers, "all", "last_90d"), 3);
  const auto first = firstWonAt(dealsExample().opportunities);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(first.at(1), at("2026-10-11"));
}

TEST_F(KpiDeals, AnEmptyPeriodHasZeroCountsAndNullRatios) {
  for (const char* segment : {"all", "target", "non_target", "tier:strategic", "segment:big"}) {
    EXPECT_EQ(f(Kpi::OpportunitiesCreated, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::PipelineCreated, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::WonDeals, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::WonRevenue, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::LostDeals, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::NewCustomers, segment, "2026-05"), 0) << segment;
    EXPECT_EQ(f(Kpi::WinRate, segment, "2026-05"), std::nullopt) << segment;
    EXPECT_EQ(f(Kpi::AvgDealSize, segment, "2026-05"), std::nullopt) << segment;
    EXPECT_EQ(f(Kpi::SalesCycleDaysMean, segment, "2026-05"), std::nullopt) << segment;
    EXPECT_EQ(f(Kpi::SalesCycleDaysMedian, segment, "2026-05"), std::nullopt) << segment;
  }
  // Won deals that all lack an amount: a win rate, but no deal size.
  EXPECT_EQ(f(Kpi::AvgDealSize, "segment:big", "2026-10"), 300);
  KpiInput in = accounts();
  in.opportunities = {deal(3, "2026-10-01", std::nullopt, "2026-10-03", true)};
  const KpiTable only = computeKpis(in, MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(only, Kpi::WinRate, "all", "2026-10"), 1);
  EXPECT_EQ(figure(only, Kpi::AvgDealSize, "all", "2026-10"), std::nullopt);
}
