// The campaign table's figures, computed by hand (docs/metrics.md#campaign-performance).
#include <gtest/gtest.h>

#include <abm/sdk/entities.hpp>

#include "common/timestamp.hpp"
#include "metrics/campaign_performance.hpp"

namespace abm::metrics {
namespace {

int64_t at(const char* text) { return *parseTimestamp(text); }
int channel(std::string_view name) { return channelIndex(name); }
int activity(std::string_view name) { return activityIndex(name); }

// As of 2026-06-15 noon: last_90d starts 2026-03-17 noon; May 2026 is a whole month before it.
const int64_t kAsOf = at("2026-06-15T12:00:00Z");

// The row of a campaign (channel ignored) or, with campaign 0, of a channel; null when there is none.
const CampaignPerformanceRow* find(const std::vector<CampaignPerformanceRow>& rows, const std::string& period,
                                   int64_t campaign, const char* channel_name = nullptr) {
  for (const auto& r : rows)
    if (r.period == period && r.campaign_id == campaign &&
        (campaign != 0 || (r.channel && *r.channel == channel(channel_name))))
      return &r;
  return nullptr;
}

TEST(CampaignPeriods, LastDaysThenTwelveWholeMonthsThenTheMonthSoFar) {
  const int64_t as_of = at("2026-01-10T06:00:00Z");
  const auto p = campaignPeriods(as_of);
  ASSERT_EQ(p.size(), 15u);
  EXPECT_EQ(p[0].name, "last_90d");
  EXPECT_EQ(p[0].start, as_of - 90 * 86400);
  EXPECT_EQ(p[0].end, as_of);
  EXPECT_EQ(p[1].name, "last_365d");
  EXPECT_EQ(p[1].start, at("2025-01-10T06:00:00Z"));
  EXPECT_EQ(p[2].name, "2025-01");
  EXPECT_EQ(p[2].start, at("2025-01-01"));
  EXPECT_EQ(p[2].end, at("2025-02-01"));
  EXPECT_EQ(p[13].name, "2025-12");
  EXPECT_EQ(p[13].end, at("2026-01-01"));
  EXPECT_EQ(p[14].name, "2026-01");
  EXPECT_EQ(p[14].start, at("2026-01-01"));
  EXPECT_EQ(p[14].end, as_of);
  EXPECT_TRUE(p[14].contains(at("2026-01-10T05:59:59Z")));
  EXPECT_FALSE(p[14].contains(as_of));
}

TEST(CampaignPerformance, SpendGivesCtrCpcCpmAndEmptyRatiosAreNull) {
  CampaignPerformance t(kAsOf, 365, {});
  t.addCampaign(1, channel("ads"));
  t.addSpend({1, at("2026-05-10"), 1000, 10, 50});
  t.addSpend({1, at("2026-05-20"), 3000, 30, 150});
  t.addSpend({1, at("2026-06-01"), 0, 0, 0});  // a day with nothing: a row, every ratio NULL
  t.addSpend({0, at("2026-05-11"), 500, 5, 25});  // its campaign has not arrived: the ads channel only
  const auto rows = t.rows();

  const auto* may = find(rows, "2026-05", 1);
  ASSERT_TRUE(may);
  EXPECT_EQ(may->channel, channel("ads"));
  EXPECT_DOUBLE_EQ(may->spend, 200);
  EXPECT_EQ(may->impressions, 4000);
  EXPECT_EQ(may->clicks, 40);
  EXPECT_DOUBLE_EQ(*may->ctr, 0.01);
  EXPECT_DOUBLE_EQ(*may->cpc, 5);
  EXPECT_DOUBLE_EQ(*may->cpm, 50);
  EXPECT_DOUBLE_EQ(*may->roas, 0);  // spent, nothing attributed
  EXPECT_DOUBLE_EQ(*may->roi, -1);
  EXPECT_FALSE(may->cac) << "no new customer credited";
  EXPECT_EQ(may->accounts_reached, 0);
  EXPECT_DOUBLE_EQ(may->influenced_pipeline, 0);

  const auto* june = find(rows, "2026-06", 1);
  ASSERT_TRUE(june);
  EXPECT_DOUBLE_EQ(june->spend, 0);
  EXPECT_FALSE(june->ctr);
  EXPECT_FALSE(june->cpc);
  EXPECT_FALSE(june->cpm);
  EXPECT_FALSE(june->roas);
  EXPECT_FALSE(june->roi);

  const auto* ads = find(rows, "2026-05", 0, "ads");
  ASSERT_TRUE(ads);
  EXPECT_DOUBLE_EQ(ads->spend, 225);
  EXPECT_EQ(ads->impressions, 4500);
  EXPECT_EQ(ads->clicks, 45);
  EXPECT_DOUBLE_EQ(*ads->cpc, 5);
  EXPECT_DOUBLE_EQ(find(rows, "last_90d", 1)->spend, 200);
  EXPECT_FALSE(find(rows, "2026-04", 1)) << "nothing in April: no row";
  EXPECT_FALSE(find(rows, "2026-05", 0, "email"));
}

TEST(CampaignPerformance, ReachCountsAccountsOnceAndEngagementLeavesOutSendsBouncesAndImpressions) {
  CampaignPerformance t(kAsOf, 365, {});
  t.addCampaign(1, channel("email"));
  t.addCampaign(2, channel("ads"));
  const int email = channel("email"), ads = channel("ads"), web = channel("web");
  // Account 1: sent, opened, sent again: reached and engaged once.
  t.addAccount({{at("2026-05-02"), 1, email, activity("email_send")},
                {at("2026-05-03"), 1, email, activity("email_open")},
                {at("2026-05-04"), 1, email, activity("email_send")}},
               {});
  // Account 2: only sent to and shown an ad, plus a page view outside any campaign.
  t.addAccount({{at("2026-04-30T23:59:59Z"), 0, web, activity("page_view")},
                {at("2026-05-04"), 1, email, activity("email_send")},
                {at("2026-05-05"), 2, ads, activity("ad_impression")},
                {at("2026-05-06"), 1, email, activity("email_bounce")}},
               {});
  const auto rows = t.rows();
  const auto* c1 = find(rows, "2026-05", 1);
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->accounts_reached, 2);
  EXPECT_EQ(c1->accounts_engaged, 1);
  EXPECT_EQ(c1->channel, email);
  const auto* c2 = find(rows, "2026-05", 2);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->accounts_reached, 1);
  EXPECT_EQ(c2->accounts_engaged, 0);
  EXPECT_EQ(find(rows, "2026-05", 0, "email")->accounts_reached, 2);
  EXPECT_EQ(find(rows, "2026-05", 0, "email")->accounts_engaged, 1);
  EXPECT_FALSE(find(rows, "2026-05", 0, "web")) << "the page view was in April";
  const auto* april_web = find(rows, "2026-04", 0, "web");
  ASSERT_TRUE(april_web);
  EXPECT_EQ(april_web->accounts_reached, 1);
  EXPECT_EQ(april_web->accounts_engaged, 1);
  EXPECT_EQ(find(rows, "last_90d", 1)->accounts_reached, 2);
  EXPECT_EQ(find(rows, "last_365d", 0, "web")->accounts_reached, 1);
}

