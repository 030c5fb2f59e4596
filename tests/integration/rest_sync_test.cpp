// The declarative rest plugin end to end, through the two definitions shipped in
// connectors_config/examples (pipedrive.json, close.json) with only base_url and the secret pointed
// at tests/fakes/fake_crm.py (pipedrive_api.py and close_api.py answer as the vendors document):
// `abmctl sync` in a worker process, real HTTP on loopback, a real store.
#include <gtest/gtest.h>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

constexpr const char* kPipedriveToken = "pd-token-0123456789abcdef";
constexpr const char* kCloseKey = "api_4TestKeyOfCloseAbcdef";

class RestSync : public CrmSyncTest {
 protected:
  // The shipped example `name`, its base_url on the fake (under `prefix`), `change` applied to its
  // settings (a null value removes the key).
  void install(const std::string& name, const std::string& prefix, const json& change = json::object()) {
    json file = json::parse(readFile(sourceDir() / "connectors_config/examples" / (name + ".json")));
    file["settings"]["base_url"] = crm_->url() + prefix;
    file["settings"].merge_patch(change);
    writeFile(ws_.connectors() / (name + ".json"), file.dump(2));
  }
  CommandResult syncPipedrive(const std::string& token = kPipedriveToken) {
    return sync("pipedrive", nullptr, {{"PIPEDRIVE_API_TOKEN", token}});
  }
  CommandResult syncClose(const std::string& key = kCloseKey) { return sync("close", nullptr, {{"CLOSE_API_KEY", key}}); }
  std::string all(const std::string& sql) {
    std::string out;
    for (const auto& r : queryRows(ws_.store(), sql)) out += (out.empty() ? "" : "; ") + r;
    return out;
  }
  // The query of every logged request to `path` whose query has items=`items` ("" : any).
  std::vector<json> requestsTo(const std::string& path, const std::string& items = "") {
    std::vector<json> out;
    for (const auto& r : crm_->log())
      if (r["path"] == path && (items.empty() || r["query"].value("items", "") == items)) out.push_back(r["query"]);
    return out;
  }
  // Everything the store holds, as text, to look for a secret in.
  std::string storeText() {
    std::string out;
    for (const char* table : {"accounts", "contacts", "opportunities", "sync_state", "sync_runs", "rejected_records"})
      out += all(std::string("SELECT * FROM ") + table) + "\n";
    return out;
  }
};

TEST_F(RestSync, PipedriveExampleSyncsOrganizationsPersonsAndDeals) {
  install("pipedrive", "/api");
  auto r = syncPipedrive();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pipedrive: synced 10 records"), std::string::npos) << r.out;

  EXPECT_EQ(all("SELECT i.external_id, a.name, a.domain, a.country, a.created_at FROM accounts a"
                " JOIN account_identities i USING (account_id) WHERE i.source = 'pipedrive' ORDER BY i.external_id"),
            "1|Acme GmbH|acme-gmbh.de|Germany|2024-01-05T10:00:00Z; 2|Globex|globex.com|United States|2024-01-06T09:30:00Z; "
            "3|Initech||United States|2024-01-07T08:00:00Z");
  EXPECT_EQ(all("SELECT c.external_id, c.email, c.first_name, c.last_name, i.external_id FROM contacts c"
                " LEFT JOIN account_identities i ON i.account_id = c.account_id AND i.source = 'pipedrive'"
                " WHERE c.source = 'pipedrive' ORDER BY c.external_id"),
            "1|ann@acme-gmbh.de|Ann|Lee|1; 2|bob@globex.com|Bob|Ray|2; 3|cy@initech.com|Cy|Doe|3; 4|dee@gmail.com|Dee|Free|");
  EXPECT_EQ(all("SELECT o.external_id, o.name, o.amount, o.currency, o.closed_at, o.expected_close_at, i.external_id"
                " FROM opportunities o JOIN account_identities i ON i.account_id = o.account_id AND i.source = 'pipedrive'"
                " ORDER BY o.external_id"),
            "1|Acme renewal|12000.0|EUR|2024-03-01T16:00:00Z|2024-06-30T00:00:00Z|1; "
            "2|Globex pilot|4500.5|EUR||2024-06-30T00:00:00Z|2; 3|Initech upsell|800.0|EUR|2024-02-20T09:00:00Z|2024-06-30T00:00:00Z|3");

  // One stream per item kind, each from the definition's start, the token as a query parameter.
  for (const std::string items : {"organization", "person", "deal"}) {
    const auto asked = requestsTo("/api/v1/recents", items);
    ASSERT_EQ(asked.size(), 1u) << items;
    EXPECT_EQ(asked[0].value("since_timestamp", ""), "2000-01-01 00:00:00");
    EXPECT_EQ(asked[0].value("api_token", ""), kPipedriveToken);
    EXPECT_EQ(asked[0].value("limit", ""), "500");
  }
  for (const auto& req : crm_->log()) EXPECT_EQ(req["auth"], "");  // the query carries the token, no header
  // The checkpoint is the last update_time seen, as Pipedrive wrote it.
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE connector = 'pipedrive' AND stream = 'deals'"),
            R"({"cursor":"2024-02-03 10:00:00"})");
  // The token reached neither the output nor the store.
  EXPECT_EQ((r.out + r.err).find(kPipedriveToken), std::string::npos);
  EXPECT_EQ(storeText().find(kPipedriveToken), std::string::npos);
}

