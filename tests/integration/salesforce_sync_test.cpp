// The salesforce plugin end to end, and the two CRMs meeting in one store: `abmctl sync` in a worker
// process, real HTTP on loopback to tests/fakes/fake_crm.py, a real store (SQLite, and PostgreSQL in the
// /postgresql copies).
#include <gtest/gtest.h>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

class SalesforceSync : public CrmSyncTest {
 protected:
  void addSalesforce(const std::string& extra = "", const Workspace* ws = nullptr) {
    (ws ? *ws : ws_).addConnector("salesforce", "salesforce",
                                  R"({"base_url": ")" + crm_->url() +
                                      R"(", "access_token": "pat-good", "requests_per_second": 1000,)"
                                      R"( "retry_initial_ms": 20, "modstamp_lookback_seconds": 0, "target_account_field": "ABM_Target__c",)"
                                      R"( "tier_field": "ABM_Tier__c")" + extra + "}");
  }
  CommandResult sync(const std::string& name = "salesforce", const Workspace* ws = nullptr) {
    return CrmSyncTest::sync(name, ws);
  }
  std::vector<std::string> soql() {
    std::vector<std::string> out;
    for (const auto& r : crm_->log())
      if (r["query"].contains("q")) out.push_back(r["path"].get<std::string>() + " " + r["query"]["q"].get<std::string>());
    return out;
  }
};

TEST_F(SalesforceSync, FirstSyncStoresEveryRecordFollowingNextRecordsUrl) {
  addSalesforce();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("salesforce: synced 25 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE account_id IS NOT NULL"), 6);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE account_id IS NOT NULL"), 3);
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), 2);
  // Every member was added ("sent"); those who responded have a second touch.
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id LIKE '%:sent'"), 7);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id LIKE '%:responded'"), 4);
  // Campaign.Type picks the channel and the activity; the webinar's lead is tied by email domain.
  EXPECT_EQ(rows("SELECT channel, activity, occurred_at FROM touchpoints WHERE external_id = '00v000000000000AAA:responded'"),
            "email|email_click|2024-02-15T00:00:00Z");
  EXPECT_EQ(json::parse(text("SELECT properties FROM touchpoints WHERE external_id = '00v000000000000AAA:responded'"))
                .value("status", ""),
            "Responded");
  EXPECT_EQ(text("SELECT t.channel || '|' || t.activity || '|' || i.external_id FROM touchpoints t"
                 " JOIN account_identities i USING (account_id) WHERE t.external_id = '00v999999999999AAA:responded'"),
            "event|webinar_attend|001000000000001AAA");
  // Accounts: Website becomes the domain, the custom fields the target flag and tier.
  EXPECT_EQ(rows("SELECT domain, registrable_domain, is_target, tier, employee_count"
                 " FROM accounts a JOIN account_identities i USING (account_id) WHERE i.external_id = '001000000000000AAA'"),
            "eu.acme.com|acme.com|1|Tier 2|100");
  // An opportunity without its own probability takes its stage's; percentages become fractions.
  EXPECT_EQ(rows("SELECT is_closed, is_won FROM opportunities WHERE external_id = '006000000000000AAA' AND closed_at IS NULL"),
            "0|0");
  // CloseDate is when an open opportunity is expected to close, and when a closed one closed.
  EXPECT_EQ(rows("SELECT expected_close_at FROM opportunities WHERE external_id = '006000000000000AAA'"),
            "2024-06-28T00:00:00Z");
  EXPECT_EQ(number("SELECT probability FROM opportunities WHERE external_id = '006000000000000AAA'"), 0.1);
  EXPECT_EQ(rows("SELECT is_closed, is_won, closed_at, expected_close_at FROM opportunities"
                 " WHERE external_id = '006000000000001AAA'"),
            "1|1|2024-03-31T00:00:00Z|");
  EXPECT_EQ(number("SELECT probability FROM opportunities WHERE external_id = '006000000000001AAA'"), 1.0);
  // Batches of two: every query was followed to its last batch (accounts 1 more, contacts 2,
  // opportunities 1, campaigns none, members 3).
  EXPECT_EQ(crm_->requests("/services/data/v59.0/query/"), 7);
  for (const auto& s : soql()) EXPECT_EQ(s.find("queryAll"), std::string::npos) << s;
}

