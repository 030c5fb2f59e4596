// The run log against a real store (SQLite, or PostgreSQL in the /postgresql run): counts that commit with the data, runs that say which process
// was lost, and runs whose end could not be written closed by the next one.
#include <gtest/gtest.h>
#include <unistd.h>

#include "store/migrations.hpp"
#include "store/run_log.hpp"
#include "test_support.hpp"

using namespace abm;
using test::queryInt;
using test::queryText;

namespace {

class RunLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::open(store_.location());
    ASSERT_TRUE(db) << db.error();
    db_ = std::make_unique<store::Database>(std::move(*db));
    ASSERT_TRUE(store::applyMigrations(*db_, test::sourceDir() / "schema"));
  }
  test::StoreRef path() const { return store_.ref(); }
  std::string row(int64_t run_id) {
    return queryText(path(), "SELECT status || '|' || records || '|' || rejected || '|' || coalesce(error, '')"
                             " FROM sync_runs WHERE run_id = " + std::to_string(run_id));
  }
  const std::string pid_ = std::to_string(::getpid());
  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  std::unique_ptr<store::Database> db_;
};

TEST_F(RunLogTest, ALostProcessLeavesItsCommittedCountsAndItsName) {
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

TEST_F(RunLogTest, ARunWhoseEndCouldNotBeWrittenIsClosedWhenTheConnectorRunsAgain) {
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

TEST_F(RunLogTest, FailRunKeepsTheCountsItsCommitsRecorded) {
  auto run = store::startRun(*db_, "crm", true, "abmd");
  ASSERT_TRUE(run);
  ASSERT_TRUE(store::recordProgress(*db_, *run, 77, 2));
  ASSERT_TRUE(store::failRun(*db_, *run, "internal error: boom"));
  EXPECT_EQ(row(*run), "failed|77|2|internal error: boom");
  EXPECT_EQ(queryInt(path(), "SELECT count(*) FROM sync_runs WHERE finished_at IS NOT NULL"), 1);
}

TEST_F(RunLogTest, LastSuccessesAreTheNewestSucceededRunOfEachConnector) {
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

TEST_F(RunLogTest, RunsAndCheckpointsOfOneConnectorOrOfAll) {
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
  EXPECT_EQ(queryInt(path(), "SELECT count(*) FROM sync_state"), 1) << "ads keeps its checkpoint";
}

}  // namespace
