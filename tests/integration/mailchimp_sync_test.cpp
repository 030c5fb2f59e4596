// The mailchimp plugin end to end: `abmctl sync` in a worker process, real HTTP on loopback to
// tests/fakes/fake_crm.py (tests/fakes/mailchimp_api.py answers Mailchimp's paths), a real store
// (SQLite, and PostgreSQL in the /postgresql copies).
#include <abm/sdk/time.hpp>
#include <gtest/gtest.h>

#include <chrono>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

constexpr const char* kKey = "0123456789abcdef0123456789abcdef-us6";

class MailchimpSync : public CrmSyncTest {
 protected:
  // A mailchimp connector on the fake; `extra` adds settings (",\"key\": value").
  void addMailchimp(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("mailchimp", "mailchimp",
                                  R"({"base_url": ")" + crm_->url() + R"(", "api_key": ")" + kKey +
                                      R"(", "requests_per_second": 1000, "retry_initial_ms": 20,)"
                                      R"( "activity_lookback_minutes": 0)" + extra + "}");
  }
  void addHubSpot(const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("hubspot", "hubspot",
                                  R"({"base_url": ")" + crm_->url() +
                                      R"(", "access_token": "pat-good", "requests_per_second": 1000, "streams": ["companies", "contacts"]})");
  }
  // Every row, its columns joined by '|' in the store's one format on both backends, rows by "; ".
  std::string allRows(const std::string& sql) {
    std::string out;
    for (const auto& r : queryRows(ws_.store(), sql)) out += (out.empty() ? "" : "; ") + r;
    return out;
  }
  CommandResult sync(const Workspace* ws = nullptr) { return CrmSyncTest::sync("mailchimp", ws); }
  // The logged requests to `path` (exactly), with their query.
  std::vector<json> requestsTo(const std::string& path) {
    std::vector<json> out;
    for (const auto& r : crm_->log())
      if (r["path"] == path) out.push_back(r["query"]);
    return out;
  }
  // A second from now, as Mailchimp writes times (to the second).
  static std::string soon() {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return abm::sdk::millisToIso((s + 1) * 1000).substr(0, 19) + "+00:00";
  }
};

TEST_F(MailchimpSync, FirstSyncStoresSentCampaignsAndEveryActionTiedByEmail) {
  addHubSpot();
  ASSERT_EQ(CrmSyncTest::sync("hubspot").exit_code, 0);
  addMailchimp();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("mailchimp: synced 11 records, 1 rejected"), std::string::npos) << r.out;

  // Sent campaigns only (the draft is not asked for); a campaign without a title takes its subject.
  EXPECT_EQ(allRows("SELECT external_id, name, channel, started_at FROM campaigns WHERE source = 'mailchimp'"
                    " ORDER BY external_id"),
            "c0ffee0001|Q1 Newsletter|email|2024-01-10T09:00:00Z; c0ffee0002|Webinar invite|email|2024-02-01T15:30:00Z; "
            "c0ffee0003|Product launch|email|2024-03-01T12:00:00Z");
  for (const auto& q : requestsTo("/3.0/campaigns")) EXPECT_EQ(q.value("status", ""), "sent");

  // Every open, click and bounce, at the action's time, on its campaign.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE source = 'mailchimp'"), 8);
  EXPECT_EQ(queryJoined(ws_.store(), "SELECT activity || ':' || count(*) FROM touchpoints GROUP BY activity ORDER BY activity", " "),
            "email_bounce:1 email_click:2 email_open:5");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE channel <> 'email' OR campaign_id IS NULL"), 0);
  EXPECT_EQ(rows("SELECT t.occurred_at, c.external_id, cm.external_id FROM touchpoints t JOIN contacts c USING (contact_id)"
                 " JOIN campaigns cm USING (campaign_id) WHERE t.activity = 'email_click' AND cm.external_id = 'c0ffee0001'"),
            "2024-01-10T10:01:00Z|2000|c0ffee0001");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE activity = 'email_click' AND external_id LIKE 'c0ffee0001:%'"))
                .value("url", ""),
            "https://example.com/pricing");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE activity = 'email_bounce'")).value("bounce_type", ""),
            "hard");

  // Identity: a known address finds its contact and the contact's account; an unknown one at a
  // company domain finds the account; a free-mail reader ties to no account and creates none.
  const std::string account_of = "SELECT i.external_id FROM touchpoints t JOIN account_identities i USING (account_id) WHERE ";
  EXPECT_EQ(text(account_of + "t.activity = 'email_bounce'"), "1000");
  const std::string new_at_company1 = "8600fe26f5e3cc8dd590c6ab363d1778";  // md5("new@company1.com"), Mailchimp's email_id
  EXPECT_EQ(allRows(account_of + "t.external_id LIKE '%:" + new_at_company1 + ":%' ORDER BY t.external_id"), "1001; 1001");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE account_id IS NULL"), 1);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE contact_id IS NULL"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 5);  // HubSpot's companies, no more
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'mailchimp'"), 0);

  // The entry without an address is rejected with the recipient's own endpoint.
  EXPECT_EQ(text("SELECT origin || ': ' || reason FROM rejected_records WHERE connector = 'mailchimp'"),
            "/3.0/reports/c0ffee0002/email-activity/: an email activity needs the recipient's email_address and email_id");
}

