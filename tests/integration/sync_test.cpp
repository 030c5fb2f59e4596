// End to end through the real binaries: abmctl and abmd on temporary configs, the csv plugin in a
// worker process, and a real store (SQLite, or PostgreSQL in the /postgresql run).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

int64_t lines(const fs::path& csv) {
  std::ifstream in(csv);
  int64_t n = 0;
  for (std::string l; std::getline(in, l);) ++n;
  return n - 1;  // header
}

class DemoSync : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = ws_.dir / "data";
    auto gen = run({(binDir() / "abm-demo-gen").string(), data_.string(), "--accounts", "120", "--touchpoints", "6000"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    ws_.writeConfig();
    ws_.addConnector("demo", "csv", "{\"path\": \"../data\"}");
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws_.config().string()});
    return run(args);
  }
  int64_t q(const std::string& sql) { return queryInt(ws_.store(), sql); }

  Workspace ws_;
  fs::path data_;
};

TEST_F(DemoSync, LoadsEveryRowOfTheDemoData) {
  auto r = ctl({"sync", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("demo: synced"), std::string::npos) << r.out;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), lines(data_ / "accounts.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), lines(data_ / "contacts.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM opportunities"), lines(data_ / "opportunities.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM campaigns"), lines(data_ / "campaigns.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), lines(data_ / "touchpoints.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM ad_spend"), lines(data_ / "ad_spend.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM survey_responses"), lines(data_ / "survey_responses.csv"));
  EXPECT_GT(q("SELECT count(*) FROM survey_responses"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM sync_runs WHERE status = 'succeeded' AND rejected = 0"), 1);
  // Survey answers find their contacts and, through them, their accounts; open deals say when they
  // are expected to close; accounts carry the technologies they use.
  EXPECT_EQ(q("SELECT count(*) FROM survey_responses WHERE contact_id IS NULL OR account_id IS NULL"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE is_closed = (expected_close_at IS NOT NULL)"), 0);
  int64_t with_technologies = 0;
  for (const auto& properties : queryRows(ws_.store(), "SELECT properties FROM accounts")) {
    const auto j = nlohmann::json::parse(properties);
    with_technologies += j.contains("technologies") && j["technologies"].is_array();
  }
  EXPECT_GT(with_technologies, 0);

  // Every record is tied: websites were normalized, contacts without an account id found theirs
  // by email domain, and personal-mail contacts kept their explicit account.
  EXPECT_EQ(q("SELECT count(*) FROM accounts WHERE domain LIKE '%/%' OR domain LIKE 'www.%'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM contacts WHERE account_id IS NULL"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE account_id IS NULL"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM pending_links"), 0);
  EXPECT_GT(q("SELECT count(*) FROM contacts c JOIN accounts a USING (account_id)"
              " WHERE c.email LIKE '%@gmail.com'"), 0);
  int64_t work_mail = 0;
  for (const auto& row : queryRows(ws_.store(), "SELECT c.email, a.domain FROM contacts c JOIN accounts a USING (account_id)"
                                                " WHERE c.email NOT LIKE '%@gmail.com'")) {
    const std::string email = row.substr(0, row.find('|')), domain = row.substr(row.find('|') + 1);
    EXPECT_EQ(email.substr(email.find('@') + 1), domain) << "contact " << email << " is on the account of " << domain;
    ++work_mail;
  }
  EXPECT_GT(work_mail, 0);
  // Extra CSV columns of touchpoints land in properties.
  int64_t with_url = 0;
  for (const auto& properties : queryRows(ws_.store(), "SELECT properties FROM touchpoints")) {
    const auto j = nlohmann::json::parse(properties);
    with_url += j.contains("url") && j["url"].is_string() && j["url"].get<std::string>().rfind('/', 0) == 0;
  }
  EXPECT_GT(with_url, 0);
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  for (const auto& at : queryRows(ws_.store(), "SELECT occurred_at FROM touchpoints"))
    ASSERT_TRUE(std::regex_match(at, iso)) << at;
  EXPECT_EQ(q("SELECT count(*) FROM opportunities WHERE is_won AND NOT is_closed"), 0);
}

// About SQLite's file itself: not in the PostgreSQL run.
TEST_F(DemoSync, TheSqliteStoreIsInWalMode) {
  ASSERT_EQ(ctl({"sync", "demo"}).exit_code, 0);
  EXPECT_EQ(queryText(ws_.store(), "PRAGMA journal_mode"), "wal");
}

TEST_F(DemoSync, SyncingTwiceLeavesTheSameRows) {
  ASSERT_EQ(ctl({"sync", "demo"}).exit_code, 0);
  const std::string rows_sql =
      "SELECT touchpoint_id, account_id, contact_id, campaign_id, source, external_id, activity, occurred_at, properties"
      " FROM touchpoints ORDER BY touchpoint_id";
  const auto before = queryRows(ws_.store(), rows_sql);
  ASSERT_EQ(static_cast<int64_t>(before.size()), lines(data_ / "touchpoints.csv"));
  const int64_t accounts = q("SELECT count(*) FROM accounts");

  auto second = ctl({"sync", "demo"});  // unchanged files are skipped
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("synced 0 records"), std::string::npos) << second.out;
  EXPECT_NE(second.err.find("unchanged since the last sync"), std::string::npos);

  auto full = ctl({"sync", "demo", "--full-refresh"});  // everything again, as upserts
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(queryRows(ws_.store(), rows_sql), before);
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), accounts);
  EXPECT_EQ(q("SELECT count(*) FROM account_identities"), accounts);
}

