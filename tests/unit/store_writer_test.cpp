#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <deque>

#include "pipeline/store_writer.hpp"
#include "wire/protocol.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::pipeline;
using test::queryInt;
using test::queryJoined;
using test::queryRows;
using test::queryText;

namespace {

class StoreWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
  }

  // Writes one record of `entity` for `source` in its own transaction.
  void write(const std::string& source, Entity e, const std::string& data) {
    StoreWriter w(*db_, source, free_mail_);
    ASSERT_TRUE(w.prepare());
    ASSERT_TRUE(w.begin());
    writeIn(w, e, data);
    ASSERT_TRUE(w.resolvePendingLinks());
    ASSERT_TRUE(w.commit());
  }
  void writeIn(StoreWriter& w, Entity e, const std::string& data) {
    line_ = R"({"type":"RECORD","record":{"stream":"s","data":)" + data + "}}";  // rows point into it
    ASSERT_TRUE(parser_.parse(line_)) << parser_.error;
    std::string error;
    ASSERT_TRUE(validateRecord(e, parser_.record.fields, row_, error)) << error;
    auto s = w.write(row_);
    ASSERT_TRUE(s) << s.message();
  }
  int64_t count(const std::string& sql) { return queryInt(ref_, sql); }
  // Rows of one batch, as a sync's reader hands them to the writer.
  struct RowBatch {
    std::deque<std::string> lines;
    std::deque<Row> rows;
    std::vector<BatchItem> items;
  };
  void addRecord(RowBatch& b, Entity e, const std::string& data) {
    const std::string& line = b.lines.emplace_back(R"({"type":"RECORD","record":{"stream":"s","data":)" + data + "}}");
    ASSERT_TRUE(parser_.parse(line)) << parser_.error;
    std::string error;
    Row& row = b.rows.emplace_back();
    ASSERT_TRUE(validateRecord(e, parser_.record.fields, row, error)) << error;
    b.items.push_back(BatchItem{BatchItem::Record, &row});
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};  // an SQLite file, or a PostgreSQL database for the /postgresql run
  test::StoreRef ref_ = store_.ref();
  std::unique_ptr<store::Database> db_;
  IdentityRules free_mail_ = IdentityRules::make(FreeMailDomains::fromList({"gmail.com"}),
                                                 PublicSuffixList::fromRules("com\norg\nco.uk\nio\n"),
                                                 {"https://www.BigCorp.com/"});
  std::string line_;
  wire::MessageParser parser_;
  Row row_;
};

TEST_F(StoreWriterTest, UpsertsAreIdempotent) {
  for (int i = 0; i < 2; ++i) {
    write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
    write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"jo@acme.com"})");
    write("crm", Entity::Campaigns, R"({"external_id":"k1","name":"Q1","channel":"email"})");
    write("crm", Entity::Opportunities, R"({"external_id":"o1","account_external_id":"a1","amount":100,"created_at":"2024-01-01"})");
    write("crm", Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c1","campaign_external_id":"k1",
        "channel":"email","activity":"email_open","occurred_at":"2024-01-02"})");
    write("crm", Entity::AdSpend, R"({"campaign_external_id":"k1","date":"2024-01-02","cost":"10.5"})");
  }
  for (const char* t : {"accounts", "account_identities", "contacts", "campaigns", "opportunities", "touchpoints", "ad_spend"})
    EXPECT_EQ(count(std::string("SELECT count(*) FROM ") + t), 1) << t;
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id = 1 AND contact_id = 1 AND campaign_id = 1"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM ad_spend WHERE campaign_id = 1 AND cost = 10.5"), 1);
  // A changed value updates the row in place.
  write("crm", Entity::Opportunities, R"({"external_id":"o1","account_external_id":"a1","amount":250,"created_at":"2024-01-01","is_won":true,"closed_at":"2024-02-01"})");
  EXPECT_EQ(count("SELECT count(*) FROM opportunities WHERE amount = 250 AND is_won AND is_closed"), 1);
}

// Writing a known row again takes no id: the next new row gets the next id, as on a store that saw
// each row once (PostgreSQL's INSERT ... ON CONFLICT DO UPDATE would draw one for every update).
TEST_F(StoreWriterTest, RewritingKnownRowsUsesUpNoIds) {
  auto writeAll = [&](const std::string& n) {
    write("crm", Entity::Accounts, R"({"external_id":"a)" + n + R"(","name":"Acme )" + n + R"("})");
    write("crm", Entity::Contacts, R"({"external_id":"c)" + n + R"(","account_external_id":"a)" + n + R"("})");
    write("crm", Entity::Opportunities,
          R"({"external_id":"o)" + n + R"(","account_external_id":"a)" + n + R"(","created_at":"2024-01-01"})");
    write("crm", Entity::Campaigns, R"({"external_id":"k)" + n + R"(","name":"Q)" + n + R"(","channel":"email"})");
    write("crm", Entity::AdSpend, R"({"campaign_external_id":"k)" + n + R"(","date":"2024-01-02","cost":"1"})");
    write("crm", Entity::Touchpoints, R"({"external_id":"t)" + n + R"(","contact_external_id":"c)" + n +
                                          R"(","channel":"email","activity":"email_open","occurred_at":"2024-01-02"})");
  };
  writeAll("1");
  writeAll("2");
  for (int i = 0; i < 3; ++i) writeAll("1");  // updates, over and over
  writeAll("3");
  for (const char* ids : {"SELECT account_id FROM accounts ORDER BY 1", "SELECT contact_id FROM contacts ORDER BY 1",
                          "SELECT opportunity_id FROM opportunities ORDER BY 1", "SELECT campaign_id FROM campaigns ORDER BY 1",
                          "SELECT rowid FROM ad_spend ORDER BY 1", "SELECT touchpoint_id FROM touchpoints ORDER BY 1"})
    EXPECT_EQ(queryJoined(ref_, ids), "1,2,3") << ids;
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id || ':' || contact_id FROM touchpoints ORDER BY 1"), "t1:1,t2:2,t3:3");
  EXPECT_EQ(queryJoined(ref_, "SELECT campaign_external_id || ':' || campaign_id FROM ad_spend ORDER BY 1"), "k1:1,k2:2,k3:3");
}

