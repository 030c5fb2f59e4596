// The linkedin_ads plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to the
// LinkedIn side of tests/fakes/fake_crm.py (tests/fakes/linkedin_api.py), a real store (SQLite, and
// PostgreSQL in the /postgresql copies). The fake's statistics are for the last ten UTC days.
#include <gtest/gtest.h>

#include <abm/sdk/time.hpp>

#include <ctime>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

// "YYYY-MM-DD" of today (UTC) minus `back` days.
std::string day(int back) { return abm::sdk::isoDate(std::time(nullptr) / 86400 - back); }

class LinkedInAdsSync : public CrmSyncTest {
 protected:
  // A linkedin_ads connector on the fake with a static token; `extra` adds settings (",\"key\": value").
  void addLinkedIn(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("linkedin_ads", "linkedin_ads",
                                  R"({"base_url": ")" + crm_->url() +
                                      R"(", "access_token": "pat-good", "account_id": "507404993",)"
                                      R"( "requests_per_second": 1000, "retry_initial_ms": 20, "days_per_query": 7,)"
                                      R"( "start_date": ")" + day(20) + "\"" + extra + "}");
  }
  CommandResult sync(const Workspace* ws = nullptr) { return CrmSyncTest::sync("linkedin_ads", ws); }
  // The dateRange of every adAnalytics request with `pivot`, in order.
  std::vector<std::string> analytics(const std::string& pivot) {
    std::vector<std::string> out;
    for (const auto& r : crm_->log())
      if (r["path"] == "/rest/adAnalytics" && r["query"].value("pivot", "") == pivot)
        out.push_back(r["query"].value("dateRange", ""));
    return out;
  }
  // Rest.li's (start:(year:..,month:..,day:..),end:(...)) for days back.
  static std::string range(int from_back, int to_back) {
    auto part = [](int back) {
      const std::string d = day(back);
      return "(year:" + std::to_string(std::stoi(d.substr(0, 4))) + ",month:" + std::to_string(std::stoi(d.substr(5, 2))) +
             ",day:" + std::to_string(std::stoi(d.substr(8, 2))) + ")";
    };
    return "(start:" + part(from_back) + ",end:" + part(to_back) + ")";
  }
  // What linkedin_ads writes, as sorted text, for comparing two stores. An organization's account
  // has no creation time from LinkedIn (abmd stores when it first saw it), so that column is left out.
  static std::string written(const StoreRef& store) {
    std::string out;
    for (const std::string& sql : std::vector<std::string>{
             "SELECT i.external_id, a.name, a.domain FROM accounts a JOIN account_identities i USING (account_id)",
             "SELECT external_id, name, channel, started_at, ended_at FROM campaigns",
             "SELECT campaign_external_id, date, impressions, clicks, cost, currency, (campaign_id IS NOT NULL)"
             " FROM ad_spend",
             "SELECT t.external_id, i.external_id, t.channel, t.activity, t.occurred_at, t.quantity, t.properties"
             " FROM touchpoints t JOIN account_identities i USING (account_id)"}) {
      auto all = queryRows(store, sql);
      std::sort(all.begin(), all.end());
      for (const auto& r : all) out += r + "\n";
      out += "--\n";
    }
    return out;
  }
};