TEST_F(DemoSync, ChangedFileIsReadAgain) {
  ASSERT_EQ(ctl({"sync", "demo"}).exit_code, 0);
  std::ofstream(data_ / "touchpoints.csv", std::ios::app)
      << "tp-new-1,acc-1000,,,web,form_submit,2026-10-30T10:00:00Z,1,/demo,\n";
  auto r = ctl({"sync", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints"), lines(data_ / "touchpoints.csv"));
  EXPECT_EQ(q("SELECT count(*) FROM touchpoints WHERE external_id = 'tp-new-1' AND activity = 'form_submit'"), 1);
}

TEST_F(DemoSync, StatusRunsStateAndReport) {
  ASSERT_EQ(ctl({"sync", "demo"}).exit_code, 0);
  auto status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("demo"), std::string::npos);
  EXPECT_NE(status.out.find("succeeded"), std::string::npos);
  auto runs = ctl({"runs", "demo"});
  EXPECT_NE(runs.out.find("succeeded"), std::string::npos);
  auto state = ctl({"state", "show", "demo"});
  ASSERT_EQ(state.exit_code, 0);
  EXPECT_NE(state.out.find("\"touchpoints\""), std::string::npos);
  EXPECT_NE(state.out.find("\"complete\": true"), std::string::npos) << state.out;
  auto reset = ctl({"state", "reset", "demo", "touchpoints"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(q("SELECT count(*) FROM sync_state WHERE connector = 'demo' AND stream = 'touchpoints'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM sync_state WHERE connector = 'demo'"), 6);  // every stream but touchpoints
  auto again = ctl({"sync", "demo"});  // only touchpoints are read again
  EXPECT_EQ(q("SELECT records FROM sync_runs ORDER BY run_id DESC LIMIT 1"), lines(data_ / "touchpoints.csv"));
  auto report = ctl({"report", "--top", "3"});
  ASSERT_EQ(report.exit_code, 0);
  EXPECT_NE(report.out.find("accounts"), std::string::npos);
  EXPECT_NE(report.out.find("Most active accounts"), std::string::npos) << "before any metrics run: " << report.out;
  auto discover = ctl({"discover", "demo"});
  EXPECT_EQ(discover.exit_code, 0) << discover.err;
  EXPECT_NE(discover.out.find("touchpoints"), std::string::npos);
  EXPECT_EQ(ctl({"check", "demo"}).exit_code, 0);
}

TEST(CsvPlugin, BadRowsAreReportedWithFileAndLineAndGoodRowsLoad) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "data/touchpoints.csv",
            "external_id,account_domain,channel,activity,occurred_at\n"
            "t1,acme.com,web,page_view,2024-01-01T00:00:00Z\n"
            "t2,acme.com,web,teleport,2024-01-01T00:00:00Z\n"
            "t3,acme.com,web\n"
            "\"t4,acme.com,web,page_view,2024-01-01\n");
  writeFile(ws.dir / "data/accounts.csv", "\xEF\xBB\xBFId,Company Domain,Name\r\na1,acme.com,\"Acme, Inc.\"\r\n");
  ws.addConnector("files", "csv", R"({"path": "../data", "column_mapping": {"Id": "external_id", "Company Domain": "domain", "Name": "name"}})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "files"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 1);
  EXPECT_EQ(queryText(ws.store(), "SELECT name FROM accounts"), "Acme, Inc.");
  EXPECT_EQ(queryInt(ws.store(), "SELECT account_id FROM touchpoints"), 1);
  EXPECT_EQ(queryInt(ws.store(), "SELECT rejected FROM sync_runs"), 3);
  EXPECT_EQ(queryJoined(ws.store(), "SELECT origin FROM rejected_records ORDER BY origin", " "),
            "touchpoints.csv:3 touchpoints.csv:4 touchpoints.csv:5");
  EXPECT_NE(queryText(ws.store(), "SELECT reason FROM rejected_records WHERE origin = 'touchpoints.csv:3'").find("activity"),
            std::string::npos);
  EXPECT_NE(queryText(ws.store(), "SELECT reason FROM rejected_records WHERE origin = 'touchpoints.csv:4'")
                .find("expected 5 fields as in the header, found 3"),
            std::string::npos);
  EXPECT_NE(r.err.find("touchpoints.csv:3"), std::string::npos) << "the log names the row: " << r.err;
}

TEST(CsvPlugin, HeaderWithoutARequiredColumnFailsTheRunClearly) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "data/touchpoints.csv", "id,channel,activity,occurred_at\n1,web,page_view,2024-01-01\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "files"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("touchpoints.csv:1: header lacks required column 'external_id'"), std::string::npos) << r.err;
  EXPECT_EQ(queryText(ws.store(), "SELECT status FROM sync_runs"), "failed");
  EXPECT_NE(queryText(ws.store(), "SELECT error FROM sync_runs").find("lacks required column"), std::string::npos);
}

TEST(CsvPlugin, NdjsonFiles) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "data/accounts.ndjson", "{\"external_id\":\"a1\",\"name\":\"Acme\",\"domain\":\"acme.com\"}\n"
                                             "not json\n"
                                             "{\"external_id\":\"a2\",\"name\":\"Globex\",\"employee_count\":50}\n");
  ws.addConnector("nd", "csv", R"({"path": "../data"})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "nd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM accounts"), 2);
  EXPECT_EQ(queryText(ws.store(), "SELECT origin FROM rejected_records"), "accounts.ndjson:2");
}

