// The collector against a real store (SQLite, or PostgreSQL in the /postgresql run): what events leave in the unified tables (duplicates,
// merges, accounts, identity stitching in either order) and the group commit's all-or-nothing.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "collector/event_writer.hpp"
#include "collector/group_commit.hpp"
#include "common/timestamp.hpp"
#include "store/migrations.hpp"
#include "store_snapshot.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::collector;
using test::queryInt;
using test::queryRows;
using test::queryText;

namespace {

constexpr int64_t kReceivedMs = 1709294400000;  // 2024-03-01T12:00:00Z

class CollectorStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
    writer_ = std::make_unique<EventWriter>(*db_, identity_);
    auto s = writer_->prepare();
    ASSERT_TRUE(s) << s.message();
  }

  std::vector<std::unique_ptr<MappedEvent>> mapped(const std::string& events, const SourceSettings& source) {
    auto d = decodeRequest(Endpoint::Batch, R"({"batch": [)" + events + "]}", kReceivedMs);
    EXPECT_FALSE(d.error) << d.error->message;
    std::vector<std::unique_ptr<MappedEvent>> out;
    for (const auto& e : d.events) {
      auto m = mapEvent(e, source, identity_);
      EXPECT_TRUE(m) << m.error();
      if (m) out.push_back(std::move(*m));
    }
    return out;
  }

  // One request's events of `source`, written and committed in one transaction.
  void send(const std::string& events, const SourceSettings* source = nullptr) {
    const SourceSettings& src = source ? *source : website_;
    auto list = mapped(events, src);
    ASSERT_TRUE(db_->beginWrite());
    writer_->begin();
    for (auto& e : list) {
      auto s = writer_->apply(src.name, *e);
      ASSERT_TRUE(s) << s.message();
    }
    ASSERT_TRUE(writer_->finish());
    ASSERT_TRUE(db_->exec("COMMIT"));
    writer_->end(true);
  }

  int64_t count(const std::string& sql) { return queryInt(path_, sql); }
  // A store that cannot be opened: a file in a folder that does not exist, or a database the
  // PostgreSQL server does not have.
  store::Location unreachable() const {
    if (!test::onPostgresql()) return store::Location::sqlite(tmp_ / "missing" / "abm.db");
    store::Location where = store_.location();
    where.conninfo = test::postgresUrlWithDatabase(where.conninfo, "abmd_no_such_database");
    return where;
  }
  std::string text(const std::string& sql) { return queryText(path_, sql); }
  // The contact a touchpoint is tied to ("" when none) and its account's name.
  std::string tieOf(const std::string& message_id) {
    return text("SELECT coalesce(c.external_id, '-') || '|' || coalesce(a.name, '-') FROM touchpoints t"
                " LEFT JOIN contacts c ON c.contact_id = t.contact_id LEFT JOIN accounts a ON a.account_id = t.account_id"
                " WHERE t.external_id = '" + message_id + "'");
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  test::StoreRef path_ = store_.ref();
  std::unique_ptr<store::Database> db_;
  pipeline::IdentityRules identity_ = pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::fromList({"gmail.com"}), pipeline::PublicSuffixList::fromRules("com\nio\n"), {});
  std::unique_ptr<EventWriter> writer_;
  SourceSettings website_{"website", "k1", {{"Demo Requested", "form_submit"}}};
};

TEST_F(CollectorStoreTest, ARepeatedMessageIdIsStoredOnce) {
  const std::string page = R"({"type": "page", "userId": "u1", "messageId": "m1", "name": "Home"})";
  send(page);
  send(page + "," + page);
  send(R"({"type": "page", "userId": "u1", "messageId": "m1", "name": "Changed"})");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 1);
  EXPECT_EQ(nlohmann::json::parse(text("SELECT properties FROM touchpoints")).value("name", ""), "Home")
      << "the first one stays";
  EXPECT_EQ(text("SELECT source || '|' || activity || '|' || channel FROM touchpoints"), "website|page_view|web");
  // A retried identify is not applied again over a newer one.
  send(R"({"type": "identify", "userId": "u1", "messageId": "i1", "traits": {"title": "CTO"}})");
  send(R"({"type": "identify", "userId": "u1", "messageId": "i2", "traits": {"title": "CEO"}})");
  send(R"({"type": "identify", "userId": "u1", "messageId": "i1", "traits": {"title": "CTO"}})");
  EXPECT_EQ(text("SELECT title FROM contacts WHERE external_id = 'u1'"), "CEO");
}

