// The metrics stage split over several instances on one store (docs/metrics.md#sharded-runs):
// runners that share a cycle give every metric table exactly the rows of a single instance, doubles
// to the last bit, in full and incremental cycles; a dead instance's shard is taken over and a live
// one's is not; dirty marks written while a cycle is open wait for the next one; an instance with
// other settings does not join. PostgreSQLMetricsShards needs the private server; MetricsCycles runs
// on the backend under test (both, through CTest).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/timestamp.hpp"
#include "metric_rows.hpp"
#include "metrics/metrics_cycle.hpp"
#include "metrics/metrics_stage.hpp"
#include "metrics/shard_results.hpp"
#include "store/lease_keeper.hpp"
#include "test_support.hpp"

using namespace abm::test;
using abm::metrics::MetricsSettings;
using abm::metrics::MetricsSummary;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-10-31T00:00:00Z";

int64_t at(const std::string& text) { return *abm::parseTimestamp(text); }

MetricsSettings withShards(int shards) {
  MetricsSettings s;
  s.shards = shards;
  return s;
}

std::unique_ptr<abm::store::LeaseKeeper> keeper(const StoreRef& store, const std::string& id) {
  auto k = abm::store::LeaseKeeper::start(store.location(), id, std::chrono::seconds(60));
  EXPECT_TRUE(k) << k.error();
  return k ? std::move(*k) : nullptr;
}

// One runner's whole part in the stage, as abmd calls it.
MetricsSummary runOnce(const StoreRef& store, const MetricsSettings& s, const std::string& as_of, bool full,
                       abm::store::LeaseKeeper* k = nullptr) {
  auto out = abm::metrics::runMetrics(store.location(), s, at(as_of), full, k);
  EXPECT_TRUE(out) << out.error();
  return out ? *out : MetricsSummary{};
}

// Opens a cycle as instance `who` would, without computing anything.
abm::metrics::MetricsCycle openCycle(const StoreRef& store, const MetricsSettings& s, const std::string& as_of,
                                     bool full, const std::string& who) {
  auto db = abm::store::Database::open(store.location());
  EXPECT_TRUE(db) << db.error();
  auto c = abm::metrics::openOrJoinCycle(*db, abm::metrics::settingsText(s), at(as_of), full,
                                         abm::metrics::shardCount(s, store.location().backend), who);
  EXPECT_TRUE(c) << c.error();
  return c ? *c : abm::metrics::MetricsCycle{};
}

// The demo data synced into `ws` by abmctl.
void syncDemo(const Workspace& ws, const fs::path& demo) {
  ws.writeConfig();
  ws.addConnector("demo", "csv", "{\"path\": \"" + demo.string() + "\"}");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

class PostgreSQLMetricsShards : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run({(binDir() / "abm-demo-gen").string(), (data_.path() / "demo").string(), "--accounts", "120",
                   "--touchpoints", "8000"})
                  .exit_code,
              0);
    for (Workspace* ws : {&single_, &sharded_}) syncDemo(*ws, data_.path() / "demo");
  }

  // `runners` instances at once on the sharded store, each with an instance of its own, on a cycle
  // one of them opened; the single instance computes the same on the other store.
  void runBoth(int runners, int shards, const std::string& as_of, bool full) {
    runOnce(single_.store(), withShards(1), as_of, full);
    const auto cycle = openCycle(sharded_.store(), withShards(shards), as_of, full, "runner-0");
    ASSERT_EQ(cycle.shards, shards);
    std::vector<std::unique_ptr<abm::store::LeaseKeeper>> keepers;
    for (int i = 0; i < runners; ++i) keepers.push_back(keeper(sharded_.store(), "runner-" + std::to_string(i)));
    std::vector<MetricsSummary> out(static_cast<size_t>(runners));
    std::vector<std::thread> threads;
    for (int i = 0; i < runners; ++i)
      threads.emplace_back([&, i] {
        // Another as_of and no --full: joining takes the open cycle as it is.
        out[static_cast<size_t>(i)] = runOnce(sharded_.store(), withShards(shards), "2030-01-01T00:00:00Z", false,
                                              keepers[static_cast<size_t>(i)].get());
      });
    for (auto& t : threads) t.join();
    std::multiset<int> computed;
    int finishers = 0;
    for (const auto& s : out) {
      EXPECT_EQ(s.cycle, cycle.id);
      EXPECT_TRUE(s.joined);
      EXPECT_EQ(s.as_of, at(as_of));
      EXPECT_TRUE(s.lost.empty()) << s.describe();
      computed.insert(s.computed.begin(), s.computed.end());
      finishers += s.finished_cycle;
    }
    EXPECT_EQ(finishers, 1);
    std::multiset<int> every;
    for (int k = 0; k < shards; ++k) every.insert(k);
    EXPECT_EQ(computed, every) << "each shard computed exactly once";
  }

  void expectSameMetrics(const std::string& when) {
    const MetricRows one = metricRows(single_.store());
    EXPECT_EQ(firstDifference(one, metricRows(sharded_.store())), "") << when;
    EXPECT_EQ(metricRuns(single_.store()), metricRuns(sharded_.store())) << when;
    EXPECT_GT(one.at("attribution_touches").size(), 500u) << when;
    EXPECT_EQ(queryInt(sharded_.store(), "SELECT count(*) FROM metrics_cycles WHERE finished_at IS NULL"), 0) << when;
    EXPECT_EQ(queryInt(sharded_.store(), "SELECT count(*) FROM metrics_cycle_dirty"), 0) << when;
    EXPECT_EQ(queryInt(sharded_.store(), "SELECT count(*) FROM leases WHERE resource LIKE 'metrics/%'"), 0) << when;
  }

  TempDir data_;
  Workspace single_{abm::store::Backend::Postgresql}, sharded_{abm::store::Backend::Postgresql};
};

