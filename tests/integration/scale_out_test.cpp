// Three abmd processes on one PostgreSQL store ("Several daemons, one store"): every due
// run of every connector is done once, by whichever instance takes its lease, never two at once and
// never before it is due; and when an instance is killed in the middle of a sync, another one takes
// the run over after the lease expires, closes the dead one's run and finishes from its checkpoint
// with exact counts and no duplicate rows; the metrics stage they run in shared cycles gives exactly
// the rows of one instance on the same data. Needs the test run's private PostgreSQL server (the CTest
// fixture `postgresql`, tests/support/postgres_test_db.hpp).
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <sstream>

#include "common/timestamp.hpp"
#include "metric_rows.hpp"
#include "postgres_test_db.hpp"
#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
constexpr int kDaemons = 3;
constexpr int kCsvConnectors = 19;  // and `slow`: twenty connectors
constexpr int kAccountsEach = 10;
constexpr int kIntervalSeconds = 4;
constexpr int kSlowRecords = 3000;

struct SyncRun {
  std::string status;
  int64_t started = 0, finished = 0;  // epoch seconds on the store's clock; finished 0 while running
};

// The runs of `connector`, oldest first.
std::vector<SyncRun> runsOf(PostgresTestDatabase& db, const std::string& connector) {
  const std::string text = db.scalar(
      "SELECT string_agg(status || ',' || extract(epoch FROM started_at)::bigint || ',' ||"
      " coalesce(extract(epoch FROM finished_at)::bigint, 0), ';' ORDER BY run_id) FROM sync_runs"
      " WHERE connector = '" + connector + "'");
  std::vector<SyncRun> runs;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ';');) {
    SyncRun r;
    std::istringstream fields(item);
    std::string started, finished;
    std::getline(fields, r.status, ',');
    std::getline(fields, started, ',');
    std::getline(fields, finished, ',');
    r.started = std::stoll(started);
    r.finished = std::stoll(finished);
    runs.push_back(r);
  }
  return runs;
}

int64_t number(PostgresTestDatabase& db, const std::string& sql) {
  const std::string v = db.scalar(sql);
  return v.empty() ? 0 : std::stoll(v);
}

class ScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = PostgresTestDatabase::create();
    for (int c = 0; c < kCsvConnectors; ++c) {
      std::string csv = "external_id,name,domain\n";
      for (int a = 0; a < kAccountsEach; ++a)
        csv += "A" + std::to_string(a) + ",Account " + std::to_string(a) + ",c" + std::to_string(c) + "-" +
               std::to_string(a) + ".example\n";
      writeFile(dir_ / ("data/csv" + std::to_string(c) + "/accounts.csv"), csv);
      writeFile(dir_ / ("connectors.d/csv" + std::to_string(c) + ".json"),
                "{\"name\": \"csv" + std::to_string(c) + "\", \"plugin\": \"csv\", \"schedule\": \"every " +
                    std::to_string(kIntervalSeconds) + "s\", \"settings\": {\"path\": \"../data/csv" +
                    std::to_string(c) + "\"}}");
    }
    writeFile(dir_ / "connectors.d/slow.json",
              "{\"name\": \"slow\", \"plugin\": \"testkit\", \"schedule\": \"every 1h\", \"settings\": {\"records\": " +
                  std::to_string(kSlowRecords) + ", \"delay_ms\": 3, \"checkpoint_every\": 25}}");
    // The daemons run the metrics stage after their sync cycles, in cycles of three shards; the
    // checker computes the same data on one shard.
    for (int i = 1; i <= kDaemons + 1; ++i)
      writeFile(config(i),
                "{\"store\": \"" + db_->url() + "\", \"connectors_dir\": \"connectors.d\", \"plugin_dir\": \"" +
                    testPluginDir().string() + "\", \"worker\": \"" + (binDir() / "abmd-worker").string() +
                    "\", \"schema_dir\": \"" + (sourceDir() / "schema").string() +
                    "\", \"connector_state_dir\": \"state-" + std::to_string(i) + "\", \"instance_id\": \"" +
                    instance(i) + "\", \"lease_ttl\": \"3s\", \"max_concurrent_syncs\": 4, \"batch_records\": 25,"
                    " \"log_level\": \"debug\", \"metrics\": {\"shards\": " + (i <= kDaemons ? "3" : "1") + "}}");
  }
  fs::path config(int i) const { return dir_ / ("abmd-" + std::to_string(i) + ".json"); }
  fs::path checkerConfig() const { return config(kDaemons + 1); }
  static std::string instance(int i) { return "abmd-" + std::to_string(i); }
  StoreRef store() const { return StoreRef(*abm::store::parseLocation(db_->url(), "/")); }
  std::string logs() const {
    std::string out;
    for (const auto& [i, d] : daemons_) out += "--- " + instance(i) + "\n" + d->err();
    return out;
  }

  TempDir dir_;
  std::unique_ptr<PostgresTestDatabase> db_;
  std::map<int, std::unique_ptr<Child>> daemons_;
};