TEST_F(CollectorStoreTest, ALaterIdentifyWithFewerTraitsErasesNothing) {
  send(R"({"type": "identify", "userId": "u1", "traits": {"email": "jo@acme.com", "firstName": "Jo", "lastName": "Ng",
          "title": "CTO", "company": {"name": "Acme", "domain": "acme.com"}}})");
  send(R"({"type": "identify", "userId": "u1", "traits": {"title": "CEO"}})");
  EXPECT_EQ(text("SELECT email || '|' || first_name || '|' || last_name || '|' || title FROM contacts"), "jo@acme.com|Jo|Ng|CEO");
  EXPECT_EQ(text("SELECT a.name FROM contacts c JOIN accounts a USING (account_id)"), "Acme") << "the account stays too";
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 1);
}

TEST_F(CollectorStoreTest, IdentifyCreatesTheCompanysAccountOnlyWhenUnknownAndNeverFromFreeMail) {
  send(R"({"type": "identify", "userId": "u1", "traits": {"email": "jo@acme.com", "company": {"name": "Acme Inc"}}})");
  EXPECT_EQ(text("SELECT a.domain || '|' || a.name FROM contacts c JOIN accounts a USING (account_id) WHERE c.external_id = 'u1'"),
            "acme.com|Acme Inc");
  EXPECT_EQ(text("SELECT external_id FROM account_identities"), "domain:acme.com");
  // An account a CRM holds for the domain is joined, not renamed or duplicated.
  ASSERT_TRUE(db_->exec("INSERT INTO accounts(name, domain, registrable_domain, created_at, updated_at)"
                        " VALUES('Beta Corp', 'beta.io', 'beta.io', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
  send(R"({"type": "identify", "userId": "u2", "traits": {"email": "kim@beta.io", "company": {"name": "beta", "domain": "beta.io"}}})");
  EXPECT_EQ(text("SELECT a.name FROM contacts c JOIN accounts a USING (account_id) WHERE c.external_id = 'u2'"), "Beta Corp");
  EXPECT_EQ(count("SELECT count(*) FROM accounts WHERE registrable_domain = 'beta.io'"), 1);
  // Free mail: a contact without an account, and no gmail.com account.
  send(R"({"type": "identify", "userId": "u3", "traits": {"email": "someone@gmail.com", "company": {"name": "Solo"}}})");
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE external_id = 'u3' AND account_id IS NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM accounts WHERE domain = 'gmail.com'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 2);
}

TEST_F(CollectorStoreTest, AnonymousEventsAreTiedWhenIdentifyComesLater) {
  send(R"({"type": "page", "anonymousId": "anon-1", "messageId": "p1", "name": "Pricing"},
          {"type": "track", "anonymousId": "anon-1", "messageId": "t1", "event": "Demo Requested"})");
  EXPECT_EQ(tieOf("p1"), "-|-");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links WHERE ref_kind = 'anonymous'"), 2);
  send(R"({"type": "identify", "userId": "u1", "anonymousId": "anon-1", "traits": {"email": "jo@acme.com",
          "company": {"name": "Acme", "domain": "acme.com"}}})");
  EXPECT_EQ(tieOf("p1"), "u1|Acme");
  EXPECT_EQ(tieOf("t1"), "u1|Acme");
  EXPECT_EQ(text("SELECT activity FROM touchpoints WHERE external_id = 't1'"), "form_submit");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
  EXPECT_EQ(count("SELECT account_via_contact FROM touchpoints WHERE external_id = 'p1'"), 1);
  // An anonymous event after the link goes straight to the user.
  send(R"({"type": "page", "anonymousId": "anon-1", "messageId": "p2"})");
  EXPECT_EQ(tieOf("p2"), "u1|Acme");
}

