// The singer plugin end to end: `abmctl sync` runs the worker, the worker loads plugins/singer, the
// plugin runs tests/connectors/fake_singer_tap.py (a real Singer tap) as its child, and what it
// sends lands in a real SQLite store through the connector file's mapping.
#include <gtest/gtest.h>

#include <chrono>

#include "external_connector.hpp"

using namespace abm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class SingerSync : public ExternalConnectorTest {
 protected:
  void SetUp() override {
    ExternalConnectorTest::SetUp();
    data({{"companies",
           {{{"id", "c1"}, {"name", "Acme"}, {"domain", "ACME.com"}, {"updated_at", 100}},
            {{"id", "c2"}, {"name", "Globex"}, {"domain", "globex.io"}, {"updated_at", 200}},
            {{"id", "c3"}, {"name", "Initech"}, {"domain", "initech.com"}, {"updated_at", 300}}}},
          {"users", {{{"id", "u1"}, {"email", "Ann@Acme.com"}, {"company_id", "c1"}, {"updated_at", 100}}}}});
  }
  static json companies() {
    return {{"entity", "accounts"},
            {"fields", {{"external_id", "/id"}, {"name", "/name"}, {"domain", {{"from", "/domain"}, {"transform", "lowercase"}}}}}};
  }
  static json users() {
    return {{"entity", "contacts"},
            {"fields", {{"external_id", "/id"}, {"email", {{"from", "/email"}, {"transform", "lowercase"}}},
                        {"account_external_id", "/company_id"}}}};
  }
  json settings(const json& config_extra = json::object(), const json& streams = json()) const {
    return settingsFor("fake_singer_tap.py", {{"companies", companies()}}, config_extra, streams);
  }
  void singer(const json& config_extra = json::object(), const std::string& extra = "") {
    connector("singer", settings(config_extra), extra);
  }
  // Whether the catalog entry `name` is selected (its top-level metadata), in a catalog handed over.
  static bool selected(const json& catalog, const std::string& name) {
    for (const auto& entry : catalog["streams"])
      if (entry["tap_stream_id"] == name)
        for (const auto& m : entry["metadata"])
          if (m["breadcrumb"].empty()) return m["metadata"].value("selected", false);
    return false;
  }
  std::string accounts() {
    return joined("SELECT i.external_id || '|' || a.name || '|' || coalesce(a.domain, '') FROM accounts a"
                  " JOIN account_identities i USING (account_id) WHERE i.source = 'crm' ORDER BY i.external_id");
  }
};

TEST_F(SingerSync, RecordsMapThroughTheStreamsMappingAndOnlyTheMappedStreamIsSelected) {
  singer();
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crm: synced 3 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(accounts(), "c1|Acme|acme.com; c2|Globex|globex.io; c3|Initech|initech.com");
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 0);

  // Discovery once, then one sync with the discovered catalog where only companies is selected,
  // with every field it offers.
  ASSERT_EQ(invocationsWith("--discover").size(), 1u);
  const auto reads = invocationsWith("--catalog");
  ASSERT_EQ(reads.size(), 1u);
  const json catalog = fileOf(reads[0], "--catalog");
  EXPECT_TRUE(selected(catalog, "companies"));
  EXPECT_FALSE(selected(catalog, "users"));
  EXPECT_EQ(reads[0]["files"]["--catalog"]["mode"], "0o600");
  EXPECT_FALSE(reads[0]["files"].contains("--state"));
  // The tap's stderr reached the run's log.
  EXPECT_NE(r.err.find("connector stderr: INFO Syncing stream companies since None"), std::string::npos) << r.err;
}

TEST_F(SingerSync, TheExampleSyncsTheTestTapFromTheRepositoryRoot) {
  const auto r = syncExample("singer-test-tap");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("singer-test-tap: synced 3 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(text("SELECT c.email || ' at ' || a.domain FROM contacts c JOIN accounts a USING (account_id)"),
            "kim@umbrella.example at umbrella.example");
  EXPECT_EQ(leftInTmp(), 0u);
}

