// The airbyte plugin end to end: `abmctl sync` runs the worker, the worker loads plugins/airbyte,
// the plugin runs tests/connectors/fake_airbyte_source.py (a real Airbyte-protocol source) as its
// child, and what it sends lands in a real SQLite store through the connector file's mapping.
#include <gtest/gtest.h>

#include <chrono>

#include "external_connector.hpp"

using namespace abm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class AirbyteSync : public ExternalConnectorTest {
 protected:
  void SetUp() override {
    ExternalConnectorTest::SetUp();
    data({{"organizations",
           {{{"id", 1}, {"name", "Acme"}, {"website", "https://www.acme.com/about"}, {"employees", 50}, {"updated_at", 100}},
            {{"id", 2}, {"name", "Globex"}, {"website", "http://globex.io"}, {"employees", "12"}, {"updated_at", 200}},
            {{"id", 3}, {"name", "Initech"}, {"website", "initech.com"}, {"employees", 5}, {"updated_at", 300}}}},
          {"people", {{{"id", 10}, {"email", "ann@acme.com"}, {"org_id", 1}, {"updated_at", 100}}}}});
  }
  static json organizations() {
    return {{"entity", "accounts"},
            {"fields",
             {{"external_id", "/id"},
              {"name", "/name"},
              {"domain", {{"from", "/website"}, {"transform", "domain"}}},
              {"employee_count", {{"from", "/employees"}, {"transform", "integer"}}},
              {"updated_at", {{"from", "/updated_at"}, {"transform", "epoch_seconds"}}},
              {"tier", {{"value", "partner"}}}}}};
  }
  json settings(const json& config_extra = json::object(), const json& streams = json()) const {
    return settingsFor("fake_airbyte_source.py", {{"organizations", organizations()}}, config_extra, streams);
  }
  void airbyte(const json& config_extra = json::object(), const std::string& extra = "") {
    connector("airbyte", settings(config_extra), extra);
  }
  std::string accounts() {
    return joined("SELECT i.external_id || '|' || a.name || '|' || coalesce(a.domain, '') || '|' ||"
                  " coalesce(a.employee_count, '') || '|' || coalesce(a.tier, '') || '|' || coalesce(a.source_updated_at, '')"
                  " FROM accounts a JOIN account_identities i USING (account_id) WHERE i.source = 'crm'"
                  " ORDER BY i.external_id");
  }
};

TEST_F(AirbyteSync, RecordsMapThroughTheStreamsMappingAndOnlyMappedStreamsAreRead) {
  airbyte();
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crm: synced 3 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(accounts(),
            "1|Acme|acme.com|50|partner|1970-01-01T00:01:40Z; 2|Globex|globex.io|12|partner|1970-01-01T00:03:20Z; "
            "3|Initech|initech.com|5|partner|1970-01-01T00:05:00Z");
  EXPECT_EQ(q("SELECT count(*) FROM contacts"), 0);

  // One discover, then one read whose configured catalog holds the mapped stream only, incremental
  // on the source's own cursor.
  ASSERT_EQ(invocationsWith("read").size(), 1u);
  const json catalog = fileOf(invocationsWith("read")[0], "--catalog");
  ASSERT_EQ(catalog["streams"].size(), 1u) << catalog.dump();
  const json& configured = catalog["streams"][0];
  EXPECT_EQ(configured["stream"]["name"], "organizations");
  EXPECT_EQ(configured["sync_mode"], "incremental");
  EXPECT_EQ(configured["destination_sync_mode"], "append");
  EXPECT_EQ(configured["cursor_field"], json::array({"updated_at"}));
  EXPECT_EQ(invocationsWith("discover").size(), 1u);
  EXPECT_TRUE(invocationsWith("--state").empty()) << "the first run has no state to hand over";
  // The source's LOG message reached the run's log at its level.
  EXPECT_NE(r.err.find("source: reading organizations from None"), std::string::npos) << r.err;
}