TEST(CsvPlugin, SurveyResponsesLoadAndBadScoresAreRejectedWithTheirLine) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "nps/survey_responses.csv",
            "external_id,email,score,comment,responded_at\n"
            "r1,jo@acme.com,9,\"Great, thanks\",2024-03-01T10:00:00Z\n"
            "r2,ann@acme.com,11,,2024-03-02\n"
            "r3,ann@acme.com,great,,2024-03-02\n"
            "r4,ann@acme.com,4,,\n"
            "r5,ann@acme.com,0,Too slow,2024-03-03\n");
  writeFile(ws.dir / "crm/accounts.csv", "external_id,name,domain\nA-1,Acme,acme.com\n");
  writeFile(ws.dir / "crm/contacts.csv", "external_id,account_external_id,email\nC-1,A-1,jo@acme.com\nC-2,A-1,ann@acme.com\n");
  ws.addConnector("nps", "csv", R"({"path": "../nps"})");
  ws.addConnector("crm", "csv", R"({"path": "../crm"})");
  // The answers arrive before the contacts that gave them.
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "nps"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(queryJoined(ws.store(), "SELECT origin || ' ' || reason FROM rejected_records ORDER BY origin", "\n"),
            "survey_responses.csv:3 field 'score': expected a whole number from 0 to 10, got \"11\"\n"
            "survey_responses.csv:4 field 'score': expected a whole number from 0 to 10, got \"great\"\n"
            "survey_responses.csv:5 missing required field 'responded_at'");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM survey_responses WHERE contact_id IS NULL AND account_id IS NULL"), 2);
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "crm"}).exit_code, 0);
  EXPECT_EQ(queryRows(ws.store(), "SELECT s.external_id, c.external_id, s.account_id, s.score, s.comment, s.responded_at"
                                  " FROM survey_responses s JOIN contacts c USING (contact_id) ORDER BY 1"),
            (std::vector<std::string>{"r1|C-1|1|9|Great, thanks|2024-03-01T10:00:00Z", "r5|C-2|1|0|Too slow|2024-03-03T00:00:00Z"}));
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM pending_links"), 0);
}

