// Weighted pipeline, velocity, the quarter's forecast and run rate on the deals example of
// docs/metrics.md#kpis, by hand.
#include <gtest/gtest.h>

#include "kpis_examples.hpp"
#include "metrics/kpis_pipeline.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

TEST(KpiPipeline, ProbabilityFromTheSourceElseTheStageSettingElseNone) {
  const MetricsSettings s = dealsSettings();
  KpiOpportunity o;
  o.stage = "negotiation";
  EXPECT_EQ(winProbability(o, s), 0.8);
  o.probability = 0.3;
  EXPECT_EQ(winProbability(o, s), 0.3);
  o.probability.reset();
  o.stage = "discovery";
  EXPECT_EQ(winProbability(o, s), std::nullopt);
}

TEST(KpiPipeline, OpenAtAMomentMeansCreatedBeforeAndNotClosedBefore) {
  const KpiOpportunity o = deal(1, "2026-10-01", 1, "2026-10-20");
  EXPECT_FALSE(openAt(o, at("2026-10-01")));  // created at that instant: not before it
  EXPECT_TRUE(openAt(o, at("2026-10-01T00:00:01Z")));
  EXPECT_TRUE(openAt(o, at("2026-10-20")));  // closed at that instant: not before it
  EXPECT_FALSE(openAt(o, at("2026-10-20T00:00:01Z")));
  EXPECT_TRUE(openAt(deal(1, "2026-10-01", 1), at("2030-01-01")));
}

TEST(KpiPipeline, WeightedPipelineAndVelocityAtTheEndOfThePeriod) {
  const KpiTable t = computeKpis(dealsExample(), dealsSettings(), kAsOf);
  // Open at 2026-11-01: 40 × 0.5 (source), 10 × 0.8 (stage setting), 1000 without a probability.
  EXPECT_EQ(figure(t, Kpi::WeightedPipeline, "all", "2026-10"), 28);
  EXPECT_EQ(figure(t, Kpi::WeightedPipeline, "non_target", "2026-10"), 20);
  EXPECT_EQ(figure(t, Kpi::WeightedPipeline, "target", "2026-10"), 0);
  // 3 open × 0.75 × 200 ÷ (32/3 days)
  EXPECT_DOUBLE_EQ(figure(t, Kpi::PipelineVelocity, "all", "2026-10").value(), 3 * 0.75 * 200 / (32.0 / 3));
  EXPECT_DOUBLE_EQ(figure(t, Kpi::PipelineVelocity, "non_target", "2026-10").value(), 15);  // 1 × 1 × 300 ÷ 20
  EXPECT_DOUBLE_EQ(figure(t, Kpi::PipelineVelocity, "target", "2026-10").value(), 100.0 / 9);  // 1 × 2/3 × 100 ÷ 6
  EXPECT_EQ(figure(t, Kpi::PipelineVelocity, "tier:strategic", "2026-10"), 0);  // nothing open
  // September: two deals open at its end, none with a probability; nothing closed, so no velocity.
  EXPECT_EQ(figure(t, Kpi::WeightedPipeline, "all", "2026-09"), 0);
  EXPECT_EQ(figure(t, Kpi::PipelineVelocity, "all", "2026-09"), std::nullopt);
}

TEST(KpiPipeline, ForecastAndRunRateOfTheQuarter) {
  const KpiTable t = computeKpis(dealsExample(), dealsSettings(), kAsOf);
  // Won since 2026-10-01: 100 + 300 + 0 + 70; open and expected by 2027-01-01: 40 × 0.5.
  EXPECT_EQ(figure(t, Kpi::ForecastQuarter, "all", "qtd"), 490);
  EXPECT_EQ(figure(t, Kpi::ForecastQuarter, "target", "qtd"), 170);
  EXPECT_EQ(figure(t, Kpi::ForecastQuarter, "non_target", "qtd"), 320);
  // 92 days in the quarter, 45.5 of them gone.
  EXPECT_DOUBLE_EQ(figure(t, Kpi::RunRateQuarter, "all", "qtd").value(), 470 * 92 / 45.5);
  EXPECT_DOUBLE_EQ(figure(t, Kpi::RunRateQuarter, "non_target", "qtd").value(), 300 * 92 / 45.5);
  // At the quarter's first instant nothing has elapsed: no run rate; the open deal still counts.
  const KpiTable start = computeKpis(dealsExample(), dealsSettings(), at("2026-10-01T00:00:00Z"));
  EXPECT_EQ(figure(start, Kpi::RunRateQuarter, "all", "qtd"), std::nullopt);
  EXPECT_EQ(figure(start, Kpi::ForecastQuarter, "all", "qtd"), 0);  // o5 (created 10-15) did not exist yet
}
