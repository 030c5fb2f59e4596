// The google_ads plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to the
// Google Ads side of tests/fakes/fake_crm.py (tests/fakes/google_ads_api.py), a real store (SQLite,
// and PostgreSQL in the /postgresql copies). The fake's metrics are for the last ten UTC days.
#include <gtest/gtest.h>

#include <abm/sdk/time.hpp>

#include <ctime>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

// "YYYY-MM-DD" of today (UTC) minus `back` days.
std::string day(int back) { return abm::sdk::isoDate(std::time(nullptr) / 86400 - back); }

class GoogleAdsSync : public CrmSyncTest {
 protected:
  // A google_ads connector on the fake with a static token; `extra` adds settings (",\"key\": value").
  void addGoogleAds(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("google_ads", "google_ads",
                                  R"({"base_url": ")" + crm_->url() +
                                      R"(", "access_token": "pat-good", "customer_id": "123-456-7890",)"
                                      R"( "developer_token": "dev-token-good", "requests_per_second": 1000,)"
                                      R"( "retry_initial_ms": 20, "days_per_query": 7, "start_date": ")" +
                                      day(20) + "\"" + extra + "}");
  }
  CommandResult sync(const Workspace* ws = nullptr) { return CrmSyncTest::sync("google_ads", ws); }
  // The GAQL of every search request, in order.
  std::vector<std::string> queries() {
    std::vector<std::string> out;
    for (const auto& r : crm_->log())
      if (r["path"].get<std::string>().find("googleAds:search") != std::string::npos)
        out.push_back(json::parse(r["body"].get<std::string>()).value("query", ""));
    return out;
  }
  // The ad_spend table as sorted text, for comparing two stores.
  static std::string adSpend(const StoreRef& store) {
    auto all = queryRows(store, "SELECT source, campaign_external_id, date, impressions, clicks, cost, currency,"
                                " (campaign_id IS NOT NULL) FROM ad_spend");
    std::sort(all.begin(), all.end());
    std::string out;
    for (const auto& r : all) out += r + "\n";
    return out;
  }
};

TEST_F(GoogleAdsSync, FirstSyncStoresCampaignsAndEveryDayOfSpendPageByPage) {
  addGoogleAds();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("google_ads: synced 18 records, 0 rejected"), std::string::npos) << r.out;

  // v26 dates are date-times in the account's zone; a campaign with no end has no endDateTime.
  EXPECT_EQ(rows("SELECT name, channel, started_at, ended_at IS NULL FROM campaigns WHERE external_id = '111'"),
            "Brand Search|ads|2024-01-01T00:00:00Z|1");
  EXPECT_EQ(rows("SELECT name, started_at, ended_at FROM campaigns WHERE external_id = '222'"),
            "ABM Display|2024-02-01T00:00:00Z|2026-12-31T00:00:00Z");
  EXPECT_EQ(q("SELECT count(*) FROM campaigns WHERE source = 'google_ads'"), 3);  // the removed one too

  // Ten days of Brand Search, five of ABM Display; cost_micros / 1e6; a zero metric left out of the row is 0.
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend WHERE campaign_id IS NOT NULL"), 15);
  EXPECT_EQ(rows("SELECT impressions, clicks, currency FROM ad_spend WHERE campaign_external_id = '111' AND date = '" +
                 day(0) + "'"),
            "100|0|EUR");
  EXPECT_EQ(number("SELECT cost FROM ad_spend WHERE campaign_external_id = '111' AND date = '" + day(0) + "'"), 1.5);
  EXPECT_EQ(rows("SELECT impressions, clicks FROM ad_spend WHERE campaign_external_id = '111' AND date = '" + day(9) + "'"),
            "1000|9");
  EXPECT_EQ(number("SELECT cost FROM ad_spend WHERE campaign_external_id = '111' AND date = '" + day(9) + "'"), 15.0);
  EXPECT_EQ(number("SELECT sum(cost) FROM ad_spend WHERE campaign_external_id = '222'"), 1.25);

  // Windows of seven days from start_date to tomorrow (UTC); the window holding eleven rows came
  // in three pages of four (nextPageToken until the last page, which has none).
  const auto gaql = queries();
  ASSERT_EQ(gaql.size(), 7u);
  EXPECT_EQ(gaql[0], "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type,"
                     " campaign.start_date_time, campaign.end_date_time FROM campaign ORDER BY campaign.id");
  EXPECT_NE(gaql[1].find("WHERE segments.date BETWEEN '" + day(20) + "' AND '" + day(14) + "'"), std::string::npos)
      << gaql[1];
  EXPECT_NE(gaql[6].find("BETWEEN '" + day(-1) + "' AND '" + day(-1) + "'"), std::string::npos) << gaql[6];
  EXPECT_EQ(crm_->requests("/v26/customers/1234567890/googleAds:search", "POST"), 7);  // dashes removed
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE stream = 'ad_spend'"), R"({"through":")" + day(-1) + "\"}");
}

