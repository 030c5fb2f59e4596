// Change tracking for readers of the store (docs/store.md#change-tracking, migration 0015): every
// entity table's updated_at moves when the store changes the row, and only then; deletions land in
// deleted_records; the log is pruned after deleted_records_retention; and the reader's procedure
// the docs give sees exactly what changed. On both backends (the "/postgresql" run).
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "pipeline/store_writer.hpp"
#include "store/db_clock.hpp"
#include "store/postgresql/pg_backend.hpp"
#include "store/deleted_records.hpp"
#include "store/touchpoint_batch.hpp"
#include "wire/protocol.hpp"
#include "change_tracking.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::pipeline;
using test::execSql;
using test::kEntityTables;
using test::kLongAgo;
using test::queryInt;
using test::queryJoined;
using test::queryRows;
using test::queryText;

namespace {

class ChangeTrackingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
  }

  // Writes records of `source` in one transaction, as a sync's commit does (pending links retried).
  void write(const std::string& source, std::vector<std::pair<Entity, std::string>> records) {
    StoreWriter w(*db_, source, rules_);
    ASSERT_TRUE(w.prepare());
    ASSERT_TRUE(w.begin());
    for (const auto& [entity, data] : records) {
      const std::string line = R"({"type":"RECORD","record":{"stream":"s","data":)" + data + "}}";
      ASSERT_TRUE(parser_.parse(line)) << parser_.error;
      Row row;
      std::string error;
      ASSERT_TRUE(validateRecord(entity, parser_.record.fields, row, error)) << error << ": " << data;
      auto s = w.write(row);
      ASSERT_TRUE(s) << s.message();
    }
    ASSERT_TRUE(w.resolvePendingLinks());
    ASSERT_TRUE(w.commit());
  }
  void write(const std::string& source, Entity e, const std::string& data) { write(source, {{e, data}}); }

  // Every row of every entity table as last read by a reader long ago.
  void backdate() {
    for (const char* t : kEntityTables) execSql(ref_, std::string("UPDATE ") + t + " SET updated_at = '" + kLongAgo + "'");
  }
  // The keys of the rows of `table` whose updated_at moved since backdate(), in order.
  std::string moved(const std::string& table, const std::string& key = "external_id") {
    return queryJoined(ref_, "SELECT " + key + " FROM " + table + " WHERE updated_at > '" + kLongAgo + "' ORDER BY 1");
  }
  std::vector<std::string> deletions() {
    return queryRows(ref_, "SELECT entity || '|' || row_id || '|' || source || '|' || external_id FROM deleted_records"
                           " ORDER BY deletion_id");
  }

  // One record of each entity table, and the same records with one field changed.
  void writeOneOfEach(bool changed) {
    const std::string v = changed ? "2" : "1";
    write("crm", {{Entity::Accounts, R"({"external_id":"a1","name":"Acme )" + v + R"(","domain":"acme.com"})"},
                  {Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"jo@acme.com","title":"T)" +
                                         v + R"("})"},
                  {Entity::Opportunities,
                   R"({"external_id":"o1","account_external_id":"a1","amount":)" + v + R"(00,"created_at":"2024-01-01"})"},
                  {Entity::Campaigns, R"({"external_id":"k1","name":"Q)" + v + R"(","channel":"email"})"},
                  {Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c1","campaign_external_id":"k1",
                       "channel":"email","activity":"email_open","occurred_at":"2024-01-02","quantity":)" + v + "}"},
                  {Entity::AdSpend, R"({"campaign_external_id":"k1","date":"2024-01-02","cost":"1)" + v + R"("})"},
                  {Entity::SurveyResponses, R"({"external_id":"r1","contact_external_id":"c1","score":)" + v +
                                                R"(,"responded_at":"2024-03-01T10:00:00Z"})"}});
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  test::StoreRef ref_ = store_.ref();
  std::unique_ptr<store::Database> db_;
  IdentityRules rules_ = IdentityRules::make(FreeMailDomains::fromList({"gmail.com"}),
                                             PublicSuffixList::fromRules("com\norg\nio\n"), {});
  wire::MessageParser parser_;
};

