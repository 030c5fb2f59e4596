// The marketo plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to
// tests/fakes/fake_crm.py (tests/fakes/marketo_api.py answers Marketo's paths), a real store (SQLite,
// and PostgreSQL in the /postgresql copies).
#include <gtest/gtest.h>

#include <set>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

constexpr const char* kCountedTypes = "10,11,2,1,104";

class MarketoSync : public CrmSyncTest {
 protected:
  // A marketo connector on the fake; `extra` adds settings (",\"key\": value").
  void addMarketo(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("marketo", "marketo",
                                  R"({"base_url": ")" + crm_->url() + R"(", "client_id": "mkto-cid",)"
                                      R"( "client_secret": "${env:MKTO_SECRET}", "requests_per_second": 1000,)"
                                      R"( "retry_initial_ms": 20)" + extra + "}");
  }
  // Every row, its columns joined by '|' in the store's one format on both backends, rows by "; ".
  std::string allRows(const std::string& sql) {
    std::string out;
    for (const auto& r : queryRows(ws_.store(), sql)) out += (out.empty() ? "" : "; ") + r;
    return out;
  }
  CommandResult sync(const Workspace* ws = nullptr) {
    return CrmSyncTest::sync("marketo", ws, {{"MKTO_SECRET", "mkto-secret-XYZ"}});
  }
  CommandResult check() {
    return run({(binDir() / "abmctl").string(), "-c", ws_.config().string(), "check", "marketo"},
               {{"MKTO_SECRET", "mkto-secret-XYZ"}});
  }
  // The activity pages the activities stream asked for (its types), with their query.
  std::vector<json> activityPages() {
    std::vector<json> out;
    for (const auto& r : crm_->log())
      if (r["path"] == "/rest/v1/activities.json" && r["query"].value("activityTypeIds", "") == kCountedTypes)
        out.push_back(r["query"]);
    return out;
  }
};

TEST_F(MarketoSync, FirstSyncStoresLeadsAndTheirCountedActivities) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() +
                       R"(", "access_token": "pat-good", "requests_per_second": 1000, "streams": ["companies"]})");
  ASSERT_EQ(CrmSyncTest::sync("hubspot").exit_code, 0);
  addMarketo();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("marketo: synced 10 records, 1 rejected"), std::string::npos) << r.out;

  // Leads created, changed or touched since start_date become contacts; the website ties them.
  EXPECT_EQ(allRows("SELECT c.external_id, c.email, c.first_name, c.title, coalesce(i.external_id, '-') FROM contacts c"
                    " LEFT JOIN account_identities i USING (account_id) WHERE c.source = 'marketo' ORDER BY c.external_id"),
            "101|person0@acme.com|Pat|VP Marketing|1000; 102|jo@company1.com|Jo|CMO|1001; "
            "103|kim@gmail.com|Kim|Consultant|-");

  // The counted types, each mapped to its channel and activity, on its lead.
  EXPECT_EQ(allRows("SELECT t.external_id, c.external_id, t.channel, t.activity, t.occurred_at FROM touchpoints t"
                    " LEFT JOIN contacts c USING (contact_id) ORDER BY CAST(t.external_id AS INTEGER)"),
            "3|101|web|page_view|2024-01-06T10:00:00Z; 4|101|email|email_open|2024-01-07T08:00:00Z; "
            "5|101|email|email_click|2024-01-07T08:05:00Z; 7|102|web|form_submit|2024-01-09T14:00:00Z; "
            "8|102|event|webinar_attend|2024-01-10T16:00:00Z; 9|101|event|other|2024-01-10T16:00:00Z; "
            "12|103|email|email_open|2024-01-12T07:00:00Z");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = '5'")).value("link", ""),
            "https://example.com/pricing");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = '8'")).value("program", ""),
            "Webinar 2024");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = '7'")).value("form", ""),
            "Contact Us Form");
  // Touchpoints reach their account through their lead; the free-mail lead's reach none.
  EXPECT_EQ(text("SELECT i.external_id FROM touchpoints t JOIN account_identities i USING (account_id)"
                 " WHERE t.external_id = '8'"), "1001");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE account_id IS NULL"), 1);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 5);  // no account made from a lead
  // An activity without its lead is rejected, named by where it came from.
  EXPECT_EQ(text("SELECT origin || ': ' || reason FROM rejected_records WHERE connector = 'marketo'"),
            "/rest/v1/activities.json#13: an activity needs an id, a leadId and an activityDate");

  // The token came from the identity service by GET, and went in the Authorization header.
  EXPECT_EQ(crm_->requests("/identity/oauth/token", "GET"), 1);
  for (const auto& req : crm_->log())
    if (req["path"].get<std::string>().rfind("/rest/", 0) == 0)
      EXPECT_EQ(req["auth"].get<std::string>().rfind("Bearer cdf01657-", 0), 0u) << req.dump();
}

TEST_F(MarketoSync, PagesResendTheLatestTokenUntilMoreResultIsFalse) {
  addMarketo(R"(, "page_size": 2)");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 7);
  // Thirteen activities scanned two at a time: seven pages, the first of them with no "result" for
  // these types (two New Lead activities), each asked with the token of the page before.
  const auto pages = activityPages();
  ASSERT_EQ(pages.size(), 7u);
  std::set<std::string> tokens;
  for (const auto& p : pages) {
    EXPECT_EQ(p.value("batchSize", ""), "2");
    tokens.insert(p.value("nextPageToken", ""));
  }
  EXPECT_EQ(tokens.size(), 7u);
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 3);
}

