// Contact batches on PostgreSQL where something outside abmd's turns gets between the batch's key
// lookup and its writes: the batch fails, naming what happened, and never writes a contact twice or
// loses one silently. (What a batch writes is tested through the writer on both backends:
// StoreWriterTest.ContactsOfOneTransactionEndAsIfWrittenOneByOne.)
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "store/contact_batch.hpp"
#include "test_support.hpp"

using namespace abm;
using test::queryRows;
using test::queryText;

namespace {

store::ContactRow contact(const std::string& id) {
  store::ContactRow r;
  r.external_id = id;
  r.email = id + "@acme.com";
  return r;
}

// Flushes `batch` on `db` in a thread while `other` holds what the batch must wait for; `release`
// then ends the other session's transaction. Returns what the flush gave.
Status flushPastAnotherSession(test::TestStore& store, store::Database& db, store::ContactBatch& batch,
                               const std::function<void()>& release) {
  Status written;
  std::thread writer([&] {
    std::vector<std::pair<std::string, int64_t>> ids;
    written = db.beginWrite();
    if (written) written = batch.flush("2024-01-01T00:00:00Z", ids);
    (void)db.exec("ROLLBACK");
  });
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = test::queryInt(store.ref(), "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                                          " WHERE NOT l.granted AND a.datname = current_database()") > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(waiting);
  release();
  writer.join();
  return written;
}

}  // namespace

// A contact made by another session after the lookup fails the COPY on (source, external_id).
TEST(PostgreSQLContactBatch, AContactMadeMeanwhileElsewhereFailsTheBatchInsteadOfWritingItTwice) {
  test::TempDir tmp;
  test::TestStore store(tmp / "abm.db", store::Backend::Postgresql);
  auto db = store.open();
  auto other = store.open();
  ASSERT_TRUE(db && other);
  store::ContactBatch batch(*db, "crm");
  ASSERT_TRUE(batch.prepare());
  ASSERT_TRUE(other->exec("BEGIN"));
  ASSERT_TRUE(other->exec("INSERT INTO contacts(source, external_id, created_at, updated_at)"
                          " VALUES ('crm', 'c-2', now(), now())"));
  batch.add(contact("c-1"));
  batch.add(contact("c-2"));
  const Status s = flushPastAnotherSession(store, *db, batch, [&] { ASSERT_TRUE(other->exec("COMMIT")); });
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot write 2 contacts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("contacts_source_external_id_key"), std::string::npos) << s.message();
  EXPECT_EQ(queryRows(store.ref(), "SELECT external_id FROM contacts"), (std::vector<std::string>{"c-2"}));
}

// A known contact deleted by another session between the lookup and the update is not silently
// dropped: the batch fails saying so (a run would then be retried from its last checkpoint).
TEST(PostgreSQLContactBatch, AKnownContactDeletedMeanwhileFailsTheBatchSayingSo) {
  test::TempDir tmp;
  test::TestStore store(tmp / "abm.db", store::Backend::Postgresql);
  auto db = store.open();
  auto other = store.open();
  ASSERT_TRUE(db && other);
  ASSERT_TRUE(db->exec("INSERT INTO contacts(source, external_id, created_at, updated_at)"
                       " VALUES ('crm', 'c-1', now(), now()), ('crm', 'c-2', now(), now())"));
  store::ContactBatch batch(*db, "crm");
  ASSERT_TRUE(batch.prepare());
  // The other session locks c-2 (the batch's update waits for it), then deletes it and commits.
  ASSERT_TRUE(other->exec("BEGIN"));
  ASSERT_TRUE(other->exec("SELECT 1 FROM contacts WHERE external_id = 'c-2' FOR UPDATE"));
  batch.add(contact("c-1"));
  batch.add(contact("c-2"));
  const Status s = flushPastAnotherSession(store, *db, batch, [&] {
    ASSERT_TRUE(other->exec("DELETE FROM contacts WHERE external_id = 'c-2'"));
    ASSERT_TRUE(other->exec("COMMIT"));
  });
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot write 2 contacts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("1 of them were deleted meanwhile by another writer"), std::string::npos) << s.message();
  EXPECT_EQ(queryRows(store.ref(), "SELECT external_id, coalesce(email, '') FROM contacts"),
            (std::vector<std::string>{"c-1|"}));
}

TEST(PostgreSQLContactBatch, AKeyWithANulByteFailsTheBatchNamingIt) {
  test::TempDir tmp;
  test::TestStore store(tmp / "abm.db", store::Backend::Postgresql);
  auto db = store.open();
  ASSERT_TRUE(db);
  store::ContactBatch batch(*db, "crm");
  ASSERT_TRUE(batch.prepare());
  batch.add(contact("fine"));
  batch.add(contact(std::string("bad\0key", 7)));
  std::vector<std::pair<std::string, int64_t>> ids;
  ASSERT_TRUE(db->beginWrite());
  const Status s = batch.flush("2024-01-01T00:00:00Z", ids);
  (void)db->exec("ROLLBACK");
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("contact bad"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("NUL"), std::string::npos) << s.message();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(queryText(store.ref(), "SELECT count(*) FROM contacts"), "0");
}