TEST_F(StoreWriterTest, SameDomainFromTwoSourcesIsOneAccount) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com","is_target":true})");
  write("ads", Entity::Accounts, R"({"external_id":"X-9","domain":"https://www.ACME.com/","industry":"Software"})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM account_identities WHERE account_id = 1"), 2);
  EXPECT_EQ(queryRows(ref_, "SELECT name, industry, is_target FROM accounts"), std::vector<std::string>{"Acme|Software|1"});
}

TEST_F(StoreWriterTest, ContactsTieByEmailDomainButNotFreeMail) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"g","name":"Google Mail","domain":"gmail.com"})");
  write("web", Entity::Contacts, R"({"external_id":"c1","email":"jo@acme.com"})");
  write("web", Entity::Contacts, R"({"external_id":"c2","email":"jo.private@gmail.com"})");
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c1'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE external_id = 'c2' AND account_id IS NULL"), 1);
}

TEST_F(StoreWriterTest, ExplicitReferenceWinsOverEmailDomain) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Parent","domain":"parent.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a2","email":"jo@acme.com"})");
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c1'"), 2);
}

TEST_F(StoreWriterTest, RecordsArrivingBeforeTheirAccountAreTiedLater) {
  write("web", Entity::Touchpoints, R"({"external_id":"t1","account_domain":"acme.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-02"})");
  write("mail", Entity::Touchpoints, R"({"external_id":"t2","contact_external_id":"c1","channel":"email",
      "activity":"email_click","occurred_at":"2024-01-02"})");
  write("mail", Entity::Contacts, R"({"external_id":"c9","account_external_id":"a1","email":"x@other.org"})");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id IS NULL"), 2);
  EXPECT_GT(count("SELECT count(*) FROM pending_links"), 0);

  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  EXPECT_EQ(count("SELECT account_id FROM touchpoints WHERE external_id = 't1'"), 1);
  // The contact c1 of source "mail" arrives with an account reference of its own source.
  write("mail", Entity::Accounts, R"({"external_id":"a1","domain":"acme.com"})");
  write("mail", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"jo@acme.com"})");
  EXPECT_EQ(count("SELECT contact_id FROM touchpoints WHERE external_id = 't2'"),
            count("SELECT contact_id FROM contacts WHERE external_id = 'c1'"));
  EXPECT_EQ(count("SELECT account_id FROM touchpoints WHERE external_id = 't2'"), 1);
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c9'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

TEST_F(StoreWriterTest, SubdomainsOfOneCompanyMeetAndTheMergeIsAudited) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme EU","domain":"eu.acme.co.uk"})");
  write("ads", Entity::Accounts, R"({"external_id":"X","domain":"www.acme.co.uk"})");
  write("web", Entity::Touchpoints, R"({"external_id":"t1","account_domain":"shop.acme.co.uk","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-01"})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 1);
  // The later source's value wins, as for every attribute; both cut to the same registrable domain.
  EXPECT_EQ(queryText(ref_, "SELECT domain || ' ' || registrable_domain FROM accounts"), "acme.co.uk acme.co.uk");
  EXPECT_EQ(count("SELECT account_id FROM touchpoints"), 1);
  EXPECT_EQ(queryText(ref_, "SELECT source || ':' || external_id || ':' || rule || ':' || matched_value"
                             " FROM account_merges"),
            "ads:X:registrable_domain:acme.co.uk");
}

TEST_F(StoreWriterTest, NeverMergeDomainsKeepAccountsApartAndTieNothing) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"BigCorp Retail","domain":"retail.bigcorp.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"BigCorp Bank","domain":"bank.bigcorp.com"})");
  write("web", Entity::Contacts, R"({"external_id":"c1","email":"jo@bigcorp.com"})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM account_merges"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE account_id IS NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0) << "nothing to wait for either";
}

TEST_F(StoreWriterTest, OfTwoAccountsOnOneDomainTheOneWithMoreContactsWins) {
  // a1 arrives without a domain and gathers contacts; a2 brings acme.com; then a1's domain is filled.
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme CRM"})");
  for (int i = 0; i < 3; ++i)
    write("crm", Entity::Contacts, R"({"external_id":"c)" + std::to_string(i) + R"(","account_external_id":"a1"})");
  write("ads", Entity::Accounts, R"({"external_id":"a2","domain":"acme.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a1","domain":"acme.com"})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts WHERE registrable_domain = 'acme.com'"), 2);
  write("web", Entity::Touchpoints, R"({"external_id":"t1","account_domain":"acme.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-01"})");
  EXPECT_EQ(count("SELECT account_id FROM touchpoints"), 1) << "a1 has three contacts, a2 none";
}

TEST_F(StoreWriterTest, AdSpendBeforeItsCampaign) {
  write("ads", Entity::AdSpend, R"({"campaign_external_id":"k1","date":"2024-01-02","impressions":10})");
  EXPECT_EQ(count("SELECT count(*) FROM ad_spend WHERE campaign_id IS NULL"), 1);
  write("ads", Entity::Campaigns, R"({"external_id":"k1","name":"Q1","channel":"ads"})");
  EXPECT_EQ(count("SELECT campaign_id FROM ad_spend"), 1);
}