TEST_F(AirbyteSync, TheExampleSyncsTheTestSourceFromTheRepositoryRoot) {
  const auto r = syncExample("airbyte-test-source");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("airbyte-test-source: synced 5 records, 0 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(joined("SELECT c.email || ' at ' || a.domain || ' (' || a.employee_count || ')' FROM contacts c"
                   " JOIN accounts a USING (account_id) ORDER BY c.email"),
            "ann.lee@acme.com at acme.com (250); bob@globex.io at globex.io (1200)");
  EXPECT_EQ(leftInTmp(), 0u);
}

TEST_F(AirbyteSync, ARecordTheMappingRefusesIsRejectedWithItsRawTextAndTheRunGoesOn) {
  data({{"organizations",
         {{{"id", 1}, {"name", "Acme"}, {"website", "acme.com"}, {"employees", "many"}, {"updated_at", 100}},
          {{"id", 2}, {"name", "Globex"}, {"website", "globex.io"}, {"employees", 7}, {"updated_at", 200}}}}});
  airbyte();
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 1 records, 1 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(text("SELECT reason FROM rejected_records WHERE connector = 'crm'"),
            "organizations: field 'employee_count' from /employees (integer): expected a whole number, found \"many\"");
  EXPECT_EQ(json::parse(text("SELECT data FROM rejected_records WHERE connector = 'crm'"))["employees"], "many");
  EXPECT_EQ(text("SELECT origin FROM rejected_records WHERE connector = 'crm'").rfind("stdout line ", 0), 0u);
  EXPECT_EQ(accounts(), "2|Globex|globex.io|7|partner|1970-01-01T00:03:20Z");
}

TEST_F(AirbyteSync, TheNextRunGetsTheStoredStateAndOnlyNewRecords) {
  airbyte();
  ASSERT_EQ(sync().exit_code, 0);
  const std::string stored = text("SELECT state FROM sync_state WHERE connector = 'crm' AND stream = 'organizations'");
  EXPECT_EQ(json::parse(stored)["stream"]["stream_state"]["updated_at"], 300) << stored;

  data({{"organizations",
         {{{"id", 1}, {"name", "Acme"}, {"website", "acme.com"}, {"employees", 50}, {"updated_at", 100}},
          {{"id", 3}, {"name", "Initech Corp"}, {"website", "initech.com"}, {"employees", 6}, {"updated_at", 400}},
          {{"id", 4}, {"name", "Hooli"}, {"website", "hooli.xyz"}, {"employees", 9}, {"updated_at", 500}}}}});
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 2 records"), std::string::npos) << r.out;

  // The state went back as the protocol's list of per-stream state messages.
  const auto reads = invocationsWith("read");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(fileOf(reads[1], "--state"), json::array({json::parse(stored)}));
  EXPECT_EQ(reads[1]["files"]["--state"]["mode"], "0o600");
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'crm'"), 4);
  EXPECT_EQ(text("SELECT a.name FROM accounts a JOIN account_identities i USING (account_id) WHERE i.external_id = '3'"),
            "Initech Corp");
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm'"))["stream"]["stream_state"]["updated_at"],
            500);
}

TEST_F(AirbyteSync, LegacyAndGlobalStatesGoBackInTheShapeTheyCameIn) {
  for (const std::string kind : {"LEGACY", "GLOBAL"}) {
    SCOPED_TRACE(kind);
    airbyte({{"state_type", kind}});
    ASSERT_EQ(sync().exit_code, 0);
    const json stored = json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm'"));
    EXPECT_EQ(stored["type"], kind);
    ASSERT_EQ(sync().exit_code, 0);
    const json handed = fileOf(invocationsWith("read").at(1), "--state");
    if (kind == "LEGACY") EXPECT_EQ(handed, json::parse(R"({"organizations": {"updated_at": 300}})"));
    else EXPECT_EQ(handed, json::array({stored}));
    EXPECT_EQ(q("SELECT records FROM sync_runs WHERE connector = 'crm' ORDER BY run_id DESC LIMIT 1"), 0);
    execSql(ws_.store(), "DELETE FROM sync_state");
    fs::remove(ws_.dir / "log/invocations.ndjson");
  }
}

