// Connector runs under leases, on one SQLite store: `abmctl sync` and the daemon keep off a lease
// another instance holds, a daemon takes over the run of an instance whose lease expired (closing
// the run it left), a lost lease stops a run at once and the new holder finishes it, and
// `abmctl status` shows every instance and what it holds. The same paths with several daemons on
// one PostgreSQL store are in scale_out_test.cpp (ScaleOut.*).
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "http_client.hpp"
#include "store/instances.hpp"
#include "store/lease_keeper.hpp"
#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
const std::string kCtl = (binDir() / "abmctl").string();
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

std::string lastRun(const Workspace& ws, const std::string& connector, const std::string& column) {
  return queryText(ws.store(), "SELECT coalesce(" + column + ", '') FROM sync_runs WHERE connector = '" + connector +
                                   "' ORDER BY run_id DESC LIMIT 1");
}

// The level of the first log line whose message contains `part` ("" when there is none).
std::string levelOfLine(const std::string& log, const std::string& part) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("message", "").find(part) != std::string::npos) return j.value("level", "");
  }
  return "";
}

// A store with its schema and one finished run of a small connector, so the test can set up rows.
void seedStore(const Workspace& ws) {
  ws.addConnector("seed", "testkit", R"({"records": 1})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "seed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::unique_ptr<abm::store::LeaseKeeper> keeperOn(const Workspace& ws, const std::string& id) {
  auto k = abm::store::LeaseKeeper::start(abm::store::Location::sqlite(ws.store()), id, 60s);
  EXPECT_TRUE(k) << k.error();
  return k ? std::move(*k) : nullptr;
}

TEST(Leases, AbmctlSyncKeepsOffALeaseAnotherInstanceHolds) {
  Workspace ws;
  ws.writeConfig("", true);
  seedStore(ws);
  ws.addConnector("kit", "testkit", R"({"records": 50})");
  auto other = keeperOn(ws, "abmd-elsewhere");
  ASSERT_TRUE(other);
  ASSERT_TRUE(*other->acquire("connector:kit"));

  auto refused = run({kCtl, "-c", ws.config().string(), "sync", "kit"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("kit is being synced by another instance: connector:kit is held by instance "
                             "abmd-elsewhere until "),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'kit'"), 0) << "not a run";

  auto status = run({kCtl, "-c", ws.config().string(), "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("abmd-elsewhere"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("    holds connector:kit since "), std::string::npos) << status.out;

  other->release("connector:kit");
  auto synced = run({kCtl, "-c", ws.config().string(), "sync", "kit"});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  EXPECT_EQ(lastRun(ws, "kit", "status"), "succeeded");
  EXPECT_EQ(lastRun(ws, "kit", "instance_id").rfind("abmctl:" + abm::store::hostName() + ":", 0), 0u)
      << lastRun(ws, "kit", "instance_id");
  // abmctl's instance leaves with it; the other one stays.
  EXPECT_EQ(queryText(ws.store(), "SELECT group_concat(instance_id) FROM instances"), "abmd-elsewhere");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM leases"), 0);
}

TEST(Leases, ADaemonTakesOverWhenTheHoldersLeaseExpiresAndClosesTheRunItLeft) {
  Workspace ws;
  ws.writeConfig(R"(, "lease_ttl": "3s", "log_level": "debug")", true);
  seedStore(ws);
  ws.addConnector("kit", "testkit", R"({"records": 50})");
  // An instance on another machine was syncing kit when it went silent; its lease runs out soon.
  execSql(ws.store(), std::string("INSERT INTO instances VALUES('ghost-host:99', 'ghost-host', 99, '0.1', ") + kNow +
                          ", " + kNow + ");"
                          "INSERT INTO sync_runs(connector, started_at, status, records, owner, owner_pid, instance_id)"
                          " VALUES('kit', " + kNow + ", 'running', 20, 'abmd', 99, 'ghost-host:99');"
                          "INSERT INTO leases VALUES('connector:kit', 'ghost-host:99', " + kNow + ", " + kNow +
                          ", strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+4 seconds'))");
  const int64_t ghost_run = queryInt(ws.store(), "SELECT run_id FROM sync_runs WHERE connector = 'kit'");

  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  const std::string me = abm::store::hostName() + ":" + std::to_string(d.pid());
  ASSERT_TRUE(waitFor([&] { return lastRun(ws, "kit", "status") == "succeeded"; }, 60s)) << d.err();
  // It waited for the lease (logged at debug, no run recorded) and then took it.
  EXPECT_EQ(levelOfLine(d.err(), "connector:kit is held by instance ghost-host:99 until"), "debug") << d.err();
  EXPECT_EQ(queryText(ws.store(), "SELECT status || '|' || records || '|' || error FROM sync_runs WHERE run_id = " +
                                      std::to_string(ghost_run)),
            "interrupted|20|left unfinished by instance ghost-host:99; resumed by " + me);
  EXPECT_EQ(levelOfLine(d.err(), "left unfinished by instance ghost-host:99"), "warn");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'kit'"), 2);
  EXPECT_EQ(lastRun(ws, "kit", "instance_id"), me);
  EXPECT_EQ(lastRun(ws, "kit", "records"), "50");
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0) << d.err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM instances WHERE instance_id = '" + me + "'"), 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM leases WHERE holder = '" + me + "'"), 0);
}

TEST(Leases, ARunAnotherInstanceDidWhileThisOneWaitedIsNotRunAgain) {
  Workspace ws;
  ws.writeConfig(R"(, "lease_ttl": "3s", "log_level": "debug")", true);
  seedStore(ws);
  ws.addConnector("kit", "testkit", R"({"records": 50})");
  auto other = keeperOn(ws, "abmd-elsewhere");
  ASSERT_TRUE(other);
  ASSERT_TRUE(*other->acquire("connector:kit"));
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return d.err().find("connector:kit is held by instance abmd-elsewhere") != std::string::npos; }, 30s))
      << d.err();
  // The other instance finishes its run of kit and lets go; the daemon's next look finds it done.
  execSql(ws.store(), std::string("INSERT INTO sync_runs(connector, started_at, finished_at, status, records, owner,"
                                  " owner_pid, instance_id) VALUES('kit', ") + kNow + ", " + kNow +
                          ", 'succeeded', 50, 'abmd', 1, 'abmd-elsewhere')");
  other->release("connector:kit");
  ASSERT_TRUE(waitFor([&] { return d.err().find("not due: synced less than an interval ago; due again at ") != std::string::npos; }, 30s))
      << d.err();
  EXPECT_EQ(levelOfLine(d.err(), "not due: synced less than an interval ago"), "debug");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'kit'"), 1) << d.err();
  EXPECT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM leases") == 0; }, 10s))
      << "a run not started gives the lease back";
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0) << d.err();
}