TEST_F(StoreWriterTest, StateAndRecordsCommitTogetherOrNotAtAll) {
  {
    StoreWriter w(*db_, "crm", free_mail_);
    ASSERT_TRUE(w.prepare());
    ASSERT_TRUE(w.begin());
    writeIn(w, Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
    ASSERT_TRUE(w.saveState("accounts", R"({"cursor":1})"));
    w.rollback();
  }
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sync_state"), 0);

  // A process that dies mid-transaction leaves neither its records nor its state behind.
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto db = store::Database::open(ref_.location());
    StoreWriter w(*db, "crm", free_mail_);
    if (!w.prepare() || !w.begin()) ::_exit(3);
    wire::MessageParser p;
    Row r;
    std::string err;
    for (int i = 0; i < 1000; ++i) {
      const std::string line = R"({"type":"RECORD","record":{"stream":"s","data":{"external_id":"a)" +
                               std::to_string(i) + R"(","name":"N"}}})";
      p.parse(line);
      validateRecord(Entity::Accounts, p.record.fields, r, err);
      if (!w.write(r)) ::_exit(4);
    }
    if (!w.saveState("accounts", R"({"cursor":1000})")) ::_exit(5);
    std::abort();
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child should have crashed, exit " << WEXITSTATUS(status);
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sync_state"), 0);

  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  ASSERT_TRUE(w.saveState("accounts", R"({"cursor":1})"));
  ASSERT_TRUE(w.commit());
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 1);
  EXPECT_EQ(queryText(ref_, "SELECT state FROM sync_state WHERE connector = 'crm'"), R"({"cursor":1})");
}

TEST_F(StoreWriterTest, CacheNoticesWritesFromAnotherConnection) {
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t0","account_domain":"acme.com","channel":"web","activity":"page_view","occurred_at":"2024-01-01"})");
  ASSERT_TRUE(w.commit());  // the cache now believes acme.com has no account
  {
    auto other = store::Database::open(ref_.location());
    StoreWriter o(*other, "crm2", free_mail_);
    ASSERT_TRUE(o.prepare());
    ASSERT_TRUE(o.begin());
    writeIn(o, Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
    ASSERT_TRUE(o.commit());
  }
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t1","account_domain":"acme.com","channel":"web","activity":"page_view","occurred_at":"2024-01-01"})");
  ASSERT_TRUE(w.commit());
  EXPECT_EQ(count("SELECT account_id FROM touchpoints WHERE external_id = 't1'"), 1);
}

}  // namespace

namespace {

TEST_F(StoreWriterTest, AFixedDomainReTiesTheRowsThatDependedOnIt) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Wrong Co","domain":"acme.com"})");
  // Tied through acme.com: a web visit, a contact by email, and a touch that follows that contact.
  write("web", Entity::Touchpoints, R"({"external_id":"t1","account_domain":"www.acme.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-02"})");
  write("mail", Entity::Contacts, R"({"external_id":"c1","email":"jo@acme.com"})");
  write("mail", Entity::Touchpoints, R"({"external_id":"t2","contact_external_id":"c1","channel":"email",
      "activity":"email_open","occurred_at":"2024-01-03"})");
  // Tied by explicit ids: these stay whatever the domain says.
  write("crm", Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1","email":"x@acme.com"})");
  write("crm", Entity::Opportunities, R"({"external_id":"o1","account_external_id":"a1","created_at":"2024-01-01"})");
  // Waiting for wrongco.com, the account's real domain.
  write("web", Entity::Touchpoints, R"({"external_id":"t3","account_domain":"wrongco.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-01-04"})");
  ASSERT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id = 1"), 2);
  EXPECT_EQ(queryText(ref_, "SELECT account_via_domain FROM touchpoints WHERE external_id = 't1'"), "acme.com");
  EXPECT_EQ(queryText(ref_, "SELECT account_via_domain FROM contacts WHERE external_id = 'c1'"), "acme.com");
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE external_id = 'c2' AND account_via_domain IS NULL"), 1);

  write("crm", Entity::Accounts, R"({"external_id":"a1","domain":"wrongco.com"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id FROM touchpoints WHERE account_id IS NULL ORDER BY 1"), "t1,t2");
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE external_id = 'c1' AND account_id IS NULL"), 1);
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c2'"), 1);
  EXPECT_EQ(count("SELECT account_id FROM opportunities WHERE external_id = 'o1'"), 1);
  EXPECT_EQ(count("SELECT account_id FROM touchpoints WHERE external_id = 't3'"), 1);

  // The company that really owns acme.com arrives: everything that waited for it is tied to it.
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Acme","domain":"acme.com"})");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id = 2"), 2);
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c1'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

TEST_F(StoreWriterTest, AFailedIdentityLookupFailsTheWriteInsteadOfTakingItForNotFound) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  // The lookup statement can no longer run: its table is gone from under it.
  ASSERT_TRUE(db_->exec("ALTER TABLE account_identities RENAME TO identities_elsewhere"));
  ASSERT_TRUE(w.begin());
  line_ = R"({"type":"RECORD","record":{"stream":"s","data":{"external_id":"c1","account_external_id":"a1"}}})";
  ASSERT_TRUE(parser_.parse(line_)) << parser_.error;
  std::string error;
  ASSERT_TRUE(validateRecord(Entity::Contacts, parser_.record.fields, row_, error)) << error;
  auto s = w.write(row_);
  ASSERT_FALSE(s) << "the contact was written as if account a1 did not exist";
  EXPECT_NE(s.message().find("cannot write contacts c1: identity lookup of 'a1' failed"), std::string::npos)
      << s.message();
  w.rollback();
}

