// abmctl store copy: an SQLite store moved to PostgreSQL keeps every row and id, reads the same,
// and a daemon carries on on it; what must not be copied over is refused.
#include <gtest/gtest.h>

#include "postgres_test_db.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

class StoreCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(onPostgresql()) << "the source of these tests is an SQLite store";
    auto gen = run({(binDir() / "abm-demo-gen").string(), (ws_.dir / "data").string(), "--accounts", "40",
                    "--touchpoints", "1500"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    ws_.writeConfig();
    ws_.addConnector("demo", "csv", "{\"path\": \"../data\"}");
    ASSERT_EQ(ctl(ws_, {"sync", "demo"}).exit_code, 0);
    auto m = ctl(ws_, {"metrics", "run", "--as-of", "2026-11-01T00:00:00Z"});
    ASSERT_EQ(m.exit_code, 0) << m.err;
    pg_ = PostgresTestDatabase::create();
  }
  static CommandResult ctl(const Workspace& ws, std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws.config().string()});
    return run(args);
  }
  // The same workspace's connectors, with the store at PostgreSQL.
  void writePostgresConfig(Workspace& other) {
    other.writeConfig();
    std::string text = readFile(other.config());
    text.replace(text.find("sqlite://abm.db"), std::string("sqlite://abm.db").size(), pg_->url());
    writeFile(other.config(), text);
    fs::create_directories(other.connectors());
    fs::copy(ws_.connectors(), other.connectors(), fs::copy_options::overwrite_existing | fs::copy_options::recursive);
    fs::create_directory_symlink(ws_.dir / "data", other.dir / "data");
  }
  StoreRef target() const { return StoreRef(abm::store::Location{abm::store::Backend::Postgresql, {}, pg_->url()}); }

  Workspace ws_;
  std::unique_ptr<PostgresTestDatabase> pg_;
};

TEST_F(StoreCopy, EveryRowAndIdArrivesAndTheCountsAreChecked) {
  auto r = ctl(ws_, {"store", "copy", "--to", pg_->url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("every table's count matches"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("touchpoints: "), std::string::npos) << r.out;
  const char* keyed[] = {
      "SELECT account_id, name, registrable_domain, is_target, created_at FROM accounts ORDER BY account_id",
      "SELECT contact_id, account_id, source, external_id, email, created_at_known FROM contacts ORDER BY contact_id",
      "SELECT opportunity_id, account_id, external_id, stage, is_won, is_closed, closed_at FROM opportunities"
      " ORDER BY opportunity_id",
      "SELECT touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel, occurred_at"
      " FROM touchpoints ORDER BY touchpoint_id",
      "SELECT campaign_id, source, external_id, channel FROM campaigns ORDER BY campaign_id",
      "SELECT connector, stream, state FROM sync_state ORDER BY connector, stream",
      "SELECT account_id, stage, since FROM account_stages ORDER BY account_id",
      "SELECT run_id, connector, status, records FROM sync_runs ORDER BY run_id",
  };
  for (const char* sql : keyed) {
    const auto rows = queryRows(ws_.store(), sql);
    EXPECT_FALSE(rows.empty()) << sql;
    EXPECT_EQ(queryRows(target(), sql), rows) << sql;
  }
  EXPECT_EQ(queryInt(target(), "SELECT count(*) FROM touchpoint_keys"), queryInt(ws_.store(), "SELECT count(*) FROM touchpoints"));
  EXPECT_EQ(queryInt(target(), "SELECT count(*) FROM attribution_touches"),
            queryInt(ws_.store(), "SELECT count(*) FROM attribution_touches"));
  // New rows continue after the copied ids.
  EXPECT_EQ(std::stoll(pg_->scalar("SELECT nextval(pg_get_serial_sequence('accounts', 'account_id'))")),
            queryInt(ws_.store(), "SELECT max(account_id) FROM accounts") + 1);

  // A daemon on the copy carries on: the same files again change nothing, and the report reads alike.
  Workspace moved;
  writePostgresConfig(moved);
  auto again = ctl(moved, {"sync", "demo"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(queryInt(target(), "SELECT count(*) FROM touchpoints"), queryInt(ws_.store(), "SELECT count(*) FROM touchpoints"));
  EXPECT_EQ(queryInt(target(), "SELECT max(account_id) FROM accounts"), queryInt(ws_.store(), "SELECT max(account_id) FROM accounts"));
  auto report_sqlite = ctl(ws_, {"report"});
  auto report_pg = ctl(moved, {"report"});
  ASSERT_EQ(report_pg.exit_code, 0) << report_pg.err;
  // Everything but the first line, which names the store.
  auto body = [](const std::string& report) { return report.substr(report.find('\n')); };
  EXPECT_EQ(body(report_pg.out), body(report_sqlite.out));
}

TEST_F(StoreCopy, RefusesATargetWithDataTheSameStoreAndABadUrl) {
  ASSERT_EQ(ctl(ws_, {"store", "copy", "--to", pg_->url()}).exit_code, 0);
  auto twice = ctl(ws_, {"store", "copy", "--to", pg_->url()});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already holds data"), std::string::npos) << twice.err;

  auto self = ctl(ws_, {"store", "copy", "--to", "sqlite://" + ws_.store().string()});
  EXPECT_EQ(self.exit_code, 2);
  EXPECT_NE(self.err.find("already uses"), std::string::npos) << self.err;

  auto bad = ctl(ws_, {"store", "copy", "--to", "mysql://root:hunter2@db/abm"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("scheme 'mysql' is not supported"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("hunter2"), std::string::npos) << "a password in an error: " << bad.err;

  auto missing = ctl(ws_, {"store", "copy"});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
