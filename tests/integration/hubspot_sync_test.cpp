// The hubspot plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to
// tests/fakes/fake_crm.py, a real store (SQLite, and PostgreSQL in the /postgresql copies).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

// Everything the store holds, as bytes to search: the SQLite file and its WAL, or a data-only
// pg_dump of the PostgreSQL database.
std::string storeContents(const StoreRef& store) {
  if (!onPostgresql()) {
    std::string bytes = readFile(store.file());
    const fs::path wal = store.file().string() + "-wal";
    if (fs::exists(wal)) bytes += readFile(wal);
    return bytes;
  }
  const auto dump = run({"/usr/bin/env", "pg_dump", "--data-only", "--no-owner", store.url()});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  return dump.out;
}

class HubSpotSync : public CrmSyncTest {
 protected:
  // A hubspot connector on the fake with a static token; `extra` adds settings (",\"key\": value").
  void addHubSpot(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("hubspot", "hubspot",
                                  R"({"base_url": ")" + crm_->url() +
                                      R"(", "access_token": "pat-good", "requests_per_second": 1000,)"
                                      R"( "search_requests_per_second": 1000, "search_settle_seconds": 0, "retry_initial_ms": 20)" + extra + "}");
  }
  CommandResult sync(const Workspace* ws = nullptr, const std::map<std::string, std::string>& env = {}) {
    return CrmSyncTest::sync("hubspot", ws, env);
  }
  // Requests that listed the live records of `object` (not the archived ones, nor search).
  int listings(const std::string& object) {
    int n = 0;
    for (const auto& r : crm_->log())
      n += r["path"] == "/crm/v3/objects/" + object && r["method"] == "GET" && r["query"].value("archived", "") != "true";
    return n;
  }
};

TEST_F(HubSpotSync, FirstSyncStoresEveryRecordOnceWithItsAssociations) {
  // A domain typed in as "n/a" is left out; the company is kept.
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "companies"}, {"ids", {"1003"}}, {"set", {{"domain", "n/a"}}}});
  addHubSpot();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hubspot: synced 49 records, 2 rejected"), std::string::npos) << r.out;

  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'hubspot'"), 5);
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 10);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 5);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 2);
  // Email: SENT and OPEN for every contact, CLICK for half; DELIVERED is not a touch. A meeting and a call.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE channel = 'email'"), 25);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity IN ('meeting', 'call')"), 2);

  // Companies map with their properties; tier_1 reads as "Tier 1".
  const std::string company = "FROM accounts a JOIN account_identities i USING (account_id) WHERE i.external_id = ";
  EXPECT_EQ(rows("SELECT name, domain, employee_count, is_target, tier " + company + "'1000'"),
            "HubCo 0|acme.com|50|1|Tier 1");
  EXPECT_EQ(number("SELECT annual_revenue " + company + "'1000'"), 1000000.0);
  EXPECT_EQ(rows("SELECT name, coalesce(domain, '-') " + company + "'1003'"), "HubCo 3|-");
  // Contacts sit on their associated company, with the buying role.
  EXPECT_EQ(q("SELECT count(*) FROM contacts c JOIN account_identities i ON i.account_id = c.account_id"
              " WHERE i.source = 'hubspot' AND CAST(i.external_id AS INTEGER) = 1000 + (CAST(c.external_id AS INTEGER) - 2000) / 2"),
            10);
  EXPECT_EQ(text("SELECT buying_role FROM contacts WHERE external_id = '2000'"), "decision_maker;budget_holder");
  // Deals read their stage through the pipeline: label, probability, closed, won; amounts from strings.
  EXPECT_EQ(rows("SELECT stage, is_closed, is_won, type, closed_at FROM opportunities WHERE external_id = '3001'"),
            "Closed Won|1|1|expansion|2024-01-02T00:00:11Z");
  EXPECT_EQ(number("SELECT probability FROM opportunities WHERE external_id = '3001'"), 1.0);
  EXPECT_EQ(number("SELECT amount FROM opportunities WHERE external_id = '3001'"), 20000.0);
  EXPECT_EQ(rows("SELECT stage, is_closed, is_won FROM opportunities WHERE external_id = '3000' AND closed_at IS NULL"),
            "Appointment Scheduled|0|0");
  // closedate is when an open deal is expected to close, and when a closed one closed.
  EXPECT_EQ(rows("SELECT expected_close_at FROM opportunities WHERE external_id = '3000'"), "2024-03-31T00:00:08Z");
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE is_closed AND expected_close_at IS NOT NULL"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE NOT is_closed AND expected_close_at IS NULL"), 0);
  EXPECT_EQ(number("SELECT probability FROM opportunities WHERE external_id = '3000'"), 0.2);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE external_id = '3002' AND amount IS NULL AND is_closed"), 1);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE account_id IS NULL"), 0);
  // Email events find their contact by address and their campaign by id; the meeting its company and contact.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE channel = 'email' AND (contact_id IS NULL OR campaign_id IS NULL"
              " OR account_id IS NULL)"), 0);
  EXPECT_EQ(rows("SELECT c.external_id, t.activity FROM touchpoints t JOIN contacts c USING (contact_id)"
                 " WHERE t.external_id = 'meeting-4001'"),
            "2000|meeting");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = 'meeting-4001'")).value("title", ""),
            "Discovery call");
  // The call is on a contact only: it reaches the company through the contact.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints t JOIN account_identities i ON i.account_id = t.account_id"
              " WHERE t.external_id = 'call-4101' AND i.external_id = '1000'"), 1);
  // Records that cannot be stored are reported with where they came from and why.
  EXPECT_EQ(queryJoined(ws_.store(), "SELECT origin || ': ' || reason FROM rejected_records ORDER BY origin", "; "),
            "/crm/v3/objects/companies/1999: an account needs a name or a domain; "
            "/crm/v3/objects/meetings/4002: not associated with a company or a contact");

  // The first sync pages through the list endpoints (never search), asking for associations.
  EXPECT_EQ(crm_->requests("/crm/v3/objects/companies/search"), 0);
  bool asked_associations = false;
  for (const auto& req : crm_->log())
    if (req["path"] == "/crm/v3/objects/contacts") asked_associations |= req["query"].value("associations", "") == "companies";
  EXPECT_TRUE(asked_associations);
}

