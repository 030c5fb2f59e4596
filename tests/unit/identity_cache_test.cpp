// The identity cache on the backend under test (/postgresql runs it on PostgreSQL, where a batch's
// ids are prefetched in one query per kind instead of a statement per key).
#include <gtest/gtest.h>

#include "pipeline/identity_cache.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::pipeline;

namespace {

class IdentityCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
    ASSERT_TRUE(db_->exec("INSERT INTO accounts(account_id, name, created_at, updated_at) VALUES"
                          " (7, 'Acme', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
    ASSERT_TRUE(db_->exec("INSERT INTO account_identities(source, external_id, account_id) VALUES ('crm', 'a-\"1', 7),"
                          " ('other', 'a-2', 7)"));
    ASSERT_TRUE(db_->exec("INSERT INTO contacts(contact_id, account_id, source, external_id, created_at, updated_at) VALUES"
                          " (3, 7, 'crm', 'c-1', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
    ASSERT_TRUE(db_->exec("INSERT INTO campaigns(campaign_id, source, external_id, updated_at) VALUES"
                          " (5, 'crm', 'k,1', '2024-01-01T00:00:00Z')"));
  }
  bool postgres() const { return db_->backend() == store::Backend::Postgresql; }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  std::unique_ptr<store::Database> db_;
};

}  // namespace

// Prefetched keys answer as their lookups would, found or not, for this source only; on PostgreSQL
// without a statement each, on SQLite (where prefetching is a no-op) by their lookups.
TEST_F(IdentityCacheTest, PrefetchedKeysAnswerAsLookupsWouldWithoutAStatementEach) {
  IdentityCache ids(*db_, "crm");
  ASSERT_TRUE(ids.prepare());
  ASSERT_TRUE(db_->beginWrite());
  ids.syncWithStore();
  IdentityCache::Wanted wanted;
  wanted.accounts = {"a-\"1", "a-2", "a-\"1"};
  wanted.contacts = {"c-1", "c-9"};
  wanted.campaigns = {"k,1"};
  ASSERT_TRUE(ids.prefetch(wanted));
  const size_t before = ids.singleLookups();
  EXPECT_EQ(ids.account("a-\"1"), 7);
  EXPECT_EQ(ids.account("a-2"), 0);  // another source's
  EXPECT_EQ(ids.contact("c-1"), 3);
  EXPECT_EQ(ids.contact("c-9"), 0);
  EXPECT_EQ(ids.campaign("k,1"), 5);
  EXPECT_EQ(ids.accountOfContact(3), 7);  // a prefetched contact comes with its account
  EXPECT_TRUE(ids.takeError());
  EXPECT_EQ(ids.singleLookups() - before, postgres() ? 0u : 6u);
  // What the transaction writes afterwards replaces a prefetched "not found".
  ids.rememberContact("c-9", 4, 7);
  EXPECT_EQ(ids.contact("c-9"), 4);
  (void)db_->exec("ROLLBACK");
}

// A key that cannot be sent in the batch's query (a NUL byte) is left to its own lookup.
TEST_F(IdentityCacheTest, AKeyWithANulByteIsLeftToItsLookup) {
  IdentityCache ids(*db_, "crm");
  ASSERT_TRUE(ids.prepare());
  ASSERT_TRUE(db_->beginWrite());
  ids.syncWithStore();
  const std::string nul("c\0x", 3);
  IdentityCache::Wanted wanted;
  wanted.contacts = {nul, "c-1"};
  ASSERT_TRUE(ids.prefetch(wanted));
  const size_t before = ids.singleLookups();
  EXPECT_EQ(ids.contact("c-1"), 3);
  EXPECT_EQ(ids.singleLookups() - before, postgres() ? 0u : 1u);
  (void)db_->exec("ROLLBACK");
}
