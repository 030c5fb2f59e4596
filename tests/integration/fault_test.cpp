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

int64_t runRecords(const Workspace& ws, int64_t run_id) {
  return queryInt(ws.store(), "SELECT records FROM sync_runs WHERE run_id = " + std::to_string(run_id));
}

// The level of the first log line whose message starts with `prefix` ("" when there is none).
std::string levelOf(const std::string& log, const std::string& prefix) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("message", "").rfind(prefix, 0) == 0) return j.value("level", "");
  }
  return "";
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

TEST(FaultWall, AWorkerKilledInTheMiddleOfAMessageCrashedItDidNotSendGarbage) {
  Workspace ws;
  ws.writeConfig(R"(, "max_concurrent_syncs": 2, "retry": {"attempts": 0})", true);
  ws.addConnector("killed", "testkit", R"({"mode": "cut_line", "fail_at": 25, "signal": 9})");
  ws.addConnector("segv", "testkit", R"({"mode": "cut_line", "fail_at": 25, "signal": 11, "domain": "s.example"})");
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(runStatus(ws, "killed"), "failed");
  EXPECT_EQ(runError(ws, "killed"), "plugin crashed: worker killed by signal 9 (SIGKILL)");
  EXPECT_EQ(runError(ws, "segv"), "plugin crashed: worker killed by signal 11 (SIGSEGV)");
  // The records before the cut-off line are kept, with their checkpoint and their count.
  EXPECT_EQ(queryText(ws.store(), "SELECT state FROM sync_state WHERE connector = 'killed'"), R"({"next":25})");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'killed'"), 25);
  EXPECT_EQ(queryInt(ws.store(), "SELECT records FROM sync_runs WHERE connector = 'killed'"), 25);
}

TEST(FaultWall, AnExceptionInARunsThreadFailsThatRunNotTheProcess) {
  Workspace ws;
  ws.writeConfig(R"(, "retry": {"attempts": 0})", true);
  // A TRACE whose "type" is a number: reading it threw out of the reading thread.
  ws.addConnector("odd", "testkit", R"({"mode": "raw_line", "fail_at": 10, "line": "{\"type\":\"TRACE\",\"trace\":{\"type\":5}}"})");
  ws.addConnector("fine", "testkit", R"({"records": 30, "domain": "fine.example"})");
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 1) << "one connector failed; the daemon did not crash\n" << r.err;
  EXPECT_EQ(runStatus(ws, "odd"), "failed");
  const std::string why = runError(ws, "odd");
  EXPECT_TRUE(why.find("internal error: ") == 0 || why.find("malformed message") != std::string::npos) << why;
  EXPECT_EQ(runStatus(ws, "fine"), "succeeded");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'"), 0);
}

TEST(FaultWall, ALargeJobToAPluginThatPrintsWhileLoadingDoesNotDeadlock) {
  Workspace ws;
  ws.writeConfig("", true);
  // Both pipes hold 64 KiB: the job (200 kB of settings) and what the library prints while loading.
  ws.addConnector("big", "testkit", R"({"records": 20, "padding": ")" + std::string(200000, 'p') + "\"}");
  Child sync({kCtl, "-c", ws.config().string(), "sync", "big"}, ws.dir.path(),
             {{"ABMD_TESTKIT_STDERR_ON_LOAD", "200000"}});
  ASSERT_EQ(sync.wait(120s), 0) << "abmctl sync finished (-1: still blocked)\n" << sync.err().substr(0, 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 20);
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
    EXPECT_EQ(levelOf(d.err(), "sync interrupted"), "info") << "a deliberate stop is not an error\n" << d.err();
  }
  EXPECT_EQ(runStatus(ws, "slow"), "interrupted") << runError(ws, "slow");
  const int64_t stored = queryInt(ws.store(), "SELECT count(*) FROM touchpoints");
  EXPECT_EQ(runRecords(ws, 1), stored);
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
  pid_t daemon_pid = 0;
  {
    Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 60; }, 30s));
    d.signal(SIGKILL);
    EXPECT_EQ(d.wait(10s), 128 + SIGKILL);
    daemon_pid = d.pid();
  }
  const int64_t next = nlohmann::json::parse(queryText(ws.store(), "SELECT state FROM sync_state"))["next"];
  const int64_t stored = queryInt(ws.store(), "SELECT count(*) FROM touchpoints");
  EXPECT_LE(next, stored);
  EXPECT_EQ(runRecords(ws, 1), stored) << "the run's count commits with its records";
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("left running by a previous process were marked failed: run 1 of slow, left by abmd (pid " +
                       std::to_string(daemon_pid) + ")"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(queryText(ws.store(), "SELECT error FROM sync_runs WHERE run_id = 1"),
            "abmd (pid " + std::to_string(daemon_pid) +
                ") stopped during the run; the next run resumes from the last checkpoint");
  EXPECT_EQ(runRecords(ws, 1), stored) << "closing the run keeps its count";
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'"), 0);
}

