// Engagement scores and the replayed stage journey, against hand computation.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>

#include "common/timestamp.hpp"
#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"

using namespace abm::metrics;

namespace {
constexpr int64_t kDay = 86400;
const int64_t kT0 = *abm::parseTimestamp("2026-01-01T00:00:00Z");
EngagementTouch touch(double day, double points, int64_t contact = 0, int channel = 2) {
  return {kT0 + static_cast<int64_t>(day * kDay), points, contact, channel};
}
std::string stages(const std::vector<StageSpan>& h) {
  std::string out;
  for (const auto& s : h) out += std::string(out.empty() ? "" : ">") + std::string(kStageNames[static_cast<size_t>(s.stage)]);
  return out;
}
}  // namespace

TEST(Engagement, DecayWeightsAndWindowEdges) {
  MetricsSettings s;  // half-life 30 days, window 90 days
  std::vector<EngagementTouch> t = {touch(0, 10, 1, 2), touch(30, 3, 2, 0), touch(60, 1, 1, 2)};
  // As of day 90: ages 90 (still inside: age <= window), 60, 30.
  auto e = engagementAt(t, kT0 + 90 * kDay, s);
  EXPECT_NEAR(e.score, 10 * 0.125 + 3 * 0.25 + 1 * 0.5, 1e-12);
  EXPECT_EQ(e.touchpoints, 3);
  EXPECT_EQ(e.engaged_contacts, 2);
  EXPECT_EQ(e.channels, 2);
  // One second later the day-0 touch is 90 days and 1 s old: out of the window.
  auto later = engagementAt(t, kT0 + 90 * kDay + 1, s);
  EXPECT_EQ(later.touchpoints, 2);
  EXPECT_NEAR(later.score, (3 * 0.25 + 1 * 0.5) * std::exp2(-1.0 / (30 * kDay)), 1e-12);
  // A touch in the future (negative age) does not count.
  auto before = engagementAt(t, kT0 + 59 * kDay, s);
  EXPECT_EQ(before.touchpoints, 2);
  EXPECT_NEAR(before.score, 10 * std::exp2(-59.0 / 30) + 3 * std::exp2(-29.0 / 30), 1e-12);
}

TEST(Stage, EvaluatedFromTheTop) {
  MetricsSettings s;
  EXPECT_EQ(stageOf(true, true, 100, 5, 9, true, s), Stage::Customer);
  EXPECT_EQ(stageOf(false, true, 100, 5, 9, true, s), Stage::Opportunity);
  EXPECT_EQ(stageOf(false, false, 60, 0, 9, true, s), Stage::Mqa);
  EXPECT_EQ(stageOf(false, false, 30, 3, 9, true, s), Stage::Mqa);
  EXPECT_EQ(stageOf(false, false, 30, 2, 9, true, s), Stage::Engaged);
  EXPECT_EQ(stageOf(false, false, 15, 0, 1, false, s), Stage::Engaged);
  EXPECT_EQ(stageOf(false, false, 14.9, 0, 1, false, s), Stage::Aware);
  EXPECT_EQ(stageOf(false, false, 0, 0, 0, true, s), Stage::Target);
  EXPECT_EQ(stageOf(false, false, 0, 0, 0, false, s), Stage::Unaware);
}

TEST(Journey, FallsBackFromMqaToEngagedAsTheScoreDecays) {
  MetricsSettings s;
  // A meeting (15) and a webinar (8) ... 80 points on day 0 by one contact: mqa at once.
  std::vector<EngagementTouch> t = {touch(0, 80, 1)};
  const int64_t as_of = kT0 + 100 * kDay;
  const auto h = replayJourney(t, {}, true, kT0 - 10 * kDay, as_of, s);
  EXPECT_EQ(stages(h), "target>mqa>engaged>aware>target");
  // 80 * 2^(-x/30) = 60 at x = 30 log2(4/3) days; engaged until it reaches 15 at 30 log2(16/3) days;
  // aware until the touch leaves the 90-day window; then back to target.
  const double to_engaged = 30 * std::log2(80.0 / 60) * kDay, to_aware = 30 * std::log2(80.0 / 15) * kDay;
  EXPECT_EQ(h[1].entered, kT0);
  EXPECT_EQ(h[2].entered, kT0 + static_cast<int64_t>(std::floor(to_engaged)) + 1);
  EXPECT_EQ(h[3].entered, kT0 + static_cast<int64_t>(std::floor(to_aware)) + 1);
  EXPECT_EQ(h[4].entered, kT0 + 90 * kDay + 1);
  EXPECT_EQ(h[4].exited, INT64_MAX);
  for (size_t i = 0; i + 1 < h.size(); ++i) EXPECT_EQ(h[i].exited, h[i + 1].entered);
}

