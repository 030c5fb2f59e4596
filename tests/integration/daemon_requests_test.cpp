// `abmctl sync` and `abmctl state reset` while abmd holds the SQLite store: abmctl asks the daemon
// over its API (http.listen, a token from http.api_tokens) and reports as a local run would; a run
// in progress refuses a reset; without a listener or a token it says what to change. A local reset
// takes the connector's lease, so it keeps off a run another instance holds (both backends).
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "store/lease_keeper.hpp"
#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
const std::string kCtl = (binDir() / "abmctl").string();
const std::string kToken = "daemon-requests-token-5f3a9e";

// A connector file that never falls due during a test (1 January, midnight): runs happen on request.
void addIdleConnector(const Workspace& ws, const std::string& name, const std::string& settings) {
  writeFile(ws.connectors() / (name + ".json"), "{\"name\": \"" + name +
                                                    "\", \"plugin\": \"testkit\", \"schedule\": \"0 0 1 1 *\", "
                                                    "\"settings\": " + settings + "}");
}

class DaemonRequests : public ::testing::Test {
 protected:
  DaemonRequests() : ws_(abm::store::Backend::Sqlite) {}

  // abmd on the workspace's SQLite store; `http` adds a listener on a free port with a token.
  void startDaemon(bool http = true) {
    port_ = freeLoopbackPort();
    // No retries: a failed run stays the last one.
    ws_.writeConfig(std::string(", \"retry\": {\"attempts\": 0}") +
                        (http ? ", \"http\": {\"listen\": \"127.0.0.1:" + std::to_string(port_) +
                                    "\", \"api_tokens\": [\"${env:ABMD_API_TOKEN}\"]}"
                              : ""),
                    true);
    addIdleConnector(ws_, "quick", R"({"records": 50, "checkpoint_every": 10})");
    addIdleConnector(ws_, "slow", R"({"records": 2000, "checkpoint_every": 10, "delay_ms": 20})");
    addIdleConnector(ws_, "refused", R"({"mode": "error"})");
    abmd_ = std::make_unique<Child>(std::vector<std::string>{kAbmd, "-c", ws_.config().string()}, ws_.dir.path(),
                                    std::map<std::string, std::string>{{"ABMD_API_TOKEN", kToken}});
    ASSERT_TRUE(waitFor([&] { return readFile(ws_.dir / "abm.db.lock").rfind("abmd pid", 0) == 0; }, 30s))
        << abmd_->err();
    if (http) {
      ASSERT_TRUE(waitForHealth(port_, 30s)) << abmd_->err();
    }
  }
  void TearDown() override {
    if (!abmd_) return;
    abmd_->signal(SIGTERM);
    EXPECT_EQ(abmd_->wait(60s), 0) << abmd_->err();
  }

  CommandResult ctl(std::vector<std::string> args, const std::string& token = kToken) {
    args.insert(args.begin(), {kCtl, "-c", ws_.config().string()});
    std::map<std::string, std::string> env;
    if (!token.empty()) env["ABMD_API_TOKEN"] = token;
    return run(args, env);
  }
  int64_t count(const std::string& sql) { return queryInt(ws_.store(), sql); }
  bool idle() { return count("SELECT count(*) FROM sync_runs WHERE status = 'running'") == 0; }

  Workspace ws_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> abmd_;
};

