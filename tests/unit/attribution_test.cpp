// Hand-computed expectations for every rule-based model and its edge cases (docs/metrics.md).
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/attribution_rules.hpp"

using namespace abm::metrics;

namespace {

constexpr int64_t kDay = 86400;
size_t idx(RuleModel m) { return static_cast<size_t>(m); }

std::vector<double> column(const std::vector<std::array<double, kRuleModelCount>>& s, RuleModel m) {
  std::vector<double> out;
  for (const auto& row : s) out.push_back(row[idx(m)]);
  return out;
}

void expectShares(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << what << " touch " << i;
}

// A path of touches on days 0..n-1, converting on day `conversion_day`.
std::vector<int64_t> days(std::initializer_list<int64_t> d) {
  std::vector<int64_t> out;
  for (auto x : d) out.push_back(x * kDay);
  return out;
}

}  // namespace

TEST(RuleModels, FivetouchPathWithDistinctMilestones) {
  // Touches on days 0,10,20,30,40; first contact created on day 15 (lead = touch 1, day 10);
  // opportunity created on day 25 (opportunity creation = touch 2, day 20); conversion on day 40.
  const auto t = days({0, 10, 20, 30, 40});
  const Milestones m = findMilestones(t, 15 * kDay, true, 25 * kDay);
  EXPECT_EQ(m.first, 0u);
  EXPECT_EQ(m.lead_creation, 1u);
  EXPECT_EQ(m.opportunity_creation, 2u);
  EXPECT_EQ(m.last, 4u);
  const auto s = ruleShares(t, m, 40 * kDay, 7);
  expectShares(column(s, RuleModel::FirstTouch), {1, 0, 0, 0, 0}, "first_touch");
  expectShares(column(s, RuleModel::LastTouch), {0, 0, 0, 0, 1}, "last_touch");
  expectShares(column(s, RuleModel::Linear), {0.2, 0.2, 0.2, 0.2, 0.2}, "linear");
  // position_based: 0.4 first, 0.4 last, 0.2 over the 3 middle touches (lead creation is a middle touch).
  expectShares(column(s, RuleModel::PositionBased), {0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4}, "position_based");
  // u_shaped: 0.4 first, 0.4 lead creation, 0.2 over the other 3 (the last touch is a middle touch).
  expectShares(column(s, RuleModel::UShaped), {0.4, 0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3}, "u_shaped");
  // w_shaped: 0.3 first, lead, opportunity; 0.1 over touches 3 and 4.
  expectShares(column(s, RuleModel::WShaped), {0.3, 0.3, 0.3, 0.05, 0.05}, "w_shaped");
  // full_path: 0.225 on four milestones, 0.1 on the one middle touch.
  expectShares(column(s, RuleModel::FullPath), {0.225, 0.225, 0.225, 0.1, 0.225}, "full_path");
  expectShares(column(s, RuleModel::JShaped), {0.2, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.6}, "j_shaped");
  expectShares(column(s, RuleModel::InverseJ), {0.6, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.2}, "inverse_j");
  // time_decay: weights 2^(-40/7), 2^(-30/7), 2^(-20/7), 2^(-10/7), 1, normalized.
  std::vector<double> w = {std::exp2(-40.0 / 7), std::exp2(-30.0 / 7), std::exp2(-20.0 / 7), std::exp2(-10.0 / 7), 1};
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
  expectShares(column(s, RuleModel::TimeDecay), w, "time_decay");
}

TEST(RuleModels, EveryModelSumsToOne) {
  const auto t = days({0, 1, 1, 5, 9, 9, 30});
  const auto s = ruleShares(t, findMilestones(t, 2 * kDay, true, 6 * kDay), 30 * kDay, 7);
  for (size_t m = 0; m < kRuleModelCount; ++m) {
    double sum = 0;
    for (const auto& row : s) sum += row[m];
    EXPECT_NEAR(sum, 1.0, 1e-12) << kRuleModelNames[m];
  }
}