TEST_F(CollectorStoreTest, AliasTiesInEitherOrderAndBeforeTheContactExists) {
  // Link first (alias), then the anonymous events, then the identify that creates the contact.
  send(R"({"type": "alias", "previousId": "anon-2", "userId": "u2"})");
  send(R"({"type": "page", "anonymousId": "anon-2", "messageId": "p1"},
          {"type": "track", "userId": "u2", "messageId": "t1", "event": "Signed Up"})");
  EXPECT_EQ(tieOf("p1"), "-|-");
  EXPECT_EQ(tieOf("t1"), "-|-");
  send(R"({"type": "identify", "userId": "u2", "traits": {"email": "kim@beta.io"}})");
  EXPECT_EQ(tieOf("p1"), "u2|-");
  EXPECT_EQ(tieOf("t1"), "u2|-");
  EXPECT_EQ(text("SELECT activity FROM touchpoints WHERE external_id = 't1'"), "signed_up");
  EXPECT_EQ(text("SELECT a.domain FROM touchpoints t JOIN accounts a USING (account_id) WHERE t.external_id = 'p1'"), "beta.io");
  // Events first, alias later.
  send(R"({"type": "page", "anonymousId": "anon-3", "messageId": "p3"})");
  send(R"({"type": "alias", "previousId": "anon-3", "userId": "u2"})");
  EXPECT_EQ(tieOf("p3").substr(0, 3), "u2|");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

TEST_F(CollectorStoreTest, TheFirstLinkOfAnAnonymousIdWins) {
  send(R"({"type": "identify", "userId": "u1", "anonymousId": "shared"}, {"type": "identify", "userId": "u9", "anonymousId": "shared"})");
  EXPECT_EQ(text("SELECT user_id FROM event_identities WHERE anonymous_id = 'shared'"), "u1");
}

TEST_F(CollectorStoreTest, GroupTiesTheUserAndTheirTouchpointsToTheAccount) {
  send(R"({"type": "identify", "userId": "u1", "traits": {"email": "jo@gmail.com"}},
          {"type": "page", "userId": "u1", "messageId": "p1"})");
  EXPECT_EQ(tieOf("p1"), "u1|-");
  send(R"({"type": "group", "userId": "u1", "groupId": "g1", "traits": {"name": "Initech", "website": "https://initech.com",
          "industry": "Technology", "employees": 420}})");
  EXPECT_EQ(text("SELECT name || '|' || domain || '|' || industry || '|' || employee_count FROM accounts"),
            "Initech|initech.com|Technology|420");
  EXPECT_EQ(tieOf("p1"), "u1|Initech");
  EXPECT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts"), 1);
  // An identify whose email domain points elsewhere does not move the user out of the group.
  ASSERT_TRUE(db_->exec("INSERT INTO accounts(name, domain, registrable_domain, created_at, updated_at)"
                        " VALUES('Other', 'other.com', 'other.com', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
  send(R"({"type": "identify", "userId": "u1", "traits": {"email": "jo@other.com"}})");
  EXPECT_EQ(text("SELECT a.name FROM contacts c JOIN accounts a USING (account_id)"), "Initech");
  // A group for a user not identified yet makes a contact that a later identify fills in.
  send(R"({"type": "group", "userId": "u7", "groupId": "g1"}, {"type": "identify", "userId": "u7", "traits": {"firstName": "Al"}})");
  EXPECT_EQ(text("SELECT c.first_name || '|' || a.name FROM contacts c JOIN accounts a USING (account_id) WHERE c.external_id = 'u7'"),
            "Al|Initech");
}

TEST_F(CollectorStoreTest, SourcesKeepTheirOwnIdsAndCounters) {
  SourceSettings app{"app", "k2", {}};
  send(R"({"type": "page", "userId": "u1", "messageId": "m1"})");
  send(R"({"type": "page", "userId": "u1", "messageId": "m1"})", &app);
  EXPECT_EQ(count("SELECT count(DISTINCT source) FROM touchpoints"), 2);
  ASSERT_TRUE(db_->beginWrite());
  writer_->begin();
  ASSERT_TRUE(writer_->countReceived("website", 3, "2024-03-01T12:00:00Z"));
  ASSERT_TRUE(writer_->countReceived("website", 2, "2024-03-01T12:05:00Z"));
  ASSERT_TRUE(writer_->countRefused("website", 4));
  ASSERT_TRUE(writer_->countRefused("app", 1));
  ASSERT_TRUE(db_->exec("COMMIT"));
  writer_->end(true);
  EXPECT_EQ(queryRows(path_, "SELECT events_received, events_refused, last_event_at FROM push_sources WHERE connector = 'website'"),
            std::vector<std::string>{"5|4|2024-03-01T12:05:00Z"});
  EXPECT_EQ(queryRows(path_, "SELECT events_received, events_refused, last_event_at FROM push_sources"
                             " WHERE connector = 'app' AND last_event_at IS NULL"),
            std::vector<std::string>{"0|1|"});
}

// The group commit: requests queued before start() form one group, each answered after the commit;
// one that fails in the store fails alone and leaves nothing.
TEST_F(CollectorStoreTest, GroupCommitAnswersAfterTheCommitAndIsolatesAFailingRequest) {
  // A touchpoint the store refuses, in each backend's trigger language.
  ASSERT_TRUE(db_->exec(test::onPostgresql()
                            ? "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                              " RAISE EXCEPTION 'disk on fire'; END $$;"
                              " CREATE TRIGGER boom BEFORE INSERT ON touchpoints FOR EACH ROW"
                              " WHEN (NEW.external_id = 'boom') EXECUTE FUNCTION boom()"
                            : "CREATE TRIGGER boom BEFORE INSERT ON touchpoints WHEN NEW.external_id = 'boom'"
                              " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"));
  GroupCommit commit(store_.location(), identity_);
  std::vector<std::promise<Status>> answers(3);
  auto submit = [&](int i, const std::string& events) {
    auto list = mapped(events, website_);
    auto queued = commit.submit("website", std::move(list), [&answers, i](const Status& s) { answers[i].set_value(s); });
    EXPECT_EQ(queued, GroupCommit::Submitted::Queued);
  };
  submit(0, R"({"type": "page", "userId": "u1", "messageId": "a1"}, {"type": "page", "userId": "u1", "messageId": "a2"})");
  submit(1, R"({"type": "page", "userId": "u2", "messageId": "b1"}, {"type": "page", "userId": "u2", "messageId": "boom"})");
  submit(2, R"({"type": "identify", "userId": "u3", "traits": {"email": "x@acme.com"}})");
  commit.noteRefused("website", 7);
  commit.start();
  commit.stop();
  std::vector<Status> results;
  for (auto& a : answers) results.push_back(a.get_future().get());
  EXPECT_TRUE(results[0]) << results[0].message();
  ASSERT_FALSE(results[1]);
  EXPECT_NE(results[1].message().find("disk on fire"), std::string::npos) << results[1].message();
  EXPECT_TRUE(results[2]) << results[2].message();
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id IN ('a1', 'a2')"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id = 'b1'"), 0) << "nothing of a failed request stays";
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE external_id = 'u3'"), 1);
  EXPECT_EQ(text("SELECT events_received || '|' || events_refused FROM push_sources"), "3|7");
  // Stopped: later requests are refused at once.
  EXPECT_EQ(commit.submit("website", mapped(R"({"type": "page", "userId": "u", "messageId": "late"})", website_), nullptr),
            GroupCommit::Submitted::Stopped);
}