TEST_F(HubSpotSync, PagesUntilThereIsNoPaging) {
  crm_->seed({{"companies", 250}, {"companies_with_people", 0}, {"broken_company", false}});
  addHubSpot(R"(, "streams": ["companies"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 250);
  EXPECT_EQ(listings("companies"), 3);  // 100 + 100 + 50, the last without paging
}

TEST_F(HubSpotSync, SecondSyncAsksOnlyForChangesAndEndsLikeAFreshSync) {
  addHubSpot();
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "companies"}, {"ids", {"1001"}},
                           {"set", {{"name", "{name} renamed"}, {"numberofemployees", "75"}}}});
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "contacts"}, {"ids", {"2100"}},
                           {"set", {{"email", "new@company3.com"}, {"firstname", "New"}}},
                           {"assoc", {{"companies", {"1003"}}}}});
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "deals"}, {"ids", {"3000"}},
                           {"set", {{"dealstage", "closedwon"}, {"closedate", "2024-06-01T00:00:00Z"}}}});
  // Archived (deleted) in HubSpot: listed only with archived=true, and removed from the store.
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "deals"}, {"ids", {"3004"}}, {"delete", true}});
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "contacts"}, {"ids", {"2009"}}, {"delete", true}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 5 records"), std::string::npos) << r.out;  // 3 changes, 2 deletions
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE external_id = '3004'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE external_id = '2009'"), 0);

  // Only search, filtered from the last checkpoint; associations of what changed come from the v4 batch read.
  EXPECT_EQ(listings("companies"), 0);
  EXPECT_EQ(listings("contacts"), 0);
  EXPECT_EQ(crm_->requests("/crm/v3/objects/contacts/search", "POST"), 1);
  EXPECT_EQ(crm_->requests("/crm/v4/associations/contacts/companies/batch/read"), 1);
  for (const auto& req : crm_->log())
    if (req["path"] == "/crm/v3/objects/contacts/search") {
      const json body = json::parse(req["body"].get<std::string>());
      const json filter = body["filterGroups"][0]["filters"][0];
      EXPECT_EQ(filter["propertyName"], "lastmodifieddate");
      EXPECT_EQ(filter["operator"], "GTE");
      EXPECT_GT(std::stoll(filter["value"].get<std::string>()), 1704067200000);  // not from the beginning
    }
  EXPECT_EQ(rows("SELECT stage, is_won, closed_at, expected_close_at FROM opportunities WHERE external_id = '3000'"),
            "Closed Won|1|2024-06-01T00:00:00Z|");
  EXPECT_EQ(q("SELECT count(*) FROM contacts c JOIN account_identities i ON i.account_id = c.account_id"
              " WHERE c.external_id = '2100' AND i.external_id = '1003'"), 1);

  // A store filled in one full sync of the changed data holds the same records.
  Workspace fresh;
  fresh.writeConfig();
  addHubSpot("", &fresh);
  ASSERT_EQ(sync(&fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
}

TEST_F(HubSpotSync, ChangesYoungerThanTheSearchIndexLagWaitForTheNextRun) {
  const auto connector = [&](int settle) {
    ws_.addConnector("hubspot", "hubspot",
                     R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-good", "requests_per_second": 1000,)"
                         R"( "search_requests_per_second": 1000, "streams": ["companies"], "search_settle_seconds": )" +
                         std::to_string(settle) + "}");
  };
  connector(3600);
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "companies"}, {"ids", {"1001"}}, {"set", {{"name", "Fresh"}}}});
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM accounts WHERE name = 'Fresh'"), 0);  // too young to trust search with
  connector(0);
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM accounts WHERE name = 'Fresh'"), 1);
}