TEST(Leases, AnApiRequestForAConnectorRunningElsewhereIsAlreadyRunning) {
  Workspace ws;
  const uint16_t port = freeLoopbackPort();
  ws.writeConfig(R"(, "lease_ttl": "3s", "http": {"listen": "127.0.0.1:)" + std::to_string(port) + R"("})", true);
  seedStore(ws);
  ws.addConnector("kit", "testkit", R"({"records": 50})");
  auto other = keeperOn(ws, "abmd-elsewhere");
  ASSERT_TRUE(other);
  ASSERT_TRUE(*other->acquire("connector:kit"));
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  std::optional<HttpAnswer> answer;
  ASSERT_TRUE(waitFor([&] { return (answer = httpRequest(port, "POST", "/api/v1/connectors/kit/sync")).has_value(); }, 30s))
      << d.err();
  EXPECT_EQ(answer->status, 409) << answer->body;
  EXPECT_EQ(nlohmann::json::parse(answer->body)["error"]["code"], "already_running") << answer->body;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'kit'"), 0);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0) << d.err();
}

TEST(Leases, ALostLeaseStopsTheRunAtOnceAndTheNextHolderFinishesIt) {
  Workspace ws;
  ws.writeConfig(R"(, "lease_ttl": "3s", "log_level": "debug", "batch_records": 10)", true);
  ws.addConnector("slow", "testkit", R"({"records": 2000, "delay_ms": 2, "checkpoint_every": 10})");
  Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
  ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 60; }, 30s)) << d.err();

  auto status = run({kCtl, "-c", ws.config().string(), "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const std::string me = abm::store::hostName() + ":" + std::to_string(d.pid());
  EXPECT_NE(status.out.find(me), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("live"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("    holds connector:slow since "), std::string::npos) << status.out;

  // Another instance takes the lease (as if this one had been silent past its ttl).
  execSql(ws.store(), "UPDATE leases SET holder = 'thief:1', expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', "
                      "'+3600 seconds') WHERE resource = 'connector:slow'");
  ASSERT_TRUE(waitFor([&] { return lastRun(ws, "slow", "status") == "interrupted"; }, 30s)) << d.err();
  EXPECT_EQ(lastRun(ws, "slow", "error"),
            "lease lost (connector:slow taken by thief:1): stopped at once, nothing more committed; the instance "
            "holding the lease resumes from the last checkpoint");
  EXPECT_EQ(levelOfLine(d.err(), "sync interrupted"), "warn");
  const int64_t stored = queryInt(ws.store(), "SELECT count(*) FROM touchpoints");
  EXPECT_EQ(queryInt(ws.store(), "SELECT records FROM sync_runs WHERE run_id = 1"), stored);
  // The daemon asks again while the thief holds it, and commits nothing meanwhile.
  ASSERT_TRUE(waitFor([&] {
    const std::string log = d.err();
    const auto first = log.find("connector:slow is held by instance thief:1");
    return first != std::string::npos && log.find("connector:slow is held by instance thief:1", first + 1) != std::string::npos;
  }, 30s)) << d.err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), stored);
  EXPECT_LE(nlohmann::json::parse(queryText(ws.store(), "SELECT state FROM sync_state"))["next"].get<int64_t>(), stored);

  // The thief lets go: the daemon takes the lease back and finishes from the last checkpoint.
  execSql(ws.store(), "DELETE FROM leases WHERE holder = 'thief:1'");
  ASSERT_TRUE(waitFor([&] { return lastRun(ws, "slow", "status") == "succeeded"; }, 60s)) << d.err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(DISTINCT external_id) FROM touchpoints"), 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs"), 2) << "no run while the lease was elsewhere";
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0) << d.err();
  auto after = run({kCtl, "-c", ws.config().string(), "status"});
  EXPECT_NE(after.out.find("instances: none registered"), std::string::npos) << after.out;
}