TEST_F(StoreWriterTest, DeletionsRemoveTheRowAndUnlinkWhatPointedAtIt) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("ads", Entity::Accounts, R"({"external_id":"x1","domain":"acme.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"jo@acme.com"})");
  write("crm", Entity::Campaigns, R"({"external_id":"k1","name":"Q1","channel":"email"})");
  write("crm", Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c1","campaign_external_id":"k1",
      "channel":"email","activity":"email_open","occurred_at":"2024-01-02"})");
  write("crm", Entity::Opportunities, R"({"external_id":"o1","account_external_id":"a1","created_at":"2024-01-01"})");
  ASSERT_TRUE(db_->exec("DELETE FROM metrics_dirty_accounts"));  // as a metrics run does
  ASSERT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts"), 0);

  write("crm", Entity::Contacts, R"({"external_id":"c1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE contact_id IS NULL AND account_id = 1"), 1);
  write("crm", Entity::Campaigns, R"({"external_id":"k1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE campaign_id IS NULL"), 1);
  write("crm", Entity::Opportunities, R"({"external_id":"o1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM opportunities"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts WHERE account_id = 1"), 1);
  // Another source still knows the account: only this source's identity goes.
  write("crm", Entity::Accounts, R"({"external_id":"a1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM account_identities"), 1);
  write("ads", Entity::Accounts, R"({"external_id":"x1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id IS NOT NULL"), 0);
  // Deleting what the store never had is not an error.
  write("crm", Entity::Touchpoints, R"({"external_id":"never-seen","_deleted":true})");
  write("crm", Entity::Touchpoints, R"({"external_id":"t1","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 0);
}

// Survey responses are tied as touchpoints are: explicit ids, then a domain, then their contact's
// account; what is not in the store yet is parked and tied when it arrives.
TEST_F(StoreWriterTest, SurveyResponsesAreUpsertedAndTiedLikeTouchpoints) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1","email":"jo@acme.com"})");
  write("nps", Entity::SurveyResponses, R"({"external_id":"r1","email":"Jo@Acme.com","score":9,"comment":"Great",
      "responded_at":"2024-03-01T10:00:00Z"})");
  write("nps", Entity::SurveyResponses, R"({"external_id":"r2","account_domain":"www.acme.com","score":"3",
      "responded_at":"2024-03-02"})");
  EXPECT_EQ(queryRows(ref_, "SELECT external_id || '|' || coalesce(CAST(contact_id AS TEXT), '-') || '|' || account_id"
                            " || '|' || score || '|' || coalesce(comment, '-') || '|' || coalesce(account_via_domain, '-')"
                            " FROM survey_responses ORDER BY external_id"),
            (std::vector<std::string>{"r1|1|1|9|Great|-", "r2|-|1|3|-|acme.com"}));
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses WHERE external_id = 'r1' AND account_via_contact"), 1);
  EXPECT_EQ(queryText(ref_, "SELECT responded_at FROM survey_responses WHERE external_id = 'r2'"), "2024-03-02T00:00:00Z");

  // Sent again with a new score: the same row, the same id, no new id used up.
  write("nps", Entity::SurveyResponses, R"({"external_id":"r1","email":"jo@acme.com","score":10,
      "responded_at":"2024-03-01T10:00:00Z"})");
  write("nps", Entity::SurveyResponses, R"({"external_id":"r3","account_external_id":"nope","score":5,
      "responded_at":"2024-03-03"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id || ':' || response_id || ':' || score || ':' || coalesce(comment, '-')"
                              " FROM survey_responses ORDER BY 1"),
            "r1:1:10:-,r2:2:3:-,r3:3:5:-");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links WHERE entity = 'survey_responses' AND row_id = 3"), 1);

  // A deletion takes the row and what it waited for.
  write("nps", Entity::SurveyResponses, R"({"external_id":"r3","_deleted":true})");
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses WHERE external_id = 'r3'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
  // A deleted contact leaves its responses on their account, without a contact.
  write("crm", Entity::Contacts, R"({"external_id":"c1","_deleted":true})");
  EXPECT_EQ(queryText(ref_, "SELECT coalesce(CAST(contact_id AS TEXT), '-') || '|' || account_id FROM survey_responses"
                            " WHERE external_id = 'r1'"),
            "-|1");
}

TEST_F(StoreWriterTest, ASurveyResponseBeforeItsContactIsTiedWhenTheContactArrives) {
  write("nps", Entity::SurveyResponses, R"({"external_id":"r1","contact_external_id":"c1","score":9,
      "responded_at":"2024-03-01"})");
  write("nps", Entity::SurveyResponses, R"({"external_id":"r2","email":"ann@beta.io","score":2,
      "responded_at":"2024-03-01"})");
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses WHERE contact_id IS NULL AND account_id IS NULL"), 2);
  EXPECT_GT(count("SELECT count(*) FROM pending_links WHERE entity = 'survey_responses'"), 0);

  write("nps", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  write("nps", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
  write("crm", Entity::Accounts, R"({"external_id":"b1","name":"Beta","domain":"beta.io"})");
  write("crm", Entity::Contacts, R"({"external_id":"c2","email":"ann@beta.io"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT s.external_id || ':' || c.external_id || ':' || s.account_id FROM survey_responses s"
                              " JOIN contacts c ON c.contact_id = s.contact_id ORDER BY 1"),
            "r1:c1:1,r2:c2:2");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

TEST_F(StoreWriterTest, SurveyResponsesFollowTheirContactAndAFixedDomain) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Beta"})");
  write("crm", Entity::Accounts, R"({"external_id":"a3","name":"Wrong Co","domain":"gamma.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
  write("crm", Entity::SurveyResponses, R"({"external_id":"r1","contact_external_id":"c1","score":9,"responded_at":"2024-03-01"})");
  write("crm", Entity::SurveyResponses, R"({"external_id":"r2","contact_external_id":"c1","account_external_id":"a1",
      "score":8,"responded_at":"2024-03-01"})");
  write("web", Entity::SurveyResponses, R"({"external_id":"r3","account_domain":"gamma.com","score":1,"responded_at":"2024-03-01"})");
  // The contact moves: the response that had its account only through it follows; r2 named its own.
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a2"})");
  // The account's domain was wrong: r3, tied through it, waits for the real owner of gamma.com.
  write("crm", Entity::Accounts, R"({"external_id":"a3","domain":"wrongco.com"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id || ':' || coalesce(CAST(account_id AS TEXT), '-') FROM survey_responses"
                              " ORDER BY 1"),
            "r1:2,r2:1,r3:-");
  write("crm", Entity::Accounts, R"({"external_id":"a4","name":"Gamma","domain":"gamma.com"})");
  EXPECT_EQ(count("SELECT account_id FROM survey_responses WHERE external_id = 'r3'"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

// accounts.properties: each source adds what it knows; a later one replaces the keys it sends.
TEST_F(StoreWriterTest, AccountPropertiesMergeKeyByKeyAcrossSources) {
  using nlohmann::json;
  auto properties = [&](const std::string& name) {
    return json::parse(queryText(ref_, "SELECT properties FROM accounts WHERE name = '" + name + "'"));
  };
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com",
      "properties":{"technologies":["Salesforce","HubSpot"],"hiring":true,"hq":{"city":"Berlin","floor":3}}})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Beta"})");
  EXPECT_EQ(properties("Beta"), json::object()) << "an account without properties holds {}";
  // Another source knows the same company by its domain.
  write("ads", Entity::Accounts, R"({"external_id":"x9","domain":"www.acme.com",
      "properties":{"ad_spend_signal":"high","hiring":false,"hq":{"city":"Munich"}}})");
  EXPECT_EQ(properties("Acme"), json::parse(R"({"technologies":["Salesforce","HubSpot"],"hiring":false,
      "ad_spend_signal":"high","hq":{"city":"Munich"}})")) << "a nested object is replaced whole";
  // A row without properties keeps them; a key sent as null is removed.
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","properties":"{\"hiring\":null}"})");
  EXPECT_EQ(properties("Acme"), json::parse(R"({"technologies":["Salesforce","HubSpot"],"ad_spend_signal":"high",
      "hq":{"city":"Munich"}})"));
}

