// The worker boundary as a fault wall: plugins that crash, hang, leak or send garbage fail their
// own run and nothing else; signals stop and reload the daemon; a restart loses and duplicates nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
const std::string kCtl = (binDir() / "abmctl").string();

std::string runError(const Workspace& ws, const std::string& connector) {
  return queryText(ws.store(), "SELECT coalesce(error, '') FROM sync_runs WHERE connector = '" + connector +
                                   "' ORDER BY run_id DESC LIMIT 1");
}
std::string runStatus(const Workspace& ws, const std::string& connector) {
  return queryText(ws.store(), "SELECT status FROM sync_runs WHERE connector = '" + connector +
                                   "' ORDER BY run_id DESC LIMIT 1");
}

// Starts abmd on the workspace and waits for the first run of `connector` to succeed.
std::unique_ptr<Child> startDaemon(const Workspace& ws, const std::string& connector) {
  auto d = std::make_unique<Child>(std::vector<std::string>{kAbmd, "-c", ws.config().string()}, ws.dir.path());
  EXPECT_TRUE(waitFor([&] { return runStatus(ws, connector) == "succeeded"; }, 30s)) << d->err();
  return d;
}

TEST(FaultWall, MisbehavingPluginsFailAloneAndTheDaemonCarriesOn) {
  Workspace ws;
  ws.writeConfig(R"(, "max_concurrent_syncs": 3, "retry": {"attempts": 0})", true);
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,Acme,acme.com\n");
  ws.addConnector("good", "csv", R"({"path": "../data"})");
  ws.addConnector("crasher", "testkit", R"({"mode": "segfault", "fail_at": 25})");
  ws.addConnector("aborter", "testkit", R"({"mode": "abort", "fail_at": 5})");
  ws.addConnector("hanger", "testkit", R"({"mode": "hang"})", R"(, "timeout": "2s")");
  ws.addConnector("garbler", "testkit", R"({"mode": "garbage", "fail_at": 15})");
  ws.addConnector("hog", "testkit", R"({"mode": "memhog"})", R"(, "memory_limit_mb": 64)");
  ws.addConnector("printer", "testkit", R"({"mode": "print", "records": 20})");
  ws.addConnector("fine", "testkit", R"({"records": 50})");

  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 1) << "some connectors failed, but the daemon exited normally\n" << r.err;

  EXPECT_EQ(runStatus(ws, "good"), "succeeded");
  EXPECT_EQ(runStatus(ws, "fine"), "succeeded");
  EXPECT_EQ(runStatus(ws, "printer"), "succeeded") << runError(ws, "printer");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM accounts"), 1);

  EXPECT_EQ(runStatus(ws, "crasher"), "failed");
  EXPECT_NE(runError(ws, "crasher").find("plugin crashed: worker killed by signal 11 (SIGSEGV)"), std::string::npos)
      << runError(ws, "crasher");
  EXPECT_NE(runError(ws, "aborter").find("SIGABRT"), std::string::npos) << runError(ws, "aborter");
  EXPECT_NE(runError(ws, "hanger").find("exceeded its time limit of 2s"), std::string::npos) << runError(ws, "hanger");
  // Record data that is not one JSON object is a rejected row, not a broken stream (protocol_fault_test).
  EXPECT_EQ(runStatus(ws, "garbler"), "succeeded") << runError(ws, "garbler");
  EXPECT_NE(runError(ws, "hog").find("exceeded its memory limit of 64 MiB"), std::string::npos) << runError(ws, "hog");

  // What a crashing plugin sent up to its last checkpoint is kept, and the state matches it.
  EXPECT_EQ(queryText(ws.store(), "SELECT state FROM sync_state WHERE connector = 'crasher'"), R"({"next":20})");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'crasher'"), 20);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'fine'"), 50);
  // Whatever the plugin printed reached the log, not the store.
  EXPECT_NE(r.err.find("plugin stderr: this line went to stdout"), std::string::npos);
}

TEST(FaultWall, CrashedSyncResumesFromItsCheckpointWithoutDuplicates) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("kit", "testkit", R"({"mode": "segfault", "fail_at": 37, "records": 60})");
  EXPECT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "kit"}).exit_code, 1);
  EXPECT_EQ(queryText(ws.store(), "SELECT state FROM sync_state"), R"({"next":30})");
  ws.addConnector("kit", "testkit", R"({"records": 60})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "kit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 30 records"), std::string::npos) << "resumed at 30: " << r.out;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 60);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(DISTINCT external_id) FROM touchpoints"), 60);
}