TEST_F(MailchimpSync, PagesUntilOffsetReachesTotalItems) {
  crm_->seed({{"mc_extra_recipients", 5}});
  addMailchimp(R"(, "page_size": 2)");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id LIKE 'c0ffee0003:%'"), 5);
  // Five readers at two a page: offsets 0, 2 and 4, then offset + count reaches total_items.
  std::vector<std::string> offsets;
  for (const auto& q : requestsTo("/3.0/reports/c0ffee0003/email-activity")) {
    EXPECT_EQ(q.value("count", ""), "2");
    offsets.push_back(q.value("offset", ""));
  }
  EXPECT_EQ(offsets, (std::vector<std::string>{"0", "2", "4"}));
  // Three sent campaigns at two a page, listed once per stream.
  EXPECT_EQ(requestsTo("/3.0/campaigns").size(), 4u);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);
}

TEST_F(MailchimpSync, SecondSyncAsksOnlyForWhatChangedAndEndsLikeAFreshSync) {
  addMailchimp();
  ASSERT_EQ(sync().exit_code, 0);
  const std::string first_state = text("SELECT state FROM sync_state WHERE stream = 'email_activity'");
  crm_->control("clear-log");
  // Since the first run: a click on an old campaign, and a new campaign sent and opened.
  crm_->control("update", {{"vendor", "mailchimp"}, {"campaign", "c0ffee0001"}, {"email", "person0@acme.com"},
                           {"action", "click"}, {"timestamp", soon()}, {"url", "https://example.com/late"}});
  crm_->control("update", {{"vendor", "mailchimp"}, {"send", {{"id", "c0ffee0005"}, {"title", "Spring"},
                                                              {"send_time", "2024-04-01T08:00:00+00:00"}}}});
  crm_->control("update", {{"vendor", "mailchimp"}, {"campaign", "c0ffee0005"}, {"email", "person1@acme.com"},
                           {"action", "open"}, {"timestamp", soon()}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 4 records"), std::string::npos) << r.out;  // campaigns 0003 (again) and 0005, two actions

  // Campaigns sent since the last one stored; activity since the first run began, as Mailchimp
  // writes times, from the second before (actions are timed to the second, `since` is exclusive).
  const int64_t began = *abm::sdk::isoToMillis(json::parse(first_state)["since"].get<std::string>()) / 1000 * 1000;
  const std::string since = abm::sdk::millisToIso(began - 1000).substr(0, 19) + "+00:00";
  for (const auto& q : requestsTo("/3.0/campaigns")) EXPECT_FALSE(q.value("status", "").empty());
  EXPECT_EQ(requestsTo("/3.0/campaigns").front().value("since_send_time", ""), "2024-03-01T12:00:00+00:00");
  for (const std::string id : {"c0ffee0001", "c0ffee0002", "c0ffee0003", "c0ffee0005"}) {
    const auto asked = requestsTo("/3.0/reports/" + id + "/email-activity");
    ASSERT_EQ(asked.size(), 1u) << id;
    EXPECT_EQ(asked[0].value("since", ""), since) << id;
  }
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 10);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 4);

  // The same as a first sync of the account as it is now.
  Workspace fresh;
  fresh.writeConfig();
  addMailchimp("", &fresh);
  ASSERT_EQ(sync(&fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
}

TEST_F(MailchimpSync, TooManyConnectionsIsRetried) {
  crm_->fault("/3.0/reports", "mc-429", 2);
  addMailchimp();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429 Too Many Requests"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 8);
}

TEST_F(MailchimpSync, ARefusedKeyFailsTheRunSayingWhyWithoutTheKey) {
  ws_.addConnector("mailchimp", "mailchimp",
                   R"({"base_url": ")" + crm_->url() + R"(", "api_key": "ffffffffffffffffffffffffffffffff-us6"})");
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /3.0/campaigns: HTTP 401 API Key Invalid: Your API key may be invalid"), std::string::npos)
      << r.err;
  EXPECT_EQ((r.out + r.err).find("ffffffffffffffff"), std::string::npos);
  // The key went as the password of HTTP Basic.
  const std::string auth = crm_->log().at(0)["auth"];
  EXPECT_EQ(auth.rfind("Basic ", 0), 0u) << auth;
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 0);
}

TEST_F(MailchimpSync, AMalformedPageFailsNamingTheEndpointAndTheNextRunGoesOn) {
  crm_->fault("/3.0/reports/c0ffee0002/email-activity", "bad-json", 1);
  addMailchimp();
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /3.0/reports/c0ffee0002/email-activity: HTTP 200 with malformed JSON"), std::string::npos)
      << r.err;
  // What came before is kept, and the checkpoint says so.
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 6);
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state WHERE stream = 'email_activity'")).value("after_campaign", ""),
            "c0ffee0001");

  crm_->control("clear-log");
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 8);
  EXPECT_EQ(requestsTo("/3.0/reports/c0ffee0001/email-activity").size(), 0u);  // resumed after it
}

