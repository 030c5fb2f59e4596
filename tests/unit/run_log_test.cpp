// The run log against a real store: counts that commit with the data, runs that say which process
// was lost, and runs whose end could not be written closed by the next one.
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/timestamp.hpp"
#include "store/db_clock.hpp"
#include "store/instances.hpp"
#include "store/run_log.hpp"
#include "store_under_test.hpp"

using namespace abm;

namespace {

class RunLogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
  }
  std::string text(const std::string& sql) { return test::scalar(*db_, sql); }
  int64_t count(const std::string& sql) { return std::stoll(text(sql)); }
  std::string row(int64_t run_id) {
    return text("SELECT status || '|' || records || '|' || rejected || '|' || coalesce(error, '')"
                " FROM sync_runs WHERE run_id = " + std::to_string(run_id));
  }
  const std::string pid_ = std::to_string(::getpid());
  test::StoreUnderTest store_{GetParam()};
  std::unique_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, RunLogTest, test::kStoreBackends, test::backendName);

TEST_P(RunLogTest, ALostProcessLeavesItsCommittedCountsAndItsName) {
  auto run = store::startRun(*db_, "crm", false, "abmctl sync");
  ASSERT_TRUE(run) << run.error();
  ASSERT_TRUE(store::recordProgress(*db_, *run, 1200, 3));
  auto daemon_run = store::startRun(*db_, "ads", false, "abmd");
  ASSERT_TRUE(daemon_run);

  auto closed = store::closeAbandonedRuns(*db_);
  ASSERT_TRUE(closed) << closed.error();
  ASSERT_EQ(closed->size(), 2u);
  EXPECT_EQ((*closed)[0], "run 1 of crm, left by abmctl sync (pid " + pid_ + ")");
  EXPECT_EQ((*closed)[1], "run 2 of ads, left by abmd (pid " + pid_ + ")");
  EXPECT_EQ(row(*run), "failed|1200|3|abmctl sync (pid " + pid_ +
                           ") stopped during the run; the next run resumes from the last checkpoint");
  EXPECT_EQ(row(*daemon_run).find("failed|0|0|abmd (pid " + pid_ + ") stopped"), 0u) << row(*daemon_run);
  auto again = store::closeAbandonedRuns(*db_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_P(RunLogTest, ARunWhoseEndCouldNotBeWrittenIsClosedWhenTheConnectorRunsAgain) {
  auto first = store::startRun(*db_, "crm", false, "abmd");
  auto other = store::startRun(*db_, "ads", false, "abmd");
  ASSERT_TRUE(first && other);
  ASSERT_TRUE(store::recordProgress(*db_, *first, 40, 0));
  // finishRun never came (the disk was full); the connector's next run starts.
  auto second = store::startRun(*db_, "crm", false, "abmd");
  ASSERT_TRUE(second);
  EXPECT_EQ(row(*first).find("failed|40|0|the end of this run could not be recorded"), 0u) << row(*first);
  EXPECT_EQ(row(*second), "running|0|0|");
  EXPECT_EQ(row(*other), "running|0|0|") << "another connector's run is left alone";
}

TEST_P(RunLogTest, FailRunKeepsTheCountsItsCommitsRecorded) {
  auto run = store::startRun(*db_, "crm", true, "abmd");
  ASSERT_TRUE(run);
  ASSERT_TRUE(store::recordProgress(*db_, *run, 77, 2));
  ASSERT_TRUE(store::failRun(*db_, *run, "internal error: boom"));
  EXPECT_EQ(row(*run), "failed|77|2|internal error: boom");
  EXPECT_EQ(count("SELECT count(*) FROM sync_runs WHERE finished_at IS NOT NULL"), 1);
}

TEST_P(RunLogTest, LastSuccessesAreTheNewestSucceededRunOfEachConnector) {
  auto finished = [&](const char* connector, const char* status, const char* at) {
    auto run = store::startRun(*db_, connector, false, "abmd");
    ASSERT_TRUE(run) << run.error();
    ASSERT_TRUE(store::finishRun(*db_, *run, status, 0, 0, ""));
    ASSERT_TRUE(db_->exec("UPDATE sync_runs SET finished_at = '" + std::string(at) + "' WHERE run_id = " +
                          std::to_string(*run)));
  };
  finished("crm", "succeeded", "2024-03-01T10:00:00Z");
  finished("crm", "succeeded", "2024-03-02T10:00:00Z");
  finished("crm", "failed", "2024-03-03T10:00:00Z");
  finished("ads", "failed", "2024-03-01T10:00:00Z");
  finished("web", "succeeded", "2024-02-01T08:30:00Z");
  auto last = store::lastSuccesses(*db_);
  ASSERT_TRUE(last) << last.error();
  const std::map<std::string, std::string> expected = {{"crm", "2024-03-02T10:00:00Z"},
                                                       {"web", "2024-02-01T08:30:00Z"}};
  EXPECT_EQ(*last, expected);
}

// Several instances on one store: a run is abandoned only when nobody holds its connector's lease.
TEST_P(RunLogTest, ARunWhoseLeaseIsLiveIsNeverAbandoned) {
  auto held = store::startRun(*db_, "crm", false, "abmd", "elsewhere:7");
  ASSERT_TRUE(held) << held.error();
  ASSERT_TRUE(db_->exec("INSERT INTO leases VALUES('connector:crm', 'elsewhere:7', " + store::sqlNow(*db_) + ", " +
                        store::sqlNow(*db_) + ", " + store::sqlNowPlus(*db_, std::chrono::seconds(600)) + ")"));
  auto expired = store::startRun(*db_, "ads", false, "abmd", "elsewhere:7");
  ASSERT_TRUE(db_->exec("INSERT INTO leases VALUES('connector:ads', 'elsewhere:7', " + store::sqlNow(*db_) + ", " +
                        store::sqlNow(*db_) + ", " + store::sqlNowPlus(*db_, std::chrono::seconds(-1)) + ")"));
  auto closed = store::closeAbandonedRuns(*db_);
  ASSERT_TRUE(closed) << closed.error();
  EXPECT_EQ(*closed, std::vector<std::string>{"run 2 of ads, left by abmd (pid " + pid_ + ")"});
  EXPECT_EQ(row(*held), "running|0|0|");
  EXPECT_EQ(row(*expired).find("failed|0|0|abmd (pid " + pid_ + ") stopped during the run"), 0u) << row(*expired);
}

TEST_P(RunLogTest, OnSqliteARunOfAnEndedLocalProcessIsAbandonedAtOnce) {
  // abmd killed a moment ago on this machine: its lease has not expired, but its process is gone.
  auto run = store::startRun(*db_, "crm", false, "abmd", "old-abmd");
  ASSERT_TRUE(run);
  ASSERT_TRUE(db_->exec("UPDATE sync_runs SET owner_pid = 999999999"));
  ASSERT_TRUE(db_->exec("INSERT INTO instances VALUES('old-abmd', '" + store::hostName() + "', 999999999, '0.1', " +
                        store::sqlNow(*db_) + ", " + store::sqlNow(*db_) + ")"));
  ASSERT_TRUE(db_->exec("INSERT INTO leases VALUES('connector:crm', 'old-abmd', " + store::sqlNow(*db_) + ", " +
                        store::sqlNow(*db_) + ", " + store::sqlNowPlus(*db_, std::chrono::seconds(600)) + ")"));
  auto closed = store::closeAbandonedRuns(*db_);
  ASSERT_TRUE(closed) << closed.error();
  if (!store_.sqlite()) {
    // On PostgreSQL another machine may carry the same host name: only the lease's expiry counts.
    EXPECT_TRUE(closed->empty());
    EXPECT_EQ(row(*run), "running|0|0|");
    return;
  }
  EXPECT_EQ(*closed, std::vector<std::string>{"run 1 of crm, left by abmd (pid 999999999)"});
  EXPECT_EQ(count("SELECT count(*) FROM leases"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM instances"), 0);
}

TEST_P(RunLogTest, TheLeaseTakerClosesRunsLeftUnfinishedByOthers) {
  auto dead = store::startRun(*db_, "crm", false, "abmd", "host1:41");
  auto legacy = store::startRun(*db_, "crm", false, "abmd");  // from before instances existed
  auto mine = store::startRun(*db_, "crm", false, "abmd", "host2:42");
  auto other = store::startRun(*db_, "ads", false, "abmd", "host1:41");
  ASSERT_TRUE(dead && legacy && mine && other);
  ASSERT_TRUE(store::recordProgress(*db_, *dead, 300, 1));
  auto closed = store::closeRunsLeftUnfinished(*db_, "crm", "host2:42");
  ASSERT_TRUE(closed) << closed.error();
  EXPECT_EQ(*closed, (std::vector<std::string>{
                         "run 1 left unfinished by instance host1:41; resumed by host2:42",
                         "run 2 left unfinished by abmd (pid " + pid_ + "); resumed by host2:42"}));
  EXPECT_EQ(row(*dead), "interrupted|300|1|left unfinished by instance host1:41; resumed by host2:42");
  EXPECT_EQ(row(*mine), "running|0|0|") << "this process's own run is startRun's to close";
  EXPECT_EQ(row(*other), "running|0|0|") << "another connector's run is left alone";
  EXPECT_EQ(text("SELECT instance_id FROM sync_runs WHERE run_id = 3"), "host2:42");
  EXPECT_EQ(count("SELECT count(*) FROM sync_runs WHERE instance_id IS NULL"), 1);
}

TEST_P(RunLogTest, AnIntervalRunIsNotDueWhileTheLastSuccessIsYoungerThanTheInterval) {
  using std::chrono::seconds;
  auto none = store::notDueUntil(*db_, "crm", seconds(3600));
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(*none) << "never ran: due";
  auto run = store::startRun(*db_, "crm", false, "abmd");
  ASSERT_TRUE(run);
  ASSERT_TRUE(store::finishRun(*db_, *run, "succeeded", 10, 0, ""));
  const int64_t finished = *parseTimestamp(text("SELECT finished_at FROM sync_runs"));
  auto until = store::notDueUntil(*db_, "crm", seconds(3600));
  ASSERT_TRUE(until);
  ASSERT_TRUE(*until);
  EXPECT_EQ(**until, finished + 3600);
  ASSERT_TRUE(db_->exec("UPDATE sync_runs SET finished_at = " + store::sqlNowPlus(*db_, seconds(-3600))));
  EXPECT_FALSE(*store::notDueUntil(*db_, "crm", seconds(3600))) << "an interval ago: due";
  auto failed = store::startRun(*db_, "ads", false, "abmd");
  ASSERT_TRUE(store::finishRun(*db_, *failed, "failed", 0, 0, "boom"));
  EXPECT_FALSE(*store::notDueUntil(*db_, "ads", seconds(3600))) << "only a success makes it not due";
}

TEST_P(RunLogTest, ACronOccurrenceRanOnceARunStartedSinceItFellDue) {
  auto run = store::startRun(*db_, "crm", false, "abmd");
  ASSERT_TRUE(run);
  const int64_t started = *parseTimestamp(text("SELECT started_at FROM sync_runs"));
  EXPECT_TRUE(*store::ranSince(*db_, "crm", started));
  EXPECT_FALSE(*store::ranSince(*db_, "crm", started + 1));
  EXPECT_FALSE(*store::ranSince(*db_, "ads", started));
  // An interrupted run (its instance died or shut down) did not do the occurrence.
  ASSERT_TRUE(store::finishRun(*db_, *run, "interrupted", 0, 0, "stopped"));
  EXPECT_FALSE(*store::ranSince(*db_, "crm", started));
}

TEST_P(RunLogTest, RunsAndCheckpointsOfOneConnectorOrOfAll) {
  auto crm = store::startRun(*db_, "crm", false, "abmd");
  auto ads = store::startRun(*db_, "ads", true, "abmd");
  ASSERT_TRUE(crm && ads);
  ASSERT_TRUE(store::finishRun(*db_, *crm, "succeeded", 5, 1, ""));
  auto all = store::listRuns(*db_, "", 10);
  ASSERT_TRUE(all) << all.error();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].connector, "ads") << "newest first";
  EXPECT_TRUE((*all)[0].full_refresh);
  auto one = store::listRuns(*db_, "crm", 10);
  ASSERT_TRUE(one) << one.error();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].status, "succeeded");
  EXPECT_EQ((*one)[0].records, 5);
  EXPECT_FALSE((*one)[0].finished_at.empty());

  ASSERT_TRUE(db_->exec("INSERT INTO sync_state(connector, stream, state, updated_at) VALUES"
                        " ('crm', 'a', '{\"cursor\": 1}', '2024-01-01T00:00:00Z'),"
                        " ('crm', 'b', '{}', '2024-01-01T00:00:00Z'), ('ads', 'a', '{}', '2024-01-01T00:00:00Z')"));
  auto states = store::loadStates(*db_, "crm");
  ASSERT_TRUE(states) << states.error();
  EXPECT_EQ(states->dump(), R"({"a":{"cursor":1},"b":{}})");
  int removed = 0;
  ASSERT_TRUE(store::resetState(*db_, "crm", "a", removed));
  EXPECT_EQ(removed, 1);
  ASSERT_TRUE(store::resetState(*db_, "crm", "", removed));
  EXPECT_EQ(removed, 1) << "every stream of crm: only b was left";
  EXPECT_EQ(count("SELECT count(*) FROM sync_state"), 1) << "ads keeps its checkpoint";
}

}  // namespace
