// The same input gives the same store on SQLite and on PostgreSQL: every table's rows, ids included
// (the "now" a write stamps and the writing process's pid aside). The demo data and the identity cases are synced through the real
// abmctl into one store of each backend, written again in full (updates must not use up ids), then
// joined by rows that are new; the two stores are then compared row by row.
#include <gtest/gtest.h>

#include "common/timestamp.hpp"
#include "store_snapshot.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

// The inputs: folders of CSV files, one per connector, shared by both stores.
struct Inputs {
  TempDir dir;
  Inputs() {
    auto gen = run({(binDir() / "abm-demo-gen").string(), (dir / "demo").string(), "--accounts", "60", "--touchpoints",
                    "2500"});
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    // Identity: touchpoints that wait for an account another connector brings later.
    writeFile(dir / "web/touchpoints.csv", "external_id,account_domain,channel,activity,occurred_at\n"
                                           "w1,https://www.acme.com/pricing,web,page_view,2024-01-01\n"
                                           "w2,contact.globex.io,web,page_view,2024-01-02\n");
    writeFile(dir / "crm/accounts.csv", "external_id,name,domain\nA-1,Acme,ACME.com\n");
    // Identity: one company from two sources (an audited merge), and domains never merged on.
    writeFile(dir / "hubspot/accounts.csv", "external_id,name,domain,is_target\nH-1,Acme Europe,eu.acme.com,true\n"
                                            "H-2,Holding A,a.holding.example,false\n");
    writeFile(dir / "salesforce/accounts.csv", "external_id,name,domain,industry\n001X,Acme Inc,https://www.acme.com,Software\n"
                                               "001Y,Holding B,b.holding.example,Finance\n002Z,Globex,globex.io,Energy\n");
    writeFile(dir / "salesforce/contacts.csv", "external_id,email\nc1,jo@sales.acme.com\nc2,max@holding.example\n"
                                               "c3,kim@globex.io\n");
    writeFile(dir / "salesforce/opportunities.csv",
              "external_id,account_external_id,name,amount,created_at\no1,001X,Acme renewal,1200.50,2024-02-01\n");
    // Rows that are new after everything else was written once and then again.
    writeFile(dir / "late/campaigns.csv", "external_id,name,channel\nL-1,Late launch,ads\n");
    writeFile(dir / "late/contacts.csv", "external_id,account_external_id,email\nlc1,,new@acme.com\n");
    writeFile(dir / "late/opportunities.csv", "external_id,account_external_id,amount,created_at\nlo1,,10,2024-03-01\n");
    writeFile(dir / "late/ad_spend.csv", "campaign_external_id,date,impressions,cost\nL-1,2024-03-02,10,2.25\n");
    writeFile(dir / "late/touchpoints.csv", "external_id,contact_external_id,campaign_external_id,channel,activity,occurred_at\n"
                                            "lt1,lc1,L-1,ads,ad_click,2024-03-02T10:00:00Z\n");
  }
};

void syncAll(const Workspace& ws, const Inputs& in) {
  ws.writeConfig(R"(, "identity": {"never_merge_domains": ["holding.example"]})");
  for (const char* c : {"demo", "web", "crm", "hubspot", "salesforce", "late"})
    ws.addConnector(c, "csv", R"({"path": ")" + (in.dir / c).string() + R"("})");
  auto sync = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{kCtl, "-c", ws.config().string(), "sync"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << ws.store().string() << ": sync " << args[0] << ":\n" << r.err;
  };
  for (const char* c : {"demo", "web", "crm", "hubspot", "salesforce"}) sync({c});
  // Everything again, as updates of known rows: on PostgreSQL an upsert would draw ids for them.
  for (const char* c : {"demo", "hubspot", "salesforce"}) sync({c, "--full-refresh"});
  sync({"late"});
}

TEST(BackendParity, TheDemoDataAndTheIdentityCasesGiveTheSameRowsAndIdsOnBoth) {
  const Inputs in;
  Workspace sqlite(abm::store::Backend::Sqlite), postgresql(abm::store::Backend::Postgresql);
  const int64_t from = abm::nowEpochSeconds();
  syncAll(sqlite, in);
  syncAll(postgresql, in);
  const int64_t to = abm::nowEpochSeconds();
  ASSERT_FALSE(HasFailure());

  // Each sync ran in its own abmctl process.
  const std::set<std::string> ignored = {"sync_runs.owner_pid", "sync_runs.instance_id"};
  const auto a = snapshotStore(sqlite.store(), sqlite.store().file(), from, to, ignored);
  const auto b = snapshotStore(postgresql.store(), sqlite.store().file(), from, to, ignored);
  // The comparison means something only if the stores hold what was synced.
  ASSERT_GT(a.at("touchpoints").rows.size(), 2500u);
  ASSERT_GT(a.at("contacts").rows.size(), 60u);
  ASSERT_EQ(a.at("account_merges").rows.size(), 2u);  // hubspot and salesforce join crm's Acme
  ASSERT_EQ(queryInt(sqlite.store(), "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'"), 9);
  const std::string differences = snapshotDifferences(a, b, "SQLite", "PostgreSQL");
  EXPECT_TRUE(differences.empty()) << differences;
  // The rows new at the end took the next ids, on both.
  for (const char* ids : {"SELECT max(contact_id) = (SELECT contact_id FROM contacts WHERE external_id = 'lc1') FROM contacts",
                          "SELECT max(campaign_id) = (SELECT campaign_id FROM campaigns WHERE external_id = 'L-1') FROM campaigns",
                          "SELECT count(*) = max(opportunity_id) FROM opportunities",
                          "SELECT count(*) = max(contact_id) FROM contacts", "SELECT count(*) = max(campaign_id) FROM campaigns",
                          "SELECT count(*) = max(rowid) FROM ad_spend"}) {
    EXPECT_EQ(queryInt(sqlite.store(), ids), 1) << "SQLite: " << ids;
    EXPECT_EQ(queryInt(postgresql.store(), ids), 1) << "PostgreSQL: " << ids;
  }
}

}  // namespace