TEST(Journey, ThreeEngagedContactsMakeAnMqaAtThirty) {
  MetricsSettings s;
  std::vector<EngagementTouch> t = {touch(0, 12, 1), touch(0, 12, 2), touch(1, 12, 3)};
  const auto h = replayJourney(t, {}, false, kT0 - kDay, kT0 + 2 * kDay, s);
  // Day 0: 24 points, 2 contacts: engaged. Day 1: 24*2^(-1/30) + 12 = 35.4 with 3 contacts: mqa.
  EXPECT_EQ(stages(h), "unaware>engaged>mqa");
  EXPECT_EQ(h[2].entered, kT0 + kDay);
}

TEST(Journey, OpportunitiesAndCustomers) {
  MetricsSettings s;
  std::vector<EngagementTouch> t = {touch(0, 1)};
  std::vector<OpportunitySpan> o = {{kT0 + 5 * kDay, kT0 + 20 * kDay, false},   // lost
                                    {kT0 + 30 * kDay, kT0 + 40 * kDay, true}};  // won
  const auto h = replayJourney(t, o, true, kT0 - kDay, kT0 + 50 * kDay, s);
  EXPECT_EQ(stages(h), "target>aware>opportunity>aware>opportunity>customer");
  EXPECT_EQ(h.back().entered, kT0 + 40 * kDay);
  // An opportunity won after as_of has not happened yet.
  const auto early = replayJourney(t, o, true, kT0 - kDay, kT0 + 35 * kDay, s);
  EXPECT_EQ(early.back().stage, Stage::Opportunity);
}

TEST(Journey, AScoreExactlyOnAThresholdGetsTheStageOfThatThreshold) {
  MetricsSettings s;
  // Twice a threshold on day 0 halves to exactly the threshold on day 30 (one half-life). Touches
  // worth 0 points (email sends) in between make the replay decay in several steps, which must not
  // land an ulp below the score account_engagement reports when the stage is decided on as_of (one
  // more email send then).
  const int64_t as_of = kT0 + 30 * kDay;
  int cases = 0;
  for (const auto& [threshold, contacts, expect] :
       {std::tuple{15.0, 1, Stage::Engaged}, std::tuple{60.0, 1, Stage::Mqa}, std::tuple{30.0, 3, Stage::Mqa}}) {
    for (int variant = 1; variant <= 25; ++variant) {
      std::vector<EngagementTouch> t;
      for (int c = 1; c <= contacts; ++c) t.push_back({kT0, 2 * threshold / contacts, c, 2});
      for (int j = 0; j < variant % 7 + 1; ++j)
        t.push_back({kT0 + 1 + (variant * 7919 + j * 104729) % (29 * kDay), 0, 0, 0});
      t.push_back({as_of, 0, 0, 0});
      std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
      const Engagement e = engagementAt(t, as_of, s);
      ASSERT_EQ(e.score, threshold);
      const auto h = replayJourney(t, {}, false, kT0, as_of, s);
      EXPECT_EQ(h.back().stage, expect) << "threshold " << threshold << ", variant " << variant << ": " << stages(h);
      ++cases;
    }
  }
  EXPECT_EQ(cases, 75);
}

TEST(Journey, TheCurrentStageAgreesWithTheReportedScore) {
  MetricsSettings s;
  // Busy accounts with random touches: the stage as of as_of is the one the reported score and
  // counts give, whatever the replay went through on the way.
  uint64_t seed = 12345;
  auto next = [&] { return (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (int account = 0; account < 200; ++account) {
    std::vector<EngagementTouch> t;
    const int n = static_cast<int>(next() % 60) + 1;
    for (int i = 0; i < n; ++i)
      t.push_back({kT0 + static_cast<int64_t>(next() % (200 * kDay)), static_cast<double>(next() % 16) * 0.5,
                   static_cast<int64_t>(next() % 5), static_cast<int>(next() % 7)});
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    const int64_t as_of = kT0 + static_cast<int64_t>(next() % (220 * kDay));
    std::vector<EngagementTouch> seen;
    for (const auto& x : t)
      if (x.time <= as_of) seen.push_back(x);
    const Engagement e = engagementAt(seen, as_of, s);
    const auto h = replayJourney(seen, {}, true, kT0, as_of, s);
    EXPECT_EQ(h.back().stage, stageOf(false, false, e.score, e.engaged_contacts, e.touchpoints, true, s))
        << "account " << account << ", score " << e.score << ": " << stages(h);
  }
}

TEST(Journey, NoEventsStaysInTheBaseStage) {
  MetricsSettings s;
  const auto h = replayJourney({}, {}, true, kT0, kT0 + kDay, s);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].stage, Stage::Target);
  EXPECT_EQ(h[0].entered, kT0);
}