TEST_F(SalesforceSync, LaterSyncsAskFromTheLastModstampAndRemoveDeletedRecords) {
  addSalesforce();
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "Contact"}, {"ids", {"003000000000000AAA"}}, {"delete", true}});
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "Opportunity"}, {"ids", {"006000000000002AAA"}}, {"delete", true}});
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "CampaignMember"}, {"ids", {"00v000000000000AAA"}}, {"delete", true}});
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "Account"}, {"ids", {"001000000000001AAA"}},
                           {"set", {{"Name", "SF Account 1 (renamed)"}}}});
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  for (const auto& s : soql()) {
    if (s.find("OpportunityStage") != std::string::npos) continue;
    EXPECT_NE(s.find("/queryAll SELECT"), std::string::npos) << s;
    EXPECT_NE(s.find("WHERE SystemModstamp >= 2024-01-01T"), std::string::npos) << s;
  }
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE external_id = '003000000000000AAA'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id LIKE '00v000000000000AAA:%'"), 0);
  EXPECT_EQ(text("SELECT name FROM accounts a JOIN account_identities i USING (account_id)"
                 " WHERE i.external_id = '001000000000001AAA'"),
            "SF Account 1 (renamed)");

  // The same as a first sync of the source as it is now.
  Workspace fresh;
  fresh.writeConfig();
  addSalesforce("", &fresh);
  ASSERT_EQ(sync("salesforce", &fresh).exit_code, 0);
  EXPECT_EQ(storeSnapshot(ws_.store()), storeSnapshot(fresh.store()));
}

TEST_F(SalesforceSync, IncrementalQueriesReachBackForLateCommits) {
  ws_.addConnector("salesforce", "salesforce",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-good", "requests_per_second": 1000,)"
                       R"( "streams": ["accounts"], "modstamp_lookback_seconds": 600})");
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(text("SELECT state FROM sync_state"), R"({"since":"2024-01-01T00:00:09.000+0000"})");
  crm_->control("clear-log");
  ASSERT_EQ(sync().exit_code, 0);
  const auto queries = soql();
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_NE(queries[0].find("WHERE SystemModstamp >= 2023-12-31T23:50:09Z"), std::string::npos) << queries[0];
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 3);
}

TEST_F(SalesforceSync, ARecordThatCannotBeStoredIsRejectedWithItsUrl) {
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "CampaignMember"}, {"ids", {"00vBAD000000000AAA"}},
                           {"set", {{"CampaignId", "701000000000001AAA"}, {"ContactId", nullptr}, {"LeadId", nullptr},
                                    {"Email", nullptr}, {"Status", "Sent"}, {"HasResponded", false},
                                    {"FirstRespondedDate", nullptr}}}});
  addSalesforce(R"(, "streams": ["campaign_members"])");
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(text("SELECT origin || ': ' || reason FROM rejected_records"),
            "/services/data/v59.0/sobjects/CampaignMember/00vBAD000000000AAA: neither a ContactId nor an Email to tie it to");
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 11);  // the others are stored
}

TEST_F(SalesforceSync, AnAccountDeletedInTheSourceLeavesTheStore) {
  addSalesforce(R"(, "streams": ["accounts"])");
  ASSERT_EQ(sync().exit_code, 0);
  crm_->control("update", {{"vendor", "salesforce"}, {"object", "Account"}, {"ids", {"001000000000002AAA"}}, {"delete", true}});
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE external_id = '001000000000002AAA'"), 0);
}

TEST_F(SalesforceSync, TheApiAllowanceInSforceLimitInfoEndsTheRunBeforeA403) {
  crm_->control("config", {{"sf_used", 0}, {"sf_limit", 6}});
  addSalesforce();
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("salesforce: sync rate_limited"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("api-usage=6/6"), std::string::npos) << r.err;
  EXPECT_EQ(crm_->log().size(), 6u);  // not one request past the allowance
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");

  // A new day: the run goes on from its checkpoints and ends with every record once.
  crm_->control("config", {{"sf_used", 0}, {"sf_limit", 15000}});
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 6);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 11);
}