// Only abmd writes properties, always as objects; a row edited by hand into something else is not
// silently replaced: the write fails and says what to do.
TEST_F(StoreWriterTest, PropertiesAreNotMergedIntoAStoredValueThatIsNoObject) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
  test::execSql(ref_, "UPDATE accounts SET properties = '[1]'");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  line_ = R"({"type":"RECORD","record":{"stream":"s","data":{"external_id":"a1","name":"Acme","properties":{"hiring":true}}}})";
  ASSERT_TRUE(parser_.parse(line_)) << parser_.error;
  std::string error;
  ASSERT_TRUE(validateRecord(Entity::Accounts, parser_.record.fields, row_, error)) << error;
  const auto s = w.write(row_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message(), "cannot write account a1: its stored properties are not a JSON object (set accounts.properties"
                         " to '{}' or an object, then sync again)");
  w.rollback();
  // A row without properties is still written.
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme Inc"})");
  EXPECT_EQ(queryText(ref_, "SELECT name FROM accounts"), "Acme Inc");
}

TEST_F(StoreWriterTest, AnOpportunityKeepsWhenTheSourceExpectsItToClose) {
  write("crm", Entity::Opportunities, R"({"external_id":"o1","created_at":"2024-01-01","expected_close_at":"2024-06-30"})");
  write("crm", Entity::Opportunities, R"({"external_id":"o2","created_at":"2024-01-01"})");
  EXPECT_EQ(queryRows(ref_, "SELECT external_id, expected_close_at FROM opportunities ORDER BY 1"),
            (std::vector<std::string>{"o1|2024-06-30T00:00:00Z", "o2|"}));
  // The source moves the date, then drops it (the deal closed): the row says what it says now.
  write("crm", Entity::Opportunities, R"({"external_id":"o1","created_at":"2024-01-01","expected_close_at":"2024-09-30T12:00:00Z"})");
  EXPECT_EQ(queryText(ref_, "SELECT expected_close_at FROM opportunities WHERE external_id = 'o1'"), "2024-09-30T12:00:00Z");
  write("crm", Entity::Opportunities, R"({"external_id":"o1","created_at":"2024-01-01","is_won":true,"closed_at":"2024-07-01"})");
  EXPECT_EQ(count("SELECT count(*) FROM opportunities WHERE external_id = 'o1' AND expected_close_at IS NULL"), 1);
}

}  // namespace

namespace {

// Touchpoints are gathered and written in batches (COPY on PostgreSQL); everything below holds
// whichever way they are written, as it did when each was written on arrival.

// A contact that moves after its touchpoint arrived, in the same transaction: the touchpoint follows
// it, so the gathered touchpoints must be in the store before the contact is written.
TEST_F(StoreWriterTest, GatheredTouchpointsAreWrittenBeforeTheContactTheyFollowMoves) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Globex","domain":"globex.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints,
          R"({"external_id":"t1","contact_external_id":"c1","channel":"web","activity":"page_view","occurred_at":"2024-03-01"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c1","account_external_id":"a2"})");
  ASSERT_TRUE(w.commit());
  EXPECT_EQ(queryText(ref_, "SELECT account_id FROM touchpoints WHERE external_id = 't1'"), "2");
}

