// NPS and survey responses, by hand (docs/metrics.md#kpis).
#include <gtest/gtest.h>

#include "kpis_examples.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

TEST(KpiReputation, NpsIsPromotersMinusDetractorsPerHundredResponses) {
  KpiInput in = accounts();
  in.surveys = {{1, 10, at("2026-10-02")}, {1, 9, at("2026-10-03")}, {2, 7, at("2026-10-04")},
                {2, 3, at("2026-10-05")},  {0, 0, at("2026-10-06")}, {3, 8, at("2026-11-01")}};
  const KpiTable t = computeKpis(in, MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(t, Kpi::SurveyResponses, "all", "2026-10"), 5);
  EXPECT_EQ(figure(t, Kpi::Nps, "all", "2026-10"), 0);  // 100 × (2 − 2) ÷ 5
  EXPECT_EQ(figure(t, Kpi::Nps, "target", "2026-10"), 100);
  EXPECT_EQ(figure(t, Kpi::Nps, "non_target", "2026-10"), -50);  // a passive (7) and a detractor (3)
  EXPECT_EQ(figure(t, Kpi::SurveyResponses, "non_target", "2026-10"), 2);
  EXPECT_EQ(figure(t, Kpi::Nps, "segment:big", "2026-11"), 0);  // one passive
  EXPECT_EQ(figure(t, Kpi::SurveyResponses, "all", "2026-09"), 0);
  EXPECT_EQ(figure(t, Kpi::Nps, "all", "2026-09"), std::nullopt);
  EXPECT_DOUBLE_EQ(figure(t, Kpi::Nps, "all", "last_90d").value(), 100.0 * (2 - 2) / 6);
}