TEST_F(PostgreSQLMetricsShards, ThreeRunnersGiveExactlyTheRowsOfOneInstanceInFullAndIncrementalCycles) {
  runBoth(3, 3, kAsOf, true);
  expectSameMetrics("full cycle, 3 shards");

  // A small sync on both stores: a webinar for one account, a won deal for another.
  syncSmallChange(data_.path() / "events", single_.store(), {&single_, &sharded_});
  ASSERT_FALSE(HasFailure());
  runBoth(3, 3, kAsOf, false);
  expectSameMetrics("incremental cycle after a small sync");
  EXPECT_EQ(lastMode(sharded_.store()).rfind("incremental", 0), 0u) << lastMode(sharded_.store());

  // Another shard count builds on the same results: the hash classes differ, the accounts do not.
  runBoth(3, 5, "2026-11-15T00:00:00Z", false);
  expectSameMetrics("incremental cycle, 5 shards");
  EXPECT_EQ(lastMode(sharded_.store()).rfind("incremental", 0), 0u) << lastMode(sharded_.store());
  runBoth(3, 5, "2026-11-15T00:00:00Z", true);
  expectSameMetrics("full cycle, 5 shards");
}

TEST_F(PostgreSQLMetricsShards, ADeadInstancesShardIsTakenOverAndALiveOnesIsNot) {
  runOnce(single_.store(), withShards(1), kAsOf, true);
  const auto cycle = openCycle(sharded_.store(), withShards(3), kAsOf, true, "dead-1");
  // Shard 1's lease belongs to an instance that died a minute after taking it; shard 2's holder lives.
  execSql(sharded_.store(), "INSERT INTO leases VALUES ('metrics/" + std::to_string(cycle.id) +
                                "/1', 'dead-1', now() - interval '5 minutes', now() - interval '3 minutes',"
                                " now() - interval '2 minutes')");
  execSql(sharded_.store(), "INSERT INTO leases VALUES ('metrics/" + std::to_string(cycle.id) +
                                "/2', 'live-1', now(), now(), now() + interval '1 hour')");
  auto k = keeper(sharded_.store(), "runner-1");
  const MetricsSummary first = runOnce(sharded_.store(), withShards(3), kAsOf, false, k.get());
  EXPECT_EQ(first.computed, (std::vector<int>{0, 1})) << first.describe();
  EXPECT_EQ(first.held_elsewhere, (std::vector<int>{2})) << first.describe();
  EXPECT_FALSE(first.finished_cycle);
  EXPECT_NE(first.describe().find("shards 2 are being computed by other instances"), std::string::npos)
      << first.describe();
  EXPECT_EQ(queryText(sharded_.store(), "SELECT holder FROM leases WHERE resource = 'metrics/" +
                                            std::to_string(cycle.id) + "/2'"),
            "live-1");
  EXPECT_EQ(queryText(sharded_.store(), "SELECT done_by FROM metrics_cycle_shards WHERE shard = 1"), "runner-1");
  EXPECT_EQ(queryInt(sharded_.store(), "SELECT count(*) FROM metrics_runs"), 0);

  // `abmctl status` shows the open cycle and who holds what.
  auto status = run({kCtl, "-c", sharded_.config().string(), "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("metrics cycle " + std::to_string(cycle.id) + " as of " + kAsOf +
                            " (full, 3 shards), opened by dead-1"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("shard 1: written by runner-1"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("shard 2: computed by live-1, lease expires"), std::string::npos) << status.out;

  // The live holder dies too: its lease expires, and the next run takes the shard and finishes.
  execSql(sharded_.store(), "UPDATE leases SET expires_at = now() - interval '1 second' WHERE holder = 'live-1'");
  const MetricsSummary second = runOnce(sharded_.store(), withShards(3), kAsOf, false, k.get());
  EXPECT_EQ(second.computed, (std::vector<int>{2})) << second.describe();
  EXPECT_TRUE(second.finished_cycle) << second.describe();
  expectSameMetrics("after the takeovers");
}

// Runs on both backends: MetricsCycles.* is in the PostgreSQL list of tests/CMakeLists.txt.
TEST(MetricsCycles, DirtyMarksWrittenWhileACycleIsOpenWaitForTheNextCycle) {
  TempDir data;
  ASSERT_EQ(run({(binDir() / "abm-demo-gen").string(), (data.path() / "demo").string(), "--accounts", "40",
                 "--touchpoints", "2000"})
                .exit_code,
            0);
  Workspace ws;
  syncDemo(ws, data.path() / "demo");
  const MetricsSettings s = withShards(2);
  runOnce(ws.store(), s, kAsOf, true);
  const auto cycle = openCycle(ws.store(), s, kAsOf, false, "runner-0");
  EXPECT_FALSE(cycle.full);

  // A sync commits while the cycle is open: a new touch of one account, and its dirty mark.
  const int64_t account = queryInt(ws.store(), "SELECT min(account_id) FROM accounts");
  const std::string engagement = "SELECT touchpoints FROM account_engagement WHERE account_id = " + std::to_string(account);
  const int64_t before = queryInt(ws.store(), engagement);
  {
    auto db = abm::store::Database::open(ws.store().location());
    ASSERT_TRUE(db) << db.error();
    auto touch = db->prepare(db->touchpointUpsertSql());
    ASSERT_TRUE(touch) << touch.error();
    touch->bind(1, account);
    touch->bindNull(2);
    touch->bindNull(3);
    touch->bind(4, "late");
    touch->bind(5, "l1");
    touch->bind(6, "web");
    touch->bind(7, "page_view");
    touch->bind(8, "2026-10-30T00:00:00Z");
    for (int i = 9; i <= 11; ++i) touch->bindNull(i);
    touch->bind(12, 0);
    auto written = touch->run();
    ASSERT_TRUE(written) << written.message();
  }
  execSql(ws.store(), "INSERT INTO metrics_dirty_accounts(account_id) VALUES(" + std::to_string(account) + ")");

  const MetricsSummary done = runOnce(ws.store(), s, kAsOf, false);
  EXPECT_TRUE(done.finished_cycle) << done.describe();
  EXPECT_EQ(done.cycle, cycle.id);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_dirty_accounts WHERE account_id = " +
                                     std::to_string(account)),
            1)
      << "a mark written after the cycle opened belongs to the next cycle";

  const MetricsSummary next = runOnce(ws.store(), s, kAsOf, false);
  EXPECT_GT(next.cycle, cycle.id);
  EXPECT_FALSE(next.full);
  EXPECT_EQ(queryInt(ws.store(), engagement), before + 1);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 0);
  const MetricRows incremental = metricRows(ws.store());
  runOnce(ws.store(), s, kAsOf, true);
  EXPECT_EQ(firstDifference(incremental, metricRows(ws.store())), "") << "the incremental cycles equal a full one";
}