TEST_F(ChangeTrackingTest, AnInsertStampsUpdatedAtWithTheStoresClockInMilliseconds) {
  writeOneOfEach(false);
  for (const char* t : kEntityTables) {
    EXPECT_EQ(queryInt(ref_, std::string("SELECT count(*) FROM ") + t + " WHERE updated_at > '2020-01-01T00:00:00.000Z'"), 1)
        << t;
    if (!test::onPostgresql()) {  // one shape for every value, so that they sort as text
      EXPECT_EQ(queryInt(ref_, std::string("SELECT count(*) FROM ") + t +
                                   " WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
                                   "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'"),
                1)
          << t << ": " << queryText(ref_, std::string("SELECT updated_at FROM ") + t);
    } else {  // read as text through the store, the same shape (PostgreSQL itself drops trailing zeros)
      const auto text = queryText(ref_, std::string("SELECT updated_at FROM ") + t);
      EXPECT_TRUE(std::regex_match(text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << t << ": " << text;
    }
  }
  // A row inserted by something else than the writer, without a time, is stamped all the same.
  execSql(ref_, "INSERT INTO campaigns(source, external_id, name) VALUES ('manual', 'k9', 'By hand')");
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM campaigns WHERE external_id = 'k9' AND updated_at > '2020-01-01T00:00:00.000Z'"),
            1);
}

TEST_F(ChangeTrackingTest, AResyncOfUnchangedRecordsMovesNothingAndAChangeMovesItsRow) {
  writeOneOfEach(false);
  backdate();
  writeOneOfEach(false);
  for (const char* t : kEntityTables) EXPECT_EQ(moved(t, "1"), "") << t << " moved on a re-sync of the same record";

  writeOneOfEach(true);
  EXPECT_EQ(moved("accounts", "name"), "Acme 2");
  for (const char* t : {"contacts", "opportunities", "campaigns", "touchpoints", "survey_responses"})
    EXPECT_EQ(moved(t), t == std::string("contacts")          ? "c1"
                        : t == std::string("opportunities")   ? "o1"
                        : t == std::string("campaigns")       ? "k1"
                        : t == std::string("touchpoints")     ? "t1"
                                                              : "r1")
        << t;
  EXPECT_EQ(moved("ad_spend", "campaign_external_id"), "k1");
}

TEST_F(ChangeTrackingTest, TheSourcesModificationTimeIsKeptInSourceUpdatedAt) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","updated_at":"2024-05-01T08:00:00Z"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","email":"jo@acme.com","updated_at":"2024-05-02T08:00:00Z"})");
  write("crm", Entity::Opportunities, R"({"external_id":"o1","created_at":"2024-01-01","updated_at":"2024-05-03T08:00:00Z"})");
  const char* read = "SELECT %s FROM accounts UNION ALL SELECT %s FROM contacts UNION ALL SELECT %s FROM opportunities";
  auto times = [&] {
    std::string sql = read;
    for (size_t at; (at = sql.find("%s")) != std::string::npos;)
      sql.replace(at, 2, test::onPostgresql() ? "abm_iso_timestamp(source_updated_at)" : "source_updated_at");
    return queryJoined(ref_, sql);
  };
  EXPECT_EQ(times(), "2024-05-01T08:00:00Z,2024-05-02T08:00:00Z,2024-05-03T08:00:00Z");
  backdate();
  // Sent again without a time: the stored one stays, and so the row is unchanged.
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","email":"jo@acme.com"})");
  write("crm", Entity::Opportunities, R"({"external_id":"o1","created_at":"2024-01-01"})");
  EXPECT_EQ(times(), "2024-05-01T08:00:00Z,2024-05-02T08:00:00Z,2024-05-03T08:00:00Z");
  for (const char* t : {"accounts", "contacts", "opportunities"}) EXPECT_EQ(moved(t, "1"), "") << t;
  // A record no source dated has none.
  write("crm", Entity::Contacts, R"({"external_id":"c2","email":"bo@acme.com"})");
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM contacts WHERE external_id = 'c2' AND source_updated_at IS NULL"), 1);
  // A new modification time from the source is a change.
  write("crm", Entity::Contacts, R"({"external_id":"c1","email":"jo@acme.com","updated_at":"2024-06-01T08:00:00Z"})");
  EXPECT_EQ(moved("contacts"), "c1,c2");
}