TEST_F(DaemonRequests, SyncAsksTheRunningDaemonAndFollowsTheRunToItsEnd) {
  startDaemon();
  auto first = ctl({"sync", "quick"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("quick: synced 50 records, 0 rejected (run 1, by the daemon)"), std::string::npos)
      << first.out;
  EXPECT_NE(first.err.find("the running abmd (http://127.0.0.1:" + std::to_string(port_) + ") started run 1"),
            std::string::npos)
      << first.err;
  // The daemon ran it, not abmctl: the run is the daemon's, and its checkpoint is saved.
  EXPECT_EQ(queryText(ws_.store(), "SELECT owner FROM sync_runs WHERE run_id = 1"), "abmd");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 50);

  // Resumed from the checkpoint: nothing new. A full refresh reads everything again.
  auto again = ctl({"sync", "quick"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("synced 0 records"), std::string::npos) << again.out;
  auto full = ctl({"sync", "quick", "--full-refresh"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_NE(full.out.find("synced 50 records"), std::string::npos) << full.out;
  EXPECT_EQ(count("SELECT count(*) FROM sync_runs WHERE connector = 'quick' AND full_refresh = 1"), 1);

  // A failed run is reported as a local one would be, with its exit code.
  auto refused = ctl({"sync", "refused"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refused: sync failed (run 4)"), std::string::npos) << refused.err;

  // --no-wait returns once the run started; the daemon finishes it.
  // (Queued rather than started while the metrics stage writes after the last run.)
  auto detached = ctl({"sync", "quick", "--no-wait", "--full-refresh"});
  ASSERT_EQ(detached.exit_code, 0) << detached.err;
  EXPECT_TRUE(detached.out.find("quick: run 5 started by the daemon") != std::string::npos ||
              detached.out.find("quick: run queued by the daemon") != std::string::npos)
      << detached.out;
  ASSERT_TRUE(waitFor(
      [&] {
        return count("SELECT count(*) FROM sync_runs WHERE run_id = 5 AND status = 'succeeded' AND full_refresh = 1") == 1;
      },
      60s))
      << abmd_->err();

  auto unknown = ctl({"sync", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no connector 'nope'"), std::string::npos) << unknown.err;
}

TEST_F(DaemonRequests, AMissingOrWrongTokenIsNamedAndNeverPrinted) {
  startDaemon();
  auto missing = ctl({"sync", "quick"}, "");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("http.api_tokens: ${env:ABMD_API_TOKEN} cannot be resolved in this shell"),
            std::string::npos)
      << missing.err;
  auto wrong = ctl({"state", "reset", "quick"}, "not-the-token-1234");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("refused the token from http.api_tokens"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("not-the-token-1234"), std::string::npos) << wrong.err;
  EXPECT_EQ(count("SELECT count(*) FROM sync_runs"), 0) << "nothing was started";
  // Read-only commands need none of the daemon's secrets.
  auto status = ctl({"status"}, "");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("quick"), std::string::npos) << status.out;
}

TEST_F(DaemonRequests, StateResetAsksTheDaemonAndIsRefusedWhileTheConnectorRuns) {
  startDaemon();
  ASSERT_EQ(ctl({"sync", "quick"}).exit_code, 0);
  ASSERT_EQ(count("SELECT count(*) FROM sync_state WHERE connector = 'quick'"), 1);

  auto misspelt = ctl({"state", "reset", "quick", "touchpoint"});
  EXPECT_EQ(misspelt.exit_code, 1);
  EXPECT_NE(misspelt.err.find("has no stream 'touchpoint' (known streams: touchpoints)"), std::string::npos)
      << misspelt.err;
  EXPECT_EQ(count("SELECT count(*) FROM sync_state WHERE connector = 'quick'"), 1) << "left as it was";

  auto reset = ctl({"state", "reset", "quick", "touchpoints"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("quick: removed 1 checkpoint(s) through the running abmd"), std::string::npos)
      << reset.out;
  EXPECT_EQ(count("SELECT count(*) FROM sync_state WHERE connector = 'quick'"), 0);
  // The next run reads from the start again.
  auto after = ctl({"sync", "quick"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("synced 50 records"), std::string::npos) << after.out;

  // While slow runs, its checkpoints are in use: neither a reset nor a second run is accepted.
  auto started = ctl({"sync", "slow", "--no-wait"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  ASSERT_TRUE(waitFor([&] { return count("SELECT count(*) FROM sync_state WHERE connector = 'slow'") == 1; }, 60s))
      << abmd_->err();
  auto busy = ctl({"state", "reset", "slow"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("is running a sync now"), std::string::npos) << busy.err;
  EXPECT_EQ(count("SELECT count(*) FROM sync_state WHERE connector = 'slow'"), 1);
  auto twice = ctl({"sync", "slow"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("is running a sync now"), std::string::npos) << twice.err;
  // abmd stops the run at a checkpoint on SIGTERM (TearDown).
}

TEST_F(DaemonRequests, WithoutAListenerAbmctlSaysWhatToAdd) {
  startDaemon(false);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"sync", "quick"},
                                              std::vector<std::string>{"state", "reset", "quick"}}) {
    auto r = ctl(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("is in use by abmd pid " + std::to_string(abmd_->pid()) + ", and abmctl cannot ask it"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("has no \"http\" key"), std::string::npos) << r.err;
  }
  EXPECT_EQ(count("SELECT count(*) FROM sync_runs"), 0);
}

// A local reset takes the connector's lease like a run: it keeps off a run another instance holds.
TEST(StateReset, ALocalResetKeepsOffALeaseAnotherInstanceHolds) {
  Workspace ws;
  ws.writeConfig("", true);
  addIdleConnector(ws, "kit", R"({"records": 20})");
  auto synced = runAbmctl(ws, {"sync", "kit"});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  ASSERT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_state WHERE connector = 'kit'"), 1);
  {
    auto other = abm::store::LeaseKeeper::start(ws.store_.location(), "abmd-elsewhere", 60s);
    ASSERT_TRUE(other) << other.error();
    auto held = (*other)->acquire("connector:kit");
    ASSERT_TRUE(held && *held);
    auto refused = runAbmctl(ws, {"state", "reset", "kit"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("kit is being synced by abmd-elsewhere"), std::string::npos) << refused.err;
    EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_state WHERE connector = 'kit'"), 1);
  }
  // Without a daemon, --no-wait has nothing to hand the run to: it runs here and says so.
  auto here = runAbmctl(ws, {"sync", "kit", "--no-wait"});
  EXPECT_EQ(here.exit_code, 0) << here.err;
  EXPECT_NE(here.err.find("--no-wait: no abmd holds the store, so kit is synced here"), std::string::npos) << here.err;
  auto reset = runAbmctl(ws, {"state", "reset", "kit"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("kit: removed 1 checkpoint(s)"), std::string::npos) << reset.out;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_state WHERE connector = 'kit'"), 0);
}

}  // namespace
