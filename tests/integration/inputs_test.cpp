// Hostile inputs through the real binaries: files and folders the csv plugin must refuse or survive,
// connector settings that must not pass validation silently, secrets that must not leak into
// errors, and SIGHUP reloads of a running abmd.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <csignal>
#include <sstream>

#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAbmd = (binDir() / "abmd").string();

class CsvInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig();
    data_ = ws_.dir / "data";
    fs::create_directories(data_);
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws_.config().string()});
    return run(args);
  }
  int64_t q(const std::string& sql) { return queryInt(ws_.store(), sql); }
  std::string t(const std::string& sql) { return queryText(ws_.store(), sql); }

  Workspace ws_;
  fs::path data_;
};

TEST_F(CsvInputs, AnNdjsonRowNestedTooDeepIsOneRejectAndTheRestOfTheFileLoads) {
  // 100,000 levels used to overflow the worker's stack and fail every run.
  const std::string deep = "{\"external_id\":\"a2\",\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  writeFile(data_ / "accounts.ndjson", "{\"external_id\":\"a1\",\"name\":\"One\",\"domain\":\"one.com\"}\n" + deep +
                                           "\n{\"external_id\":\"a3\",\"name\":\"Three\",\"domain\":\"three.com\"}\n");
  ws_.addConnector("deep", "csv", R"({"path": "../data"})");
  auto r = ctl({"sync", "deep"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 2);
  EXPECT_EQ(t("SELECT origin || ' | ' || reason FROM rejected_records"),
            "accounts.ndjson:2 | nested deeper than 64 levels (row text kept: its first 65536 bytes)");
  EXPECT_EQ(q("SELECT length(data) FROM rejected_records"), 65536) << "the row's text is kept up to 64 KiB";
}

TEST_F(CsvInputs, AnNdjsonLineTooLongToHoldIsOneRejectAndTheRestOfTheFileLoads) {
  // The worker used to read the whole line into memory, however long.
  const std::string huge = "{\"external_id\":\"a2\",\"name\":\"" + std::string(17 << 20, 'x') + "\"}";
  writeFile(data_ / "accounts.ndjson", "{\"external_id\":\"a1\",\"name\":\"One\"}\n" + huge +
                                           "\n{\"external_id\":\"a3\",\"name\":\"Three\"}\n");
  ws_.addConnector("long", "csv", R"({"path": "../data"})");
  auto r = ctl({"sync", "long"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 2);
  EXPECT_EQ(t("SELECT origin || ' | ' || reason FROM rejected_records"),
            "accounts.ndjson:2 | a line longer than 16777216 bytes");
}

TEST_F(CsvInputs, PluginRejectsKeepTheRowTextAndAnUnclosedQuoteCostsOneLine) {
  writeFile(data_ / "accounts.csv",
            "external_id,name,domain\n"
            "a1,\"Open quote,one.com\n"       // line 2: the quote never closes
            "a2,Two,two.com\n"
            "a3,Three,three.com,extra\n"      // line 4: one field too many
            "a4,\"Fo\"ur,four.com\n"          // line 5: text after a closing quote
            "a5,Five,five.com\n");
  ws_.addConnector("rows", "csv", R"({"path": "../data"})");
  auto r = ctl({"sync", "rows"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 2) << "a2 and a5 load";
  EXPECT_EQ(q("SELECT count(*) FROM account_identities WHERE external_id IN ('a2', 'a5')"), 2);
  EXPECT_EQ(t("SELECT group_concat(origin || '=' || data, ' | ') FROM (SELECT * FROM rejected_records ORDER BY origin)"),
            "accounts.csv:2=a1,\"Open quote,one.com | accounts.csv:4=a3,Three,three.com,extra | "
            "accounts.csv:5=a4,\"Fo\"ur,four.com");
  EXPECT_NE(t("SELECT reason FROM rejected_records WHERE origin = 'accounts.csv:2'").find("a quoted field is not closed on this line"),
            std::string::npos);
}

TEST_F(CsvInputs, AMissingOrLoopingSourceFolderFailsTheRunNamingThePath) {
  ws_.addConnector("missing", "csv", R"({"path": "../no-such-folder"})");
  auto r = ctl({"sync", "missing"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("path ../no-such-folder does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(t("SELECT status FROM sync_runs WHERE connector = 'missing'"), "failed");

  fs::create_symlink("loop", ws_.dir / "loop");
  ws_.addConnector("looping", "csv", R"({"path": "../loop"})");
  r = ctl({"sync", "looping"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("path ../loop cannot be read: Too many levels of symbolic links"), std::string::npos) << r.err;

  ws_.addConnector("blank", "csv", R"({"path": ""})");
  r = ctl({"sync", "blank"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("settings.path is empty"), std::string::npos) << r.err;
}

TEST_F(CsvInputs, ErrorsNameTheSecretReferenceNeverItsValue) {
  writeFile(ws_.dir / "where", "/srv/TOPSECRET-4711/data\n");
  const std::string ref = "${file:" + (ws_.dir / "where").string() + "}";
  ws_.addConnector("hidden", "csv", "{\"path\": \"" + ref + "\"}");
  for (const char* command : {"check", "sync"}) {
    auto r = ctl({command, "hidden"});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find("path " + ref + " does not exist"), std::string::npos) << command << ": " << r.err;
    EXPECT_EQ((r.out + r.err).find("TOPSECRET"), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(q("SELECT count(*) FROM sync_runs WHERE error LIKE '%TOPSECRET%'"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM sync_runs WHERE error LIKE '%${file:%'"), 1);
}

TEST_F(CsvInputs, ReadOnlyCommandsWorkWithoutTheConnectorsSecrets) {
  writeFile(data_ / "accounts.csv", "external_id,name,domain\na1,One,one.com\n");
  ws_.addConnector("files", "csv", R"({"path": "${env:ABMD_CSV_PATH}"})");
  const std::string config = ws_.config().string();
  auto r = run({kCtl, "-c", config, "sync", "files"}, {{"ABMD_CSV_PATH", data_.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // An operator without the daemon's environment: the connector is still listed, with what is missing.
  const std::string missing = "settings.path: environment variable ABMD_CSV_PATH is not set";
  for (std::vector<std::string> command : {std::vector<std::string>{"status"}, {"runs", "files"}, {"state", "show", "files"}, {"config"}}) {
    command.insert(command.begin(), {kCtl, "-c", config});
    r = run(command);
    EXPECT_EQ(r.exit_code, 0) << command[3] << ": " << r.err;
    EXPECT_EQ(r.err.find("error:"), std::string::npos) << command[3] << ": " << r.err;
    EXPECT_NE(r.out.find(command[3] == "state" ? "accounts.csv" : "files"), std::string::npos) << command[3] << ": " << r.out;
  }
  r = run({kCtl, "-c", config, "config"});
  const auto shown = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(shown.is_discarded()) << r.out;
  ASSERT_EQ(shown["connectors"].size(), 1u) << r.out;
  EXPECT_EQ(shown["connectors"][0]["settings"]["path"], "${env:ABMD_CSV_PATH}");
  ASSERT_EQ(shown["connectors"][0]["unresolved_secrets"].size(), 1u) << r.out;
  EXPECT_NE(shown["connectors"][0]["unresolved_secrets"][0].get<std::string>().find(missing), std::string::npos) << r.out;
  // Running the connector still needs the secret, and says which.
  for (const char* command : {"sync", "check", "validate"}) {
    r = command == std::string("validate") ? run({kCtl, "-c", config, command}) : run({kCtl, "-c", config, command, "files"});
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_NE(r.err.find(missing), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(q("SELECT count(*) FROM sync_runs"), 1) << "nothing ran without the secret";
}

TEST_F(CsvInputs, TwoFilesForOneEntityOrAFifoNamedLikeOneFailTheRunNamingThem) {
  writeFile(data_ / "accounts.csv", "external_id,name,domain\na1,One,one.com\n");
  writeFile(data_ / "touchpoints.csv", "external_id,channel,activity,occurred_at\n");
  writeFile(data_ / "touchpoints.ndjson", "");
  ws_.addConnector("both", "csv", R"({"path": "../data"})");
  auto r = ctl({"sync", "both"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("touchpoints.csv and touchpoints.ndjson both exist in ../data: keep one file per entity"),
            std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM accounts"), 0) << "nothing is loaded from an ambiguous folder";

  fs::remove(data_ / "touchpoints.ndjson");
  ASSERT_EQ(::mkfifo((data_ / "contacts.csv").c_str(), 0600), 0);
  r = ctl({"sync", "both"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("contacts.csv in ../data is a FIFO, not a data file"), std::string::npos) << r.err;
}

TEST_F(CsvInputs, StateResetOfAnUnknownStreamFailsNamingTheKnownOnes) {
  writeFile(data_ / "accounts.csv", "external_id,name,domain\na1,One,one.com\n");
  ws_.addConnector("files", "csv", R"({"path": "../data"})");
  ASSERT_EQ(ctl({"sync", "files"}).exit_code, 0);
  auto r = ctl({"state", "reset", "files", "acounts"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("connector 'files' has no stream 'acounts' (known streams: accounts)"), std::string::npos)
      << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM sync_state WHERE connector = 'files'"), 1) << "nothing was reset";
  r = ctl({"state", "reset", "files", "accounts"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 1 checkpoint"), std::string::npos) << r.out;
}

TEST(ValidateInputs, RefusesOrWarnsOfEverySilentlyAcceptedSetting) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.connectors() / "typo.json", R"({"name": "typo", "plugin": "hubspot", "schedule": "every 1h",
    "settings": {"streams": ["companies", "dealz"], "start_date": "01/01/2024", "access_token": "${env:ABMD_T}"}})");
  writeFile(ws.connectors() / "shell.json", R"({"name": "shell", "plugin": "hubspot", "schedule": "every 1h",
    "settings": {"access_token": "$HUBSPOT_TOKEN"}})");
  writeFile(ws.connectors() / "literal.json", R"({"name": "literal", "plugin": "hubspot", "schedule": "every 1h",
    "settings": {"client_secret": "very-secret-value", "access_token": "${env:ABMD_T}"}})");
  writeFile(ws.connectors() / "noname.json", R"({"name": "", "plugin": "csv", "schedule": "every 1h",
    "settings": {"path": "."}})");
  writeFile(ws.connectors() / "sched.json", R"({"name": "sched", "plugin": "csv", "schedule": "every 9223372036s",
    "settings": {"path": "."}})");
  writeFile(ws.connectors() / "never.json", R"({"name": "never", "plugin": "csv", "schedule": "0 0 30 2 *",
    "settings": {"path": "."}})");
  fs::create_directories(ws.connectors() / "folder.json");
  auto r = run({kCtl, "-c", ws.config().string(), "validate"}, {{"ABMD_T", "token-value"}});
  EXPECT_EQ(r.exit_code, 1);
  const auto has = [&](const std::string& what) { return r.err.find(what) != std::string::npos; };
  EXPECT_TRUE(has("typo.json: settings.streams[1]: unknown value 'dealz' (expected one of companies, contacts"))
      << r.err;
  EXPECT_TRUE(has("typo.json: settings.start_date: expected an ISO-8601 time")) << r.err;
  EXPECT_TRUE(has("shell.json: settings.access_token: '$HUBSPOT_TOKEN' is not expanded by abmd")) << r.err;
  EXPECT_TRUE(has("warning: " + (ws.connectors() / "literal.json").string() +
                  ": settings.client_secret: a secret written in the connector file")) << r.err;
  EXPECT_FALSE(has("very-secret-value")) << r.err;
  EXPECT_TRUE(has("noname.json: name: '' must be")) << r.err;
  EXPECT_TRUE(has("sched.json: schedule: schedule 'every 9223372036s': expected 'every N{s,m,h,d}' from 1s to 365d"))
      << r.err;
  EXPECT_TRUE(has("warning: " + (ws.connectors() / "never.json").string() + ": schedule: '0 0 30 2 *' matches no date"))
      << r.err;
  EXPECT_TRUE(has("folder.json: is a folder, not a regular file")) << r.err;
  EXPECT_NE(r.out.find("2 connector(s) valid"), std::string::npos) << "literal and never still run: " << r.out;
}

TEST(DaemonInputs, RefusesToStartWithoutItsPluginOrConnectorsFolder) {
  Workspace ws;
  ws.writeConfig(R"(, "connectors_dir": "nowhere.d")");
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot start: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nowhere.d (\\\"connectors_dir\\\") is not a folder"), std::string::npos) << r.err;
}

TEST(FakeServers, HelpPrintsUsageAndWritesNoFile) {
  // `fake_crm.py --help` used to take "--help" as the port file and serve forever.
  TempDir dir;
  for (const char* fake : {"fake_crm.py", "fake_vendor.py"}) {
    auto r = run({"/bin/sh", "-c",
                  "cd '" + dir.path().string() + "' && exec timeout 30 /usr/bin/python3 '" +
                      (sourceDir() / "tests/fakes" / fake).string() + "' --help"});
    EXPECT_EQ(r.exit_code, 0) << fake << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("usage: ") + fake + " [-h] PORT_FILE"), std::string::npos) << r.out;
    auto bare = run({"/bin/sh", "-c",
                     "cd '" + dir.path().string() + "' && exec timeout 30 /usr/bin/python3 '" +
                         (sourceDir() / "tests/fakes" / fake).string() + "'"});
    EXPECT_EQ(bare.exit_code, 2) << "a missing PORT_FILE is a usage error: " << bare.err;
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "no file named --help or anything else";
}

// A daemon running `name` every second on a small csv folder.
struct RunningDaemon {
  Workspace ws;
  std::unique_ptr<Child> daemon;

  int64_t runs() const { return queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'"); }
  void start(const std::string& extra_config = "") {
    ws.writeConfig(extra_config, true);
    writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,One,one.com\n");
    writeFile(ws.connectors() / "files.json",
              R"({"name": "files", "plugin": "csv", "schedule": "every 1s", "settings": {"path": "../data"}})");
    daemon = std::make_unique<Child>(std::vector<std::string>{kAbmd, "-c", ws.config().string()}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return fs::exists(ws.store()) && runs() >= 1; }, 30s)) << daemon->err();
  }
  bool logged(const std::string& text) const { return daemon->err().find(text) != std::string::npos; }
  void stop() {
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait(30s), 0);
  }
};

TEST(Reload, AFailedReloadKeepsTheRunningConfiguration) {
  RunningDaemon d;
  d.start();
  const std::string good = readFile(d.ws.config());
  writeFile(d.ws.config(), "{ not json");
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return d.logged("reload failed, keeping the running configuration"); }, 30s))
      << d.daemon->err();
  // A config whose connectors folder vanished used to drop every connector.
  std::string moved = good;
  moved.replace(moved.find("connectors.d"), 12, "gone.d");
  writeFile(d.ws.config(), moved);
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return d.logged("gone.d (\\\"connectors_dir\\\") is not a folder"); }, 30s))
      << d.daemon->err();
  const int64_t before = d.runs();
  EXPECT_TRUE(waitFor([&] { return d.runs() >= before + 2; }, 30s)) << "the connector still runs\n" << d.daemon->err();
  EXPECT_FALSE(d.logged("reloaded: 0 connectors")) << d.daemon->err();
  d.stop();
}

TEST(Reload, AConnectorFileBrokenByATypoKeepsItsPreviousConfigurationRunningAndStatusSaysSo) {
  RunningDaemon d;
  d.start();
  const fs::path file = d.ws.connectors() / "files.json";
  const std::string good = readFile(file);
  auto status = [&] { return run({kCtl, "-c", d.ws.config().string(), "status"}); };
  // Invalid JSON: the file names no connector at all, yet the daemon knows which one it held.
  writeFile(file, R"({"name": "files", "plugin": "csv", "schedule": "every 1s", "settings": {"path": "../data"})");
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return d.logged("config invalid, running previous"); }, 30s)) << d.daemon->err();
  EXPECT_TRUE(d.logged(file.string())) << "the error names the file\n" << d.daemon->err();
  std::string level;
  std::istringstream lines(d.daemon->err());
  for (std::string line; std::getline(lines, line);)
    if (line.find("config invalid, running previous") != std::string::npos)
      level = nlohmann::json::parse(line, nullptr, false).value("level", "");
  EXPECT_EQ(level, "error") << d.daemon->err();
  EXPECT_FALSE(d.logged("connector skipped")) << d.daemon->err();
  EXPECT_TRUE(waitFor([&] { return d.logged("reloaded: 1 connectors enabled"); }, 30s)) << d.daemon->err();
  int64_t before = d.runs();
  EXPECT_TRUE(waitFor([&] { return d.runs() >= before + 2; }, 30s)) << "it still runs\n" << d.daemon->err();
  auto shown = status();
  EXPECT_NE(shown.out.find("config invalid, running previous"), std::string::npos) << shown.out << shown.err;
  EXPECT_NE(shown.out.find(file.string()), std::string::npos) << shown.out;

  // Valid JSON with a bad value: the problem names the key.
  writeFile(file, R"({"name": "files", "plugin": "csv", "schedule": "every fortnight", "settings": {"path": "../data"}})");
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return status().out.find(": schedule: ") != std::string::npos; }, 30s))
      << status().out << d.daemon->err();
  before = d.runs();
  EXPECT_TRUE(waitFor([&] { return d.runs() >= before + 2; }, 30s)) << d.daemon->err();

  // Fixed: the problem is gone from status and the connector runs its new configuration.
  writeFile(file, good);
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return status().out.find("config invalid") == std::string::npos; }, 30s))
      << status().out << d.daemon->err();
  // A removed file still removes its connector: only a file that is there but broken keeps it.
  fs::remove(file);
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return d.logged("reloaded: 0 connectors enabled"); }, 30s)) << d.daemon->err();
  d.stop();
  // A daemon that has stopped runs nothing: status no longer reports its problems.
  EXPECT_EQ(status().out.find("config invalid"), std::string::npos);
}