// What the store changes by itself moves updated_at as a write does: a contact's move takes its
// touchpoints and survey answers along, a parked reference is tied when its target arrives, a
// deletion unlinks what pointed at the deleted row.
TEST_F(ChangeTrackingTest, StoreSideChangesMoveUpdatedAt) {
  write("crm", {{Entity::Accounts, R"({"external_id":"a1","domain":"acme.com"})"},
                {Entity::Accounts, R"({"external_id":"a2","domain":"globex.com"})"},
                {Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})"},
                {Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1"})"},
                {Entity::Opportunities, R"({"external_id":"o2","account_external_id":"a2","created_at":"2024-01-01"})"}});
  write("crm", {{Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c1","channel":"web",
                     "activity":"page_view","occurred_at":"2024-01-02"})"},
                {Entity::Touchpoints, R"({"external_id":"t2","contact_external_id":"c2","channel":"web",
                     "activity":"page_view","occurred_at":"2024-01-02"})"},
                {Entity::SurveyResponses, R"({"external_id":"r1","contact_external_id":"c1","score":9,
                     "responded_at":"2024-03-01T10:00:00Z"})"}});
  ASSERT_EQ(queryInt(ref_, "SELECT count(*) FROM touchpoints WHERE account_via_contact"), 2);

  // The contact moves to another account: what follows it moves, and is changed.
  backdate();
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a2"})");
  EXPECT_EQ(moved("contacts"), "c1");
  EXPECT_EQ(moved("touchpoints"), "t1");
  EXPECT_EQ(moved("survey_responses"), "r1");
  EXPECT_EQ(moved("accounts", "account_id"), "");  // an account is not changed by what points at it

  // A touchpoint parked for an account that had not arrived is tied when it does.
  write("web", Entity::Touchpoints, R"({"external_id":"t3","account_external_id":"a3","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-03"})");
  backdate();
  write("web", Entity::Accounts, R"({"external_id":"a3","domain":"initech.com"})");
  EXPECT_EQ(moved("touchpoints"), "t3");

  // A corrected domain unties what was tied through the old one.
  write("crm", Entity::Contacts, R"({"external_id":"c5","email":"eve@initech.com"})");
  ASSERT_EQ(queryText(ref_, "SELECT account_via_domain FROM contacts WHERE external_id = 'c5'"), "initech.com");
  backdate();
  write("web", Entity::Accounts, R"({"external_id":"a3","domain":"initrode.com"})");
  EXPECT_EQ(moved("contacts"), "c5");
  EXPECT_EQ(moved("accounts", "account_id"), queryText(ref_, "SELECT account_id FROM account_identities WHERE external_id = 'a3'"));

  // A deleted contact leaves its touchpoints and answers without a contact: changed.
  backdate();
  write("crm", Entity::Contacts, R"({"external_id":"c1","_deleted":true})");
  EXPECT_EQ(moved("touchpoints"), "t1");
  EXPECT_EQ(moved("survey_responses"), "r1");

  // An account that goes leaves what it held without an account: changed.
  backdate();
  write("crm", Entity::Accounts, R"({"external_id":"a2","_deleted":true})");
  EXPECT_EQ(moved("opportunities"), "o2");
  EXPECT_EQ(moved("touchpoints"), "t1");
}