// The write of a shard checks, under the writers' lock, that the shard is still this instance's:
// results computed while the lease was taken over, or for a shard written meanwhile, are dropped.
TEST(MetricsCycles, AShardIsWrittenOnlyByItsLeaseHolderAndOnlyOnce) {
  Workspace ws;
  ws.writeConfig();
  ASSERT_TRUE(ws.store_.open());
  const MetricsSettings s = withShards(2);
  const auto cycle = openCycle(ws.store(), s, kAsOf, true, "runner-1");
  const std::string lease = abm::metrics::shardLease(cycle.id, 0);
  auto k = keeper(ws.store(), "runner-1");
  auto got = k->acquire(lease);
  ASSERT_TRUE(got && *got);
  abm::metrics::ShardResults results;
  abm::metrics::Engagement e;
  e.score = 4.5;
  ASSERT_TRUE(results.engagement(8, e, 0));
  auto db = abm::store::Database::open(ws.store().location());
  ASSERT_TRUE(db) << db.error();
  auto write = [&] {
    MetricsSummary summary;
    auto w = abm::metrics::writeShard(*db, s, cycle, 0, "runner-1", results, {1, 1, 0, 0}, summary);
    EXPECT_TRUE(w) << w.error();
    EXPECT_FALSE(summary.finished_cycle) << "shard 1 is still pending";
    return w && *w;
  };

  // Another instance took the lease over (runner-1 looked dead) while runner-1 computed.
  execSql(ws.store(), "UPDATE leases SET holder = 'runner-2' WHERE resource = '" + lease + "'");
  EXPECT_FALSE(write());
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM account_engagement"), 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_cycle_shards WHERE done_at IS NULL"), 2);

  execSql(ws.store(), "UPDATE leases SET holder = 'runner-1' WHERE resource = '" + lease + "'");
  EXPECT_TRUE(write());
  EXPECT_EQ(queryText(ws.store(), "SELECT account_id || ' ' || score FROM account_engagement"), "8 4.5");
  EXPECT_EQ(queryText(ws.store(), "SELECT done_by FROM metrics_cycle_shards WHERE shard = 0"), "runner-1");
  EXPECT_FALSE(write()) << "a written shard is not written again";
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM account_engagement"), 1);
}