TEST(CampaignPerformance, InfluencedCountsEveryCampaignInTheLookbackSourcedOnlyTheEarliest) {
  CampaignPerformance t(kAsOf, 30, {});
  t.addCampaign(1, channel("email"));
  t.addCampaign(2, channel("web"));
  t.addCampaign(3, channel("event"));
  const int email = channel("email"), web = channel("web"), event = channel("event");
  // The deal of 2026-05-10: lookback [2026-04-10, 2026-05-10], both ends included.
  t.addAccount({{at("2026-04-09T23:59:59Z"), 3, event, activity("webinar_attend")},  // too early
                {at("2026-04-10"), 1, email, activity("email_click")},                // the earliest in the window
                {at("2026-04-20"), 2, web, activity("page_view")},
                {at("2026-04-25"), 0, web, activity("page_view")},
                {at("2026-05-10"), 2, web, activity("form_submit")},                  // at creation: counts
                {at("2026-05-11"), 3, event, activity("meeting")}},                   // after it
               {{at("2026-05-10"), 1000}});
  // A deal whose account had no touch in its lookback influences nothing.
  t.addAccount({{at("2026-01-01"), 1, email, activity("email_click")}}, {{at("2026-05-15"), 500}});
  const auto rows = t.rows();

  const auto* c1 = find(rows, "2026-05", 1);
  ASSERT_TRUE(c1);
  EXPECT_DOUBLE_EQ(c1->influenced_pipeline, 1000);
  EXPECT_DOUBLE_EQ(c1->sourced_pipeline, 1000);
  const auto* c2 = find(rows, "2026-05", 2);
  ASSERT_TRUE(c2);
  EXPECT_DOUBLE_EQ(c2->influenced_pipeline, 1000);
  EXPECT_DOUBLE_EQ(c2->sourced_pipeline, 0);
  const auto* c3 = find(rows, "2026-05", 3);
  ASSERT_TRUE(c3) << "reached in May by the meeting";
  EXPECT_DOUBLE_EQ(c3->influenced_pipeline, 0);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 0, "email")->sourced_pipeline, 1000);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 0, "web")->influenced_pipeline, 1000);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 0, "web")->sourced_pipeline, 0);
  // The deal was created in May: April's rows have the touches but no pipeline.
  EXPECT_DOUBLE_EQ(find(rows, "2026-04", 1)->influenced_pipeline, 0);
  EXPECT_DOUBLE_EQ(find(rows, "last_90d", 2)->influenced_pipeline, 1000);
  EXPECT_DOUBLE_EQ(find(rows, "last_365d", 0, "email")->influenced_pipeline, 1000);
}

