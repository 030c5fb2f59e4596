// The ga4 plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to the GA4
// Data API of tests/fakes/fake_crm.py (ga4_api.py), a real store (SQLite, and PostgreSQL in the
// /postgresql copies). The fake's events are a week ending today, so the tests name days by age.
#include <gtest/gtest.h>

#include <abm/sdk/time.hpp>

#include <cmath>
#include <ctime>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

// "YYYY-MM-DD" of today (UTC) minus `n` days, as the plugin and the fake count them.
std::string daysAgo(int n) {
  return abm::sdk::millisToIso((static_cast<int64_t>(std::time(nullptr)) / 86400 - n) * 86'400'000).substr(0, 10);
}

class Ga4Sync : public CrmSyncTest {
 protected:
  std::string settings(const std::string& extra = "") {
    return R"({"base_url": ")" + crm_->url() +
           R"(", "access_token": "pat-good", "property_id": "123456789", "start_date": "6daysAgo",)"
           R"( "account_dimension": "customUser:company_domain", "page_size": 5, "requests_per_second": 1000,)"
           R"( "retry_initial_ms": 20)" + extra + "}";
  }
  void addGa4(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("ga4", "ga4", settings(extra));
  }
  CommandResult sync(const std::string& name = "ga4", const Workspace* ws = nullptr) {
    return CrmSyncTest::sync(name, ws);
  }
  // The runReport bodies the fake received, in order.
  std::vector<json> reports() {
    std::vector<json> out;
    for (const auto& r : crm_->log())
      if (r["path"] == "/v1beta/properties/123456789:runReport") out.push_back(json::parse(r["body"].get<std::string>()));
    return out;
  }
  // channel|activity|occurred_at|quantity, the quantity as a number (a REAL prints "16.0" on SQLite).
  std::string touch(const std::string& external_id) {
    const std::string where = " FROM touchpoints WHERE external_id = '" + external_id + "'";
    const double quantity = number("SELECT quantity" + where);
    return rows("SELECT channel, activity, occurred_at" + where) + "|" +
           (std::isnan(quantity) ? std::string("?") : std::to_string(static_cast<int64_t>(quantity)));
  }
};

TEST_F(Ga4Sync, FirstSyncStoresOneTouchpointPerDayAndEventFollowingOffsetPages) {
  addGa4();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 7 days of acme.com's and anonymous page views, acme.com's form every other day, company1.com's once.
  EXPECT_NE(r.out.find("ga4: synced 19 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 19);
  EXPECT_EQ(touch(daysAgo(6) + "/page_view/acme.com"), "web|page_view|" + daysAgo(6) + "T00:00:00Z|16");
  EXPECT_EQ(touch(daysAgo(0) + "/page_view/%28not%20set%29"), "web|page_view|" + daysAgo(0) + "T00:00:00Z|100");
  EXPECT_EQ(touch(daysAgo(3) + "/form_submit/company1.com"), "web|form_submit|" + daysAgo(3) + "T00:00:00Z|2");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity = 'form_submit'"), 5);
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = '" + daysAgo(6) + "/page_view/acme.com'")),
            json::parse(R"({"eventName": "page_view", "customUser:company_domain": "acme.com"})"));
  // Events nobody mapped (scroll) are not asked for.
  const auto bodies = reports();
  ASSERT_EQ(bodies.size(), 4u);  // 19 rows by 5: the last page ends at rowCount
  for (size_t i = 0; i < bodies.size(); ++i) EXPECT_EQ(bodies[i]["offset"], std::to_string(5 * i));
  EXPECT_EQ(bodies[0]["limit"], "5");
  EXPECT_EQ(bodies[0]["dateRanges"], json::parse(R"([{"startDate": ")" + daysAgo(6) + R"(", "endDate": ")" + daysAgo(0) + R"("}])"));
  EXPECT_EQ(bodies[0]["dimensionFilter"]["filter"]["inListFilter"]["values"], json::parse(R"(["form_submit", "page_view"])"));
  EXPECT_EQ(bodies[0]["dimensions"], json::parse(R"([{"name": "date"}, {"name": "eventName"}, {"name": "customUser:company_domain"}])"));
  // Nothing is tied yet (no CRM has the companies) and nothing made an account.
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 0);
  const json state = json::parse(text("SELECT state FROM sync_state"));
  EXPECT_EQ(state["through"], daysAgo(0));
  // The ids of the days the next sync reads again: the last day read and the three before it.
  EXPECT_EQ(state["ids"].size(), 4u);
  EXPECT_EQ(state["ids"][daysAgo(3)], json::parse(R"([")" + daysAgo(3) + R"(/form_submit/company1.com", ")" + daysAgo(3) +
                                                  R"(/page_view/%28not%20set%29", ")" + daysAgo(3) + R"(/page_view/acme.com"])"));
}

