// Touchpoint batches on the backend under test (TouchpointBatch.*/postgresql runs them on
// PostgreSQL, where new touchpoints are COPYed straight into touchpoint_keys and touchpoints and
// known ones go through a staging table and abm_merge_touchpoints): last write wins, new
// touchpoints numbered in the order they were added, awkward text intact, ids handed back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "store/touchpoint_batch.hpp"
#include "test_support.hpp"

using namespace abm;
using test::queryRows;
using test::queryText;

namespace {

// A page view on the web, keyed `id`.
store::TouchpointRow row(const std::string& id, const std::string& at, bool want_id = false) {
  store::TouchpointRow r;
  r.external_id = id;
  r.channel = "web";
  r.activity = "page_view";
  r.occurred_at = at;
  r.want_id = want_id;
  return r;
}

class TouchpointBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
  }
  Status write(store::TouchpointBatch& batch, std::vector<std::pair<std::string, int64_t>>& ids) {
    if (auto s = db_->beginWrite(); !s) return s;
    if (auto s = batch.flush(ids); !s) {
      (void)db_->exec("ROLLBACK");
      return s;
    }
    return db_->exec("COMMIT");
  }
  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  std::unique_ptr<store::Database> db_;
};

TEST_F(TouchpointBatchTest, LastWriteWinsAndNewOnesAreNumberedInTheOrderAdded) {
  store::TouchpointBatch batch(*db_, "web");
  ASSERT_TRUE(batch.prepare());
  // Added in an order that is neither key order nor time order; t-2 twice, its second write wins.
  batch.add(row("t-9", "2024-03-05T10:00:00Z"));
  batch.add(row("t-2", "2024-01-01T00:00:00Z", true));
  batch.add(row("t-5", "2023-12-31T23:59:59Z"));
  auto again = row("t-2", "2024-02-10T08:30:00Z");
  again.activity = "form_submit";
  again.quantity = 3;
  again.account_via_domain = "acme.com";
  batch.add(again);
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(write(batch, ids));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(queryRows(store_.ref(), "SELECT touchpoint_id, external_id FROM touchpoints ORDER BY touchpoint_id"),
            (std::vector<std::string>{"1|t-9", "2|t-2", "3|t-5"}));
  EXPECT_EQ(queryRows(store_.ref(),
                      "SELECT activity, occurred_at, account_via_domain FROM touchpoints WHERE external_id = 't-2'"),
            (std::vector<std::string>{"form_submit|2024-02-10T08:30:00Z|acme.com"}));
  EXPECT_EQ(test::queryInt(store_.ref(), "SELECT quantity FROM touchpoints WHERE external_id = 't-2'"), 3);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], (std::pair<std::string, int64_t>{"t-2", 2}));

  // A second batch: a known touchpoint keeps its id (and moves month), a new one takes the next.
  batch.add(row("t-1", "2024-04-01T00:00:00Z", true));
  batch.add(row("t-9", "2025-06-30T12:00:00Z", true));
  ids.clear();
  ASSERT_TRUE(write(batch, ids));
  EXPECT_EQ(ids, (std::vector<std::pair<std::string, int64_t>>{{"t-1", 4}, {"t-9", 1}}));
  EXPECT_EQ(queryText(store_.ref(), "SELECT occurred_at FROM touchpoints WHERE touchpoint_id = 1"), "2025-06-30T12:00:00Z");
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM touchpoints"), "4");
}

TEST_F(TouchpointBatchTest, TextWithTabsNewlinesAndBackslashesAndNullsComesBackIntact) {
  store::TouchpointBatch batch(*db_, "we\tb\\src");
  ASSERT_TRUE(batch.prepare());
  auto r = row("line\nbreak\\and\ttab\r", "2024-05-05T05:05:05Z", true);
  r.properties = R"({"path":"/a\tb\\c\nd","n":1})";
  r.account_id = 0;  // NULL
  batch.add(r);
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(write(batch, ids));
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].first, "line\nbreak\\and\ttab\r");
  EXPECT_EQ(queryText(store_.ref(), "SELECT source FROM touchpoints"), "we\tb\\src");
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM touchpoints WHERE account_id IS NULL AND quantity = 1"), "1");
  const auto props = nlohmann::json::parse(queryText(store_.ref(), "SELECT properties FROM touchpoints"));
  EXPECT_EQ(props, nlohmann::json::parse(*r.properties));
}