// Contacts of one transaction (on PostgreSQL gathered and written as one batch: looked up, new ones
// COPYed, known ones updated from a staging table) end as if written one by one: ids in the order
// first written; a second write replaces the first but keeps created_at and the source's updated_at
// when it has none; a known contact keeps its own; references parked under their ids; and the rows
// after them find them by id and by email.
TEST_F(StoreWriterTest, ContactsOfOneTransactionEndAsIfWrittenOneByOne) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Globex","domain":"globex.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c-known","account_external_id":"a1","title":"VP",
      "created_at":"2020-01-01","updated_at":"2020-02-01"})");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  // Before the contacts exist: the cache learns that c-new2 and ann@initech.com are not in the store.
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t0","contact_external_id":"c-new2","channel":"web",
      "activity":"page_view","occurred_at":"2024-03-01"})");
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t00","email":"ann@initech.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-03-01"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-new1","account_external_id":"a1","email":"Ann@Initech.com","first_name":"Ann"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-known","email":"bo@globex.com","first_name":"Bo"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-new2","account_external_id":"a1","created_at":"2023-05-06T07:08:09Z",
      "updated_at":"2023-06-01"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-new3","account_external_id":"a9","email":"dee@gmail.com"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-new1","account_external_id":"a2","email":"ann@initech.com","updated_at":"2024-01-01"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c-new2","account_external_id":"a2","title":"CFO"})");
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c-new2","channel":"web",
      "activity":"page_view","occurred_at":"2024-03-01"})");
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t2","email":"ann@initech.com","channel":"web",
      "activity":"page_view","occurred_at":"2024-03-01"})");
  ASSERT_TRUE(w.commit());  // without resolving pending links: t1 and t2 must have found their contacts
  EXPECT_EQ(queryRows(ref_, "SELECT contact_id, external_id, coalesce(account_id, 0), coalesce(account_via_domain, ''),"
                            " coalesce(email, ''), coalesce(first_name, ''), coalesce(title, ''),"
                            " CASE WHEN created_at_known THEN 'known' ELSE 'now' END,"
                            " coalesce(source_updated_at, created_at) FROM contacts ORDER BY contact_id"),
            (std::vector<std::string>{"1|c-known|2|globex.com|bo@globex.com|Bo||known|2020-02-01T00:00:00Z",
                                      "2|c-new1|2||ann@initech.com|||now|2024-01-01T00:00:00Z",
                                      "3|c-new2|2||||CFO|known|2023-06-01T00:00:00Z",
                                      "4|c-new3|0||dee@gmail.com|||now|" + queryText(ref_, "SELECT created_at FROM contacts WHERE contact_id = 4")}));
  EXPECT_EQ(queryRows(ref_, "SELECT external_id, created_at FROM contacts WHERE created_at_known ORDER BY contact_id"),
            (std::vector<std::string>{"c-known|2020-01-01T00:00:00Z", "c-new2|2023-05-06T07:08:09Z"}));
  EXPECT_EQ(queryRows(ref_, "SELECT external_id, coalesce(contact_id, 0), coalesce(account_id, 0) FROM touchpoints"
                            " ORDER BY external_id"),
            (std::vector<std::string>{"t0|0|0", "t00|0|0", "t1|3|2", "t2|2|2"}));
  EXPECT_EQ(queryRows(ref_, "SELECT entity, row_id, field, ref_kind, ref FROM pending_links WHERE entity = 'contacts'"),
            (std::vector<std::string>{"contacts|4|account_id|external_id|a9"}));
  write("crm", Entity::Accounts, R"({"external_id":"a9","name":"Initrode","domain":"initrode.com"})");
  EXPECT_EQ(queryText(ref_, "SELECT account_id FROM contacts WHERE external_id = 'c-new3'"), "3");
  // Written again, as a re-sync would, they keep their ids and take none.
  write("crm", Entity::Contacts, R"({"external_id":"c-new3","account_external_id":"a9"})");
  write("crm", Entity::Contacts, R"({"external_id":"c-new4"})");
  EXPECT_EQ(queryRows(ref_, "SELECT contact_id, external_id FROM contacts WHERE contact_id > 3 ORDER BY contact_id"),
            (std::vector<std::string>{"4|c-new3", "5|c-new4"}));
}

// Two accounts on one domain: a contact tied through it goes to the one with the most contacts,
// counting the contacts written earlier in the same transaction (on PostgreSQL still gathered: they
// are written before the count is read).
TEST_F(StoreWriterTest, ADomainTwoAccountsShareCountsTheContactsWrittenEarlierInTheTransaction) {
  ASSERT_TRUE(db_->exec("INSERT INTO accounts(account_id, name, domain, registrable_domain, created_at, updated_at) VALUES"
                        " (1, 'A', 'acme.com', 'acme.com', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),"
                        " (2, 'B', 'acme.com', 'acme.com', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
  ASSERT_TRUE(db_->exec("INSERT INTO account_identities(source, external_id, account_id) VALUES ('crm', 'a1', 1), ('crm', 'a2', 2)"));
  write("crm", Entity::Contacts, R"({"external_id":"c0","account_external_id":"a2"})");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c3","email":"bob@acme.com"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c4","email":"eve@acme.com"})");
  ASSERT_TRUE(w.commit());
  EXPECT_EQ(queryRows(ref_, "SELECT external_id, account_id FROM contacts ORDER BY contact_id"),
            (std::vector<std::string>{"c0|2", "c1|1", "c2|1", "c3|1", "c4|1"}));
}

// PostgreSQL: a batch of contacts that fails after it may have written part of itself (here a key
// the store cannot hold) rolls the whole transaction back, touchpoints written before it included,
// instead of leaving the caller a transaction to commit without the batch's pending links.
TEST_F(StoreWriterTest, AFailedContactBatchRollsItsTransactionBack) {
  if (db_->backend() != store::Backend::Postgresql) GTEST_SKIP() << "SQLite writes contacts one by one";
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t1","channel":"web","activity":"page_view","occurred_at":"2024-03-01"})");
  writeIn(w, Entity::Contacts, R"({"external_id":"c1","account_external_id":"a9"})");
  // Past the validator (which refuses it), as a row only the store refuses.
  writeIn(w, Entity::Contacts, R"({"external_id":"c-bad"})");
  row_.own[0] = std::string("c-b\0ad", 6);
  row_.v[0].text = row_.own[0];
  ASSERT_TRUE(w.write(row_));  // gathered
  const Status s = w.saveState("s", R"({"cursor":1})");
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot write 3 contacts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("NUL"), std::string::npos) << s.message();
  // (Else its partition lock would keep the counts below waiting.)
  ASSERT_FALSE(w.inTransaction()) << "the transaction of the failed batch is still open";
  for (const char* t : {"touchpoints", "contacts", "sync_state", "pending_links"})
    EXPECT_EQ(count(std::string("SELECT count(*) FROM ") + t), 0) << t;
}