TEST(MetricsSettings, ParsesAndRefusesWithKeyPath) {
  auto s = parseMetricsSettings(nlohmann::json{{"lookback_days", 90}, {"markov_order", 2},
                                               {"activity_weights", {{"meeting", 20}}},
                                               {"role_multipliers", {{"decision_maker", 1.5}}},
                                               {"attributable_activities", {"meeting", "form_submit"}},
                                               {"shards", 3}},
                                "abmd.json");
  EXPECT_EQ(s.shards, 3);
  EXPECT_EQ(parseMetricsSettings(nlohmann::json::object(), "abmd.json").shards, 0) << "0: the store's default";
  EXPECT_EQ(settingsText(s), settingsText(parseMetricsSettings(nlohmann::json{{"lookback_days", 90}, {"markov_order", 2},
                                               {"activity_weights", {{"meeting", 20}}},
                                               {"role_multipliers", {{"decision_maker", 1.5}}},
                                               {"attributable_activities", {"meeting", "form_submit"}}}, "abmd.json")))
      << "shards change who computes, not the results: not a setting the results depend on";
  EXPECT_EQ(s.lookback_days, 90);
  EXPECT_EQ(s.markov_order, 2);
  EXPECT_EQ(s.activity_weights[static_cast<size_t>(activityIndex("meeting"))], 20);
  EXPECT_EQ(s.activity_weights[static_cast<size_t>(activityIndex("form_submit"))], 10);
  EXPECT_FALSE(s.attributable[static_cast<size_t>(activityIndex("page_view"))]);
  EXPECT_EQ(s.role_multipliers["decision_maker"], 1.5);
  EXPECT_EQ(kRuleModelNames[static_cast<size_t>(s.kpi_model)], "w_shaped") << "the default KPI model";

  auto kpi = parseMetricsSettings(nlohmann::json{{"kpi_model", "linear"},
                                                 {"stage_probabilities", {{"negotiation", 0.8}}},
                                                 {"other_costs", {{{"from", "2026-01-01"}, {"to", "2026-02-01"},
                                                                   {"amount", 3100}, {"channel", "event"}}}}},
                                  "abmd.json");
  EXPECT_EQ(kRuleModelNames[static_cast<size_t>(kpi.kpi_model)], "linear");
  EXPECT_EQ(kpi.stage_probabilities["negotiation"], 0.8);
  ASSERT_EQ(kpi.other_costs.size(), 1u);
  EXPECT_EQ(kpi.other_costs[0].from, *abm::parseTimestamp("2026-01-01"));
  EXPECT_EQ(kpi.other_costs[0].to, *abm::parseTimestamp("2026-02-01"));
  EXPECT_EQ(kpi.other_costs[0].amount, 3100);
  EXPECT_EQ(kpi.other_costs[0].channel, "event");
  EXPECT_NE(settingsText(kpi), settingsText(MetricsSettings{}))
      << "the KPI settings change the results: a cycle's instances must agree on them";
  for (const auto& [bad, expect] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"markov_order", 5}}, "metrics.markov_order: expected a whole number from 1 to 4"},
           {{{"shards", 0}}, "metrics.shards: expected a whole number from 1 to 256"},
           {{{"shards", 257}}, "metrics.shards: expected a whole number from 1 to 256"},
           {{{"activity_weights", {{"teleport", 1}}}}, "metrics.activity_weights.teleport: not an activity"},
           {{{"half_life", 3}}, "metrics.half_life: unknown key"},
           {{{"engaged_score", "high"}}, "metrics.engaged_score: expected a number"},
           {{{"kpi_model", "markov"}}, "metrics.kpi_model: expected a rule-based model"},
           {{{"stage_probabilities", {{"negotiation", 80}}}}, "metrics.stage_probabilities.negotiation: expected a probability"},
           {{{"other_costs", {{{"from", "2026-01-01"}, {"to", "2026-02-01"}}}}}, "metrics.other_costs[0]: needs from, to and amount"},
           {{{"other_costs", {{{"from", "2026-01-01"}, {"to", "2026-01-01"}, {"amount", 5}}}}}, "metrics.other_costs[0].to: must be after from"},
           {{{"other_costs", {{{"from", "Jan 1"}, {"to", "2026-01-01"}, {"amount", 5}}}}}, "metrics.other_costs[0].from: expected a date YYYY-MM-DD"},
           {{{"other_costs", {{{"from", "2026-01-01"}, {"to", "2026-02-01"}, {"amount", 5}, {"channel", "tv"}}}}}, "metrics.other_costs[0].channel: expected a channel"}}) {
    try {
      parseMetricsSettings(bad, "abmd.json");
      ADD_FAILURE() << bad.dump();
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("abmd.json: " + expect), std::string::npos) << e.what();
    }
  }
}