TEST(CsvPlugin, AccountPropertiesFromColumnsMergeAcrossSources) {
  Workspace ws;
  ws.writeConfig();
  // A properties column holding an object, and properties.<key> columns (JSON lists, numbers and
  // booleans as such, anything else as text); the columns win over the same key in the object.
  writeFile(ws.dir / "crm/accounts.csv",
            "external_id,name,domain,properties,properties.technologies,properties.zip\n"
            "A-1,Acme,acme.com,\"{\"\"hiring\"\":true,\"\"zip\"\":1}\",\"[\"\"Salesforce\"\"]\",01234\n"
            "A-2,Globex,globex.com,[1],,\n");
  writeFile(ws.dir / "intent/accounts.ndjson",
            "{\"external_id\":\"x1\",\"domain\":\"www.acme.com\",\"properties\":{\"hiring\":false},"
            "\"properties.ad_spend_signal\":\"high\"}\n");
  ws.addConnector("crm", "csv", R"({"path": "../crm"})");
  ws.addConnector("intent", "csv", R"({"path": "../intent"})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "crm"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryText(ws.store(), "SELECT origin || ' ' || reason FROM rejected_records"),
            "accounts.csv:3 field 'properties': expected a JSON object, got \"[1]\"");
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "intent"}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(queryText(ws.store(), "SELECT properties FROM accounts WHERE name = 'Acme'")),
            nlohmann::json::parse(R"({"hiring":false,"zip":"01234","technologies":["Salesforce"],"ad_spend_signal":"high"})"));
}

TEST(Identity, TouchpointsFromOneConnectorTieToAccountsFromAnotherLater) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "web/touchpoints.csv", "external_id,account_domain,channel,activity,occurred_at\n"
                                            "w1,https://www.acme.com/pricing,web,page_view,2024-01-01\n");
  writeFile(ws.dir / "crm/accounts.csv", "external_id,name,domain\nA-1,Acme,ACME.com\n");
  ws.addConnector("web", "csv", R"({"path": "../web"})");
  ws.addConnector("crm", "csv", R"({"path": "../crm"})");
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "web"}).exit_code, 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE account_id IS NULL"), 1);
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "crm"}).exit_code, 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT account_id FROM touchpoints"), 1);
}

TEST(Identity, TheSameCompanyFromTwoSourcesIsOneAccountWithAnAuditedMerge) {
  Workspace ws;
  ws.writeConfig(R"(, "identity": {"never_merge_domains": ["holding.example"]})");
  writeFile(ws.dir / "hubspot/accounts.csv", "external_id,name,domain,is_target\nH-1,Acme Europe,eu.acme.com,true\n"
                                             "H-2,Holding A,a.holding.example,false\n");
  writeFile(ws.dir / "salesforce/accounts.csv", "external_id,name,domain,industry\n001X,Acme Inc,https://www.acme.com,Software\n"
                                                "001Y,Holding B,b.holding.example,Finance\n");
  writeFile(ws.dir / "salesforce/contacts.csv", "external_id,email\nc1,jo@sales.acme.com\nc2,max@holding.example\n");
  ws.addConnector("hubspot", "csv", R"({"path": "../hubspot"})");
  ws.addConnector("salesforce", "csv", R"({"path": "../salesforce"})");
  for (const char* c : {"hubspot", "salesforce"})
    ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", c}).exit_code, 0) << c;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM accounts WHERE registrable_domain = 'acme.com'"), 1);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM account_identities i JOIN accounts a USING (account_id)"
                                 " WHERE a.registrable_domain = 'acme.com'"), 2);
  EXPECT_EQ(queryRows(ws.store(), "SELECT industry, is_target FROM accounts WHERE registrable_domain = 'acme.com'"),
            std::vector<std::string>{"Software|1"});
  EXPECT_EQ(queryText(ws.store(), "SELECT source || ':' || external_id || ':' || matched_value FROM account_merges"),
            "salesforce:001X:acme.com");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM contacts c JOIN accounts a USING (account_id)"
                                 " WHERE c.external_id = 'c1' AND a.registrable_domain = 'acme.com'"), 1);
  // Never merged on: the two holding companies stay apart, and the domain ties nobody.
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM accounts WHERE registrable_domain = 'holding.example'"), 2);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM contacts WHERE external_id = 'c2' AND account_id IS NULL"), 1);
}