TEST_F(RestSync, PipedrivePagesByNextStartAndTheNextRunAsksOnlyForChanges) {
  crm_->seed({{"pd_page_cap", 2}, {"pd_extra_orgs", 3}});
  install("pipedrive", "/api");
  ASSERT_EQ(syncPipedrive().exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'pipedrive'"), 6);
  // Six organizations at two a page: start 0, 2, 4, each the previous answer's next_start.
  std::vector<std::string> starts;
  for (const auto& asked : requestsTo("/api/v1/recents", "organization")) starts.push_back(asked.value("start", ""));
  EXPECT_EQ(starts, (std::vector<std::string>{"0", "2", "4"}));

  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "pipedrive"}, {"item", "deal"}, {"id", 2},
                           {"set", {{"value", 9000}, {"status", "won"}, {"close_time", "2024-04-01 08:00:00"}}},
                           {"time", "2024-04-01 08:00:00"}});
  auto r = syncPipedrive();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Each stream starts from its own checkpoint; Pipedrive's since_timestamp is inclusive, so the
  // last record of the run before comes again and is written over, not doubled.
  EXPECT_EQ(requestsTo("/api/v1/recents", "deal").at(0).value("since_timestamp", ""), "2024-02-03 10:00:00");
  EXPECT_EQ(requestsTo("/api/v1/recents", "person").at(0).value("since_timestamp", ""), "2024-01-08 12:00:03");
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 3);
  EXPECT_EQ(rows("SELECT amount, closed_at FROM opportunities WHERE external_id = '2'"), "9000.0|2024-04-01T08:00:00Z");
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE connector = 'pipedrive' AND stream = 'deals'"),
            R"({"cursor":"2024-04-01 08:00:00"})");
}

TEST_F(RestSync, ARecordTheMappingCannotConvertIsRejectedWithItsSourceAndTheRunGoesOn) {
  crm_->control("update", {{"vendor", "pipedrive"}, {"item", "deal"}, {"id", 3}, {"set", {{"value", "n/a"}}},
                           {"time", "2024-02-03 10:00:00"}});
  install("pipedrive", "/api");
  auto r = syncPipedrive();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pipedrive: synced 9 records, 1 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(rows("SELECT stream, origin, reason FROM rejected_records WHERE connector = 'pipedrive'"),
            "deals|GET /v1/recents page 1 record 3|deals: field 'amount' from /data/value (number): expected a number, "
            "found \"n/a\"");
  EXPECT_EQ(json::parse(text("SELECT data FROM rejected_records WHERE connector = 'pipedrive'"))["data"]["title"],
            "Initech upsell");
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 2);
}

TEST_F(RestSync, PipedriveRateLimitIsWaitedOut) {
  crm_->fault("/api/v1/recents", "pd-429", 1);
  install("pipedrive", "/api");
  auto r = syncPipedrive();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'pipedrive'"), 3);
}

TEST_F(RestSync, PipedriveRefusedTokenFailsTheRunWithoutShowingIt) {
  install("pipedrive", "/api");
  auto r = syncPipedrive("pd-token-revoked-999");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("GET /v1/recents: HTTP 401 unauthorized access"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("check the connector's api_key (sent as the api_token query parameter)"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("pd-token-revoked-999"), std::string::npos) << r.err;
  EXPECT_EQ(storeText().find("pd-token-revoked-999"), std::string::npos);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 0);
}

