// Which segments an account is in, and which figures each period and segment gets.
#include <gtest/gtest.h>

#include <algorithm>

#include "kpis_examples.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

TEST(KpiSegments, AllTargetOrNonTargetTiersInNameOrderAndSavedSegments) {
  const KpiSegments s({{1, true, "strategic"}, {2, false, "core"}, {3, true, std::nullopt}, {4, false, "core"}},
                      {{"big", {2, 3}}, {"none", {}}});
  EXPECT_EQ(s.names(), (std::vector<std::string>{"all", "target", "non_target", "tier:core", "tier:strategic",
                                                 "segment:big", "segment:none"}));
  EXPECT_EQ(s.of(1), (std::vector<size_t>{0, 1, 4}));
  EXPECT_EQ(s.of(2), (std::vector<size_t>{0, 2, 3, 5}));
  EXPECT_EQ(s.of(3), (std::vector<size_t>{0, 1, 5}));
  EXPECT_EQ(s.of(4), (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(s.of(0), (std::vector<size_t>{0}));   // no account
  EXPECT_EQ(s.of(99), (std::vector<size_t>{0}));  // an account the store does not know
}

TEST(KpiTable, EveryMetricInEveryPeriodAndSegmentButCostsInAllAndTheForecastInQtd) {
  const KpiTable t = computeKpis(dealsExample(), dealsSettings(), kAsOf);
  const auto rows = t.rows();
  const size_t periods = 16, segments = 5;  // all, target, non_target, tier:strategic, segment:big
  ASSERT_EQ(t.segments().size(), segments);
  EXPECT_EQ(rows.size(), periods * segments * (kKpiCount - 4) + 2 * periods + 2 * segments);
  for (const auto& r : rows) {
    if (r.metric == "ad_spend" || r.metric == "cac") {
      EXPECT_EQ(r.segment, "all") << r.period;
    }
    if (r.metric == "forecast_quarter" || r.metric == "run_rate_quarter") {
      EXPECT_EQ(r.period, "qtd") << r.segment;
    }
  }
  // By period, then segment, then metric.
  EXPECT_EQ(rows.front().period, "last_90d");
  EXPECT_EQ(rows.front().segment, "all");
  EXPECT_EQ(rows.front().metric, "opportunities_created");
  EXPECT_EQ(rows.back().period, "qtd");
  EXPECT_EQ(rows.back().segment, "segment:big");
  EXPECT_EQ(rows.back().metric, "engaged_contacts");
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].period != rows[i - 1].period || rows[i].segment != rows[i - 1].segment) continue;
    EXPECT_LT(std::find(std::begin(kKpiNames), std::end(kKpiNames), rows[i - 1].metric),
              std::find(std::begin(kKpiNames), std::end(kKpiNames), rows[i].metric));
  }
}

TEST(KpiTable, NothingAtAllGivesZerosAndNullsNeverNaN) {
  const KpiTable t = computeKpis(KpiInput{}, MetricsSettings{}, kAsOf);
  ASSERT_EQ(t.segments().size(), 3u);
  for (const auto& r : t.rows()) {
    const std::string m(r.metric);
    const bool sum = m == "opportunities_created" || m == "pipeline_created" || m == "won_deals" ||
                     m == "won_revenue" || m == "lost_deals" || m == "new_customers" || m == "weighted_pipeline" ||
                     m == "forecast_quarter" || m == "run_rate_quarter" || m == "ad_spend" || m == "survey_responses" ||
                     m == "engaged_contacts";
    const std::optional<double> expected = sum ? std::optional<double>(0.0) : std::nullopt;
    EXPECT_EQ(r.value, expected) << m << " " << r.period;
  }
}