TEST_F(CollectorStoreTest, AStoreThatCannotBeWrittenAnswersEveryRequestWithTheError) {
  GroupCommit commit(unreachable(), identity_);
  std::promise<Status> answer;
  ASSERT_EQ(commit.submit("website", mapped(R"({"type": "page", "userId": "u", "messageId": "m"})", website_),
                          [&](const Status& s) { answer.set_value(s); }),
            GroupCommit::Submitted::Queued);
  commit.start();
  commit.stop();
  const Status s = answer.get_future().get();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot open the store"), std::string::npos) << s.message();
}

// Several daemons on one store: any instance may take any request, so two collectors receive the same
// messages at once (a client retrying against another instance). Each messageId is stored once, and
// every request is answered ok.
TEST_F(CollectorStoreTest, TwoWritersReceivingTheSameMessagesAtOnceStoreEachOnce) {
  constexpr int kRequests = 30;
  // Each request: a user's identify (with their company), a page of theirs, and an anonymous track.
  auto request = [&](int i) {
    const std::string user = "u" + std::to_string(i % 6), n = std::to_string(i);
    return mapped(R"({"type": "identify", "userId": ")" + user + R"(", "messageId": "i)" + n +
                      R"(", "anonymousId": "anon-)" + n + R"(", "traits": {"email": ")" + user + "@acme" +
                      std::to_string(i % 3) + R"(.com", "title": "T)" + n + R"(", "company": {"name": "Acme )" +
                      std::to_string(i % 3) + R"("}}},)"
                  R"({"type": "page", "userId": ")" + user + R"(", "messageId": "p)" + n + R"("},)"
                  R"({"type": "track", "anonymousId": "anon-)" + n + R"(", "messageId": "t)" + n +
                      R"(", "event": "Demo Requested"})",
                  website_);
  };
  std::vector<std::vector<std::unique_ptr<MappedEvent>>> first, second;
  for (int i = 0; i < kRequests; ++i) {
    first.push_back(request(i));
    second.push_back(request(i));
  }
  GroupCommit a(store_.location(), identity_), b(store_.location(), identity_);
  a.start();
  b.start();
  std::vector<std::promise<Status>> answers(2 * kRequests);
  auto sender = [&](GroupCommit& commit, std::vector<std::vector<std::unique_ptr<MappedEvent>>>& requests, int offset) {
    for (int i = 0; i < kRequests; ++i) {
      auto* answer = &answers[offset + i];
      const auto queued = commit.submit("website", std::move(requests[i]), [answer](const Status& s) { answer->set_value(s); });
      if (queued != GroupCommit::Submitted::Queued) answer->set_value(Status::error("not queued"));
    }
  };
  std::thread to_a(sender, std::ref(a), std::ref(first), 0), to_b(sender, std::ref(b), std::ref(second), kRequests);
  to_a.join();
  to_b.join();
  a.stop();
  b.stop();
  for (auto& answer : answers) {
    const Status s = answer.get_future().get();
    EXPECT_TRUE(s) << s.message();
  }
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 2 * kRequests);
  EXPECT_EQ(count("SELECT count(DISTINCT external_id) FROM touchpoints"), 2 * kRequests);
  EXPECT_EQ(count("SELECT count(*) FROM event_messages"), kRequests);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 3) << "a company both writers saw first is one account";
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE contact_id IS NULL OR account_id IS NULL"), 0)
      << "every anonymous track is tied to its user, whichever writer stored the identify";
  EXPECT_EQ(count("SELECT events_received FROM push_sources WHERE connector = 'website'"), 2 * 3 * kRequests)
      << "each writer counts what it received";
  // Ids are dense: no write of a known row drew one.
  EXPECT_EQ(count("SELECT max(contact_id) FROM contacts"), 6);
  EXPECT_EQ(count("SELECT max(account_id) FROM accounts"), 3);
}