TEST_F(HubSpotSync, SearchPastTenThousandResultsIsSlicedByTime) {
  // A first sync of an empty portal, then 10,001 companies change (as a bulk import would).
  crm_->seed({{"companies", 0}, {"broken_company", false}});
  addHubSpot(R"(, "streams": ["companies"])");
  ASSERT_EQ(sync().exit_code, 0);
  crm_->seed({{"companies", 10001}, {"companies_with_people", 0}, {"broken_company", false}});
  crm_->control("update", {{"vendor", "hubspot"}, {"object", "companies"}, {"all", true}, {"set", {{"name", "{name} v2"}}}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts WHERE name LIKE '% v2'"), 10001);
  // More than 10,000 changes: the window was cut, and no query paged past the ceiling.
  std::set<std::string> windows;
  for (const auto& req : crm_->log()) {
    if (req["path"] != "/crm/v3/objects/companies/search") continue;
    const json body = json::parse(req["body"].get<std::string>());
    EXPECT_LT(std::stoll(body.value("after", "0")), 10000);
    windows.insert(body["filterGroups"][0]["filters"].dump());
  }
  EXPECT_GE(windows.size(), 3u);  // the whole window, then its halves
}

TEST_F(HubSpotSync, RateLimitsAndServerErrorsAreRetried) {
  crm_->fault("/crm/v3/objects/companies", "429", 1);
  crm_->fault("/crm/v3/objects/contacts", "500", 2);
  addHubSpot();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429 Too Many Requests"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP 500"), std::string::npos) << r.err;
  EXPECT_EQ(crm_->requests("/crm/v3/objects/companies", "GET"), 2);
  EXPECT_EQ(crm_->requests("/crm/v3/objects/contacts", "GET"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 10);
}

TEST_F(HubSpotSync, ADailyLimitEndsTheRunRateLimitedAndTheNextRunGoesOn) {
  crm_->fault("/crm/v3/objects/deals", "429-daily", 1);
  addHubSpot();
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("hubspot: sync rate_limited"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("daily request limit is spent (429 DAILY)"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 10);  // what came before is kept
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM sync_state WHERE stream = 'deals'"), 0);

  // The next run (the scheduler starts it at the resume time) goes on from the checkpoints:
  // contacts are not listed again.
  crm_->control("clear-log");
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 5);
  EXPECT_EQ(listings("contacts"), 0);
}

TEST_F(HubSpotSync, TheDailyRemainingHeaderStopsBeforeTheLimitIsHit) {
  crm_->control("config", {{"hs_daily_remaining", 3}});
  addHubSpot();
  auto r = sync();
  EXPECT_NE(r.err.find("X-HubSpot-RateLimit-Daily-Remaining: 0"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(crm_->log().size(), 3u);  // no request after the vendor said the day is spent
}

TEST_F(HubSpotSync, RefreshesAnExpiredTokenOnceAndKeepsTheRotatedOnePrivate) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() + R"(", "token_url": ")" + crm_->url() +
                       R"(/oauth/v1/token", "client_id": "cid", "client_secret": "${env:HS_SECRET}",)"
                       R"( "refresh_token": "${env:HS_REFRESH}", "requests_per_second": 1000, "retry_initial_ms": 20})");
  const std::map<std::string, std::string> env{{"HS_SECRET", "csecret-XYZ"}, {"HS_REFRESH", "rt-1"}};
  crm_->fault("/crm/v3/objects/contacts", "expire", 1);  // HubSpot expires the token mid-run
  auto r = sync(nullptr, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 10);
  EXPECT_EQ(crm_->requests("/oauth/v1/token"), 2);  // the first token, then one refresh after the 401

  // The rotated refresh token is kept for the next run in a file only the daemon's user can read.
  const fs::path state = ws_.dir / "connector_state/hubspot/oauth.json";
  ASSERT_TRUE(fs::exists(state));
  struct stat st{};
  ::stat(state.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(readFile(state).find("rt-3"), std::string::npos);
  // The config's refresh token is spent; the next run uses the kept one.
  const CommandResult first = r;
  r = sync(nullptr, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // No secret reached either run's output or the store (its WAL included).
  const std::string output = first.out + first.err + r.out + r.err;
  const std::string store = storeContents(ws_.store());
  ASSERT_NE(store.find("HubCo 0"), std::string::npos);  // the search below reads what the store holds
  for (const std::string secret : {"csecret-XYZ", "rt-1", "rt-2", "rt-3", "hs-at-"}) {
    EXPECT_EQ(output.find(secret), std::string::npos) << secret;
    EXPECT_EQ(store.find(secret), std::string::npos) << secret;
  }
}

TEST_F(HubSpotSync, RefusedCredentialsFailTheRunSayingWhy) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-stale", "retry_initial_ms": 20})");
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /crm/v3/objects/companies: HTTP 401 EXPIRED_AUTHENTICATION"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("check the connector's access_token"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("pat-stale"), std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 0);
}