TEST_F(SingerSync, EachMappedStreamRunsAloneAndKeepsItsOwnState) {
  connector("singer", settings({}, {{"companies", companies()}, {"users", users()}}));
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(text("SELECT c.email || ' at ' || a.name FROM contacts c JOIN accounts a USING (account_id)"), "ann@acme.com at Acme");
  const auto reads = invocationsWith("--catalog");
  ASSERT_EQ(reads.size(), 2u);
  // Accounts before contacts (the entity order), each with only its own stream selected.
  EXPECT_TRUE(selected(fileOf(reads[0], "--catalog"), "companies"));
  EXPECT_FALSE(selected(fileOf(reads[0], "--catalog"), "users"));
  EXPECT_TRUE(selected(fileOf(reads[1], "--catalog"), "users"));
  EXPECT_FALSE(selected(fileOf(reads[1], "--catalog"), "companies"));
  EXPECT_EQ(joined("SELECT stream FROM sync_state WHERE connector = 'crm' ORDER BY stream"), "companies; users");

  // users is FULL_TABLE (the tap's catalog forces it): the next run hands companies its state, and
  // users none.
  ASSERT_EQ(sync().exit_code, 0);
  const auto again = invocationsWith("--catalog");
  ASSERT_EQ(again.size(), 4u);
  EXPECT_TRUE(again[2]["files"].contains("--state"));
  EXPECT_FALSE(again[3]["files"].contains("--state"));
  const auto d = ctl({"discover", "crm"});
  EXPECT_NE(d.out.find("companies                -> accounts       incremental"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("users                    -> contacts       full"), std::string::npos) << d.out;
}

TEST_F(SingerSync, TheNextRunGetsTheStoredStateAndOnlyNewRecords) {
  singer();
  ASSERT_EQ(sync().exit_code, 0);
  const json stored = json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm' AND stream = 'companies'"));
  EXPECT_EQ(stored["bookmarks"]["companies"]["updated_at"], 300) << stored.dump();

  data({{"companies",
         {{{"id", "c1"}, {"name", "Acme"}, {"domain", "acme.com"}, {"updated_at", 100}},
          {{"id", "c3"}, {"name", "Initech Corp"}, {"domain", "initech.com"}, {"updated_at", 400}},
          {{"id", "c4"}, {"name", "Hooli"}, {"domain", "hooli.xyz"}, {"updated_at", 500}}}}});
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 2 records"), std::string::npos) << r.out;
  const auto reads = invocationsWith("--catalog");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(fileOf(reads[1], "--state"), stored);
  EXPECT_EQ(reads[1]["files"]["--state"]["mode"], "0o600");
  EXPECT_EQ(accounts(), "c1|Acme|acme.com; c2|Globex|globex.io; c3|Initech Corp|initech.com; c4|Hooli|hooli.xyz");
}

TEST_F(SingerSync, OlderTapsTakeTheirCatalogAsProperties) {
  json s = settings();
  s["catalog_flag"] = "--properties";
  connector("singer", s);
  ASSERT_EQ(sync().exit_code, 0);
  const auto reads = invocationsWith("--properties");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_TRUE(selected(fileOf(reads[0], "--properties"), "companies"));
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'crm'"), 3);
}

TEST_F(SingerSync, TheSecretConfigIsA0600FileInAPrivateFolderThatIsGoneAfterTheRun) {
  singer({{"misbehave", {{"mode", "crash"}, {"after", 1}}}});
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(invocations().size(), 2u);  // --discover, then the sync
  for (const auto& i : invocations()) {
    const json& file = i["files"]["--config"];
    EXPECT_EQ(file["mode"], "0o600");
    EXPECT_EQ(file["content"]["api_token"], kToken);
    const fs::path folder = fs::path(file["path"].get<std::string>()).parent_path();
    EXPECT_EQ(folder.parent_path(), ws_.dir / "tmp");
    EXPECT_FALSE(fs::exists(folder)) << folder;
  }
  EXPECT_EQ(leftInTmp(), 0u);
  // The tap wrote the token to stderr (its log) and into its crash.
  for (const std::string& where : {r.out, r.err, runError(), storeBytes()})
    EXPECT_EQ(where.find(kToken), std::string::npos);
  EXPECT_NE(r.err.find("since None (token ${env:CRM_TOKEN})"), std::string::npos) << r.err;
}

TEST_F(SingerSync, CheckRunsDiscoveryAndAFailingOneShowsTheTapsStderr) {
  singer();
  auto r = ctl({"check", "crm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(invocationsWith("--discover").size(), 1u);
  r = ctl({"discover", "crm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("companies"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("users"), std::string::npos) << r.out;

  r = ctl({"check", "crm"}, "bad-token");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("singer tap 'python3 " + script("fake_singer_tap.py") +
                       "' --discover exited with code 1; its stderr ends: CRITICAL 401 Unauthorized for token ${env:CRM_TOKEN}"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("bad-token"), std::string::npos) << r.err;
}

TEST_F(SingerSync, AMappedStreamTheTapDoesNotOfferIsNamedWithWhatItOffers) {
  connector("singer", settings({}, {{"accounts", companies()}}));
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("settings.streams.accounts: the source has no stream 'accounts' (it offers: companies, users)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(invocationsWith("--catalog").empty());
}

TEST_F(SingerSync, ABadMappingOrSettingIsRefusedWithItsKeyPath) {
  json streams = {{"companies", companies()}};
  streams["companies"]["entity"] = "account";
  connector("singer", settings({}, streams));
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("settings.streams.companies.entity: unknown entity 'account' (accounts, contacts"), std::string::npos) << r.err;

  streams = {{"companies", companies()}};
  streams["companies"]["replication_method"] = "SOMETIMES";
  connector("singer", settings({}, streams));
  r = sync();
  EXPECT_NE(r.err.find("settings.streams.companies.replication_method: expected \"INCREMENTAL\""), std::string::npos) << r.err;

  json s = settings();
  s["command"] = "python3 tap.py";
  connector("singer", s);
  r = ctl({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("command"), std::string::npos) << r.err;
  EXPECT_TRUE(invocations().empty());
}

TEST_F(SingerSync, AMissingCommandIsAClearError) {
  json s = settings();
  s["command"] = {"tap-nonexistent"};
  connector("singer", s);
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("singer tap 'tap-nonexistent' --discover: command: 'tap-nonexistent' is not found in PATH"),
            std::string::npos)
      << r.err;
}

TEST_F(SingerSync, ACrashFailsTheRunWithItsStderrTailAndKeepsTheLastCheckpoint) {
  singer({{"misbehave", {{"mode", "crash"}, {"after", 3}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_EQ(runStatus(), "failed");
  EXPECT_NE(runError().find("exited with code 3; its stderr ends: "), std::string::npos) << runError();
  EXPECT_NE(runError().find("RuntimeError: the API refused token ${env:CRM_TOKEN}"), std::string::npos) << runError();
  // The state stays at the second record's bookmark; the next run resumes from it.
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm'"))["bookmarks"]["companies"]["updated_at"], 200);
  singer();
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(fileOf(invocationsWith("--catalog").back(), "--state")["bookmarks"]["companies"]["updated_at"], 200);
  EXPECT_EQ(q("SELECT records FROM sync_runs WHERE connector = 'crm' ORDER BY run_id DESC LIMIT 1"), 1);
  EXPECT_EQ(accounts(), "c1|Acme|acme.com; c2|Globex|globex.io; c3|Initech|initech.com");
}

TEST_F(SingerSync, GarbageOnStdoutIsAClearErrorNamingTheLine) {
  singer({{"misbehave", {{"mode", "garbage"}, {"after", 1}}}});
  EXPECT_EQ(sync().exit_code, 1);
  // SCHEMA, RECORD, then the garbage: line 3.
  EXPECT_NE(runError().find("stdout line 3 is not a protocol message (a JSON object with a \"type\"): "
                            "'Fetching page 2 of organizations...'"),
            std::string::npos)
      << runError();

  singer({{"misbehave", {{"mode", "unknown"}, {"after", 1}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("stdout line 3: unknown message type 'SURPRISE' (SCHEMA, RECORD, STATE, ACTIVATE_VERSION)"),
            std::string::npos)
      << runError();

  singer({{"misbehave", {{"mode", "discover_garbage"}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("--discover: its output is not a catalog (a JSON object with a \"streams\" list): "
                            "'Welcome to the tap!"),
            std::string::npos)
      << runError();
}

TEST_F(SingerSync, AHangIsEndedByTheTimeLimitAndTheTapDiesWithTheWorker) {
  singer({{"misbehave", {{"mode", "hang"}, {"after", 1}}}}, R"(, "timeout": "3s")");
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("sync exceeded its time limit of 3s and was killed"), std::string::npos) << runError();
  const pid_t tap = std::stoi(readFile(ws_.dir / "log/hang.pid"));
  EXPECT_TRUE(waitFor([&] { return processGone(tap); }, 10s)) << "the tap " << tap << " outlived its worker";
  // The killed worker could not remove its private folder: the next run does.
  singer();
  EXPECT_EQ(sync().exit_code, 0);
  EXPECT_EQ(leftInTmp(), 0u);
}

}  // namespace