TEST(Daemon, AKilledAbmctlSyncIsNamedAsTheLostProcessAndKeepsItsCount) {
  Workspace ws;
  ws.writeConfig(R"(, "batch_records": 10)", true);
  ws.addConnector("slow", "testkit", R"({"records": 2000, "delay_ms": 2, "checkpoint_every": 10})");
  pid_t sync_pid = 0;
  {
    Child sync({kCtl, "-c", ws.config().string(), "sync", "slow"}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 60; }, 30s));
    sync.signal(SIGKILL);
    EXPECT_EQ(sync.wait(10s), 128 + SIGKILL);
    sync_pid = sync.pid();
  }
  const int64_t stored = queryInt(ws.store(), "SELECT count(*) FROM touchpoints");
  EXPECT_EQ(runRecords(ws, 1), stored);
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("run 1 of slow, left by abmctl sync (pid " + std::to_string(sync_pid) + ")"), std::string::npos)
      << r.err;
  EXPECT_EQ(queryText(ws.store(), "SELECT error FROM sync_runs WHERE run_id = 1").rfind("abmctl sync (pid ", 0), 0u);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 2000);
}

TEST(Daemon, SigtermEndsARetryWaitAndTheRunIsInterrupted) {
  Workspace ws;
  // The plugin's backoff (20 s, then 40 s, ...) is far longer than it may take to stop.
  ws.writeConfig(R"(, "shutdown_grace": "120s")", true);
  ws.addConnector("unreachable", "testkit", R"({"mode": "backoff", "retry_ms": 20000})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return d.err().find("testkit: attempt 1 failed") != std::string::npos; }, 30s))
      << d.err();
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(150s), 0) << d.err();
  EXPECT_EQ(runStatus(ws, "unreachable"), "interrupted") << runError(ws, "unreachable");
  EXPECT_EQ(runError(ws, "unreachable"),
            "stopped while waiting to retry because abmd is shutting down (testkit: stopped while waiting to retry "
            "the vendor)");
  EXPECT_EQ(levelOf(d.err(), "sync interrupted"), "info");
}

TEST(Daemon, TheShutdownGraceEndsARunThatDoesNotStopAsInterrupted) {
  Workspace ws;
  ws.writeConfig(R"(, "shutdown_grace": "1s")", true);
  ws.addConnector("stuck", "testkit", R"({"mode": "hang"})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return d.err().find("testkit: hanging") != std::string::npos; }, 30s)) << d.err();
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(60s), 0) << d.err();
  EXPECT_EQ(runStatus(ws, "stuck"), "interrupted");
  EXPECT_EQ(runError(ws, "stuck"),
            "plugin did not stop within 1s of the shutdown request and was killed; the next run resumes from the "
            "last checkpoint");
  EXPECT_EQ(levelOf(d.err(), "sync interrupted"), "warn") << d.err();
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
  // Retries well under a second: they fall due in the second their failed run began, which must not
  // count as "already run since due".
  ws.writeConfig(R"(, "retry": {"initial": "50ms", "max": "100ms", "attempts": 2})", true);
  ws.addConnector("flaky", "testkit", R"({"mode": "retry"})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM sync_runs") >= 3; }, 30s)) << d.err();
  // One query: a run may end between two.
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status NOT IN ('retry', 'running')"), 0);
  EXPECT_NE(d.err().find("retry 1 of 2"), std::string::npos) << d.err();
  EXPECT_NE(d.err().find("vendor answered 503"), std::string::npos);
  // After the last retry the connector goes back to its hourly schedule: three runs, no fourth.
  ASSERT_TRUE(waitFor([&] { return d.err().find("giving up after 2 retries") != std::string::npos; }, 30s)) << d.err();
  EXPECT_NE(d.err().find("retry 2 of 2"), std::string::npos);
  EXPECT_EQ(d.err().find("retry 3 of"), std::string::npos);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs"), 3);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'retry'"), 3);
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