// A batch mixing known and new touchpoints, with keys that need quoting wherever keys are listed
// (quotes, backslashes, commas, braces, the word NULL, an empty key): the known ones are found again
// and keep their ids, the new ones are numbered after them in the order added, and ids come back in
// the order the rows were added.
TEST_F(TouchpointBatchTest, KnownAndNewInOneBatchKeepAndTakeIdsWhateverTheKeysHold) {
  const std::vector<std::string> awkward = {"a\"b", "c\\d", "e,f", "{g}", "NULL", "", " h "};
  store::TouchpointBatch batch(*db_, "web");
  ASSERT_TRUE(batch.prepare());
  for (const auto& key : awkward) batch.add(row(key, "2024-01-15T00:00:00Z"));
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(write(batch, ids));
  ASSERT_EQ(test::queryInt(store_.ref(), "SELECT count(*) FROM touchpoints"), 7);

  batch.add(row("new-1", "2024-02-01T00:00:00Z", true));
  for (const auto& key : awkward) {
    auto again = row(key, "2024-01-20T00:00:00Z", true);
    again.activity = "form_submit";
    batch.add(again);
  }
  batch.add(row("new-2", "2024-02-02T00:00:00Z", true));
  ids.clear();
  ASSERT_TRUE(write(batch, ids));
  std::vector<std::pair<std::string, int64_t>> expected = {{"new-1", 8}};
  for (size_t i = 0; i < awkward.size(); ++i) expected.emplace_back(awkward[i], static_cast<int64_t>(i + 1));
  expected.emplace_back("new-2", 9);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(test::queryInt(store_.ref(), "SELECT count(*) FROM touchpoints"), 9);
  EXPECT_EQ(test::queryInt(store_.ref(), "SELECT count(*) FROM touchpoints WHERE activity = 'form_submit'"
                                         " AND occurred_at = '2024-01-20T00:00:00Z'"),
            7);
  EXPECT_EQ(queryText(store_.ref(), "SELECT touchpoint_id FROM touchpoints WHERE external_id = 'a\"b'"), "1");
  if (db_->backend() == store::Backend::Postgresql) {
    EXPECT_EQ(test::queryInt(store_.ref(), "SELECT count(*) FROM touchpoint_keys k JOIN touchpoints t"
                                           " USING (touchpoint_id, source, external_id, occurred_at)"),
              9);
  }
}

TEST_F(TouchpointBatchTest, ABadRowFailsTheBatchNamingItAndWritesNothing) {
  store::TouchpointBatch batch(*db_, "web");
  ASSERT_TRUE(batch.prepare());
  batch.add(row("ok", "2024-01-01T00:00:00Z"));
  auto bad = row("bad", "2024-01-01T00:00:00Z");
  bad.channel = "telepathy";  // not a channel: the CHECK refuses it
  batch.add(bad);
  std::vector<std::pair<std::string, int64_t>> ids;
  const Status s = write(batch, ids);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("touchpoint"), std::string::npos) << s.message();
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM touchpoints"), "0");
}

// A month whose partition another session is making at that moment (it holds the partition makers'
// advisory lock): the batch does not wait, its rows wait in touchpoints_default instead, and
// moveWaitingTouchpoints makes the partition and moves them there once the lock is free.
TEST_F(TouchpointBatchTest, RowsLeftInTheDefaultPartitionMoveToTheirMonthLater) {
  if (db_->backend() != store::Backend::Postgresql) {
    auto none = store::moveWaitingTouchpoints(*db_);
    ASSERT_TRUE(none) << none.error();
    EXPECT_EQ(*none, 0);  // SQLite has no partitions
    return;
  }
  auto maker = store_.open();
  ASSERT_TRUE(maker);
  ASSERT_TRUE(maker->exec("BEGIN"));
  ASSERT_TRUE(maker->exec("SELECT pg_advisory_xact_lock(1633840484, 1)"));

  store::TouchpointBatch batch(*db_, "web");
  ASSERT_TRUE(batch.prepare());
  batch.add(row("t-1", "2031-05-02T10:00:00Z"));
  batch.add(row("t-2", "2031-05-20T10:00:00Z"));
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(write(batch, ids));
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM touchpoints_default"), "2");
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM pg_class WHERE relname = 'touchpoints_y2031m05'"), "0");

  ASSERT_TRUE(maker->exec("COMMIT"));
  auto moved = store::moveWaitingTouchpoints(*db_);
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_EQ(*moved, 1);
  EXPECT_EQ(queryRows(store_.ref(), "SELECT tableoid::regclass::text, external_id FROM touchpoints ORDER BY external_id"),
            (std::vector<std::string>{"touchpoints_y2031m05|t-1", "touchpoints_y2031m05|t-2"}));
  auto again = store::moveWaitingTouchpoints(*db_);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, 0);
}

