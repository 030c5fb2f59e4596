#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace abm;
using test::queryInt;
namespace fs = std::filesystem;

namespace {

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(test::sourceDir() / "schema", schema_, fs::copy_options::recursive);
    auto db = store::Database::open(store_.location());
    ASSERT_TRUE(db) << db.error();
    db_ = std::make_unique<store::Database>(std::move(*db));
  }
  int64_t applied() { return queryInt(store_.ref(), "SELECT count(*) FROM schema_migrations"); }
  bool hasTable(const std::string& name) {
    auto db = store::Database::open(store_.location(), true);
    EXPECT_TRUE(db) << db.error();
    auto has = db ? db->hasTable(name) : Result<bool>(Status::error("not open"));
    EXPECT_TRUE(has) << has.error();
    return has && *has;
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  fs::path schema_ = tmp_ / "schema";
  // Where the migrations of the backend under test are: schema/ for SQLite, schema/postgresql/.
  fs::path files_ = test::onPostgresql() ? schema_ / "postgresql" : schema_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(MigrationsTest, EachFileRunsOnce) {
  ASSERT_TRUE(store::applyMigrations(*db_, schema_));
  const int64_t n = applied();
  EXPECT_GE(n, 4);
  auto again = store::applyMigrations(*db_, schema_);
  EXPECT_TRUE(again) << again.message();
  EXPECT_EQ(applied(), n);
}

TEST_F(MigrationsTest, AnUnreadableFileIsAnErrorAndIsNotRecorded) {
  fs::create_directory(files_ / "0099_unreadable.sql");  // opens, but reading it fails
  auto s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot read migration " + (files_ / "0099_unreadable.sql").string()), std::string::npos)
      << s.message();
  // All pending files are one transaction: nothing is half applied, and the next start tries again.
  EXPECT_FALSE(hasTable("schema_migrations"));
  EXPECT_FALSE(hasTable("accounts"));
  fs::remove(files_ / "0099_unreadable.sql");
  test::writeFile(files_ / "0099_empty.sql", "\n");
  s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("0099_empty.sql is empty"), std::string::npos) << s.message();
}

TEST_F(MigrationsTest, AFailingMigrationLeavesTheStoreAsItWas) {
  ASSERT_TRUE(store::applyMigrations(*db_, schema_));
  const int64_t n = applied();
  test::writeFile(files_ / "0098_new.sql", "CREATE TABLE extra(x integer); CREATE TABLE accounts(x integer);");
  auto s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  // SQLite says "table accounts already exists", PostgreSQL 'relation "accounts" already exists'.
  EXPECT_NE(s.message().find("0098_new.sql failed: "), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("accounts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("already exists"), std::string::npos) << s.message();
  EXPECT_EQ(applied(), n);
  EXPECT_FALSE(hasTable("extra"));
  // The store still works: the failed attempt left no transaction open on the connection.
  auto again = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(again);
  fs::remove(files_ / "0098_new.sql");
  auto fine = store::applyMigrations(*db_, schema_);
  EXPECT_TRUE(fine) << fine.message();
}

}  // namespace