TEST(RuleModels, SingleTouchGetsEverything) {
  const auto t = days({3});
  const auto s = ruleShares(t, findMilestones(t, 0, false, 3 * kDay), 3 * kDay, 7);
  for (size_t m = 0; m < kRuleModelCount; ++m) EXPECT_DOUBLE_EQ(s[0][m], 1.0) << kRuleModelNames[m];
}

TEST(RuleModels, TwoTouchesDropTheEmptyMiddleAndRenormalize) {
  const auto t = days({0, 5});
  // No contacts: lead creation falls on P[0]; the opportunity was created after both touches.
  const auto s = ruleShares(t, findMilestones(t, 0, false, 9 * kDay), 9 * kDay, 7);
  expectShares(column(s, RuleModel::PositionBased), {0.5, 0.5}, "position_based");
  expectShares(column(s, RuleModel::JShaped), {0.25, 0.75}, "j_shaped");
  expectShares(column(s, RuleModel::InverseJ), {0.75, 0.25}, "inverse_j");
  // u_shaped: first and lead creation coincide on P[0] (0.8); P[1] is the middle (0.2).
  expectShares(column(s, RuleModel::UShaped), {0.8, 0.2}, "u_shaped");
  // w_shaped: first 0.3 + lead 0.3 on P[0], opportunity creation 0.3 on P[1], no middle: 0.6/0.3 -> 2/3, 1/3.
  expectShares(column(s, RuleModel::WShaped), {2.0 / 3, 1.0 / 3}, "w_shaped");
  // full_path: P[0] first+lead 0.45, P[1] opportunity+last 0.45 -> 0.5 / 0.5.
  expectShares(column(s, RuleModel::FullPath), {0.5, 0.5}, "full_path");
}

TEST(RuleModels, CoincidingMilestonesAddUp) {
  // Lead and opportunity creation both on touch 1 of 4.
  const auto t = days({0, 10, 20, 30});
  const auto m = findMilestones(t, 12 * kDay, true, 15 * kDay);
  EXPECT_EQ(m.lead_creation, 1u);
  EXPECT_EQ(m.opportunity_creation, 1u);
  const auto s = ruleShares(t, m, 30 * kDay, 7);
  // w_shaped: P0 0.3, P1 0.6, middle 0.1 over P2, P3.
  expectShares(column(s, RuleModel::WShaped), {0.3, 0.6, 0.05, 0.05}, "w_shaped");
  // full_path: P0 0.225, P1 0.45, P3 0.225, middle 0.1 on P2.
  expectShares(column(s, RuleModel::FullPath), {0.225, 0.45, 0.1, 0.225}, "full_path");
}

TEST(RuleModels, MilestonesWhenNothingIsEarlyEnoughFallBackToTheFirstTouch) {
  const auto t = days({10, 20});
  const auto m = findMilestones(t, 5 * kDay, true, 2 * kDay);  // contact and opportunity before any touch
  EXPECT_EQ(m.lead_creation, 0u);
  EXPECT_EQ(m.opportunity_creation, 0u);
}

TEST(RuleModels, TiesInTimeKeepPathOrder) {
  // Three touches at the same second: milestones by position, time decay equal.
  const auto t = days({4, 4, 4});
  const auto s = ruleShares(t, findMilestones(t, 4 * kDay, true, 4 * kDay), 4 * kDay, 7);
  expectShares(column(s, RuleModel::FirstTouch), {1, 0, 0}, "first_touch");
  expectShares(column(s, RuleModel::LastTouch), {0, 0, 1}, "last_touch");
  expectShares(column(s, RuleModel::TimeDecay), {1.0 / 3, 1.0 / 3, 1.0 / 3}, "time_decay");
  // The last touch at or before the lead time is the third one (ties count as "at or before").
  expectShares(column(s, RuleModel::UShaped), {0.4, 0.2, 0.4}, "u_shaped");
}

TEST(RuleModels, EmptyPathGetsNoRows) {
  EXPECT_TRUE(ruleShares({}, Milestones{}, 0, 7).empty());
}