TEST_F(MarketoSync, SecondSyncGoesOnFromTheLastTokenAndEndsLikeAFreshSync) {
  addMarketo();
  ASSERT_EQ(sync().exit_code, 0);
  const std::string token = json::parse(text("SELECT state FROM sync_state WHERE stream = 'activities'"))["next_page_token"];
  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "marketo"}, {"lead", {{"id", 104}, {"email", "ana@company2.com"},
                                                            {"firstName", "Ana"}, {"website", "company2.com"}}}});
  crm_->control("update", {{"vendor", "marketo"}, {"lead", {{"id", 102}, {"title", "Chief Marketing Officer"}}}});
  crm_->control("update", {{"vendor", "marketo"}, {"activity", {{"type", 1}, {"lead", 104}, {"asset", "/demo"}}}});
  crm_->control("update", {{"vendor", "marketo"}, {"delete_lead", 103}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 4 records"), std::string::npos) << r.out;  // leads 104, 102, the deletion, one visit

  // No new paging token: each stream went on from where the log ended last time.
  EXPECT_EQ(crm_->requests("/rest/v1/activities/pagingtoken.json"), 0);
  ASSERT_FALSE(activityPages().empty());
  EXPECT_EQ(activityPages().front().value("nextPageToken", ""), token);
  EXPECT_EQ(text("SELECT title FROM contacts WHERE external_id = '102'"), "Chief Marketing Officer");
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE external_id = '103'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 8);

  // The same as a first sync of the instance as it is now.
  Workspace fresh;
  fresh.writeConfig();
  addMarketo("", &fresh);
  ASSERT_EQ(sync(&fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
}

TEST_F(MarketoSync, TheRateLimitInA200BodyIsRetried) {
  crm_->fault("/rest/v1/activities.json", "mkto-606", 2);
  crm_->fault("/rest/v1/leads.json", "mkto-615", 1);
  addMarketo();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Marketo 606 Max rate limit '100' exceeded"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Marketo 615 Concurrent access limit reached"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 7);
}

TEST_F(MarketoSync, TheDailyQuotaEndsTheRunRateLimitedAndTheNextRunGoesOn) {
  addMarketo();
  crm_->fault("/rest/v1/leads.json", "mkto-607", 1);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("marketo: sync rate_limited"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Marketo 607 Daily quota reached"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 0);

  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 7);
}

TEST_F(MarketoSync, AnExpiredTokenIsRenewedOnce) {
  addMarketo();
  crm_->fault("/rest/v1/leads.json", "expire", 1);  // Marketo answers 602 in a 200
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/identity/oauth/token"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 3);
  EXPECT_EQ((r.out + r.err).find("mkto-secret-XYZ"), std::string::npos);
}

TEST_F(MarketoSync, RefusedClientCredentialsFailTheRunSayingWhy) {
  addMarketo();
  auto r = CrmSyncTest::sync("marketo", nullptr, {{"MKTO_SECRET", "wrong-secret-123"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 OAuth token refresh at " + crm_->url() +
                       "/identity/oauth/token failed: invalid_client: Bad client credentials"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("credentials were refused"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-secret-123"), std::string::npos) << r.err;
  EXPECT_EQ(crm_->requests("/rest/"), 0);
}

TEST_F(MarketoSync, AMalformedPageFailsNamingTheEndpointAndKeepsWhatWasStored) {
  addMarketo(R"(, "streams": ["activities"], "page_size": 4)");
  ASSERT_EQ(sync().exit_code, 0);
  const int64_t stored = q("SELECT count(*) FROM touchpoints");
  crm_->control("update", {{"vendor", "marketo"}, {"activity", {{"type", 10}, {"lead", 101}, {"asset", "Late.Email"}}}});
  crm_->fault("/rest/v1/activities.json", "bad-json", 1);
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /rest/v1/activities.json: HTTP 200 with malformed JSON"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), stored);
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), stored + 1);
}

TEST_F(MarketoSync, CheckTellsRefusedCredentialsFromAnUnreachableHost) {
  addMarketo();
  auto r = check();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = run({(binDir() / "abmctl").string(), "-c", ws_.config().string(), "check", "marketo"}, {{"MKTO_SECRET", "nope-nope"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Bad client credentials"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("credentials were refused"), std::string::npos) << r.err;

  // Nothing listens on port 1: no token can be asked for, which says nothing about the credentials.
  ws_.addConnector("marketo", "marketo",
                   R"({"base_url": "http://127.0.0.1:1", "client_id": "mkto-cid", "client_secret": "${env:MKTO_SECRET}",)"
                   R"( "max_attempts": 1})");
  r = check();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/identity/oauth/token: cannot connect to 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
}

TEST_F(MarketoSync, SettingsAreCheckedBeforeAnyRequest) {
  addMarketo(R"(, "page_size": 500)");
  auto r = check();
  EXPECT_NE(r.err.find("page_size must be from 1 to 300, not 500"), std::string::npos) << r.err;
  addMarketo(R"(, "program_status_activities": {"Attended": "webinar"})");
  r = check();
  EXPECT_NE(r.err.find("program_status_activities.Attended: 'webinar' is not a touchpoint activity"), std::string::npos)
      << r.err;
  EXPECT_EQ(crm_->log().size(), 0u);

  // The options table, at `abmctl validate`: the instance and credentials are required, the
  // activity types are Marketo's that this plugin maps.
  ws_.addConnector("marketo", "marketo", R"({"activity_types": ["email_opened", "email_forwarded"]})");
  r = ctl({"validate"});
  EXPECT_NE(r.exit_code, 0);
  for (const char* want : {"base_url", "client_id", "client_secret", "unknown value 'email_forwarded'"})
    EXPECT_NE((r.out + r.err).find(want), std::string::npos) << want << ": " << r.out << r.err;
}

}  // namespace