TEST_F(Ga4Sync, ASecondSyncReadsOnlyTheLookBackWindowAndEndsLikeAFreshSync) {
  addGa4();
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("clear-log");
  // GA4 restates recent days: one row is gone, one grew, one is new. A day before the window is left alone.
  crm_->control("ga4-update", {{"remove", {{"eventName", "form_submit"}, {"customUser:company_domain", "company1.com"}}}});
  crm_->control("ga4-update", {{"add", {{{"days_ago", 1}, {"name", "page_view"}, {"path", "/pricing"}, {"company", "acme.com"}, {"count", 5}},
                                        {{"days_ago", 0}, {"name", "form_submit"}, {"path", "/demo"}, {"company", "company2.com"}, {"count", 1}}}}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto bodies = reports();
  ASSERT_FALSE(bodies.empty());
  // The last day read and the three before it.
  EXPECT_EQ(bodies[0]["dateRanges"][0]["startDate"], daysAgo(3));
  EXPECT_EQ(bodies[0]["dateRanges"][0]["endDate"], daysAgo(0));
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id = '" + daysAgo(3) + "/form_submit/company1.com'"), 0);
  EXPECT_EQ(touch(daysAgo(1) + "/page_view/acme.com"), "web|page_view|" + daysAgo(1) + "T00:00:00Z|16");
  EXPECT_EQ(touch(daysAgo(0) + "/form_submit/company2.com"), "web|form_submit|" + daysAgo(0) + "T00:00:00Z|1");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 19);

  Workspace fresh;
  fresh.writeConfig();
  addGa4("", &fresh);
  ASSERT_EQ(sync("ga4", &fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
  const std::string quantities = "SELECT external_id, quantity FROM touchpoints ORDER BY external_id";
  EXPECT_EQ(queryRows(ws_.store(), quantities), queryRows(fresh.store(), quantities));
}

TEST_F(Ga4Sync, AReportWithNoRowsIsAnEmptyResult) {
  crm_->control("ga4-update", {{"remove", {{"country", "United States"}}}});
  addGa4();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 0);
  EXPECT_EQ(reports().size(), 1u);
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state"))["through"], daysAgo(0));
}

TEST_F(Ga4Sync, AStartDateAfterTodayAsksForNothingYet) {
  addGa4(R"(, "start_date": "2999-01-01")");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(reports().empty());
  EXPECT_EQ(q("SELECT count(*) FROM sync_state"), 0);
}

TEST_F(Ga4Sync, ResourceExhaustedWithoutRetryAfterIsRetried) {
  crm_->fault("/v1beta/properties/123456789:runReport", "ga4-429", 2);
  addGa4();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 19);
}

TEST_F(Ga4Sync, SpentPropertyTokensEndTheRunRateLimitedAndTheNextRunGoesOn) {
  // Two reports' worth of tokens: the second answer's propertyQuota says none is left.
  crm_->control("config", {{"ga4_tokens_per_day", 10}});
  addGa4();
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("tokensPerDay.remaining = 0"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(reports().size(), 2u);  // not a request past the quota

  // Spent before the run: the 429 itself names the daily quota.
  crm_->control("config", {{"ga4_tokens_per_day", 0}});
  r = sync();
  EXPECT_NE(r.err.find("RESOURCE_EXHAUSTED: Exhausted property tokens per day"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");

  crm_->control("config", {{"ga4_tokens_per_day", 200000}});
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 19);
}

TEST_F(Ga4Sync, AnExpiredTokenIsRefreshedOnce) {
  ws_.addConnector("ga4", "ga4",
                   R"({"base_url": ")" + crm_->url() + R"(", "token_url": ")" + crm_->url() +
                       R"(/token", "client_id": "g-cid", "client_secret": "g-secret", "refresh_token": "g-rt",)"
                       R"( "property_id": "properties/123456789", "start_date": "6daysAgo", "requests_per_second": 1000})");
  crm_->fault("/v1beta/properties/123456789:runReport", "expire", 1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/token"), 2);
  // No account dimension: one row per day and event (page views daily, a form on five days).
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 12);
  EXPECT_EQ(r.err.find("g-secret"), std::string::npos);
}

TEST_F(Ga4Sync, CheckTellsARefusedCredentialFromAnUnreachableHost) {
  addGa4();
  auto r = ctl({"check", "ga4"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  ws_.addConnector("ga4", "ga4",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "ya29.revoked", "property_id": "123456789"})");
  r = ctl({"check", "ga4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the credentials were refused"), std::string::npos) << r.err;

  ws_.addConnector("ga4", "ga4",
                   R"({"base_url": ")" + crm_->url() + R"(", "token_url": ")" + crm_->url() +
                       R"(/token", "client_id": "g-cid", "client_secret": "g-secret", "refresh_token": "g-old",)"
                       R"( "property_id": "123456789"})");
  r = ctl({"check", "ga4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid_grant: Token has been expired or revoked."), std::string::npos) << r.err;

  ws_.addConnector("ga4", "ga4",
                   R"({"base_url": "http://127.0.0.1:1", "access_token": "pat-good", "property_id": "123456789",)"
                   R"( "max_attempts": 1})");
  r = ctl({"check", "ga4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("GET /v1beta/properties/123456789/metadata: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("HTTP"), std::string::npos) << r.err;
}

TEST_F(Ga4Sync, CheckNamesDimensionsThePropertyDoesNotHave) {
  addGa4(R"(, "dimensions": ["eventName", "companyDomain"])");
  auto r = ctl({"check", "ga4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("properties/123456789 has no dimension or metric named companyDomain"), std::string::npos) << r.err;
}

TEST_F(Ga4Sync, ValidationRefusesWhatNoReportCouldUse) {
  addGa4(R"(, "event_activities": {"generate_lead": "lead"}, "start_date": "01/05/2024")");
  ws_.addConnector("ga4b", "ga4", R"({"access_token": "x", "property_id": "GA-123"})");
  auto r = ctl({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("settings.event_activities.generate_lead: unknown value 'lead'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("settings.start_date: '01/05/2024' does not have the expected form"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("settings.property_id: 'GA-123' does not have the expected form"), std::string::npos) << r.err;
}

TEST_F(Ga4Sync, AMalformedPageFailsTheRunAndTheNextRunReadsItAgain) {
  crm_->fault("/v1beta/properties/123456789:runReport", "ga4-bad-page", 1);
  addGa4();
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("POST /v1beta/properties/123456789:runReport: the answer is not a report"), std::string::npos) << r.err;

  crm_->fault("/v1beta/properties/123456789:runReport", "bad-json", 1);
  r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("malformed JSON"), std::string::npos) << r.err;
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 19);
}

// A visitor's company in GA4 and a company in the CRM with the same domain are one account; GA4's
// "(not set)" ties nothing and no account is made from a GA4 row.
TEST_F(Ga4Sync, RowsAreTiedToTheCrmAccountOfTheirCompanyDomain) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-good", "requests_per_second": 1000})");
  addGa4();
  ASSERT_EQ(sync("hubspot").exit_code, 0);
  const int64_t accounts = q("SELECT count(*) FROM accounts");
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), accounts);
  const int64_t acme = q("SELECT account_id FROM account_identities WHERE source = 'hubspot' AND external_id = '1000'");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE source = 'ga4' AND account_id = " + std::to_string(acme)), 11);
  EXPECT_EQ(q("SELECT account_id FROM touchpoints WHERE external_id = '" + daysAgo(3) + "/form_submit/company1.com'"),
            q("SELECT account_id FROM account_identities WHERE source = 'hubspot' AND external_id = '1001'"));
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE source = 'ga4' AND account_id IS NULL"), 7);
  EXPECT_EQ(q("SELECT count(*) FROM pending_links WHERE source = 'ga4'"), 0);
}

}  // namespace