TEST_F(ChangeTrackingTest, DeletionsAreLoggedWithEntityIdSourceAndExternalId) {
  writeOneOfEach(false);
  write("ads", Entity::Accounts, R"({"external_id":"X-1","domain":"acme.com"})");  // a second identity of a1
  write("web", Entity::Touchpoints, R"({"external_id":"w1","email":"ann@acme.com","channel":"web","activity":"page_view",
      "occurred_at":"2024-02-01"})");
  EXPECT_TRUE(deletions().empty());

  write("crm", {{Entity::Touchpoints, R"({"external_id":"t1","_deleted":true})"},
                {Entity::Touchpoints, R"({"external_id":"never-seen","_deleted":true})"},
                {Entity::SurveyResponses, R"({"external_id":"r1","_deleted":true})"},
                {Entity::Contacts, R"({"external_id":"c1","_deleted":true})"},
                {Entity::Opportunities, R"({"external_id":"o1","_deleted":true})"},
                {Entity::Campaigns, R"({"external_id":"k1","_deleted":true})"}});
  EXPECT_EQ(deletions(), (std::vector<std::string>{"touchpoints|1|crm|t1", "survey_responses|1|crm|r1",
                                                   "contacts|1|crm|c1", "opportunities|1|crm|o1", "campaigns|1|crm|k1"}));
  // An account that another source still claims is not deleted: its row stays, nothing is logged.
  write("crm", Entity::Accounts, R"({"external_id":"a1","_deleted":true})");
  EXPECT_EQ(deletions().size(), 5u);
  // The last identity's deletion removes the row: logged under that identity.
  write("ads", Entity::Accounts, R"({"external_id":"X-1","_deleted":true})");
  EXPECT_EQ(deletions().back(), "accounts|1|ads|X-1");
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM accounts"), 0);
  // Other sources' rows and the spend (which no source can delete) stay.
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id FROM touchpoints"), "w1");
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM ad_spend"), 1);
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM deleted_records WHERE deleted_at > '2020-01-01T00:00:00.000Z'"), 6);
  // deletion_id grows in the order of the deletions.
  EXPECT_EQ(queryJoined(ref_, "SELECT deletion_id FROM deleted_records ORDER BY deleted_at, deletion_id"), "1,2,3,4,5,6");
}

// A touchpoint whose time moves to another month is changed, not deleted: on PostgreSQL the row
// moves to another partition, which is a delete and an insert underneath.
TEST_F(ChangeTrackingTest, ATouchpointMovedToAnotherMonthIsChangedNotDeleted) {
  write("web", Entity::Touchpoints, R"({"external_id":"t1","channel":"web","activity":"page_view","occurred_at":"2024-01-02"})");
  const int64_t id = queryInt(ref_, "SELECT touchpoint_id FROM touchpoints");
  backdate();
  write("web", Entity::Touchpoints, R"({"external_id":"t1","channel":"web","activity":"page_view","occurred_at":"2024-03-05"})");
  EXPECT_EQ(moved("touchpoints"), "t1");
  EXPECT_EQ(queryInt(ref_, "SELECT touchpoint_id FROM touchpoints"), id);
  EXPECT_TRUE(deletions().empty());
  if (!test::onPostgresql()) return;
  // Rows that waited in touchpoints_default for their month's partition move there unchanged.
  execSql(ref_, "INSERT INTO touchpoint_keys(source, external_id, occurred_at) VALUES ('web', 't2', '2031-07-01T00:00:00Z')");
  execSql(ref_, "INSERT INTO touchpoints(touchpoint_id, source, external_id, channel, activity, occurred_at)"
                " SELECT touchpoint_id, 'web', 't2', 'web', 'page_view', '2031-07-01T00:00:00Z' FROM touchpoint_keys"
                " WHERE external_id = 't2'");
  ASSERT_EQ(queryInt(ref_, "SELECT count(*) FROM touchpoints_default"), 1);
  backdate();
  auto months = store::moveWaitingTouchpoints(*db_);  // what the end of a sync run does
  ASSERT_TRUE(months) << months.error();
  ASSERT_EQ(*months, 1);
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM touchpoints_default"), 0);
  EXPECT_EQ(moved("touchpoints"), "");
  EXPECT_TRUE(deletions().empty());
}