TEST(FaultWall, SyncExitsNonZeroWithAOneLineReason) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("denied", "testkit", R"({"mode": "error"})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "denied"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("denied: sync failed (run 1): testkit: credentials rejected"), std::string::npos) << r.err;
  auto check = run({kCtl, "-c", ws.config().string(), "check", "denied"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.err.find("check refused"), std::string::npos) << check.err;
}

TEST(FaultWall, BadRecordsFromAPluginAreRejectedNotFatal) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("kit", "testkit", R"({"mode": "bad_rows", "records": 40})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "kit"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 36);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM rejected_records WHERE origin = 'testkit:13'"), 1);
  EXPECT_NE(queryText(ws.store(), "SELECT data FROM rejected_records LIMIT 1").find("teleport"), std::string::npos);
}

TEST(Daemon, SigtermDuringALongSyncThenRestartLosesAndDuplicatesNothing) {
  Workspace ws;
  ws.writeConfig(R"(, "batch_records": 20)", true);
  ws.addConnector("slow", "testkit", R"({"records": 3000, "delay_ms": 2, "checkpoint_every": 25})");
  {
    Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 100; }, 30s))
        << d.err();
    d.signal(SIGTERM);
    const int code = d.wait(30s);
    EXPECT_EQ(code, 0) << d.err();
    EXPECT_NE(d.err().find("SIGTERM"), std::string::npos);
  }
  EXPECT_EQ(runStatus(ws, "slow"), "interrupted") << runError(ws, "slow");
  const int64_t stored = queryInt(ws.store(), "SELECT count(*) FROM touchpoints");
  const std::string state = queryText(ws.store(), "SELECT state FROM sync_state");
  const int64_t next = nlohmann::json::parse(state)["next"];
  EXPECT_LT(stored, 3000) << "the sync was cut short";
  EXPECT_LE(next, stored) << "the state is never ahead of the data";

  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 3000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(DISTINCT external_id) FROM touchpoints"), 3000);
}

TEST(Daemon, KilledDaemonRestartsFromTheLastCommittedCheckpoint) {
  Workspace ws;
  ws.writeConfig(R"(, "batch_records": 10)", true);
  ws.addConnector("slow", "testkit", R"({"records": 2000, "delay_ms": 2, "checkpoint_every": 10})");
  {
    Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 60; }, 30s));
    d.signal(SIGKILL);
    EXPECT_EQ(d.wait(10s), 128 + SIGKILL);
  }
  const int64_t next = nlohmann::json::parse(queryText(ws.store(), "SELECT state FROM sync_state"))["next"];
  EXPECT_LE(next, queryInt(ws.store(), "SELECT count(*) FROM touchpoints"));
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("left running by a previous process"), std::string::npos) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'"), 0);
}

TEST(Daemon, SecondDaemonOnTheSameStoreIsRefused) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("kit", "testkit", R"({"records": 5})");
  auto first = startDaemon(ws, "kit");
  auto second = run({kAbmd, "-c", ws.config().string()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("is in use by abmd pid " + std::to_string(first->pid())), std::string::npos) << second.err;
  auto sync = run({kCtl, "-c", ws.config().string(), "sync", "kit"});
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_NE(sync.err.find("in use by abmd"), std::string::npos) << sync.err;
  first->signal(SIGTERM);
  EXPECT_EQ(first->wait(30s), 0);
}

TEST(Daemon, SighupPicksUpANewConnector) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("first", "testkit", R"({"records": 5})");
  auto d = startDaemon(ws, "first");
  ws.addConnector("second", "testkit", R"({"records": 7, "domain": "second.example"})");
  d->signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return runStatus(ws, "second") == "succeeded"; }, 30s)) << d->err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'second'"), 7);
  EXPECT_NE(d->err().find("reloaded: 2 connectors enabled"), std::string::npos) << d->err();
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0);
}

TEST(Daemon, FailedSyncsAreRetriedWithBackoff) {
  Workspace ws;
  ws.writeConfig(R"(, "retry": {"initial": "1s", "max": "2s", "attempts": 2})", true);
  ws.addConnector("flaky", "testkit", R"({"mode": "retry"})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM sync_runs") >= 3; }, 30s)) << d.err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'retry'"),
            queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status != 'running'"));
  EXPECT_NE(d.err().find("retry 1 of 2"), std::string::npos) << d.err();
  EXPECT_NE(d.err().find("vendor answered 503"), std::string::npos);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0);
}