TEST_F(MailchimpSync, CheckTellsARefusedKeyFromAnUnreachableHost) {
  addMailchimp();
  auto r = ctl({"check", "mailchimp"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(crm_->requests("/3.0/ping"), 1);

  ws_.addConnector("mailchimp", "mailchimp",
                   R"({"base_url": ")" + crm_->url() + R"(", "api_key": "ffffffffffffffffffffffffffffffff-us6"})");
  r = ctl({"check", "mailchimp"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 API Key Invalid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("credentials were refused"), std::string::npos) << r.err;

  // Nothing listens on port 1: the host cannot be reached, which says nothing about the key.
  ws_.addConnector("mailchimp", "mailchimp",
                   std::string(R"({"base_url": "http://127.0.0.1:1", "max_attempts": 1, "api_key": ")") + kKey + "\"}");
  r = ctl({"check", "mailchimp"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /3.0/ping: cannot connect to 127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
}

TEST_F(MailchimpSync, SettingsAreCheckedBeforeAnyRequest) {
  // Without base_url the key's suffix names the data centre: a key without one cannot work.
  ws_.addConnector("mailchimp", "mailchimp", R"({"api_key": "0123456789abcdef"})");
  auto r = ctl({"check", "mailchimp"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("api_key must end with its data centre"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("0123456789abcdef"), std::string::npos) << r.err;

  addMailchimp(R"(, "page_size": 5000)");
  r = ctl({"check", "mailchimp"});
  EXPECT_NE(r.err.find("page_size must be from 1 to 1000, not 5000"), std::string::npos) << r.err;

  // The options table is checked by `abmctl validate`: a missing key and an unknown stream.
  ws_.addConnector("mailchimp", "mailchimp", R"({"streams": ["campaigns", "lists"]})");
  r = ctl({"validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("api_key"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("unknown value 'lists'"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(crm_->log().size(), 0u);
}

}  // namespace
