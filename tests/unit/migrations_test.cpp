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
    fs::copy(test::sourceDir() / "schema", schema_);
    auto db = store::Database::open((tmp_ / "abm.db").string());
    ASSERT_TRUE(db) << db.error();
    db_ = std::make_unique<store::Database>(std::move(*db));
  }
  int64_t applied() { return queryInt(tmp_ / "abm.db", "SELECT count(*) FROM schema_migrations"); }

  test::TempDir tmp_;
  fs::path schema_ = tmp_ / "schema";
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
  fs::create_directory(schema_ / "0099_unreadable.sql");  // opens, but reading it fails
  auto s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot read migration " + (schema_ / "0099_unreadable.sql").string()), std::string::npos)
      << s.message();
  // All pending files are one transaction: nothing is half applied, and the next start tries again.
  EXPECT_EQ(queryInt(tmp_ / "abm.db", "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'"), 0);
  fs::remove(schema_ / "0099_unreadable.sql");
  test::writeFile(schema_ / "0099_empty.sql", "\n");
  s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("0099_empty.sql is empty"), std::string::npos) << s.message();
}

TEST_F(MigrationsTest, AFailingMigrationLeavesTheStoreAsItWas) {
  ASSERT_TRUE(store::applyMigrations(*db_, schema_));
  const int64_t n = applied();
  test::writeFile(schema_ / "0098_new.sql", "CREATE TABLE extra(x); CREATE TABLE accounts(x);");
  auto s = store::applyMigrations(*db_, schema_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("0098_new.sql failed: table accounts already exists"), std::string::npos) << s.message();
  EXPECT_EQ(applied(), n);
  EXPECT_EQ(queryInt(tmp_ / "abm.db", "SELECT count(*) FROM sqlite_master WHERE name = 'extra'"), 0);
}

}  // namespace