TEST_F(RestSync, AMistakeInTheDefinitionIsRefusedWithItsKeyPath) {
  install("pipedrive", "/api", {{"streams", {{"deals", {{"paginator", {{"type", "curser"}}}}}}}});
  auto r = syncPipedrive();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("streams.deals.paginator.type: unknown type 'curser' (none, cursor, offset, page, next_url, link_header)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(crm_->log().empty());  // refused before any request

  install("pipedrive", "/api", {{"api_key_header", "X-API-Key"}});
  r = run({(binDir() / "abmctl").string(), "-c", ws_.config().string(), "check", "pipedrive"},
          {{"PIPEDRIVE_API_TOKEN", kPipedriveToken}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("api_key_header and api_key_query are both set"), std::string::npos) << r.out << r.err;
}

TEST_F(RestSync, CloseExampleSignsInWithTheKeyAsUserAndPagesBySkip) {
  crm_->seed({{"close_extra_leads", 150}});
  install("close", "/api/v1");
  auto r = syncClose();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'close'"), 153);
  EXPECT_EQ(all("SELECT i.external_id, a.name, a.domain FROM accounts a JOIN account_identities i USING (account_id)"
                " WHERE i.source = 'close' AND i.external_id IN ('lead_a1', 'lead_b2', 'lead_c3') ORDER BY i.external_id"),
            "lead_a1|Acme Inc|acme.example.com; lead_b2|Bluth Co|bluth.com; lead_c3|Cyberdyne|");
  EXPECT_EQ(all("SELECT c.external_id, c.email, c.title, i.external_id FROM contacts c"
                " JOIN account_identities i ON i.account_id = c.account_id AND i.source = 'close' ORDER BY c.external_id"),
            "cont_1|ann@acme.example.com|CTO|lead_a1; cont_2||Magician|lead_b2");
  EXPECT_EQ(all("SELECT o.external_id, o.stage, o.closed_at, i.external_id FROM opportunities o"
                " JOIN account_identities i ON i.account_id = o.account_id AND i.source = 'close' ORDER BY o.external_id"),
            "oppo_1|Won|2024-01-20T00:00:00Z|lead_a1; oppo_2|Proposal||lead_b2; oppo_3|Lost||lead_c3");
  // The contact whose address is no address is refused by the host, with Close's record kept.
  EXPECT_EQ(q("SELECT count(*) FROM rejected_records WHERE connector = 'close' AND data LIKE '%cont_3%'"), 1);

  // 153 leads at 100 a page; HTTP Basic with the key as user and an empty password.
  std::vector<std::string> skips;
  for (const auto& asked : requestsTo("/api/v1/lead/")) skips.push_back(asked.value("_skip", "") + "/" + asked.value("_limit", ""));
  EXPECT_EQ(skips, (std::vector<std::string>{"0/100", "100/100"}));
  const std::string expected_auth = "Basic YXBpXzRUZXN0S2V5T2ZDbG9zZUFiY2RlZjo=";  // base64("api_4TestKeyOfCloseAbcdef:")
  for (const auto& req : crm_->log()) EXPECT_EQ(req["auth"], expected_auth);
  EXPECT_EQ((r.out + r.err).find(kCloseKey), std::string::npos);
  EXPECT_EQ(storeText().find(kCloseKey), std::string::npos);
}

TEST_F(RestSync, CloseOpportunitiesResumeFromTheLastDateUpdatedAndARateLimitIsSurvived) {
  install("close", "/api/v1");
  ASSERT_EQ(syncClose().exit_code, 0);
  EXPECT_EQ(requestsTo("/api/v1/opportunity/").at(0).count("date_updated__gte"), 0u);  // no start: everything
  crm_->control("clear-log");
  crm_->control("update", {{"vendor", "close"}, {"object", "opportunity"}, {"id", "oppo_2"},
                           {"set", {{"status_label", "Negotiation"}, {"date_updated", "2024-02-01T09:00:00.000000+00:00"}}}});
  crm_->fault("/api/v1/opportunity/", "close-429", 1);
  auto r = syncClose();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("429"), std::string::npos) << r.err;
  const auto asked = requestsTo("/api/v1/opportunity/");
  ASSERT_EQ(asked.size(), 2u);  // the refused one and its retry
  for (const auto& a : asked) {
    EXPECT_EQ(a.value("date_updated__gte", ""), "2024-01-22T10:00:00Z");
    EXPECT_EQ(a.value("_order_by", ""), "date_updated");
  }
  EXPECT_EQ(rows("SELECT stage FROM opportunities WHERE external_id = 'oppo_2'"), "Negotiation");
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), 3);
  // Leads and contacts have no cursor: read whole again, and full refresh keeps no checkpoint value.
  EXPECT_EQ(requestsTo("/api/v1/lead/").size(), 1u);
  EXPECT_EQ(text("SELECT state FROM sync_state WHERE connector = 'close' AND stream = 'opportunities'"),
            R"({"cursor":"2024-02-01T09:00:00.000000+00:00"})");
}

TEST_F(RestSync, CloseRefusedKeyFailsTheRunSayingWhichSettingToCheck) {
  install("close", "/api/v1");
  auto r = syncClose("api_wrongkey");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HTTP 401 Unauthorized"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("basic_user"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("api_wrongkey"), std::string::npos) << r.err;
}

}  // namespace