// The ids a batch names, prefetched before it is written (on PostgreSQL: a query per kind), answer
// as lookups would, also where the batch itself writes what an earlier row of it named.
TEST_F(StoreWriterTest, IdsPrefetchedForABatchAnswerAsLookupsWould) {
  write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"acme.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
  write("crm", Entity::Campaigns, R"({"external_id":"k1","name":"Q1","channel":"email"})");
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  RowBatch b;
  const std::string touch = R"(,"channel":"email","activity":"email_open","occurred_at":"2024-02-01"})";
  addRecord(b, Entity::Contacts, R"({"external_id":"c2","account_external_id":"a1"})");
  addRecord(b, Entity::Touchpoints, R"({"external_id":"t1","contact_external_id":"c2","campaign_external_id":"k1")" + touch);
  addRecord(b, Entity::Touchpoints, R"({"external_id":"t2","contact_external_id":"c1")" + touch);
  addRecord(b, Entity::Campaigns, R"({"external_id":"k2","name":"Q2","channel":"ads"})");
  addRecord(b, Entity::AdSpend, R"({"campaign_external_id":"k2","date":"2024-02-01","cost":"3"})");
  addRecord(b, Entity::Accounts, R"({"external_id":"a9","name":"Initech","domain":"initech.com"})");
  addRecord(b, Entity::Touchpoints, R"({"external_id":"t3","account_external_id":"a9")" + touch);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(w.prefetchIds(b.items));
  for (const BatchItem& item : b.items) {
    auto s = w.write(*item.row);
    ASSERT_TRUE(s) << s.message();
  }
  ASSERT_TRUE(w.commit());  // without resolving pending links: each row must have found what it names
  EXPECT_EQ(queryRows(ref_, "SELECT external_id, coalesce(contact_id, 0), coalesce(account_id, 0), coalesce(campaign_id, 0)"
                            " FROM touchpoints ORDER BY external_id"),
            (std::vector<std::string>{"t1|2|1|1", "t2|1|1|0", "t3|0|2|0"}));
  EXPECT_EQ(queryText(ref_, "SELECT campaign_id FROM ad_spend"), "2");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

// Several touchpoints of one transaction wait for contacts, accounts and campaigns that are not
// there yet; one is written twice. Each is parked under its own id and tied once they arrive.
TEST_F(StoreWriterTest, GatheredTouchpointsWaitingForReferencesAreParkedUnderTheirIds) {
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  auto touch = [](const std::string& id, const std::string& refs) {
    return R"({"external_id":")" + id + R"(",)" + refs +
           R"(,"channel":"email","activity":"email_open","occurred_at":"2024-02-01"})";
  };
  writeIn(w, Entity::Touchpoints, touch("t1", R"("contact_external_id":"c9")"));
  writeIn(w, Entity::Touchpoints, touch("t2", R"("account_external_id":"a9","campaign_external_id":"k9")"));
  writeIn(w, Entity::Touchpoints, touch("t3", R"("email":"ann@initech.com")"));
  writeIn(w, Entity::Touchpoints, touch("t1", R"("contact_external_id":"c9","campaign_external_id":"k9")"));
  ASSERT_TRUE(w.commit());
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 3);
  EXPECT_EQ(queryJoined(ref_,
                        "SELECT t.external_id || ':' || p.field || ':' || p.ref_kind || ':' || p.ref FROM pending_links p"
                        " JOIN touchpoints t ON t.touchpoint_id = p.row_id WHERE p.entity = 'touchpoints'"
                        " ORDER BY t.external_id, p.field, p.ref_kind, p.ref"),
            "t1:account_id:contact:,t1:campaign_id:external_id:k9,t1:contact_id:external_id:c9,"
            "t2:account_id:external_id:a9,t2:campaign_id:external_id:k9,"
            "t3:account_id:contact:,t3:account_id:domain:initech.com,t3:contact_id:email:ann@initech.com");
  write("crm", Entity::Accounts, R"({"external_id":"a9","name":"Initech","domain":"initech.com"})");
  write("crm", Entity::Contacts, R"({"external_id":"c9","account_external_id":"a9","email":"ann@initech.com"})");
  write("crm", Entity::Campaigns, R"({"external_id":"k9","name":"Spring","channel":"email"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id || ':' || coalesce(account_id, 0) || ':' || coalesce(contact_id, 0)"
                              " || ':' || coalesce(campaign_id, 0) FROM touchpoints ORDER BY external_id"),
            "t1:1:1:1,t2:1:0:1,t3:1:1:0");
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);
}

// A checkpoint covers the records before it: when they cannot be written, it is not saved, and the
// error names the touchpoint.
TEST_F(StoreWriterTest, ACheckpointIsRefusedWhenTheTouchpointsBeforeItCannotBeWritten) {
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints, R"({"external_id":"t1","channel":"web","activity":"page_view","occurred_at":"2024-03-01"})");
  // Past the validator (which would refuse it), as a row the store itself refuses.
  line_ = R"({"type":"RECORD","record":{"stream":"s","data":{"external_id":"t-bad","channel":"web","activity":"page_view","occurred_at":"2024-03-01"}}})";
  ASSERT_TRUE(parser_.parse(line_));
  std::string error;
  ASSERT_TRUE(validateRecord(Entity::Touchpoints, parser_.record.fields, row_, error)) << error;
  row_.v[touchpoint_slot::Channel].text = "telepathy";  // not a channel: the store's CHECK refuses it
  ASSERT_TRUE(w.write(row_));
  const Status s = w.saveState("s", R"({"cursor":"2024-03-01"})");
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("touchpoint"), std::string::npos) << s.message();
  w.rollback();
  EXPECT_EQ(count("SELECT count(*) FROM sync_state"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 0);
}