TEST_F(ScaleOut, ThreeDaemonsRunEachDueSyncOnceAndFinishTheRunsOfOneKilledMidSync) {
  for (int i = 1; i <= kDaemons; ++i)
    daemons_[i] = std::make_unique<Child>(std::vector<std::string>{kAbmd, "-c", config(i).string()}, dir_.path());

  // They migrate the empty store together (one does it); the others wait for it.
  ASSERT_TRUE(waitFor([&] { return db_->scalar("SELECT to_regclass('instances') IS NOT NULL") == "t"; }, 30s)) << logs();
  // Kill -9 whichever instance is syncing `slow`, in the middle of it.
  ASSERT_TRUE(waitFor([&] {
    return number(*db_, "SELECT count(*) FROM sync_runs WHERE connector = 'slow' AND status = 'running'") == 1 &&
           number(*db_, "SELECT count(*) FROM touchpoints") >= 150;
  }, 60s)) << logs();
  const std::string victim = db_->scalar("SELECT instance_id FROM sync_runs WHERE connector = 'slow' AND status = 'running'");
  const std::string killed_run = db_->scalar("SELECT run_id FROM sync_runs WHERE connector = 'slow' AND status = 'running'");
  int victim_index = 0;
  for (int i = 1; i <= kDaemons; ++i)
    if (instance(i) == victim) victim_index = i;
  ASSERT_NE(victim_index, 0) << "run held by an unknown instance '" << victim << "'";
  daemons_[victim_index]->signal(SIGKILL);
  EXPECT_EQ(daemons_[victim_index]->wait(10s), 128 + SIGKILL);

  ASSERT_TRUE(waitFor([&] { return number(*db_, "SELECT count(*) FROM sync_runs WHERE connector = 'slow' AND status = 'succeeded'") == 1; }, 90s))
      << logs();
  // Every csv connector runs a few times over, across the instances left.
  ASSERT_TRUE(waitFor([&] {
    for (int c = 0; c < kCsvConnectors; ++c)
      if (number(*db_, "SELECT count(*) FROM sync_runs WHERE status = 'succeeded' AND connector = 'csv" + std::to_string(c) + "'") < 3)
        return false;
    return true;
  }, 120s)) << logs();
  for (auto& [i, d] : daemons_) {
    if (i == victim_index) continue;
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait(60s), 0) << logs();
  }

  // The killed instance's run was closed by the one that took it over, which finished it exactly.
  const std::string heir = db_->scalar("SELECT instance_id FROM sync_runs WHERE connector = 'slow' AND status = 'succeeded'");
  EXPECT_NE(heir, victim);
  EXPECT_EQ(db_->scalar("SELECT status || '|' || error FROM sync_runs WHERE run_id = " + killed_run),
            "interrupted|left unfinished by instance " + victim + "; resumed by " + heir);
  EXPECT_LT(number(*db_, "SELECT records FROM sync_runs WHERE connector = 'slow' AND status = 'succeeded'"), kSlowRecords)
      << "the new run resumed from the last checkpoint";
  EXPECT_EQ(number(*db_, "SELECT count(*) FROM touchpoints"), kSlowRecords);
  EXPECT_EQ(number(*db_, "SELECT count(DISTINCT external_id) FROM touchpoints"), kSlowRecords);
  EXPECT_EQ(number(*db_, "SELECT count(*) FROM sync_runs WHERE connector = 'slow'"), 2);

  // Each due run once: a connector's runs never overlap, and none started before it was due.
  for (int c = 0; c < kCsvConnectors; ++c) {
    const std::string name = "csv" + std::to_string(c);
    const auto runs = runsOf(*db_, name);
    const SyncRun* last_success = nullptr;
    for (size_t k = 0; k < runs.size(); ++k) {
      const SyncRun& r = runs[k];
      EXPECT_NE(r.status, "running") << name << " run " << k;
      if (k > 0) {
        EXPECT_GE(r.started, runs[k - 1].finished) << name << ": run " << k << " overlapped the one before";
      }
      if (last_success) {
        EXPECT_GE(r.started, last_success->finished + kIntervalSeconds)
            << name << ": run " << k << " started before it was due";
      }
      if (r.status == "succeeded") last_success = &r;
    }
  }
  EXPECT_EQ(number(*db_, "SELECT count(*) FROM sync_runs WHERE status NOT IN ('succeeded', 'interrupted')"), 0)
      << db_->scalar("SELECT string_agg(connector || ': ' || status || ' ' || coalesce(error, ''), '; ') FROM sync_runs");
  EXPECT_EQ(number(*db_, "SELECT count(*) FROM accounts"), kCsvConnectors * kAccountsEach);
  EXPECT_EQ(number(*db_, "SELECT count(DISTINCT domain) FROM accounts"), kCsvConnectors * kAccountsEach);
  // The two that stopped left the instances table; the killed one stays until it is found dead.
  EXPECT_EQ(db_->scalar("SELECT string_agg(instance_id, ',') FROM instances"), victim);

  // The metrics the daemons computed in shared cycles, brought up to date by one more incremental
  // cycle, are exactly what one instance computes in full on one shard from the same data.
  EXPECT_GT(number(*db_, "SELECT count(*) FROM metrics_cycles WHERE finished_by LIKE 'abmd-%'"), 0) << logs();
  ASSERT_TRUE(waitFor([&] {  // the killed instance's shard lease, if it held one, expires (lease_ttl 3s)
    return number(*db_, "SELECT count(*) FROM leases WHERE resource LIKE 'metrics/%' AND expires_at >= now()") == 0;
  }, 30s));
  const std::string as_of = abm::formatTimestamp(abm::nowEpochSeconds() + 3600);
  const std::string ctl = (binDir() / "abmctl").string();
  auto shared = run({ctl, "-c", config(1).string(), "metrics", "run", "--as-of", as_of});
  ASSERT_EQ(shared.exit_code, 0) << shared.err << shared.out;
  EXPECT_EQ(lastMode(store()).rfind("incremental", 0), 0u) << lastMode(store());
  const MetricRows incremental = metricRows(store());
  EXPECT_GT(incremental.at("account_engagement").size(), 0u);
  auto single = run({ctl, "-c", checkerConfig().string(), "metrics", "run", "--as-of", as_of, "--full"});
  ASSERT_EQ(single.exit_code, 0) << single.err << single.out;
  EXPECT_EQ(firstDifference(incremental, metricRows(store())), "");
}

}  // namespace
