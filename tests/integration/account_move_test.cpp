// A source moves records to another account between syncs: the real abmctl, the csv plugin in its
// worker, and a real store. Before migration 0004 the second sync failed for good with
// "UNIQUE constraint failed: metrics_dirty_accounts.account_id".
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace abm::test;

namespace {

class AccountMove : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig();
    ws_.addConnector("crm", "csv", R"({"path": "../data"})");
    writeFile(ws_.dir / "data/accounts.csv", "external_id,name\nA,Acme\nBB,Beta\n");
    writeFile(ws_.dir / "data/touchpoints.csv",
              "external_id,contact_external_id,account_external_id,channel,activity,occurred_at\n"
              "t1,c1,,email,email_open,2024-01-02T00:00:00Z\n"
              "t2,c1,A,email,email_open,2024-01-03T00:00:00Z\n");
    placeOn("A");
  }
  // Rewrites the contact and the deal onto `account` (the file's size changes with it).
  void placeOn(const std::string& account) {
    writeFile(ws_.dir / "data/contacts.csv", "external_id,account_external_id,email\nc1," + account + ",jo@example.org\n");
    writeFile(ws_.dir / "data/opportunities.csv",
              "external_id,account_external_id,amount,created_at\no1," + account + ",100,2024-01-01T00:00:00Z\n");
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {(binDir() / "abmctl").string(), "-c", ws_.config().string()});
    return run(args);
  }
  std::string where(const std::string& table, const std::string& id) {
    return queryText(ws_.store(), "SELECT i.external_id FROM " + table + " t JOIN account_identities i USING (account_id)"
                                  " WHERE t.external_id = '" + id + "'");
  }

  Workspace ws_;
};

TEST_F(AccountMove, ASecondSyncMovesTheRecordsWithOrWithoutAMetricsRunBetween) {
  auto first = ctl({"sync", "crm"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(where("contacts", "c1"), "A");

  placeOn("BB");  // no metrics run since the first sync: both accounts are still marked
  auto moved = ctl({"sync", "crm"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(where("contacts", "c1"), "BB");
  EXPECT_EQ(where("opportunities", "o1"), "BB");
  EXPECT_EQ(where("touchpoints", "t1"), "BB") << "a touchpoint tied through its contact follows it";
  EXPECT_EQ(where("touchpoints", "t2"), "A") << "a touchpoint that names its account stays";

  auto metrics = ctl({"metrics", "run"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  ASSERT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 0);
  placeOn("A");
  auto back = ctl({"sync", "crm", "--full-refresh"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(where("contacts", "c1"), "A");
  EXPECT_EQ(where("opportunities", "o1"), "A");
  EXPECT_EQ(where("touchpoints", "t1"), "A");
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 2);
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE status != 'succeeded'"), 0);
}

}  // namespace