// A source moves a contact, a deal or a touchpoint to another account. Each move marks both accounts
// for the next metrics run and never fails the run, whether the marks are already there (no metrics
// run since: abmctl sync) or not (a metrics run cleared them), and within one run across commits.
class AccountMoveTest : public StoreWriterTest {
 protected:
  void SetUp() override {
    StoreWriterTest::SetUp();
    write("crm", Entity::Accounts, R"({"external_id":"a1","name":"Acme"})");
    write("crm", Entity::Accounts, R"({"external_id":"a2","name":"Beta"})");
    write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a1"})");
    write("crm", Entity::Opportunities, R"({"external_id":"o1","account_external_id":"a1","created_at":"2024-01-01"})");
    write("crm", Entity::Touchpoints, touch("t1", R"("account_external_id":"a1")"));
  }
  static std::string touch(const std::string& id, const std::string& refs) {
    return R"({"external_id":")" + id + R"(",)" + refs +
           R"(,"channel":"email","activity":"email_open","occurred_at":"2024-01-02"})";
  }
  void moveAllTo(const std::string& account, StoreWriter* in_run = nullptr) {
    const std::string ref = R"("account_external_id":")" + account + R"(")";
    const std::string contact = R"({"external_id":"c1",)" + ref + "}";
    const std::string deal = R"({"external_id":"o1",)" + ref + R"(,"created_at":"2024-01-01"})";
    if (!in_run) {
      write("crm", Entity::Contacts, contact);
      write("crm", Entity::Opportunities, deal);
      write("crm", Entity::Touchpoints, touch("t1", ref));
      return;
    }
    writeIn(*in_run, Entity::Contacts, contact);
    writeIn(*in_run, Entity::Opportunities, deal);
    writeIn(*in_run, Entity::Touchpoints, touch("t1", ref));
  }
  void clearDirtyMarks() { ASSERT_TRUE(db_->exec("DELETE FROM metrics_dirty_accounts")); }
  // The accounts of c1, o1 and t1.
  std::string placed() {
    return queryText(ref_, "SELECT (SELECT account_id FROM contacts WHERE external_id = 'c1') || ','"
                            " || (SELECT account_id FROM opportunities WHERE external_id = 'o1') || ','"
                            " || (SELECT account_id FROM touchpoints WHERE external_id = 't1')");
  }
  void expectAllOn(int64_t account) {
    const std::string id = std::to_string(account);
    EXPECT_EQ(placed(), id + "," + id + "," + id);
  }
};

TEST_F(AccountMoveTest, BetweenSyncsWhileBothAccountsAreStillMarked) {
  ASSERT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts"), 2);
  moveAllTo("a2");
  expectAllOn(2);
  moveAllTo("a1");
  expectAllOn(1);
}

TEST_F(AccountMoveTest, BetweenSyncsWithAMetricsRunBetweenMarksBothAccounts) {
  clearDirtyMarks();
  moveAllTo("a2");
  expectAllOn(2);
  EXPECT_EQ(queryJoined(ref_, "SELECT account_id FROM metrics_dirty_accounts ORDER BY 1"), "1,2");
}

TEST_F(AccountMoveTest, WithinOneRunAcrossCommits) {
  clearDirtyMarks();
  StoreWriter w(*db_, "crm", free_mail_);
  ASSERT_TRUE(w.prepare());
  ASSERT_TRUE(w.begin());
  writeIn(w, Entity::Touchpoints, touch("t2", R"("account_external_id":"a1")"));
  writeIn(w, Entity::Touchpoints, touch("t3", R"("account_external_id":"a2")"));
  ASSERT_TRUE(w.commit());  // this commit marks a1 and a2
  ASSERT_TRUE(w.begin());
  moveAllTo("a2", &w);
  ASSERT_TRUE(w.resolvePendingLinks());
  auto s = w.commit();
  ASSERT_TRUE(s) << s.message();
  expectAllOn(2);
}

TEST_F(AccountMoveTest, MovesThroughALateLinkAndADomainFix) {
  // A contact tied later through pending_links, and one re-tied by a corrected domain, while the
  // accounts involved are already marked.
  write("web", Entity::Contacts, R"({"external_id":"c7","email":"jo@gamma.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a3","name":"Gamma","domain":"gamma.com"})");
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c7'"), 3);
  write("crm", Entity::Accounts, R"({"external_id":"a3","domain":"gamma-group.com"})");
  write("crm", Entity::Accounts, R"({"external_id":"a4","name":"Gamma Inc","domain":"gamma.com"})");
  EXPECT_EQ(count("SELECT account_id FROM contacts WHERE external_id = 'c7'"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts WHERE account_id IN (3, 4)"), 2);
}

TEST_F(AccountMoveTest, TouchpointsTiedThroughTheirContactFollowIt) {
  // t2 has only its contact; t3 names its account itself and stays there.
  write("crm", Entity::Touchpoints, touch("t2", R"("contact_external_id":"c1")"));
  write("crm", Entity::Touchpoints, touch("t3", R"("contact_external_id":"c1","account_external_id":"a1")"));
  // t4 arrives before its contact and borrows the account once the contact is there.
  write("crm", Entity::Touchpoints, touch("t4", R"("contact_external_id":"c4")"));
  write("crm", Entity::Contacts, R"({"external_id":"c4","account_external_id":"a1"})");
  ASSERT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id = 1"), 4);
  clearDirtyMarks();

  write("crm", Entity::Contacts, R"({"external_id":"c1","account_external_id":"a2"})");
  write("crm", Entity::Contacts, R"({"external_id":"c4","account_external_id":"a2"})");
  EXPECT_EQ(queryJoined(ref_, "SELECT external_id || ':' || account_id FROM touchpoints ORDER BY external_id"),
            "t1:1,t2:2,t3:1,t4:2");
  EXPECT_EQ(count("SELECT count(*) FROM metrics_dirty_accounts"), 2);
  // A full refresh writes the same ties as the incremental moves did.
  write("crm", Entity::Touchpoints, touch("t2", R"("contact_external_id":"c1")"));
  write("crm", Entity::Touchpoints, touch("t4", R"("contact_external_id":"c4")"));
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE account_id = 2"), 2);
}

}  // namespace