TEST_F(AirbyteSync, AFullRefreshStreamGetsNoStateAndAFullRefreshCatalog) {
  json streams = {{"organizations", organizations()},
                  {"people", {{"entity", "contacts"}, {"fields", {{"external_id", "/id"}, {"email", "/email"},
                                                                  {"account_external_id", {{"from", "/org_id"}, {"transform", "string"}}}}}}}};
  streams["organizations"]["sync_mode"] = "full_refresh";
  connector("airbyte", settings({}, streams));
  ASSERT_EQ(sync().exit_code, 0);
  ASSERT_EQ(sync().exit_code, 0);
  const auto reads = invocationsWith("read");
  ASSERT_EQ(reads.size(), 4u);  // each stream alone, twice
  for (const auto& read : reads) {
    const json catalog = fileOf(read, "--catalog");
    ASSERT_EQ(catalog["streams"].size(), 1u);
    EXPECT_EQ(catalog["streams"][0]["sync_mode"], "full_refresh");
    EXPECT_FALSE(read["files"].contains("--state"));
  }
  EXPECT_EQ(text("SELECT c.email || ' at ' || a.name FROM contacts c JOIN accounts a USING (account_id)"), "ann@acme.com at Acme");
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'crm'"), 3);
}

TEST_F(AirbyteSync, TheSecretConfigIsA0600FileInAPrivateFolderThatIsGoneAfterTheRun) {
  airbyte({{"misbehave", {{"mode", "crash"}, {"after", 3}}}});
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_FALSE(invocations().empty());
  for (const auto& i : invocations()) {
    const json& file = i["files"]["--config"];
    EXPECT_EQ(file["mode"], "0o600");
    EXPECT_EQ(file["content"]["api_token"], kToken) << "the source gets the secret resolved";
    const fs::path folder = fs::path(file["path"].get<std::string>()).parent_path();
    EXPECT_EQ(folder.parent_path(), ws_.dir / "tmp");
    EXPECT_FALSE(fs::exists(folder)) << folder;
  }
  EXPECT_EQ(leftInTmp(), 0u);
  // The source logged the token and put it in its crash: neither reached a log, an error or the store.
  EXPECT_NE(runError().find("${env:CRM_TOKEN}"), std::string::npos) << runError();
  for (const std::string& where : {r.out, r.err, runError(), storeBytes()})
    EXPECT_EQ(where.find(kToken), std::string::npos);
}

