// Bulk rows on the backend under test (BulkInsertTest.*/postgresql runs them through COPY): values
// come back exactly (doubles to the last bit, awkward text, NULL), generated ids follow the order
// the rows were added, a conflict key replaces stored rows, and a row of the wrong width is refused.
#include <gtest/gtest.h>

#include <cstring>

#include "store/bulk_insert.hpp"
#include "test_support.hpp"

using namespace abm;
using test::queryRows;
using test::queryText;

namespace {

class BulkInsertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
    ASSERT_TRUE(db_->beginWrite());
  }
  void TearDown() override {
    if (db_) (void)db_->exec("ROLLBACK");
  }
  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  std::unique_ptr<store::Database> db_;
};

TEST_F(BulkInsertTest, ValuesComeBackExactlyAndIdsFollowTheOrderAdded) {
  store::BulkInsert paths(*db_, "metrics_account_paths", {"account_id", "conversion", "channels", "conversions", "value", "nulls"});
  ASSERT_TRUE(paths.prepare());
  const double third = 1.0 / 3.0, tiny = 5e-324, big = 1.7976931348623157e308;
  ASSERT_TRUE(paths.add(int64_t{7}).addStatic("pipeline").add("web>ads").add(third).add(tiny).add(big).endRow());
  ASSERT_TRUE(paths.add(int64_t{3}).addStatic("revenue").add("tab\there\nline\\slash").add(0.1).add(1e-300).add(2.0).endRow());
  ASSERT_TRUE(paths.flush());
  ASSERT_TRUE(db_->exec("COMMIT"));

  EXPECT_EQ(queryRows(store_.ref(), "SELECT account_id, channels FROM metrics_account_paths ORDER BY rowid"),
            (std::vector<std::string>{"7|web>ads", "3|tab\there\nline\\slash"}));
  auto read = store_.open();
  ASSERT_TRUE(read);
  auto q = read->prepare("SELECT conversions, value, nulls FROM metrics_account_paths ORDER BY rowid");
  ASSERT_TRUE(q);
  std::vector<double> got;
  while (q->step() == store::Step::Row)
    for (int c = 0; c < 3; ++c) got.push_back(q->columnDouble(c));
  ASSERT_TRUE(q->status());
  const std::vector<double> want = {third, tiny, big, 0.1, 1e-300, 2.0};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(std::memcmp(&got[i], &want[i], sizeof(double)), 0) << i;
}

TEST_F(BulkInsertTest, AConflictKeyReplacesTheStoredRowAndNullsStayNull) {
  store::BulkInsert state(*db_, "metrics_account_state", {"account_id", "last_touch_at"}, "account_id");
  ASSERT_TRUE(state.prepare());
  ASSERT_TRUE(state.add(int64_t{1}).add("2024-01-01T00:00:00Z").endRow());
  ASSERT_TRUE(state.add(int64_t{2}).addNull().endRow());
  ASSERT_TRUE(state.flush());
  // A second batch in the same transaction: account 1 replaced, account 3 new.
  ASSERT_TRUE(state.add(int64_t{1}).add("2024-06-30T12:00:00Z").endRow());
  ASSERT_TRUE(state.add(int64_t{3}).add("2025-01-01T00:00:00Z").endRow());
  ASSERT_TRUE(state.flush());
  ASSERT_TRUE(db_->exec("COMMIT"));
  EXPECT_EQ(queryRows(store_.ref(), "SELECT account_id, last_touch_at, last_touch_at IS NULL FROM metrics_account_state"
                                    " ORDER BY account_id"),
            (std::vector<std::string>{"1|2024-06-30T12:00:00Z|0", "2||1", "3|2025-01-01T00:00:00Z|0"}));
}

TEST_F(BulkInsertTest, ARowOfTheWrongWidthIsRefusedNamingTheTable) {
  store::BulkInsert state(*db_, "metrics_account_state", {"account_id", "last_touch_at"}, "account_id");
  ASSERT_TRUE(state.prepare());
  const Status s = state.add(int64_t{1}).endRow();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("metrics_account_state"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("1 values for 2 columns"), std::string::npos) << s.message();
  // The next row starts clean.
  ASSERT_TRUE(state.add(int64_t{4}).addNull().endRow());
  ASSERT_TRUE(state.flush());
  ASSERT_TRUE(db_->exec("COMMIT"));
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM metrics_account_state"), "1");
}

TEST_F(BulkInsertTest, AValueTheStoreRefusesFailsTheFlushOrTheRow) {
  store::BulkInsert history(*db_, "account_stage_history", {"account_id", "stage", "entered_at", "exited_at"});
  ASSERT_TRUE(history.prepare());
  // entered_at is NOT NULL: SQLite refuses the row, PostgreSQL's COPY refuses the batch.
  Status s = history.add(int64_t{1}).addStatic("aware").addNull().addNull().endRow();
  if (s) s = history.flush();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("account_stage_history"), std::string::npos) << s.message();
}

}  // namespace