TEST_F(LinkedInAdsSync, FirstSyncStoresCampaignsSpendCompaniesAndTheirEngagement) {
  addLinkedIn();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("linkedin_ads: synced 43 records, 0 rejected"), std::string::npos) << r.out;

  // Campaigns, two to a page (metadata.nextPageToken until the last page has none).
  EXPECT_EQ(crm_->requests("/rest/adAccounts/507404993/adCampaigns"), 2);
  EXPECT_EQ(rows("SELECT name, channel, started_at, ended_at IS NULL FROM campaigns WHERE external_id = '601'"),
            "ABM LinkedIn Q4|ads|2024-10-01T00:00:00Z|1");
  EXPECT_EQ(text("SELECT ended_at FROM campaigns WHERE external_id = '602'"), "2025-12-31T00:00:00Z");
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);

  // Spend per campaign and day, in the ad account's currency; costInLocalCurrency is a decimal string.
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend WHERE campaign_id IS NOT NULL"), 15);
  EXPECT_EQ(rows("SELECT impressions, clicks, currency FROM ad_spend WHERE campaign_external_id = '601' AND date = '" +
                 day(3) + "'"),
            "203|3|USD");
  EXPECT_EQ(number("SELECT cost FROM ad_spend WHERE campaign_external_id = '601' AND date = '" + day(3) + "'"), 13.25);

  // The organizations become accounts with their name and website; a website LinkedIn does not give stays unknown.
  const std::string org = "FROM accounts a JOIN account_identities i USING (account_id) WHERE i.external_id = ";
  EXPECT_EQ(rows("SELECT name, domain " + org + "'urn:li:organization:1001'"), "Acme Corp|acme.com");
  EXPECT_EQ(rows("SELECT name, coalesce(domain, '-') " + org + "'urn:li:organization:1002'"), "Globex|-");
  EXPECT_EQ(rows("SELECT name, domain " + org + "'urn:li:organization:1003'"), "Initech|initech.io");

  // One touchpoint per organization, day and activity, with the day's count; no click touch for a day without clicks.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity = 'ad_impression' AND account_id IS NOT NULL"), 16);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity = 'ad_click' AND account_id IS NOT NULL"), 6);
  EXPECT_EQ(rows("SELECT t.channel, t.occurred_at, t.contact_id IS NULL FROM touchpoints t"
                 " WHERE t.external_id = '1003:" + day(3) + ":ad_impression'"),
            "ads|" + day(3) + "T00:00:00Z|1");
  EXPECT_EQ(number("SELECT quantity FROM touchpoints WHERE external_id = '1003:" + day(3) + ":ad_impression'"), 12.0);
  EXPECT_EQ(number("SELECT quantity FROM touchpoints WHERE external_id = '1001:" + day(0) + ":ad_click'"), 2.0);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id = '1001:" + day(1) + ":ad_click'"), 0);

  // Windows of seven days from start_date to tomorrow; organizations looked up once per run.
  EXPECT_EQ(analytics("CAMPAIGN"), (std::vector<std::string>{range(20, 14), range(13, 7), range(6, 0), range(-1, -1)}));
  EXPECT_EQ(analytics("MEMBER_COMPANY").size(), 4u);
  EXPECT_EQ(crm_->requests("/rest/organizationsLookup"), 2);
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE stream = 'company_engagement'"), R"({"through":")" + day(-1) + "\"}");
}

TEST_F(LinkedInAdsSync, AnAnswerCutAtTheRowCapIsAskedAgainInHalves) {
  crm_->control("config", {{"li_cap", 4}});
  addLinkedIn(R"(, "rows_per_call_limit": 4, "streams": ["ad_spend"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), 15);
  // The seven days holding ten rows were asked for in halves until each answer held fewer than four.
  const auto ranges = analytics("CAMPAIGN");
  EXPECT_GT(ranges.size(), 4u);
  EXPECT_NE(std::find(ranges.begin(), ranges.end(), range(6, 3)), ranges.end());
  EXPECT_EQ(number("SELECT sum(cost) FROM ad_spend WHERE campaign_external_id = '602'"), 17.5);
}

TEST_F(LinkedInAdsSync, LaterSyncsReadTheLookBackWindowAndMatchAFreshSync) {
  addLinkedIn();
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "linkedin_ads"}, {"object", "company_stats"}, {"pivot_value", "1001"},
                           {"days_back", 1}, {"set", {{"impressions", 99}, {"clicks", 4}}}});
  crm_->control("update", {{"vendor", "linkedin_ads"}, {"object", "campaign_stats"}, {"pivot_value", "601"},
                           {"days_back", 0}, {"set", {{"costInLocalCurrency", "11.75"}}}});
  crm_->control("update", {{"vendor", "linkedin_ads"}, {"object", "campaigns"}, {"ids", {"602"}},
                           {"set", {{"name", "Retargeting EMEA"}}}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // lookback_days 3 before the last day read (tomorrow): one request per pivot.
  EXPECT_EQ(analytics("CAMPAIGN"), (std::vector<std::string>{range(1, -1)}));
  EXPECT_EQ(analytics("MEMBER_COMPANY"), (std::vector<std::string>{range(1, -1)}));
  // The changed campaign only; three days of spend; two organizations; their touches of those days.
  EXPECT_NE(r.out.find("linkedin_ads: synced 12 records"), std::string::npos) << r.out;
  EXPECT_EQ(text("SELECT name FROM campaigns WHERE external_id = '602'"), "Retargeting EMEA");
  EXPECT_EQ(number("SELECT quantity FROM touchpoints WHERE external_id = '1001:" + day(1) + ":ad_impression'"), 99.0);
  EXPECT_EQ(number("SELECT quantity FROM touchpoints WHERE external_id = '1001:" + day(1) + ":ad_click'"), 4.0);
  EXPECT_EQ(number("SELECT cost FROM ad_spend WHERE campaign_external_id = '601' AND date = '" + day(0) + "'"), 11.75);

  Workspace fresh;
  fresh.writeConfig();
  addLinkedIn("", &fresh);
  ASSERT_EQ(sync(&fresh).exit_code, 0);
  EXPECT_EQ(written(ws_.store()), written(fresh.store()));
  EXPECT_NE(written(ws_.store()).find("1001:" + day(1) + ":ad_impression|urn:li:organization:1001|ads|ad_impression"),
            std::string::npos);
}

// The issue's merge test: LinkedIn's Acme (website https://www.acme.com) and HubSpot's acme.com are one account.
TEST_F(LinkedInAdsSync, AnOrganizationAndACrmCompanyWithTheSameDomainAreOneAccount) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-good", "requests_per_second": 1000})");
  addLinkedIn();
  ASSERT_EQ(CrmSyncTest::sync("hubspot").exit_code, 0);
  ASSERT_EQ(sync().exit_code, 0);
  const int64_t acme = q("SELECT account_id FROM account_identities WHERE source = 'hubspot' AND external_id = '1000'");
  EXPECT_EQ(q("SELECT account_id FROM account_identities WHERE source = 'linkedin_ads'"
              " AND external_id = 'urn:li:organization:1001'"),
            acme);
  EXPECT_EQ(text("SELECT source || '|' || external_id || '|' || rule || '|' || matched_value FROM account_merges"),
            "linkedin_ads|urn:li:organization:1001|registrable_domain|acme.com");
  // The ad engagement sits on the CRM's account, beside its contacts' email touches.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE channel = 'ads' AND account_id = " + std::to_string(acme)), 15);
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE account_id = " + std::to_string(acme)), 2);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 5 + 2);
}