TEST(Reload, AppliesLiveDaemonSettingsAndNamesThoseNeedingARestart) {
  RunningDaemon d;
  d.start(R"(, "log_level": "info")");
  std::string changed = readFile(d.ws.config());
  changed.replace(changed.find("\"log_level\": \"info\""), 19, "\"log_level\": \"debug\", \"max_concurrent_syncs\": 3");
  changed.replace(changed.find("sqlite://abm.db"), 15, "sqlite://other.db");
  writeFile(d.ws.config(), changed);
  d.daemon->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return d.logged("reloaded: 1 connectors enabled"); }, 30s)) << d.daemon->err();
  EXPECT_TRUE(d.logged(": log_level, max_concurrent_syncs")) << d.daemon->err();
  EXPECT_TRUE(d.logged("reload: store changed in")) << d.daemon->err();
  EXPECT_TRUE(d.logged("take effect only when abmd restarts")) << d.daemon->err();
  // debug is live: the scheduler's debug lines appear; the store did not move.
  EXPECT_TRUE(waitFor([&] { return d.logged("next sync in"); }, 30s)) << d.daemon->err();
  const int64_t before = d.runs();
  EXPECT_TRUE(waitFor([&] { return d.runs() > before; }, 30s)) << d.daemon->err();
  EXPECT_FALSE(fs::exists(d.ws.dir / "other.db"));
  d.stop();
}

