// The read API's KPI routes over the fixture store, which holds KPI rows of two runs: /kpis and
// /campaign-performance answer the latest run's rows only, with their filters, NULL kept null,
// campaign names joined and paging to the end; /funnel and /engagement (top and rising accounts).
#include <gtest/gtest.h>

#include <set>

#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

class ApiKpisTest : public ApiStoreTest {};

TEST_F(ApiKpisTest, KpisAreTheLatestRunsRowsWithNullKept) {
  const auto a = harness_->get("/api/v1/kpis");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["as_of"], "2024-06-01T00:00:00Z");
  std::set<std::string> periods;
  for (const auto& i : a.body["items"]) periods.insert(i["period"].get<std::string>());
  EXPECT_EQ(periods, (std::set<std::string>{"last_90d", "2024-05"})) << "the older run's 2023-05 row is not today's";
  EXPECT_EQ(a.body["items"].size(), 5u);

  const auto target = harness_->get("/api/v1/kpis?period=last_90d&segment=target");
  ASSERT_EQ(target.status, 200) << target.raw;
  ASSERT_EQ(target.body["items"].size(), 1u);
  const auto& row = target.body["items"][0];
  EXPECT_TRUE(row["value"].is_null()) << "an empty denominator stays null, never 0";
  EXPECT_EQ(row["metric"], "win_rate");
  EXPECT_EQ(row["period_start"], "2024-03-03T00:00:00Z");
  EXPECT_EQ(row["period_end"], "2024-06-01T00:00:00Z");

  const auto zero = harness_->get("/api/v1/kpis?segment=segment%3ABig%20fish&metric=won_revenue");
  ASSERT_EQ(zero.body["items"].size(), 1u) << zero.raw;
  EXPECT_EQ(zero.body["items"][0]["value"], 0.0);
  const auto none = harness_->get("/api/v1/kpis?metric=nps");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.body["items"].empty());
}

TEST_F(ApiKpisTest, KpisPageToTheEnd) {
  const auto items = walk("/api/v1/kpis?limit=2");
  std::set<std::string> keys;
  for (const auto& i : items)
    keys.insert(i["period"].get<std::string>() + "|" + i["segment"].get<std::string>() + "|" +
                i["metric"].get<std::string>());
  EXPECT_EQ(items.size(), 5u);
  EXPECT_EQ(keys.size(), 5u);
  const auto bad = harness_->get("/api/v1/kpis?periods=last_90d");
  EXPECT_EQ(bad.status, 400) << bad.raw;
}

TEST_F(ApiKpisTest, KpisBeforeAnyRunAreEmpty) {
  TempDir dir;
  TestStore empty(dir / "empty.db");
  ASSERT_TRUE(empty.open());
  ApiHarness harness(api::ApiContext{empty.location(), nullptr, 1, 4});
  const auto a = harness.get("/api/v1/kpis");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_TRUE(a.body["as_of"].is_null());
  EXPECT_TRUE(a.body["items"].empty());
  const auto p = harness.get("/api/v1/campaign-performance");
  ASSERT_EQ(p.status, 200) << p.raw;
  EXPECT_TRUE(p.body["as_of"].is_null());
  EXPECT_TRUE(p.body["items"].empty());
  const auto f = harness.get("/api/v1/funnel");
  ASSERT_EQ(f.status, 200) << f.raw;
  EXPECT_TRUE(f.body["items"].empty());
}

TEST_F(ApiKpisTest, CampaignPerformanceJoinsNamesAndFilters) {
  const auto a = harness_->get("/api/v1/campaign-performance?period=last_90d");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["as_of"], "2024-06-01T00:00:00Z");
  const auto& items = a.body["items"];
  ASSERT_EQ(items.size(), 3u) << "the older run's social row is left out: " << a.raw;
  // Sorted by spend, highest first; ties by the row's key (the channel row before its campaign).
  EXPECT_TRUE(items[0]["campaign_id"].is_null());
  EXPECT_TRUE(items[0]["campaign_name"].is_null());
  EXPECT_EQ(items[0]["channel"], "ads");
  EXPECT_EQ(items[0]["cac"], 30.5);
  EXPECT_EQ(items[1]["campaign_id"], 2);
  EXPECT_EQ(items[1]["campaign_name"], "LinkedIn Q1");
  EXPECT_EQ(items[1]["impressions"], 300);
  EXPECT_EQ(items[1]["roas"], 3.278688524590164);
  EXPECT_EQ(items[2]["campaign_name"], "Spring webinar");
  EXPECT_TRUE(items[2]["ctr"].is_null());
  EXPECT_TRUE(items[2]["roas"].is_null());
  EXPECT_EQ(items[2]["influenced_pipeline"], 5000.0);

  const auto by_campaign = harness_->get("/api/v1/campaign-performance?campaign_id=2");
  ASSERT_EQ(by_campaign.body["items"].size(), 2u) << by_campaign.raw;
  const auto by_channel = harness_->get("/api/v1/campaign-performance?channel=email");
  ASSERT_EQ(by_channel.body["items"].size(), 1u) << by_channel.raw;
  EXPECT_EQ(by_channel.body["items"][0]["campaign_id"], 1);
  const auto paged = walk("/api/v1/campaign-performance?limit=1&sort=attributed_revenue");
  ASSERT_EQ(paged.size(), 4u);
  EXPECT_EQ(paged[0]["attributed_revenue"], 0.0);
  const auto bad = harness_->get("/api/v1/campaign-performance?campaign_id=x");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_NE(bad.errorMessage().find("campaign_id"), std::string::npos) << bad.raw;
}

TEST_F(ApiKpisTest, FunnelInStageOrder) {
  const auto a = harness_->get("/api/v1/funnel");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["as_of"], "2024-06-01T00:00:00Z");
  const auto& items = a.body["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]["stage"], "target");
  EXPECT_EQ(items[0]["median_days_to_next"], 12.5);
  EXPECT_EQ(items[1]["conversion_rate"], 0.0);
  EXPECT_TRUE(items[1]["median_days_to_next"].is_null());
  EXPECT_EQ(items[2]["stage"], "customer");
  EXPECT_TRUE(items[2]["conversion_rate"].is_null());
}

TEST_F(ApiKpisTest, EngagementTopAndRisingAccounts) {
  // The fixture scores accounts (id % 6) * 10 with a previous window of 1.5, those with id % 4 != 0.
  std::vector<std::pair<double, int64_t>> want;
  for (const auto& a : fixtureAccounts())
    if (a.score && a.is_target) want.emplace_back(*a.score - 1.5, a.id);
  std::sort(want.begin(), want.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second > y.second;
  });
  const auto rising = walk("/api/v1/engagement?is_target=true&sort=-score_change&limit=3");
  ASSERT_EQ(rising.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(rising[i]["account_id"], want[i].second) << i;
    EXPECT_EQ(rising[i]["score_change"], want[i].first) << i;
    EXPECT_EQ(rising[i]["is_target"], true);
  }
  const auto tier = walk("/api/v1/engagement?tier=TIER%201");
  ASSERT_FALSE(tier.empty());
  for (const auto& i : tier) EXPECT_EQ(i["tier"], "Tier 1");
  const auto top = harness_->get("/api/v1/engagement?limit=1");
  ASSERT_EQ(top.status, 200) << top.raw;
  EXPECT_EQ(top.body["items"][0]["score"], 50.0);
  EXPECT_EQ(top.body["items"][0]["score_prev_window"], 1.5);
}

}  // namespace