TEST(Daemon, ARateLimitedRunResumesWhenTheVendorSaysAndFetchesNothingTwice) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("quota", "testkit",
                  R"({"mode": "quota", "records": 30, "fail_at": 20, "checkpoint_every": 10, "resume_after_s": 2})");
  auto d = std::make_unique<Child>(std::vector<std::string>{kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return runStatus(ws, "quota") == "succeeded"; }, 30s)) << d->err();
  EXPECT_EQ(queryText(ws.store(), "SELECT group_concat(status || ':' || records, ' ') FROM"
                                  " (SELECT * FROM sync_runs ORDER BY run_id)"),
            "rate_limited:20 succeeded:10");
  EXPECT_NE(queryText(ws.store(), "SELECT error FROM sync_runs WHERE run_id = 1")
                .find("daily request quota spent (403 REQUEST_LIMIT_EXCEEDED); resumes at "),
            std::string::npos);
  // Resumed when the vendor said, not at the hourly schedule and not by the failure backoff.
  EXPECT_GE(queryInt(ws.store(), "SELECT strftime('%s', (SELECT started_at FROM sync_runs WHERE run_id = 2))"
                                 " - strftime('%s', (SELECT finished_at FROM sync_runs WHERE run_id = 1))"),
            1);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 30);
  EXPECT_NE(d->err().find("rate limited by the vendor; resuming at"), std::string::npos);
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0);
  // abmctl says so in one line and exits non-zero.
  ws.addConnector("quota2", "testkit", R"({"mode": "quota", "records": 30, "fail_at": 5, "domain": "q2.example"})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "quota2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("quota2: sync rate_limited (run"), std::string::npos) << r.err;
}

// Runs two 2-second syncs with --once and says whether their runs overlapped in time.
bool runsOverlap(int max_concurrent) {
  Workspace ws;
  ws.writeConfig(", \"max_concurrent_syncs\": " + std::to_string(max_concurrent), true);
  ws.addConnector("a", "testkit", R"({"records": 100, "delay_ms": 20})");
  ws.addConnector("b", "testkit", R"({"records": 100, "delay_ms": 20, "domain": "b.example"})");
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'"), 2);
  return queryInt(ws.store(), "SELECT count(*) FROM sync_runs x JOIN sync_runs y ON x.run_id < y.run_id"
                              " WHERE y.started_at < x.finished_at") > 0;
}

TEST(Daemon, RunsAtMostMaxConcurrentSyncsAtOnce) {
  EXPECT_FALSE(runsOverlap(1));
  EXPECT_TRUE(runsOverlap(2));
}

TEST(Daemon, LogsAreOneJsonObjectPerLine) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("kit", "testkit", R"({"records": 5})");
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream in(r.err);
  int lines = 0, with_run = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("message")) << line;
    if (j.contains("run")) {
      ++with_run;
      EXPECT_EQ(j["connector"], "kit");
    }
  }
  EXPECT_GT(lines, 2);
  EXPECT_GT(with_run, 0);
}

TEST(Secrets, NeverReachLogsErrorsPrintedConfigOrTheStore) {
  Workspace ws;
  ws.writeConfig("", true);
  const std::string secret = "tok-9f8e7d6c5b4a-SECRET";
  writeFile(ws.dir / "token.txt", secret + "\n");
  ws.addConnector("kit", "testkit", R"({"records": 5, "token": "${env:ABMD_KIT_TOKEN}"})");
  ws.addConnector("kit2", "testkit", R"({"records": 5, "token": "${file:)" + (ws.dir / "token.txt").string() + "}\"}");
  ws.addConnector("literal", "testkit", R"({"mode": "error", "token": ")" + secret + "\"}");
  const std::map<std::string, std::string> env = {{"ABMD_KIT_TOKEN", secret}};
  std::string everything;
  for (auto args : std::vector<std::vector<std::string>>{{kAbmd, "--once"},
                                                          {kCtl, "config"},
                                                          {kCtl, "check", "kit"},
                                                          {kCtl, "check", "literal"},
                                                          {kCtl, "validate"},
                                                          {kCtl, "status"}}) {
    args.insert(args.begin() + 1, {"-c", ws.config().string()});
    auto r = run(args, env);
    everything += r.out + r.err;
  }
  EXPECT_EQ(everything.find(secret), std::string::npos) << everything;
  EXPECT_NE(everything.find("token present (" + std::to_string(secret.size()) + " characters)"), std::string::npos)
      << "the plugin did receive the secret";
  EXPECT_NE(everything.find("<redacted>"), std::string::npos);
  EXPECT_NE(everything.find("${env:ABMD_KIT_TOKEN}"), std::string::npos);
  const std::string db = readFile(ws.store()) + readFile(ws.dir / "abm.db-wal");
  EXPECT_EQ(db.find(secret), std::string::npos);
}

}  // namespace