TEST_F(ChangeTrackingTest, PruningRemovesOnlyDeletionsOlderThanTheRetention) {
  auto logAt = [&](const char* external_id, std::chrono::seconds ago) {
    execSql(ref_, "INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at) VALUES ('contacts', 1,"
                  " 'crm', '" + std::string(external_id) + "', " + store::sqlChangeTimePlus(*db_, -ago) + ")");
  };
  using std::chrono::hours;
  logAt("ten-days", hours(240));
  logAt("two-days", hours(48));
  logAt("half-a-day", hours(12));
  auto pruned = store::pruneDeletedRecords(*db_, hours(24));
  ASSERT_TRUE(pruned) << pruned.error();
  EXPECT_EQ(*pruned, 2);
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id FROM deleted_records"), "half-a-day");
  auto none = store::pruneDeletedRecords(*db_, hours(24 * 90));
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  // Ids are never used again, even once pruning emptied the log: a reader's "deletion_id >" holds.
  ASSERT_TRUE(store::pruneDeletedRecords(*db_, hours(1)));
  EXPECT_EQ(queryInt(ref_, "SELECT count(*) FROM deleted_records"), 0);
  logAt("later", hours(0));
  EXPECT_EQ(queryInt(ref_, "SELECT deletion_id FROM deleted_records"), 4);
}