// PostgreSQL: a key made by another session after the batch looked its keys up (which abmd's writers,
// taking turns, never do) fails the batch on touchpoint_keys' primary key: nothing is written twice.
TEST(PostgreSQLTouchpointBatch, AKeyMadeMeanwhileElsewhereFailsTheBatchInsteadOfWritingItTwice) {
  test::TempDir tmp;
  test::TestStore store(tmp / "abm.db", store::Backend::Postgresql);
  auto db = store.open();
  auto other = store.open();
  ASSERT_TRUE(db && other);
  ASSERT_TRUE(other->exec("BEGIN"));
  ASSERT_TRUE(other->exec("INSERT INTO touchpoint_keys(source, external_id, occurred_at)"
                          " VALUES ('web', 't-2', '2024-01-01T00:00:00Z')"));

  store::TouchpointBatch batch(*db, "web");
  ASSERT_TRUE(batch.prepare());
  batch.add(row("t-1", "2024-01-01T00:00:00Z"));
  batch.add(row("t-2", "2024-01-01T00:00:00Z"));
  Status written;
  std::thread writer([&] {
    std::vector<std::pair<std::string, int64_t>> ids;
    written = db->beginWrite();
    if (written) written = batch.flush(ids);
    (void)db->exec("ROLLBACK");
  });
  // The batch's COPY waits for the other session's uncommitted key; then that session commits.
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = test::queryInt(store.ref(), "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                                          " WHERE NOT l.granted AND a.datname = current_database()") > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(waiting);
  ASSERT_TRUE(other->exec("COMMIT"));
  writer.join();
  ASSERT_FALSE(written);
  EXPECT_NE(written.message().find("cannot write 2 touchpoints"), std::string::npos) << written.message();
  EXPECT_NE(written.message().find("touchpoint_keys"), std::string::npos) << written.message();
  EXPECT_EQ(queryText(store.ref(), "SELECT count(*) FROM touchpoints"), "0");
  EXPECT_EQ(queryRows(store.ref(), "SELECT external_id FROM touchpoint_keys"), (std::vector<std::string>{"t-2"}));
}

// PostgreSQL's text cannot hold a NUL byte (and libpq would cut the key list at it): the batch fails
// naming the touchpoint, and writes nothing.
TEST(PostgreSQLTouchpointBatch, AKeyWithANulByteFailsTheBatchNamingIt) {
  test::TempDir tmp;
  test::TestStore store(tmp / "abm.db", store::Backend::Postgresql);
  auto db = store.open();
  ASSERT_TRUE(db);
  store::TouchpointBatch batch(*db, "web");
  ASSERT_TRUE(batch.prepare());
  batch.add(row("fine", "2024-01-01T00:00:00Z"));
  batch.add(row(std::string("bad\0key", 7), "2024-01-01T00:00:00Z"));
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(db->beginWrite());
  const Status s = batch.flush(ids);
  (void)db->exec("ROLLBACK");
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("touchpoint bad"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("NUL"), std::string::npos) << s.message();
  EXPECT_EQ(queryText(store.ref(), "SELECT count(*) FROM touchpoints"), "0");
}

// PostgreSQL: a month partition made by a transaction that rolled back is gone with it; after
// clear() the batch makes it again instead of leaving the month's rows in touchpoints_default.
TEST_F(TouchpointBatchTest, AMonthMadeByARolledBackTransactionIsMadeAgain) {
  store::TouchpointBatch batch(*db_, "web");
  ASSERT_TRUE(batch.prepare());
  batch.add(row("t-1", "2033-02-03T00:00:00Z"));
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(db_->beginWrite());
  ASSERT_TRUE(batch.flush(ids));
  ASSERT_TRUE(db_->exec("ROLLBACK"));
  batch.clear();
  EXPECT_EQ(queryText(store_.ref(), "SELECT count(*) FROM touchpoints"), "0");

  batch.add(row("t-2", "2033-02-04T00:00:00Z"));
  ASSERT_TRUE(write(batch, ids));
  if (db_->backend() == store::Backend::Postgresql)
    EXPECT_EQ(queryRows(store_.ref(), "SELECT tableoid::regclass::text, external_id FROM touchpoints"),
              (std::vector<std::string>{"touchpoints_y2033m02|t-2"}));
  else
    EXPECT_EQ(queryRows(store_.ref(), "SELECT external_id FROM touchpoints"), (std::vector<std::string>{"t-2"}));
}

}  // namespace