// The same events into an SQLite and a PostgreSQL store leave the same rows, ids included.
TEST(BackendParity, CollectorEventsGiveTheSameRowsAndIdsOnBoth) {
  test::TempDir tmp;
  test::TestStore lite(tmp / "abm.db", store::Backend::Sqlite), pg(tmp / "unused.db", store::Backend::Postgresql);
  const auto identity = pipeline::IdentityRules::make(pipeline::FreeMailDomains::fromList({"gmail.com"}),
                                                      pipeline::PublicSuffixList::fromRules("com\nio\n"), {});
  const SourceSettings website{"website", "k1", {{"Demo Requested", "form_submit"}}};
  const std::vector<std::string> requests = {
      R"({"type": "page", "anonymousId": "anon-1", "messageId": "p1", "properties": {"url": "/pricing"}})",
      R"({"type": "identify", "userId": "u1", "anonymousId": "anon-1", "traits": {"email": "jo@acme.com",
          "company": {"name": "Acme", "domain": "acme.com"}}})",
      R"({"type": "identify", "userId": "u1", "traits": {"title": "CTO"}})",
      R"({"type": "identify", "userId": "u1", "traits": {"title": "CEO", "firstName": "Jo"}})",
      R"({"type": "group", "userId": "u2", "groupId": "g1", "traits": {"name": "Initech", "website": "initech.com"}})",
      R"({"type": "track", "userId": "u2", "messageId": "t1", "event": "Demo Requested"})",
      R"({"type": "alias", "previousId": "anon-9", "userId": "u3"})",
      R"({"type": "page", "anonymousId": "anon-9", "messageId": "p2"})",
      R"({"type": "identify", "userId": "u3", "traits": {"email": "kim@gmail.com"}})",
      R"({"type": "identify", "userId": "u2", "traits": {"email": "al@initech.com"}})",
      R"({"type": "identify", "userId": "u4", "traits": {"email": "new@beta.io", "company": {"name": "Beta"}}})",
  };
  const int64_t from = nowEpochSeconds();
  for (test::TestStore* where : {&lite, &pg}) {
    auto db = store::Database::open(where->location());
    ASSERT_TRUE(db) << db.error();
    ASSERT_TRUE(store::applyMigrations(*db, test::sourceDir() / "schema"));
    EventWriter writer(*db, identity);
    ASSERT_TRUE(writer.prepare());
    for (const auto& body : requests) {
      auto d = decodeRequest(Endpoint::Batch, R"({"batch": [)" + body + "]}", kReceivedMs);
      ASSERT_FALSE(d.error) << d.error->message;
      ASSERT_TRUE(db->beginWrite());
      writer.begin();
      for (const auto& e : d.events) {
        auto m = mapEvent(e, website, identity);
        ASSERT_TRUE(m) << m.error();
        auto s = writer.apply(website.name, **m);
        ASSERT_TRUE(s) << s.message();
      }
      ASSERT_TRUE(writer.countReceived(website.name, d.events.size(), "2024-03-01T12:00:00Z"));
      ASSERT_TRUE(writer.finish());
      ASSERT_TRUE(db->exec("COMMIT"));
      writer.end(true);
    }
  }
  const int64_t to = nowEpochSeconds();
  const auto a = test::snapshotStore(lite.ref(), lite.location().sqlite_path, from, to);
  const auto b = test::snapshotStore(pg.ref(), lite.location().sqlite_path, from, to);
  ASSERT_EQ(a.at("contacts").rows.size(), 4u);
  const std::string differences = test::snapshotDifferences(a, b, "SQLite", "PostgreSQL");
  EXPECT_TRUE(differences.empty()) << differences;
}

