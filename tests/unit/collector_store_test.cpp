// The collector against a real SQLite store: what events leave in the unified tables (duplicates,
// merges, accounts, identity stitching in either order) and the group commit's all-or-nothing.
#include <gtest/gtest.h>

#include <future>

#include "collector/event_writer.hpp"
#include "collector/group_commit.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::collector;
using test::queryInt;
using test::queryText;

namespace {

constexpr int64_t kReceivedMs = 1709294400000;  // 2024-03-01T12:00:00Z

class CollectorStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_ / "abm.db";
    auto db = store::Database::open(path_.string());
    ASSERT_TRUE(db) << db.error();
    db_ = std::make_unique<store::Database>(std::move(*db));
    ASSERT_TRUE(store::applyMigrations(*db_, test::sourceDir() / "schema"));
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
    ASSERT_TRUE(db_->exec("BEGIN IMMEDIATE"));
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
  std::string text(const std::string& sql) { return queryText(path_, sql); }
  // The contact a touchpoint is tied to ("" when none) and its account's name.
  std::string tieOf(const std::string& message_id) {
    return text("SELECT coalesce(c.external_id, '-') || '|' || coalesce(a.name, '-') FROM touchpoints t"
                " LEFT JOIN contacts c ON c.contact_id = t.contact_id LEFT JOIN accounts a ON a.account_id = t.account_id"
                " WHERE t.external_id = '" + message_id + "'");
  }

  test::TempDir tmp_;
  std::filesystem::path path_;
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
  EXPECT_EQ(text("SELECT json_extract(properties, '$.name') FROM touchpoints"), "Home") << "the first one stays";
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
  EXPECT_EQ(text("SELECT coalesce(account_id, 'none') FROM contacts WHERE external_id = 'u3'"), "none");
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
  ASSERT_TRUE(db_->exec("BEGIN"));
  writer_->begin();
  ASSERT_TRUE(writer_->countReceived("website", 3, "2024-03-01T12:00:00Z"));
  ASSERT_TRUE(writer_->countReceived("website", 2, "2024-03-01T12:05:00Z"));
  ASSERT_TRUE(writer_->countRefused("website", 4));
  ASSERT_TRUE(writer_->countRefused("app", 1));
  ASSERT_TRUE(db_->exec("COMMIT"));
  writer_->end(true);
  EXPECT_EQ(text("SELECT events_received || '|' || events_refused || '|' || last_event_at FROM push_sources WHERE connector = 'website'"),
            "5|4|2024-03-01T12:05:00Z");
  EXPECT_EQ(text("SELECT events_received || '|' || events_refused || '|' || coalesce(last_event_at, '-') FROM push_sources WHERE connector = 'app'"),
            "0|1|-");
}

// The group commit: requests queued before start() form one group, each answered after the commit;
// one that fails in the store fails alone and leaves nothing.
TEST_F(CollectorStoreTest, GroupCommitAnswersAfterTheCommitAndIsolatesAFailingRequest) {
  ASSERT_TRUE(db_->exec("CREATE TRIGGER boom BEFORE INSERT ON touchpoints WHEN NEW.external_id = 'boom'"
                        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"));
  GroupCommit commit(store::Location::sqlite(path_), identity_);
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
  GroupCommit commit(store::Location::sqlite(tmp_ / "missing" / "abm.db"), identity_);
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

}  // namespace