TEST(Reload, AConnectorChangedWhileRunningFinishesThenTheNewOneTakesOver) {
  Workspace ws;
  ws.writeConfig(R"(, "retry": {"attempts": 0})", true);
  writeFile(ws.connectors() / "slow.json", R"({"name": "slow", "plugin": "testkit", "schedule": "every 1s",
    "settings": {"mode": "slow", "records": 40, "delay_ms": 100, "checkpoint_every": 10}})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] {
    return fs::exists(ws.store()) && queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'") == 1;
  }, 30s)) << d.err();
  writeFile(ws.connectors() / "slow.json", R"({"name": "slow", "plugin": "testkit", "schedule": "every 1s",
    "settings": {"mode": "error"}})");
  d.signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] {
    return queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'failed'") >= 1;
  }, 60s)) << d.err();
  EXPECT_NE(d.err().find("reloaded while running"), std::string::npos) << d.err();
  // The first run finished with the settings it started with; only then did the new ones run.
  EXPECT_EQ(queryText(ws.store(), "SELECT status || ':' || records FROM sync_runs ORDER BY run_id LIMIT 1"),
            "succeeded:40");
  EXPECT_NE(queryText(ws.store(), "SELECT error FROM sync_runs WHERE status = 'failed' ORDER BY run_id LIMIT 1")
                .find("credentials rejected"),
            std::string::npos);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs a JOIN sync_runs b ON a.run_id < b.run_id"
                                 " WHERE b.started_at < a.finished_at"),
            0)
      << "runs of one connector never overlap";
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0);
}

}  // namespace