TEST_F(GoogleAdsSync, LaterSyncsReadTheLookBackWindowAndChangedCampaignsAndMatchAFreshSync) {
  addGoogleAds();
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("clear-log");
  // Google restates yesterday; a campaign is renamed (change_status records it).
  crm_->control("update", {{"vendor", "google_ads"}, {"object", "metrics"}, {"campaign", "111"}, {"days_back", 1},
                           {"set", {{"impressions", 999}, {"cost_micros", 7'000'000}}}});
  crm_->control("update", {{"vendor", "google_ads"}, {"object", "campaigns"}, {"ids", {"222"}},
                           {"set", {{"name", "ABM Display EMEA"}}}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto gaql = queries();
  ASSERT_EQ(gaql.size(), 2u);
  EXPECT_NE(gaql[0].find("FROM change_status WHERE change_status.resource_type = 'CAMPAIGN'"), std::string::npos) << gaql[0];
  EXPECT_NE(gaql[0].find("LIMIT 10000"), std::string::npos) << gaql[0];
  // lookback_days 3 before the last day read (tomorrow).
  EXPECT_NE(gaql[1].find("BETWEEN '" + day(1) + "' AND '" + day(-1) + "'"), std::string::npos) << gaql[1];
  EXPECT_NE(r.out.find("google_ads: synced 4 records"), std::string::npos) << r.out;  // one campaign, three days
  EXPECT_EQ(text("SELECT name FROM campaigns WHERE external_id = '222'"), "ABM Display EMEA");
  EXPECT_EQ(q("SELECT impressions FROM ad_spend WHERE campaign_external_id = '111' AND date = '" + day(1) + "'"), 999);
  EXPECT_EQ(number("SELECT cost FROM ad_spend WHERE campaign_external_id = '111' AND date = '" + day(1) + "'"), 7.0);

  // The same as a first sync of the account as it is now.
  Workspace fresh;
  fresh.writeConfig();
  addGoogleAds("", &fresh);
  ASSERT_EQ(sync(&fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
  EXPECT_EQ(adSpend(ws_.store()), adSpend(fresh.store()));
}

TEST_F(GoogleAdsSync, TheApiVersionTakesGooglesSpellingsAndOlderVersionsTheirOwnFields) {
  addGoogleAds(R"(, "api_version": "17", "streams": ["campaigns"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/v17/customers/1234567890/googleAds:search"), 1);
  EXPECT_NE(queries().at(0).find("campaign.start_date, campaign.end_date FROM campaign"), std::string::npos);
  // Before v23 "no end" is 2037-12-30, which is not stored as an end.
  EXPECT_EQ(rows("SELECT started_at, ended_at IS NULL FROM campaigns WHERE external_id = '111'"),
            "2024-01-01T00:00:00Z|1");
  EXPECT_EQ(text("SELECT ended_at FROM campaigns WHERE external_id = '333'"), "2023-06-30T00:00:00Z");

  // A version that is none, and a customer id that is not ten digits, are refused by validate.
  addGoogleAds(R"(, "api_version": "seventeen", "customer_id": "12-345")");
  r = ctl({"validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("api_version"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("customer_id"), std::string::npos) << r.out << r.err;
}

TEST_F(GoogleAdsSync, AQuotaErrorIsRetriedAfterTheDelayItsDetailsName) {
  crm_->fault("/v26/customers", "gads-429", 1);
  addGoogleAds(R"(, "streams": ["campaigns"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // retryDelay "1s" outweighs the 20 ms backoff.
  EXPECT_NE(r.err.find("429 Too Many Requests); retrying in 1000 ms"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);
}

TEST_F(GoogleAdsSync, AnHourLongQuotaWaitEndsTheRunRateLimitedAtItsCheckpoint) {
  addGoogleAds();
  // Campaigns and the first metrics window pass; the second window is refused for an hour.
  crm_->control("config", {{"gads_page", 100}});
  crm_->fault("/v26/customers/1234567890/googleAds:search", "none", 2);
  crm_->fault("/v26/customers/1234567890/googleAds:search", "gads-429-day", 1);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("google_ads: sync rate_limited"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP 429 asks to wait 3600 s"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE stream = 'ad_spend'"), R"({"through":")" + day(14) + "\"}");

  // The next run goes on from the window after the checkpoint (less the look-back).
  crm_->control("clear-log");
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(queries().at(1).find("BETWEEN '" + day(16) + "' AND '" + day(10) + "'"), std::string::npos) << queries().at(1);
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), 15);
}

TEST_F(GoogleAdsSync, AnExpiredTokenIsRefreshedOnce) {
  ws_.addConnector("google_ads", "google_ads",
                   R"({"base_url": ")" + crm_->url() + R"(", "token_url": ")" + crm_->url() +
                       R"(/token", "client_id": "cid", "client_secret": "csecret-XYZ", "refresh_token": "g-rt",)"
                       R"( "customer_id": "1234567890", "developer_token": "dev-token-good", "requests_per_second": 1000,)"
                       R"( "login_customer_id": "987-654-3210", "streams": ["campaigns"]})");
  crm_->fault("/v26/customers", "expire", 1);  // Google expires the token before the first query
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/token"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);
  for (const std::string secret : {"csecret-XYZ", "g-rt", "ya29.", "dev-token-good"})
    EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << secret;
}

TEST_F(GoogleAdsSync, ARefusedDeveloperTokenFailsTheRunSayingWhy) {
  addGoogleAds(R"(, "developer_token": "dev-token-stale")");
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("POST /v26/customers/1234567890/googleAds:search: HTTP 401 UNAUTHENTICATED"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("authenticationError DEVELOPER_TOKEN_INVALID: The developer token is not valid."),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("dev-token-stale"), std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 0);
}

TEST_F(GoogleAdsSync, AMalformedPageFailsTheRunAndTheNextRunGoesOnFromTheCheckpoint) {
  addGoogleAds(R"(, "streams": ["ad_spend"])");
  crm_->fault("/v26/customers/1234567890/googleAds:search", "none", 2);
  crm_->fault("/v26/customers/1234567890/googleAds:search", "bad-json", 1);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("POST /v26/customers/1234567890/googleAds:search: HTTP 200 with malformed JSON"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE stream = 'ad_spend'"), R"({"through":")" + day(7) + "\"}");
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), 4);  // the second window's rows, with its checkpoint

  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), 15);
}

TEST_F(GoogleAdsSync, CheckTellsARefusedCredentialFromAnUnreachableHost) {
  addGoogleAds();
  auto r = ctl({"check", "google_ads"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(queries().at(0).find("FROM customer LIMIT 1"), std::string::npos);

  addGoogleAds(R"(, "access_token": "ya29.stale")");
  r = ctl({"check", "google_ads"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 UNAUTHENTICATED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the credentials were refused"), std::string::npos) << r.err;

  // Nothing listens on port 1.
  ws_.addConnector("google_ads", "google_ads",
                   R"({"base_url": "http://127.0.0.1:1", "access_token": "pat-good", "customer_id": "1234567890",)"
                   R"( "developer_token": "dev-token-good", "max_attempts": 1})");
  r = ctl({"check", "google_ads"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
}

}  // namespace