TEST_F(SalesforceSync, RequestLimitExceededIsARateLimitNotAFailure) {
  crm_->fault("/services/data/v59.0/query", "sf-limit", 1);
  addSalesforce();
  auto r = sync();
  EXPECT_NE(r.err.find("403 REQUEST_LIMIT_EXCEEDED"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT status FROM sync_runs ORDER BY run_id DESC LIMIT 1"), "rate_limited");
}

TEST_F(SalesforceSync, AnInvalidSessionIsRefreshedAndTheInstanceComesFromTheTokenAnswer) {
  // No base_url: the instance_url of the token answer says where the org lives.
  ws_.addConnector("salesforce", "salesforce",
                   R"({"token_url": ")" + crm_->url() + R"(/services/oauth2/token", "client_id": "cid",)"
                       R"( "client_secret": "csecret-XYZ", "refresh_token": "sf-rt", "requests_per_second": 1000})");
  crm_->fault("/services/data/v59.0/query", "expire", 1);
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(crm_->requests("/services/oauth2/token"), 2);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 11);
  EXPECT_EQ(r.err.find("csecret-XYZ"), std::string::npos);
}

TEST_F(SalesforceSync, ErrorsArriveAsAnArrayAndAreReportedWithTheirCode) {
  addSalesforce(R"(, "api_version": "v20.0")");
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 404 NOT_FOUND: The requested resource does not exist"), std::string::npos) << r.err;

  addSalesforce(R"(, "buying_role_field": "Buying_Role__c")");
  r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("INVALID_FIELD: No such column 'Buying_Role__c' on entity 'Contact'"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 3);  // the streams before it were stored
}

// Salesforce writes its versions "60.0" and the URLs "v60.0"; "60.0" used to 404 on every request.
TEST_F(SalesforceSync, TheApiVersionIsTakenInEitherSpellingAndABadOneIsRefusedAtValidation) {
  addSalesforce(R"(, "api_version": "60.0", "streams": ["accounts"])");
  auto r = ctl({"check", "salesforce"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 3);
  EXPECT_EQ(crm_->requests("/services/data/v60.0/query"), 2);
  EXPECT_EQ(crm_->requests("/services/data/60.0/"), 0);

  addSalesforce(R"(, "api_version": "sixty")");
  r = ctl({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("settings.api_version: 'sixty' does not have the expected form (REST API version: v60.0 or 60.0)"),
            std::string::npos)
      << r.err;
}

TEST_F(SalesforceSync, AServerErrorBurstIsRetried) {
  crm_->fault("/services/data/v59.0/query", "sf-500", 2);
  addSalesforce();
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("HTTP 500"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), 11);
}

TEST_F(SalesforceSync, CheckValidatesTheMappingsBeforeCallingSalesforce) {
  addSalesforce(R"(, "campaign_type_channels": {"Roadshow": "events"})");
  auto r = ctl({"check", "salesforce"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("campaign_type_channels.Roadshow: 'events' is not a channel"), std::string::npos)
      << r.out << r.err;
  addSalesforce(R"(, "campaign_type_channels": {"Roadshow": "event"})");
  r = ctl({"check", "salesforce"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// The same company in both CRMs is one account: HubSpot's acme.com and Salesforce's
// https://eu.acme.com/de meet on their registrable domain.
TEST_F(SalesforceSync, ACompanyInBothCrmsBecomesOneAccount) {
  ws_.addConnector("hubspot", "hubspot",
                   R"({"base_url": ")" + crm_->url() + R"(", "access_token": "pat-good", "requests_per_second": 1000})");
  addSalesforce();
  ASSERT_EQ(sync("hubspot").exit_code, 0);
  ASSERT_EQ(sync("salesforce").exit_code, 0);
  const int64_t acme = q("SELECT account_id FROM account_identities WHERE source = 'hubspot' AND external_id = '1000'");
  EXPECT_EQ(q("SELECT account_id FROM account_identities WHERE source = 'salesforce' AND external_id = '001000000000000AAA'"),
            acme);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 5 + 2);
  EXPECT_EQ(text("SELECT source || '|' || external_id || '|' || rule || '|' || matched_value FROM account_merges"),
            "salesforce|001000000000000AAA|registrable_domain|acme.com");
  // Both CRMs' people and deals sit on the one account.
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE account_id = " + std::to_string(acme)), 4);
  EXPECT_EQ(q("SELECT count(DISTINCT source) FROM opportunities WHERE account_id = " + std::to_string(acme)), 2);
}

}  // namespace