TEST_F(LinkedInAdsSync, TheVersionIsCheckedByValidateAndAnInactiveOneNamedByLinkedIn) {
  addLinkedIn(R"(, "linkedin_version": "2026-06", "account_id": "urn:li:sponsoredAccount:1")");
  auto r = ctl({"validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("linkedin_version"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("account_id"), std::string::npos) << r.out << r.err;

  addLinkedIn(R"(, "linkedin_version": "202001", "streams": ["campaigns"])");
  r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 426 NONEXISTENT_VERSION: Requested version 202001 is not active"), std::string::npos) << r.err;
}

TEST_F(LinkedInAdsSync, AThrottleIsRetriedAndADailyLimitEndsTheRunRateLimited) {
  crm_->fault("/rest/adAnalytics", "li-429", 1);
  addLinkedIn(R"(, "streams": ["ad_spend"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429 Too Many Requests"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), 15);

  // No Retry-After: "DAY limit" in the message means the day is spent, until UTC midnight.
  Workspace other;
  other.writeConfig();
  addLinkedIn(R"(, "streams": ["ad_spend"])", &other);
  crm_->fault("/rest/adAnalytics", "none", 1);
  crm_->fault("/rest/adAnalytics", "li-429-day", 1);
  r = sync(&other);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("linkedin_ads: sync rate_limited"), std::string::npos) << r.err;
  EXPECT_EQ(queryText(other.store(), "SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(queryText(other.store(), "SELECT state FROM sync_state WHERE stream = 'ad_spend'"),
            R"({"through":")" + day(14) + "\"}");
}

TEST_F(LinkedInAdsSync, AnExpiredTokenIsRefreshedOnceAndARefusedOneFailsSayingWhy) {
  ws_.addConnector("linkedin_ads", "linkedin_ads",
                   R"({"base_url": ")" + crm_->url() + R"(", "token_url": ")" + crm_->url() +
                       R"(/oauth/v2/accessToken", "client_id": "cid", "client_secret": "csecret-XYZ",)"
                       R"( "refresh_token": "li-rt", "account_id": "507404993", "requests_per_second": 1000,)"
                       R"( "streams": ["campaigns"]})");
  crm_->fault("/rest/adAccounts", "expire", 1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/oauth/v2/accessToken"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);
  for (const std::string secret : {"csecret-XYZ", "li-rt", "AQX-li-at"})
    EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << secret;

  addLinkedIn(R"(, "access_token": "AQX-stale")");
  r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 INVALID_ACCESS_TOKEN (serviceErrorCode 65600): Invalid access token"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("AQX-stale"), std::string::npos);
}

TEST_F(LinkedInAdsSync, AMalformedAnswerFailsTheRunAndTheNextRunGoesOn) {
  addLinkedIn(R"(, "streams": ["company_engagement"])");
  crm_->fault("/rest/adAnalytics", "none", 2);
  crm_->fault("/rest/adAnalytics", "bad-json", 1);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /rest/adAnalytics: HTTP 200 with malformed JSON"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 1);  // Acme, from the second window
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 22);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 3);
}

TEST_F(LinkedInAdsSync, CheckTellsARefusedCredentialFromAnUnreachableHost) {
  addLinkedIn();
  auto r = ctl({"check", "linkedin_ads"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  addLinkedIn(R"(, "access_token": "AQX-stale")");
  r = ctl({"check", "linkedin_ads"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 INVALID_ACCESS_TOKEN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the credentials were refused"), std::string::npos) << r.err;

  ws_.addConnector("linkedin_ads", "linkedin_ads",
                   R"({"base_url": "http://127.0.0.1:1", "access_token": "pat-good", "account_id": "507404993",)"
                   R"( "max_attempts": 1})");
  r = ctl({"check", "linkedin_ads"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
}

}  // namespace