// The reader's procedure of docs/store.md ("Worked example"), with the queries as the page gives
// them: a first full read, then, after a sync that changes, adds, deletes and re-sends unchanged
// records, an incremental read that sees exactly those changes and leaves the reader's copy equal
// to the store.
TEST_F(ChangeTrackingTest, TheDocumentedReaderSeesExactlyTheChanges) {
  const std::string doc = test::readFile(test::sourceDir() / "docs/store.md");
  const std::string kMarks[] = {"SELECT coalesce(max(deletion_id), 0) FROM deleted_records;",
                                "SELECT max(updated_at) FROM contacts;"};
  const std::string kFull = "SELECT contact_id, email, account_id FROM contacts;";
  const std::string kDeleted =
      "SELECT entity, row_id FROM deleted_records WHERE deletion_id > :last_deletion ORDER BY deletion_id;";
  const std::string kChanged =
      "SELECT contact_id, email, account_id, updated_at FROM contacts WHERE updated_at >= :since"
      " ORDER BY updated_at, contact_id;";
  for (const auto& q : {kMarks[0], kMarks[1], kFull, kDeleted, kChanged})
    ASSERT_NE(doc.find(q), std::string::npos) << "docs/store.md no longer gives: " << q;
  auto bound = [](std::string sql, const std::string& name, const std::string& literal) {
    sql.pop_back();  // the ';'
    return sql.replace(sql.find(name), name.size(), literal);
  };

  write("crm", {{Entity::Accounts, R"({"external_id":"a1","domain":"acme.com"})"},
                {Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"ann@acme.com"})"},
                {Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1","email":"bo@acme.com"})"},
                {Entity::Contacts, R"({"external_id":"c3","email":"cy@acme.com"})"}});
  // Written at three different times, long ago.
  for (const char* c : {"1", "2", "3"})
    execSql(ref_, std::string("UPDATE contacts SET updated_at = '2000-01-01T00:00:0") + c + ".000Z' WHERE external_id = 'c" + c + "'");

  // First run: the marks, then everything.
  std::map<std::string, std::string> copy;  // contact_id -> "email|account_id"
  std::string last_deletion = std::to_string(queryInt(ref_, kMarks[0].substr(0, kMarks[0].size() - 1)));
  std::string since = queryText(ref_, kMarks[1].substr(0, kMarks[1].size() - 1));
  for (const auto& r : queryRows(ref_, kFull.substr(0, kFull.size() - 1))) copy[r.substr(0, r.find('|'))] = r.substr(r.find('|') + 1);
  ASSERT_EQ(copy.size(), 3u);

  // The next sync: c1 sent again as it was, c2 changed, c3 deleted, c4 new (on SQLite it takes c3's
  // id, which is why the deletions are applied first).
  write("crm", {{Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"ann@acme.com"})"},
                {Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1","email":"bob@acme.com"})"},
                {Entity::Contacts, R"({"external_id":"c3","_deleted":true})"},
                {Entity::Contacts, R"({"external_id":"c4","email":"di@acme.com"})"}});

  // Every later run: deletions first, then the changed rows, then the new marks.
  const auto gone = queryRows(ref_, bound(kDeleted, ":last_deletion", last_deletion));
  EXPECT_EQ(gone, std::vector<std::string>{"contacts|3"});
  for (const auto& g : gone)
    if (g.rfind("contacts|", 0) == 0) copy.erase(g.substr(9));
  const auto changed = queryRows(ref_, bound(kChanged, ":since", "'" + since + "'"));
  std::vector<std::string> seen;
  for (const auto& r : changed) {
    const auto id = r.substr(0, r.find('|'));
    const auto rest = r.substr(r.find('|') + 1);
    copy[id] = rest.substr(0, rest.rfind('|'));
    seen.push_back(queryText(ref_, "SELECT external_id FROM contacts WHERE contact_id = " + id));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c2", "c4"})) << "the changed and the new contact, nothing else";
  std::map<std::string, std::string> store;
  for (const auto& r : queryRows(ref_, kFull.substr(0, kFull.size() - 1))) store[r.substr(0, r.find('|'))] = r.substr(r.find('|') + 1);
  EXPECT_EQ(copy, store);
  last_deletion = std::to_string(queryInt(ref_, kMarks[0].substr(0, kMarks[0].size() - 1)));
  since = queryText(ref_, kMarks[1].substr(0, kMarks[1].size() - 1));

  // A sync that changes nothing: the next read finds no deletion, and only rows at the mark itself
  // (already seen: applying them again changes nothing).
  write("crm", {{Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1","email":"bob@acme.com"})"}});
  EXPECT_TRUE(queryRows(ref_, bound(kDeleted, ":last_deletion", last_deletion)).empty());
  for (const auto& r : queryRows(ref_, bound(kChanged, ":since", "'" + since + "'"))) {
    const auto rest = r.substr(r.find('|') + 1);
    EXPECT_EQ(copy[r.substr(0, r.find('|'))], rest.substr(0, rest.rfind('|')));
    EXPECT_EQ(rest.substr(rest.rfind('|') + 1), since);
  }
}

}  // namespace

namespace abm {
// PostgreSQL prints a fraction without its trailing zeros; the store's text keeps three digits.
TEST(PgTimestampText, FractionsKeepMillisecondsAndWholeSecondsStayWhole) {
  EXPECT_EQ(store::postgresql::isoTimestamp("2024-03-01 12:00:04.9+00"), "2024-03-01T12:00:04.900Z");
  EXPECT_EQ(store::postgresql::isoTimestamp("2024-03-01 12:00:04.12+00"), "2024-03-01T12:00:04.120Z");
  EXPECT_EQ(store::postgresql::isoTimestamp("2024-03-01 12:00:04.123456+00"), "2024-03-01T12:00:04.123Z");
  EXPECT_EQ(store::postgresql::isoTimestamp("2024-03-01 12:00:04+00"), "2024-03-01T12:00:04Z");
  EXPECT_EQ(store::postgresql::isoTimestamp("2024-03-01 12:00:04"), "2024-03-01T12:00:04Z");
}
}  // namespace abm