// On a shared PostgreSQL store a group's transaction can lose a deadlock to another daemon's (40P01):
// it is rolled back and written again whole, and the requests are answered ok. The deadlock is
// raised by a trigger, once, so that the test does not depend on timing.
TEST(PostgreSQLGroupCommit, AGroupThatLosesADeadlockIsWrittenAgainWhole) {
  test::TempDir tmp;
  test::TestStore pg(tmp / "unused.db", store::Backend::Postgresql);
  {
    auto db = store::Database::open(pg.location());
    ASSERT_TRUE(db) << db.error();
    ASSERT_TRUE(store::applyMigrations(*db, test::sourceDir() / "schema"));
  }
  test::execSql(pg.ref(),
                "CREATE SEQUENCE boom_calls; CREATE FUNCTION boom_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                " IF NEW.external_id = 'm2' AND nextval('boom_calls') = 1 THEN"
                " RAISE EXCEPTION 'deadlock detected (raised by the test)' USING ERRCODE = 'deadlock_detected'; END IF;"
                " RETURN NEW; END $$;"
                " CREATE TRIGGER boom_once BEFORE INSERT ON touchpoints FOR EACH ROW EXECUTE FUNCTION boom_once()");
  const auto identity = pipeline::IdentityRules::make(pipeline::FreeMailDomains::fromList({}),
                                                      pipeline::PublicSuffixList::fromRules("com\n"), {});
  const SourceSettings website{"website", "k1", {}};
  auto events = [&](const std::string& batch) {
    std::vector<std::unique_ptr<MappedEvent>> out;
    auto d = decodeRequest(Endpoint::Batch, batch, kReceivedMs);
    EXPECT_FALSE(d.error);
    for (const auto& e : d.events)
      if (auto m = mapEvent(e, website, identity)) out.push_back(std::move(*m));
    return out;
  };
  GroupCommit commit(pg.location(), identity);
  std::vector<std::promise<Status>> answers(2);
  ASSERT_EQ(commit.submit("website", events(R"({"batch": [{"type": "page", "userId": "u1", "messageId": "m1"}]})"),
                          [&](const Status& s) { answers[0].set_value(s); }),
            GroupCommit::Submitted::Queued);
  ASSERT_EQ(commit.submit("website", events(R"({"batch": [{"type": "page", "userId": "u1", "messageId": "m2"},
                                                {"type": "page", "userId": "u1", "messageId": "m3"}]})"),
                          [&](const Status& s) { answers[1].set_value(s); }),
            GroupCommit::Submitted::Queued);
  commit.start();
  commit.stop();
  for (auto& a : answers) {
    const Status s = a.get_future().get();
    EXPECT_TRUE(s) << s.message();
  }
  EXPECT_EQ(queryInt(pg.ref(), "SELECT last_value FROM boom_calls"), 2) << "m2 was written twice: once lost, once kept";
  EXPECT_EQ(queryInt(pg.ref(), "SELECT count(*) FROM touchpoints"), 3);
  EXPECT_EQ(queryInt(pg.ref(), "SELECT events_received FROM push_sources"), 3) << "the lost attempt counted nothing";
  EXPECT_EQ(test::queryJoined(pg.ref(), "SELECT external_id FROM touchpoints ORDER BY 1"), "m1,m2,m3");
}

}  // namespace