TEST(Leases, AKilledDaemonShowsDeadAndItsLeaseIsFreedByTheNextStart) {
  Workspace ws;
  ws.writeConfig(R"(, "batch_records": 10)", true);
  ws.addConnector("slow", "testkit", R"({"records": 2000, "delay_ms": 2, "checkpoint_every": 10})");
  pid_t killed = 0;
  {
    Child d({kAbmd, "-c", ws.config().string()}, ws.dir.path());
    ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), "SELECT count(*) FROM touchpoints") >= 60; }, 30s));
    d.signal(SIGKILL);
    EXPECT_EQ(d.wait(10s), 128 + SIGKILL);
    killed = d.pid();
  }
  const std::string gone = abm::store::hostName() + ":" + std::to_string(killed);
  auto status = run({kCtl, "-c", ws.config().string(), "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  std::istringstream lines(status.out);
  std::string row;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(gone + " ", 0) == 0) row = line;
  EXPECT_NE(row.find("dead"), std::string::npos) << "its process is gone, though its heartbeat is recent\n"
                                                  << status.out;
  EXPECT_NE(status.out.find("    holds connector:slow since "), std::string::npos) << status.out;
  // The next start on this machine frees its lease at once: no waiting for it to expire.
  auto r = run({kAbmd, "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(DISTINCT external_id) FROM touchpoints"), 2000);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM instances"), 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM leases"), 0);
}

}  // namespace
