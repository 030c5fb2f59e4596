// The SQLite store's files take "store_mode" whatever the umask (docs/store.md#reading-the-store).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/database.hpp"
#include "test_support.hpp"

using namespace abm;
namespace fs = std::filesystem;

namespace {

unsigned modeOf(const fs::path& p) {
  struct stat st{};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Sets the process umask for one test and puts the old one back.
struct Umask {
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
  mode_t old;
};

}  // namespace

TEST(StoreFileMode, TheStoreItsWalAndShmGetTheSettingsModeWhateverTheUmask) {
  for (const mode_t mask : {mode_t{077}, mode_t{0}}) {
    test::TempDir t;
    Umask umask(mask);
    auto where = store::Location::sqlite(t / "abm.db");
    where.file_mode = 0640;
    auto db = store::Database::open(where, false);
    ASSERT_TRUE(db) << db.error();
    ASSERT_TRUE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1);"));
    EXPECT_EQ(modeOf(t / "abm.db"), 0640u) << "umask " << mask;
    EXPECT_EQ(modeOf(t / "abm.db-wal"), 0640u) << "umask " << mask;
    EXPECT_EQ(modeOf(t / "abm.db-shm"), 0640u) << "umask " << mask;
  }
}

TEST(StoreFileMode, AnExistingStoreTakesAChangedModeAtItsNextOpen) {
  test::TempDir t;
  auto where = store::Location::sqlite(t / "abm.db");
  where.file_mode = 0600;
  {
    auto db = store::Database::open(where, false);
    ASSERT_TRUE(db) << db.error();
    ASSERT_TRUE(db->exec("CREATE TABLE t(x);"));
  }
  EXPECT_EQ(modeOf(t / "abm.db"), 0600u);
  where.file_mode = 0660;
  auto db = store::Database::open(where, false);
  ASSERT_TRUE(db) << db.error();
  ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1);"));
  EXPECT_EQ(modeOf(t / "abm.db"), 0660u);
  EXPECT_EQ(modeOf(t / "abm.db-wal"), 0660u);
}

TEST(StoreFileMode, AReaderNeitherCreatesNorChangesTheStore) {
  test::TempDir t;
  auto where = store::Location::sqlite(t / "abm.db");
  EXPECT_FALSE(store::Database::open(where, true));
  EXPECT_FALSE(fs::exists(t / "abm.db"));
  where.file_mode = 0600;
  ASSERT_TRUE(store::Database::open(where, false));
  where.file_mode = 0640;
  ASSERT_TRUE(store::Database::open(where, true));
  EXPECT_EQ(modeOf(t / "abm.db"), 0600u);
}

TEST(StoreFileMode, AStoreInAMissingFolderSaysSo) {
  test::TempDir t;
  auto db = store::Database::open(store::Location::sqlite(t / "no" / "abm.db"), false);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), "cannot create store " + (t / "no" / "abm.db").string() + ": No such file or directory");
}