TEST_F(AirbyteSync, CheckRunsSpecAndCheckAndDiscoverListsTheMappedStreams) {
  airbyte();
  auto r = ctl({"check", "crm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crm: ok"), std::string::npos) << r.out;
  EXPECT_EQ(invocationsWith("check").size(), 1u);

  r = ctl({"discover", "crm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("organizations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("accounts"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("people"), std::string::npos) << r.out;

  r = ctl({"check", "crm"}, "bad-token");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("answered FAILED: 401 Unauthorized: bad token"), std::string::npos) << r.err;

  // The spec's required keys are named before the source runs with a config that lacks them.
  json s = settings();
  s["config"].erase("api_token");
  connector("airbyte", s);
  r = ctl({"check", "crm"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("settings.config.api_token: required by the source's spec"), std::string::npos) << r.err;
}

TEST_F(AirbyteSync, AMappedStreamTheSourceDoesNotOfferIsNamedWithWhatItOffers) {
  connector("airbyte", settings({}, {{"organisations", organizations()}}));
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("settings.streams.organisations: the source has no stream 'organisations' (it offers: "
                       "organizations, people)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(invocationsWith("read").empty());

  // people is full refresh only: asking for incremental names what the source offers.
  connector("airbyte", settings({}, {{"people", {{"entity", "contacts"}, {"sync_mode", "incremental"},
                                                 {"fields", {{"external_id", "/id"}}}}}}));
  EXPECT_NE(sync().err.find("settings.streams.people.sync_mode: the source does not read 'people' incrementally (it "
                            "offers [\"full_refresh\"])"),
            std::string::npos);
  EXPECT_TRUE(invocationsWith("read").empty());
}

TEST_F(AirbyteSync, ABadMappingIsRefusedWithItsKeyPathBeforeTheSourceRuns) {
  json streams = {{"organizations", organizations()}};
  streams["organizations"]["fields"]["domain"]["transform"] = "domian";
  connector("airbyte", settings({}, streams));
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("settings.streams.organizations.fields.domain.transform: unknown transform 'domian'"), std::string::npos)
      << r.err;
  streams = {{"organizations", organizations()}};
  streams["organizations"]["sync_mode"] = "sometimes";
  connector("airbyte", settings({}, streams));
  r = sync();
  EXPECT_NE(r.err.find("settings.streams.organizations.sync_mode: expected \"incremental\" or \"full_refresh\""),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(invocations().empty());
}

TEST_F(AirbyteSync, AMissingCommandIsAClearError) {
  json s = settings();
  s["command"] = {"no-such-airbyte-source", "--verbose"};
  connector("airbyte", s);
  const auto r = sync();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("airbyte source 'no-such-airbyte-source --verbose': command: 'no-such-airbyte-source' is not "
                       "found in PATH"),
            std::string::npos)
      << r.err;
  s["command"] = {(ws_.dir / "data.json").string()};  // there, but no program
  connector("airbyte", s);
  EXPECT_NE(sync().err.find("cannot run '" + (ws_.dir / "data.json").string() + "': Permission denied"), std::string::npos);
}

TEST_F(AirbyteSync, ACrashFailsTheRunWithItsStderrTailAndKeepsTheLastCheckpoint) {
  airbyte({{"misbehave", {{"mode", "crash"}, {"after", 3}}}});
  data({{"organizations",
         {{{"id", 1}, {"name", "A"}, {"updated_at", 100}},
          {{"id", 2}, {"name", "B"}, {"updated_at", 200}},
          {{"id", 3}, {"name", "C"}, {"updated_at", 300}},
          {{"id", 4}, {"name", "D"}, {"updated_at", 400}}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_EQ(runStatus(), "failed");
  const std::string why = runError();
  EXPECT_NE(why.find("airbyte source 'python3 " + script("fake_airbyte_source.py") + "' exited with code 3; its stderr ends: "),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("RuntimeError: the API refused token ${env:CRM_TOKEN}"), std::string::npos) << why;
  // Checkpoints every two records: the state stays at the second; the next run resumes from it,
  // and what it reads again is stored once.
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm'"))["stream"]["stream_state"]["updated_at"], 200);
  airbyte();
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(fileOf(invocationsWith("read").back(), "--state")[0]["stream"]["stream_state"]["updated_at"], 200);
  EXPECT_EQ(q("SELECT records FROM sync_runs WHERE connector = 'crm' ORDER BY run_id DESC LIMIT 1"), 2);
  EXPECT_EQ(joined("SELECT external_id FROM account_identities WHERE source = 'crm' ORDER BY external_id"), "1; 2; 3; 4");
}

TEST_F(AirbyteSync, ASourceKilledByASignalFailsTheRunNamingTheSignal) {
  airbyte({{"misbehave", {{"mode", "kill"}, {"after", 1}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("was killed by signal 9 (SIGKILL)"), std::string::npos) << runError();
}

TEST_F(AirbyteSync, GarbageOnStdoutIsAClearErrorNamingTheLine) {
  airbyte({{"misbehave", {{"mode", "garbage"}, {"after", 1}}}});
  EXPECT_EQ(sync().exit_code, 1);
  // LOG, TRACE STREAM_STATUS, RECORD, then the garbage: line 4.
  EXPECT_NE(runError().find("stdout line 4 is not a protocol message (a JSON object with a \"type\"): "
                            "'Fetching page 2 of organizations...'; the connector must write only messages to stdout"),
            std::string::npos)
      << runError();
  EXPECT_EQ(runStatus(), "failed");

  airbyte({{"misbehave", {{"mode", "unknown"}, {"after", 2}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("unexpected message type 'SURPRISE' during read"), std::string::npos) << runError();

  airbyte({{"misbehave", {{"mode", "discover_garbage"}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("stdout line 1 is not a protocol message"), std::string::npos) << runError();
  EXPECT_NE(runError().find("'Welcome to the source!'"), std::string::npos) << runError();
}

TEST_F(AirbyteSync, ALineOverTheLimitEndsTheRunNamingTheSetting) {
  json s = settings({{"misbehave", {{"mode", "huge"}, {"after", 1}}}});
  s["max_line_bytes"] = 100000;
  connector("airbyte", s);
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("stdout line 4 is longer than 100000 bytes (raise \"max_line_bytes\""), std::string::npos)
      << runError();
  EXPECT_EQ(leftInTmp(), 0u);
}

TEST_F(AirbyteSync, ATraceErrorFailsTheRunWithItsMessage) {
  airbyte({{"misbehave", {{"mode", "trace"}, {"after", 1}}}});
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_EQ(runStatus(), "failed");
  EXPECT_NE(runError().find("reported an error: the API answered 401 for token ${env:CRM_TOKEN} (it exited with code 1)"),
            std::string::npos)
      << runError();
  // A transient one ends the run to be retried.
  airbyte({{"misbehave", {{"mode", "trace"}, {"after", 1}, {"failure_type", "transient_error"}}}});
  sync();
  EXPECT_EQ(runStatus(), "retry") << runError();
}

TEST_F(AirbyteSync, LogLevelsAreKeptAndAControlMessageIsNotAppliedNorEchoed) {
  airbyte({{"misbehave", {{"mode", "control"}, {"after", 1}}}});
  const auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 3 records"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(R"("level":"warn","connector":"crm","run":1,"message":"source: token expires soon")"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("source sent a CONTROL message (new connector config); abmd keeps the connector file as written"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("rotated-"), std::string::npos) << r.err;
  EXPECT_EQ(storeBytes().find("rotated-"), std::string::npos);
  EXPECT_EQ(json::parse(readFile(ws_.connectors() / "crm.json"))["settings"]["config"]["api_token"], "${env:CRM_TOKEN}");
}

TEST_F(AirbyteSync, AHangIsEndedByTheTimeLimitAndTheSourceDiesWithTheWorker) {
  airbyte({{"misbehave", {{"mode", "hang"}, {"after", 1}}}}, R"(, "timeout": "3s")");
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("sync exceeded its time limit of 3s and was killed"), std::string::npos) << runError();
  const pid_t source = std::stoi(readFile(ws_.dir / "log/hang.pid"));
  EXPECT_TRUE(waitFor([&] { return processGone(source); }, 10s)) << "the source " << source << " outlived its worker";
  // The killed worker could not remove its private folder: the next run does.
  airbyte();
  EXPECT_EQ(sync().exit_code, 0);
  EXPECT_EQ(leftInTmp(), 0u);
}

TEST_F(AirbyteSync, AStopEndsTheSourceWithSigtermThenSigkillAndKeepsTheCheckpoint) {
  // The source checkpoints after two records, then ignores SIGTERM and sleeps.
  json s = settings({{"misbehave", {{"mode", "stop"}, {"after", 2}}}});
  s["stop_grace_seconds"] = 1;
  connector("airbyte", s);
  Child daemon({(binDir() / "abmd").string(), "-c", ws_.config().string()}, ws_.dir.path(),
               {{"CRM_TOKEN", kToken}, {"TMPDIR", (ws_.dir / "tmp").string()}});
  ASSERT_TRUE(waitFor([&] { return fs::exists(ws_.dir / "log/hang.pid"); }, 30s)) << daemon.err();
  const pid_t source = std::stoi(readFile(ws_.dir / "log/hang.pid"));
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(60s), 0) << daemon.err();
  EXPECT_EQ(runStatus(), "interrupted") << runError();
  EXPECT_NE(runError().find("stopped on request; the next run resumes from the last checkpoint"), std::string::npos)
      << runError();
  EXPECT_EQ(json::parse(text("SELECT state FROM sync_state WHERE connector = 'crm'"))["stream"]["stream_state"]["updated_at"], 200);
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE source = 'crm'"), 2);
  EXPECT_TRUE(processGone(source));
  EXPECT_EQ(leftInTmp(), 0u);
}

TEST_F(AirbyteSync, ASourceOverItsMemoryLimitIsKilled) {
  json s = settings({{"misbehave", {{"mode", "memory"}, {"after", 1}}}});
  s["memory_limit_mb"] = 100;
  connector("airbyte", s);
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_NE(runError().find("the connector exceeded its memory limit of 100 MiB and was killed (raise \"memory_limit_mb\""),
            std::string::npos)
      << runError();
}

}  // namespace