TEST(CampaignPerformance, SourcedGoesToTheEarliestTouchsChannelEvenOutsideACampaign) {
  CampaignPerformance t(kAsOf, 365, {});
  t.addCampaign(1, channel("email"));
  t.addAccount({{at("2026-05-01"), 0, channel("web"), activity("page_view")},
                {at("2026-05-02"), 1, channel("email"), activity("email_click")}},
               {{at("2026-05-03"), 700}});
  const auto rows = t.rows();
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 1)->influenced_pipeline, 700);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 1)->sourced_pipeline, 0);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 0, "web")->sourced_pipeline, 700);
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 0, "email")->sourced_pipeline, 0);
}

TEST(CampaignPerformance, AttributedValuesReturnsAndCacWithOtherCostsSplitAcrossPeriods) {
  // 2000 for events on email over the 20 days [2026-04-21, 2026-05-11): 100 a day, 10 days in April
  // and 10 in May; a cost without a channel belongs to no channel.
  OtherCost cost{at("2026-04-21"), at("2026-05-11"), 2000, std::string("email")};
  OtherCost unassigned{at("2026-05-01"), at("2026-05-02"), 999, std::nullopt};
  CampaignPerformance t(kAsOf, 365, {cost, unassigned});
  const int email = channel("email"), web = channel("web");
  t.addCampaign(1, email);
  t.addCampaign(2, web);
  t.addSpend({1, at("2026-05-05"), 10000, 100, 200});
  // Pipeline credit of a deal created in May; revenue of two new customers' first wins and of a
  // later win of a customer.
  t.addCredit({false, at("2026-05-10"), 1, email, 0.3, 300, false});
  t.addCredit({true, at("2026-05-20"), 1, email, 0.5, 500, true});
  t.addCredit({true, at("2026-05-21"), 2, web, 0.5, 500, true});
  t.addCredit({true, at("2026-05-22"), 1, email, 1.0, 800, false});
  t.addCredit({true, at("2026-04-22"), 0, web, 1.0, 50, true});  // April, outside any campaign
  const auto rows = t.rows();

  const auto* c1 = find(rows, "2026-05", 1);
  ASSERT_TRUE(c1);
  EXPECT_DOUBLE_EQ(c1->attributed_pipeline, 300);
  EXPECT_DOUBLE_EQ(c1->attributed_revenue, 1300);
  EXPECT_DOUBLE_EQ(*c1->roas, 6.5);
  EXPECT_DOUBLE_EQ(*c1->roi, 5.5);
  EXPECT_DOUBLE_EQ(*c1->cac, 400);  // 200 ÷ 0.5: a campaign's CAC counts its spend only

  const auto* mail = find(rows, "2026-05", 0, "email");
  ASSERT_TRUE(mail);
  EXPECT_DOUBLE_EQ(mail->spend, 200);
  EXPECT_DOUBLE_EQ(mail->attributed_revenue, 1300);
  EXPECT_DOUBLE_EQ(*mail->cac, 2400);  // (200 + 10 days × 100) ÷ 0.5
  EXPECT_DOUBLE_EQ(*find(rows, "last_90d", 0, "email")->cac, 4400);  // (200 + 2000) ÷ 0.5

  const auto* web_may = find(rows, "2026-05", 0, "web");
  ASSERT_TRUE(web_may);
  EXPECT_DOUBLE_EQ(web_may->attributed_revenue, 500);
  EXPECT_FALSE(web_may->roas);
  EXPECT_FALSE(web_may->roi);
  EXPECT_DOUBLE_EQ(*web_may->cac, 0);  // credited, nothing spent
  EXPECT_DOUBLE_EQ(find(rows, "2026-05", 2)->attributed_revenue, 500);

  EXPECT_FALSE(find(rows, "2026-04", 0, "email")) << "costs alone make no row";
  EXPECT_DOUBLE_EQ(find(rows, "2026-04", 0, "web")->attributed_revenue, 50);
  EXPECT_DOUBLE_EQ(*find(rows, "2026-04", 0, "web")->cac, 0);
  EXPECT_EQ(find(rows, "2026-04", 0, "web")->campaign_id, 0) << "credit outside any campaign: the channel row only";
  // The later win is revenue, not a new customer: without it the email CAC would be the same.
  EXPECT_DOUBLE_EQ(find(rows, "last_365d", 1)->attributed_revenue, 1300);
}