TEST_F(HubSpotSync, BadBodiesFailTheRunNamingTheEndpointAndKeepWhatWasStored) {
  addHubSpot(R"(, "max_attempts": 2)");
  crm_->fault("/crm/v3/objects/contacts", "truncated", 2);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /crm/v3/objects/contacts"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 5);
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM sync_state WHERE stream = 'contacts'"), 0);

  crm_->fault("/crm/v3/objects/contacts", "bad-json", 1);
  r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /crm/v3/objects/contacts: HTTP 200 with malformed JSON"), std::string::npos) << r.err;

  crm_->fault("/crm/v3/objects/contacts", "html", 2);
  r = sync();
  EXPECT_NE(r.err.find("HTML page where JSON was expected"), std::string::npos) << r.err;

  r = sync();  // the vendor is well again
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 10);
}

TEST_F(HubSpotSync, ASlowAnswerPastTheTimeoutIsRetriedThenFails) {
  addHubSpot(R"(, "timeout_seconds": 1, "max_attempts": 2, "streams": ["companies"])");
  crm_->fault("/crm/v3/objects/companies", "slow", 2);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no answer from 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 0);
}

TEST_F(HubSpotSync, AnAppWithoutEngagementScopesStillSyncsTheCrm) {
  crm_->fault("/crm/v3/objects/meetings", "missing-scopes", 1);
  addHubSpot();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("meetings skipped: the HubSpot app lacks the scope"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity = 'meeting'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE activity = 'call'"), 1);
}

TEST_F(HubSpotSync, CheckRejectsBadSettingsBeforeCallingHubSpot) {
  addHubSpot(R"(, "streams": ["companies", "tickets"])");
  auto r = ctl({"check", "hubspot"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("unknown value 'tickets'"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(crm_->log().size(), 0u);

  ws_.addConnector("hubspot", "hubspot", R"({"base_url": ")" + crm_->url() + R"("})");
  r = ctl({"check", "hubspot"});
  EXPECT_NE((r.out + r.err).find("set access_token"), std::string::npos) << r.out << r.err;

  addHubSpot();
  r = ctl({"check", "hubspot"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
