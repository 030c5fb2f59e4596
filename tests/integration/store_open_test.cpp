// Who may create and migrate the store: only writers, under the store lock, in one exclusive
// transaction. Read-only commands neither create nor migrate, so they cannot race a starting daemon.
#include <gtest/gtest.h>

#include <memory>

#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

size_t migrationFiles() {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(sourceDir() / "schema")) n += e.path().extension() == ".sql";
  return n;
}

// About SQLite's file: a PostgreSQL database always exists (the next test is the case for both).
TEST(StoreOpen, ReadOnlyCommandsOnAMissingStoreFailAndCreateNothing) {
  Workspace ws;
  ws.writeConfig();
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"status"}, {"runs"}, {"state", "show", "crm"}, {"report"}}) {
    std::vector<std::string> argv{kCtl, "-c", ws.config().string()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 1) << cmd[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("no store at " + ws.store().string()), std::string::npos) << cmd[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(ws.store())) << cmd[0] << " created the store";
  }
}

TEST(StoreOpen, ReadOnlyCommandsDoNotMigrateAnOlderStore) {
  Workspace ws;
  ws.writeConfig();
  ws.addConnector("crm", "csv", R"({"path": "../data"})");
  writeFile(ws.dir / "data/accounts.csv", "external_id,name\na1,Acme\n");
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "crm"}).exit_code, 0);
  // The store as an older abmd left it: the last migration's record is gone.
  const int64_t newest = queryInt(ws.store(), "SELECT max(version) FROM schema_migrations");
  execSql(ws.store(), "DELETE FROM schema_migrations WHERE version = " + std::to_string(newest));
  auto status = run({kCtl, "-c", ws.config().string(), "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM schema_migrations WHERE version = " + std::to_string(newest)), 0)
      << "status migrated the store";
}

// A store that exists but was never migrated (an empty SQLite file, an empty PostgreSQL database):
// read-only commands say so and leave it as it is.
TEST(StoreOpen, ReadOnlyCommandsOnAStoreWithoutASchemaSayHowToGoOn) {
  Workspace ws;
  ws.writeConfig();
  {
    auto created = abm::store::Database::open(ws.store().location());  // an SQLite file appears; a database exists
    ASSERT_TRUE(created) << created.error();
  }
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{{"status"}, {"runs"}, {"report"}}) {
    std::vector<std::string> argv{kCtl, "-c", ws.config().string()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 1) << cmd[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("store " + ws.store().string() + " has no schema yet"), std::string::npos) << cmd[0] << ": " << r.err;
  }
  auto db = abm::store::Database::open(ws.store().location(), true);
  ASSERT_TRUE(db) << db.error();
  auto migrated = db->hasTable("schema_migrations");
  ASSERT_TRUE(migrated) << migrated.error();
  EXPECT_FALSE(*migrated) << "a read-only command migrated the store";
}

// A daemon starting on a fresh path while status commands run: before, each of them created and
// migrated the store without the lock, and abmd could fail with "table accounts already exists".
TEST(StoreOpen, StatusCommandsNeverRaceAStartingDaemon) {
  for (int round = 0; round < 5; ++round) {
    Workspace ws;
    ws.writeConfig();
    ws.addConnector("crm", "csv", R"({"path": "../data"})");
    writeFile(ws.dir / "data/accounts.csv", "external_id,name\na1,Acme\n");
    std::vector<std::unique_ptr<Child>> readers;
    Child daemon({(binDir() / "abmd").string(), "-c", ws.config().string(), "--once"}, ws.dir.path());
    for (int i = 0; i < 4; ++i) {
      const fs::path out = ws.dir / ("reader-" + std::to_string(i));
      fs::create_directories(out);
      readers.push_back(std::make_unique<Child>(std::vector<std::string>{kCtl, "-c", ws.config().string(), "status"}, out));
    }
    ASSERT_EQ(daemon.wait(120s), 0) << "round " << round << ": " << daemon.err();
    for (auto& r : readers) {
      const int code = r->wait(60s);
      const std::string err = r->err();
      if (code == 0) continue;
      EXPECT_EQ(code, 1) << err;
      // Too early is the only way a reader may fail: no store yet, or no schema yet.
      EXPECT_TRUE(err.find("no store at") != std::string::npos || err.find("has no schema yet") != std::string::npos)
          << "round " << round << ": " << err;
    }
    EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM schema_migrations"), static_cast<int64_t>(migrationFiles()));
    EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM accounts"), 1);
  }
}

}  // namespace