TEST(CampaignPerformance, RowsComePeriodByPeriodCampaignsByIdThenChannels) {
  CampaignPerformance t(kAsOf, 365, {});
  t.addCampaign(7, channel("ads"));
  t.addCampaign(3, -1);
  t.addSpend({7, at("2026-06-02"), 1, 1, 1});
  t.addSpend({3, at("2026-06-02"), 1, 1, 1});
  std::vector<std::string> order;
  for (const auto& r : t.rows())
    order.push_back(r.period + "/" + std::to_string(r.campaign_id) + "/" +
                    (r.channel ? std::string(sdk::kChannels[static_cast<size_t>(*r.channel)]) : "NULL"));
  // A campaign without a channel keeps a NULL channel; its spend counts for ads.
  EXPECT_EQ(order, (std::vector<std::string>{"last_90d/3/NULL", "last_90d/7/ads", "last_90d/0/ads",
                                             "last_365d/3/NULL", "last_365d/7/ads", "last_365d/0/ads",
                                             "2026-06/3/NULL", "2026-06/7/ads", "2026-06/0/ads"}));
  EXPECT_DOUBLE_EQ(t.rows().back().spend, 2);
}

TEST(CampaignPerformance, FirstWonDealIsTheEarliestClosedThenTheLowestId) {
  EXPECT_EQ(firstWonDeals({{1, 10, at("2026-02-01")},
                           {1, 11, at("2026-01-01")},
                           {2, 21, at("2026-03-01")},
                           {2, 20, at("2026-03-01")},
                           {3, 30, at("2026-01-01")}}),
            (std::vector<int64_t>{11, 20, 30}));
  EXPECT_TRUE(firstWonDeals({}).empty());
}

}  // namespace
}  // namespace abm::metrics
