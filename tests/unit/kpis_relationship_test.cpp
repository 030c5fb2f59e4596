// Committee coverage and engaged contacts, by hand (docs/metrics.md#kpis).
#include <gtest/gtest.h>

#include "kpis_examples.hpp"
#include "metrics/kpis_relationship.hpp"

using namespace abm::metrics;
using namespace abm::metrics::examples;

namespace {

constexpr int kDecisionMaker = 0, kChampion = 1, kNoRole = -1;

KpiInput relationshipExample() {
  KpiInput in = accounts();
  CoverageCounter counter(kpiPeriods(kAsOf));
  counter.add(1, 11, kDecisionMaker, at("2026-10-01"));
  counter.add(1, 11, kDecisionMaker, at("2026-10-02"));
  counter.add(1, 12, kChampion, at("2026-10-03"));
  counter.add(1, 13, kNoRole, at("2026-10-04"));
  counter.add(1, 0, kNoRole, at("2026-10-05"));  // a touch without a contact
  counter.add(2, 0, kNoRole, at("2026-10-06"));
  counter.add(3, 31, kDecisionMaker, at("2026-09-30T23:59:59Z"));
  counter.add(3, 32, kDecisionMaker, at("2026-10-07"));
  counter.add(3, 33, kChampion, at("2026-11-15T12:00:00Z"));  // at as_of: in no period
  auto coverage = counter.result();
  EXPECT_TRUE(coverage) << coverage.error();
  if (coverage) in.coverage = *coverage;
  return in;
}

}  // namespace

TEST(KpiRelationship, TheCounterKeepsDistinctContactsAndRolesPerAccountAndPeriod) {
  const auto coverage = relationshipExample().coverage;
  const auto october = kpiPeriods(kAsOf).size() - 3;  // index of 2026-10
  std::vector<std::string> seen;
  for (const auto& c : coverage)
    if (c.period == october)
      seen.push_back(std::to_string(c.account) + ":" + std::to_string(c.contacts) + "/" + std::to_string(c.roles));
  EXPECT_EQ(seen, (std::vector<std::string>{"1:3/2", "2:0/0", "3:1/1"}));
}

TEST(KpiRelationship, CoverageIsTheMeanOfRolesEngagedContactsTheSum) {
  const KpiTable t = computeKpis(relationshipExample(), MetricsSettings{}, kAsOf);
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "all", "2026-10"), 1);  // (2 + 0 + 1) ÷ 3
  EXPECT_EQ(figure(t, Kpi::EngagedContacts, "all", "2026-10"), 4);
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "target", "2026-10"), 1.5);
  EXPECT_EQ(figure(t, Kpi::EngagedContacts, "target", "2026-10"), 4);
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "non_target", "2026-10"), 0);
  EXPECT_EQ(figure(t, Kpi::EngagedContacts, "non_target", "2026-10"), 0);
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "all", "2026-09"), 1);  // account 3, a second before October
  EXPECT_EQ(figure(t, Kpi::EngagedContacts, "segment:big", "last_90d"), 2);  // 31 and 32 of account 3
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "segment:big", "last_90d"), 0.5);  // (0 + 1) ÷ 2
  EXPECT_EQ(figure(t, Kpi::CommitteeCoverage, "all", "2026-11"), std::nullopt);
  EXPECT_EQ(figure(t, Kpi::EngagedContacts, "all", "2026-11"), 0);
}

TEST(KpiRelationship, TouchesOutOfAccountOrderAreAnError) {
  CoverageCounter counter(kpiPeriods(kAsOf));
  counter.add(2, 21, kDecisionMaker, at("2026-10-01"));
  counter.add(1, 11, kDecisionMaker, at("2026-10-01"));
  auto coverage = counter.result();
  ASSERT_FALSE(coverage);
  EXPECT_EQ(coverage.error(), "touches for the KPIs must come in account order");
}
