// Change tracking end to end (docs/store.md#change-tracking): `abmctl sync` of the demo data through
// the csv plugin in a worker, on SQLite and (the /postgresql run) PostgreSQL. A full refresh of
// unchanged files moves no row's updated_at; a changed file moves exactly its changed rows; the end
// of every run prunes deleted_records by the daemon config's deleted_records_retention.
#include <gtest/gtest.h>

#include <fstream>

#include "store/db_clock.hpp"
#include "change_tracking.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

class ChangeTrackingSync : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = ws_.dir / "data";
    auto gen = run({(binDir() / "abm-demo-gen").string(), data_.string(), "--accounts", "60", "--touchpoints", "2000"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    ws_.addConnector("demo", "csv", "{\"path\": \"../data\"}");
  }
  CommandResult sync(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync", "demo"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runAbmctl(ws_, args);
  }
  void backdate() {
    for (const char* t : kEntityTables) execSql(ws_.store(), std::string("UPDATE ") + t + " SET updated_at = '" + kLongAgo + "'");
  }
  int64_t moved(const std::string& table) {
    return queryInt(ws_.store(), "SELECT count(*) FROM " + table + " WHERE updated_at > '" + kLongAgo + "'");
  }

  Workspace ws_;
  fs::path data_;
};

TEST_F(ChangeTrackingSync, AFullRefreshOfUnchangedDataMovesNothingAndAChangedFileMovesOnlyItsChanges) {
  ws_.writeConfig();
  auto first = sync();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  for (const char* t : kEntityTables)
    ASSERT_GT(moved(t), 0) << t << ": the demo data has rows of it";
  backdate();

  auto again = sync({"--full-refresh"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_GT(queryInt(ws_.store(), "SELECT records FROM sync_runs ORDER BY run_id DESC LIMIT 1"), 2000);
  for (const char* t : kEntityTables) EXPECT_EQ(moved(t), 0) << t << " moved on a full refresh of unchanged files";

  // One touchpoint changed (the first row's quantity, the 8th column, 1 becomes 3) and one new:
  // only they move.
  std::vector<std::string> rows;
  {
    std::ifstream in(data_ / "touchpoints.csv");
    for (std::string line; std::getline(in, line);) rows.push_back(line);
  }
  ASSERT_GT(rows.size(), 2u);
  std::string& row = rows[1];
  const std::string changed_id = row.substr(0, row.find(','));
  size_t at = 0;
  for (int comma = 0; comma < 7; ++comma) at = row.find(',', at) + 1;
  ASSERT_EQ(row.substr(at, 2), "1,") << row;
  row.replace(at, 1, "3");
  rows.push_back("tp-new-1,acc-1000,,,web,form_submit,2026-10-30T10:00:00Z,1,/demo,");
  std::string csv;
  for (const auto& r : rows) csv += r + "\n";
  writeFile(data_ / "touchpoints.csv", csv);
  auto changed = sync();
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(queryJoined(ws_.store(), std::string("SELECT external_id FROM touchpoints WHERE updated_at > '") + kLongAgo +
                                         "' ORDER BY external_id"),
            changed_id < "tp-new-1" ? changed_id + ",tp-new-1" : "tp-new-1," + changed_id);
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM touchpoints WHERE quantity = 3 AND external_id = '" + changed_id + "'"), 1);
  for (const char* t : {"accounts", "contacts", "opportunities", "campaigns", "ad_spend"}) EXPECT_EQ(moved(t), 0) << t;
}

TEST_F(ChangeTrackingSync, EveryRunPrunesDeletionsOlderThanTheRetention) {
  ws_.writeConfig(R"(, "deleted_records_retention": "2d")");
  ASSERT_EQ(sync().exit_code, 0);
  auto db = ws_.store_.open();
  ASSERT_TRUE(db);
  for (const auto& [name, hours_ago] : std::vector<std::pair<std::string, int>>{{"three-days", 72}, {"one-day", 24}})
    execSql(ws_.store(), "INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at) VALUES ('contacts', 1,"
                         " 'demo', '" + name + "', " + abm::store::sqlChangeTimePlus(*db, std::chrono::hours(-hours_ago)) + ")");
  auto r = sync();  // nothing changed since: the run still prunes
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryJoined(ws_.store(), "SELECT external_id FROM deleted_records"), "one-day");

  // A shorter retention on the next run takes the other one.
  ws_.writeConfig(R"(, "deleted_records_retention": "12h")");
  ASSERT_EQ(sync().exit_code, 0);
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM deleted_records"), 0);
}

TEST_F(ChangeTrackingSync, ABadRetentionIsAConfigErrorNamingFileAndKey) {
  ws_.writeConfig(R"(, "deleted_records_retention": "90 days")");
  auto r = sync();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(ws_.config().string() + ": deleted_records_retention: expected a duration"), std::string::npos) << r.err;
}

}  // namespace