TEST(MetricsCycles, AnInstanceWithOtherSettingsDoesNotJoinAndSaysWhy) {
  Workspace ws;
  ws.writeConfig();
  ASSERT_TRUE(ws.store_.open());
  const auto cycle = openCycle(ws.store(), withShards(2), kAsOf, true, "other-instance");
  MetricsSettings mine = withShards(2);
  mine.lookback_days = 30;
  auto out = abm::metrics::runMetrics(ws.store().location(), mine, at(kAsOf));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().find("not joining metrics cycle " + std::to_string(cycle.id) + " (as of " + kAsOf +
                             ", opened by instance other-instance"),
            std::string::npos)
      << out.error();
  EXPECT_NE(out.error().find("lookback_days (365 there, 30 here)"), std::string::npos) << out.error();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_cycle_shards WHERE done_at IS NOT NULL"), 0);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_runs"), 0);

  // An instance with the cycle's settings (a different shard count is not a setting) finishes it.
  const MetricsSummary joined = runOnce(ws.store(), withShards(7), "2030-01-01T00:00:00Z", false);
  EXPECT_TRUE(joined.joined);
  EXPECT_EQ(joined.shards, 2);
  EXPECT_EQ(joined.computed, (std::vector<int>{0, 1}));
  EXPECT_TRUE(joined.finished_cycle);
  EXPECT_EQ(queryText(ws.store(), "SELECT as_of FROM metrics_runs"), kAsOf);
}

TEST(MetricsCycles, ABadShardCountIsAConfigError) {
  for (const std::string bad : {"0", "257", "\"four\"", "2.5"}) {
    Workspace ws;
    ws.writeConfig(", \"metrics\": {\"shards\": " + bad + "}");
    auto r = run({kCtl, "-c", ws.config().string(), "metrics", "run"});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("metrics.shards: expected a whole number from 1 to 256"), std::string::npos) << r.err;
  }
  MetricsSettings unset;
  EXPECT_EQ(abm::metrics::shardCount(unset, abm::store::Backend::Sqlite), 1);
  EXPECT_EQ(abm::metrics::shardCount(unset, abm::store::Backend::Postgresql), 4);
  EXPECT_EQ(abm::metrics::shardCount(withShards(9), abm::store::Backend::Sqlite), 9);
}

}  // namespace
