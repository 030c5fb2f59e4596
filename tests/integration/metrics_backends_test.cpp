// The store is backend-neutral for the metrics stage: the same data and as_of give the same rows on
// SQLite and on PostgreSQL, `abmctl report` reads the same, and on a shared PostgreSQL store the
// stage neither misses nor drops what another writer commits while it starts. The suites are named
// PostgreSQL* so that they run with the private server (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <chrono>

#include "metric_rows.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-10-31T00:00:00Z";

// The same data and as_of give the same metric rows on SQLite and on PostgreSQL, to the last bit of
// every double: one instance's results are the results, whichever store it writes.
class PostgreSQLMetrics : public ::testing::Test {
 protected:
  // Both stores hold the demo data, synced by abmctl.
  void SetUp() override {
    ASSERT_EQ(run({(binDir() / "abm-demo-gen").string(), (data_.path() / "demo").string(), "--accounts", "120",
                   "--touchpoints", "8000"})
                  .exit_code,
              0);
    for (Workspace* ws : {&sqlite_, &pg_}) {
      ws->writeConfig();
      ws->addConnector("demo", "csv", "{\"path\": \"" + (data_.path() / "demo").string() + "\"}");
      auto r = ctl(*ws, {"sync", "demo"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  static CommandResult ctl(const Workspace& ws, std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws.config().string()});
    return run(args);
  }
  // Runs the stage on both stores with the same arguments.
  void metricsOnBoth(const std::string& as_of, bool full = false) {
    for (Workspace* ws : {&sqlite_, &pg_}) {
      std::vector<std::string> args{"metrics", "run", "--as-of", as_of};
      if (full) args.push_back("--full");
      auto r = ctl(*ws, args);
      ASSERT_EQ(r.exit_code, 0) << ws->store().string() << ": " << r.err;
    }
  }
  // Every metric table row by row, and what each run recorded.
  void expectSameMetrics(const std::string& when) {
    const MetricRows on_sqlite = metricRows(sqlite_.store());
    EXPECT_EQ(firstDifference(on_sqlite, metricRows(pg_.store())), "") << when;
    EXPECT_EQ(metricRuns(sqlite_.store()), metricRuns(pg_.store())) << when;
    EXPECT_GT(on_sqlite.at("attribution_touches").size(), 500u) << when;  // not two empty stores
    EXPECT_EQ(on_sqlite.at("metrics_dirty_accounts").size(), 0u) << when;
  }
  // `abmctl report` without its first line, which names the store.
  static std::string report(const Workspace& ws) {
    auto r = ctl(ws, {"report", "--top", "15"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("Store: ", 0), 0u) << r.out;
    return r.out.substr(std::min(r.out.size(), r.out.find('\n')));
  }

  TempDir data_;
  Workspace sqlite_{abm::store::Backend::Sqlite}, pg_{abm::store::Backend::Postgresql};
};

TEST_F(PostgreSQLMetrics, FullAndIncrementalRunsGiveTheSameRowsAsOnSqlite) {
  ASSERT_EQ(queryInt(pg_.store(), "SELECT count(*) FROM touchpoints"),
            queryInt(sqlite_.store(), "SELECT count(*) FROM touchpoints"));
  metricsOnBoth(kAsOf, true);
  expectSameMetrics("full run");
  metricsOnBoth("2026-06-30T00:00:00Z");  // back in time: a full run
  expectSameMetrics("back in time");
  metricsOnBoth(kAsOf);  // forward again, incrementally
  expectSameMetrics("forward incrementally");
  EXPECT_EQ(queryText(pg_.store(), "SELECT mode FROM metrics_runs ORDER BY run_id DESC LIMIT 1"), "incremental");

  // A small sync from a second source on both: a webinar for one account, a won deal for another;
  // then an incremental run that recomputes just those two.
  syncSmallChange(data_.path() / "events", sqlite_.store(), {&sqlite_, &pg_});
  ASSERT_FALSE(HasFailure());
  metricsOnBoth(kAsOf);
  expectSameMetrics("after a small sync");
  EXPECT_EQ(queryText(pg_.store(), "SELECT mode FROM metrics_runs ORDER BY run_id DESC LIMIT 1"), "incremental");
}

TEST_F(PostgreSQLMetrics, TheReportReadsTheSameOnBothBackends) {
  const std::string before = report(sqlite_);
  EXPECT_NE(before.find("Most active accounts"), std::string::npos) << before;
  EXPECT_EQ(report(pg_), before);

  metricsOnBoth(kAsOf);
  const std::string after = report(sqlite_);
  EXPECT_NE(after.find("Most engaged accounts (metrics as of 2026-10-31T00:00:00Z)"), std::string::npos) << after;
  EXPECT_NE(after.find("won deals"), std::string::npos) << after;
  EXPECT_EQ(report(pg_), after);
}

// On a shared PostgreSQL store another instance may write while the stage starts: the stage waits
// for the writers' lock before it reads anything, so what was committed meanwhile is computed, and
// its dirty mark is not cleared unread.
TEST(PostgreSQLMetricsLocking, AWriteCommittedWhileTheStageWaitsIsComputedNotLost) {
  Workspace ws(abm::store::Backend::Postgresql);
  ws.writeConfig();
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain,is_target\na1,Acme,acme.com,true\nb1,Beta,beta.com,true\n");
  writeFile(ws.dir / "data/touchpoints.csv", "external_id,account_external_id,channel,activity,occurred_at\n"
                                             "t1,a1,web,page_view,2026-01-01T00:00:00Z\n"
                                             "t2,b1,web,page_view,2026-01-02T00:00:00Z\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  const std::string conf = ws.config().string(), as_of = "2026-02-01T00:00:00Z";
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "files"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of}).exit_code, 0);
  const std::string acme_touches = "SELECT e.touchpoints FROM account_engagement e JOIN accounts a USING (account_id)"
                                   " WHERE a.domain = 'acme.com'";
  ASSERT_EQ(queryInt(ws.store(), acme_touches), 1);

  // Another writer (as a sync of another instance would) holds the writers' lock and writes a touch.
  auto other = abm::store::Database::open(ws.store().location());
  ASSERT_TRUE(other) << other.error();
  auto ok = [](const abm::Status& s) { return s ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << s.message(); };
  ASSERT_TRUE(ok(other->beginWrite()));
  const int64_t acme = queryInt(ws.store(), "SELECT account_id FROM accounts WHERE domain = 'acme.com'");
  auto touch = other->prepare(other->touchpointUpsertSql());
  ASSERT_TRUE(touch) << touch.error();
  touch->bind(1, acme);
  touch->bindNull(2);
  touch->bindNull(3);
  touch->bind(4, "other");
  touch->bind(5, "o1");
  touch->bind(6, "email");
  touch->bind(7, "email_click");
  touch->bind(8, "2026-01-20T00:00:00Z");
  for (int i = 9; i <= 11; ++i) touch->bindNull(i);
  touch->bind(12, 0);
  ASSERT_TRUE(ok(touch->run()));
  ASSERT_TRUE(ok(other->exec("INSERT INTO metrics_dirty_accounts(account_id) VALUES(" + std::to_string(acme) +
                          ") ON CONFLICT DO NOTHING")));

  // The stage starts meanwhile, and waits for the lock.
  Child stage({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of}, ws.dir.path());
  const std::string waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                              " AND wait_event_type = 'Lock' AND wait_event = 'advisory'";
  ASSERT_TRUE(waitFor([&] { return queryInt(ws.store(), waiting) == 1; }, std::chrono::seconds(60))) << stage.err();
  ASSERT_TRUE(ok(other->exec("COMMIT")));
  ASSERT_EQ(stage.wait(std::chrono::seconds(120)), 0) << stage.err();

  EXPECT_EQ(queryInt(ws.store(), acme_touches), 2);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 0);
  EXPECT_EQ(lastMode(ws.store()).rfind("incremental", 0), 0u) << lastMode(ws.store());
}

}  // namespace