TEST(Identity, AMissingPublicSuffixListIsAClearConfigError) {
  Workspace ws;
  ws.writeConfig(R"(, "identity": {"public_suffix_file": "/nonexistent/psl.dat"})");
  auto r = run({kCtl, "-c", ws.config().string(), "validate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("public suffix list /nonexistent/psl.dat cannot be read; install Debian's publicsuffix package"),
            std::string::npos) << r.err;
}

TEST(Validate, ReportsEveryBadConnectorWithFileAndKey) {
  Workspace ws;
  ws.writeConfig();
  ws.addConnector("good", "csv", R"({"path": "/tmp"})");
  ws.addConnector("typo", "csv", R"({"paht": "/tmp"})");
  ws.addConnector("types", "csv", R"({"path": 5, "checkpoint_every": "often"})");
  ws.addConnector("noplugin", "salesforce9", R"({})");
  writeFile(ws.connectors() / "broken.json", "{ not json");
  auto r = run({kCtl, "-c", ws.config().string(), "validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("typo.json: settings.paht: unknown option"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("typo.json: settings.path: required string option is missing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("types.json: settings.path: expected a string, got an integer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("types.json: settings.checkpoint_every: expected an integer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("noplugin.json: plugin: no plugin named 'salesforce9'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.json: not valid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 connector(s) valid"), std::string::npos) << r.out;
}

TEST(Validate, BadDaemonConfigExitsTwoWithTheReason) {
  Workspace ws;
  writeFile(ws.config(), R"({"store": "mysql://x", "connectors_dir": "c"})");
  auto r = run({kCtl, "-c", ws.config().string(), "validate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("store: store URL 'mysql://x'"), std::string::npos) << r.err;
  auto d = run({(binDir() / "abmd").string(), "-c", ws.config().string()});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("mysql"), std::string::npos) << d.err;
}

TEST(Examples, EveryExampleConnectorValidates) {
  Workspace ws;
  fs::create_directories(ws.connectors());
  for (const auto& e : fs::directory_iterator(sourceDir() / "connectors_config/examples"))
    if (e.path().extension() == ".json") fs::copy_file(e.path(), ws.connectors() / e.path().filename());
  for (const auto& e : fs::directory_iterator(sourceDir() / "connectors_config/demo/connectors.d"))
    fs::copy_file(e.path(), ws.connectors() / e.path().filename(), fs::copy_options::skip_existing);
  ws.writeConfig();
  auto r = run({kCtl, "-c", ws.config().string(), "validate"},
               {{"ABMD_EXAMPLE_SECRET", "x"}, {"HUBSPOT_PRIVATE_APP_TOKEN", "x"}, {"SALESFORCE_CLIENT_SECRET", "x"},
                {"SALESFORCE_REFRESH_TOKEN", "x"}, {"WEBSITE_WRITE_KEY", "x"},
                {"MAILCHIMP_API_KEY", "x"}, {"MARKETO_CLIENT_SECRET", "x"},
                {"GA4_CLIENT_SECRET", "x"}, {"GA4_REFRESH_TOKEN", "x"},
                {"GOOGLE_ADS_DEVELOPER_TOKEN", "x"}, {"GOOGLE_ADS_CLIENT_SECRET", "x"}, {"GOOGLE_ADS_REFRESH_TOKEN", "x"},
                {"LINKEDIN_CLIENT_SECRET", "x"}, {"LINKEDIN_REFRESH_TOKEN", "x"},
                {"PIPEDRIVE_API_TOKEN", "x"}, {"CLOSE_API_KEY", "x"},
                {"CRM_API_TOKEN", "x"}, {"HUBSPOT_CLIENT_SECRET", "x"}, {"HUBSPOT_REFRESH_TOKEN", "x"}});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.out.find(" 0 connector(s)"), std::string::npos) << r.out;
}

TEST(DemoData, SameSeedSameBytes) {
  TempDir t;
  const std::string gen = (binDir() / "abm-demo-gen").string();
  ASSERT_EQ(run({gen, (t / "a").string(), "--accounts", "50", "--touchpoints", "2000"}).exit_code, 0);
  ASSERT_EQ(run({gen, (t / "b").string(), "--accounts", "50", "--touchpoints", "2000"}).exit_code, 0);
  ASSERT_EQ(run({gen, (t / "c").string(), "--accounts", "50", "--touchpoints", "2000", "--seed", "7"}).exit_code, 0);
  for (const char* f : {"accounts.csv", "contacts.csv", "opportunities.csv", "campaigns.csv", "touchpoints.csv",
                        "ad_spend.csv"}) {
    EXPECT_EQ(readFile(t / "a" / f), readFile(t / "b" / f)) << f;
    EXPECT_GT(readFile(t / "a" / f).size(), 100u) << f;
  }
  EXPECT_NE(readFile(t / "a/touchpoints.csv"), readFile(t / "c/touchpoints.csv"));
}

TEST(Progress, ShownOnATerminalAndQuietOtherwise) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("slow", "testkit", R"({"records": 150, "delay_ms": 10})");
  // script(1) gives abmctl a pseudo-terminal.
  auto tty = run({"/usr/bin/script", "-qfec", kCtl + " -c " + ws.config().string() + " sync slow", "/dev/null"});
  ASSERT_EQ(tty.exit_code, 0) << tty.out;
  EXPECT_NE(tty.out.find("records"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("checkpoints"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find('\r'), std::string::npos) << "redrawn in place";
  auto piped = run({kCtl, "-c", ws.config().string(), "sync", "slow", "--full-refresh"});
  ASSERT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("checkpoints"), std::string::npos) << piped.err;
}

TEST(Help, BothBinariesExplainThemselves) {
  auto ctl = run({kCtl, "--help"});
  EXPECT_EQ(ctl.exit_code, 0);
  for (const char* cmd : {"validate", "plugins", "check NAME", "discover NAME", "sync NAME [--full-refresh]", "status",
                          "runs [NAME]", "state show NAME", "state reset NAME [STREAM]", "report",
                          "metrics run [--as-of TS] [--full]"})
    EXPECT_NE(ctl.out.find(cmd), std::string::npos) << cmd;
  auto d = run({(binDir() / "abmd").string(), "--help"});
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_NE(d.out.find("SIGHUP"), std::string::npos);
  auto bad = run({kCtl, "frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(Plugins, RefusedLibrariesAreNamedWithTheirReason) {
  Workspace ws;
  fs::create_directories(ws.connectors());
  writeFile(ws.config(), "{\"store\": \"sqlite://abm.db\", \"connectors_dir\": \"connectors.d\", \"plugin_dir\": \"" +
                             std::string(ABMD_TEST_BAD_PLUGIN_DIR) + "\", \"worker\": \"" +
                             (binDir() / "abmd-worker").string() + "\"}");
  auto r = run({kCtl, "-c", ws.config().string(), "plugins"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_descriptor.so: not an abmd plugin: it does not export abm_plugin_entry"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("wrong_abi.so: refused: it was built for plugin ABI 2.0"), std::string::npos) << r.err;
}

TEST(Plugins, ListsPluginsWithTheirOptions) {
  Workspace ws;
  ws.writeConfig();
  auto r = run({kCtl, "-c", ws.config().string(), "plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("csv 1.0.0 (file, ABI 1.3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("column_mapping"), std::string::npos);
}

}  // namespace
