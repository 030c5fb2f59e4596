// abmctl segments, accounts and lists against a real store (SegmentsCli.*/postgresql runs them on
// PostgreSQL): what each prints, what it writes, and how it refuses bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/store_lock.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

class SegmentsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig();
    ASSERT_TRUE(ws_.store_.open());  // migrated
    // 1 Acme (software, US, engaged, a Salesforce shop); 2 Beta (fintech, DE, on eu.beta.de);
    // 3 and 4 both "Gamma" once legal forms are dropped.
    execSql(ws_.store(), R"(
      INSERT INTO accounts(account_id, name, domain, registrable_domain, industry, employee_count, country, is_target,
                           created_at, updated_at, properties) VALUES
        (1, 'Acme Inc', 'acme.com', 'acme.com', 'Software', 300, 'US', FALSE, '2024-01-01T00:00:00Z',
         '2024-01-01T00:00:00Z', '{"technologies": ["Salesforce"]}'),
        (2, 'Beta GmbH', 'eu.beta.de', 'beta.de', 'Fintech', 1200, 'DE', FALSE, '2024-01-01T00:00:00Z',
         '2024-01-01T00:00:00Z', '{}'),
        (3, 'Gamma', 'gamma.io', 'gamma.io', 'Retail', 50, 'US', FALSE, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}'),
        (4, 'Gamma LLC', NULL, NULL, 'Retail', NULL, NULL, FALSE, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}');
      INSERT INTO account_stages(account_id, stage, since) VALUES (1, 'engaged', '2024-06-01T00:00:00Z');
    )");
  }
  CommandResult ctl(std::vector<std::string> args) {
    std::vector<std::string> argv{kCtl, "-c", ws_.config().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  Workspace ws_;
};

const std::string kExample =
    R"(industry in ("Software","Fintech") and employee_count between 200 and 5000 and country = "US" and )"
    R"(properties.technologies contains "Salesforce" and stage >= engaged)";

TEST_F(SegmentsCli, SegmentsAreSavedListedShownUsedAndDeleted) {
  auto created = ctl({"segments", "create", "icp", kExample});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "segment icp saved: 1 account(s) match now\n");
  auto dup = ctl({"segments", "create", "icp", "country = DE"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("segment 'icp' exists already"), std::string::npos) << dup.err;
  ASSERT_EQ(ctl({"segments", "create", "us", "country = US"}).exit_code, 0);
  ASSERT_EQ(ctl({"segments", "create", "us", "country = DE", "--replace"}).exit_code, 0);

  auto list = ctl({"segments", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "segment  accounts  filter\n"
                      "icp      1         " + kExample + "\n"
                      "us       1         country = DE\n");
  auto show = ctl({"segments", "show", "us"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("filter:   country = DE\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("accounts: 1 "), std::string::npos) << show.out;

  auto csv = ctl({"accounts", "--segment", "icp", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "account_id,name,domain,industry,country,employee_count,annual_revenue,tier,is_target,stage,engagement\n"
            "1,Acme Inc,acme.com,Software,US,300,,,false,engaged,0\n");
  auto json = ctl({"accounts", "--filter", "industry = retail", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["account_id"], 3);
  EXPECT_EQ(rows[1]["name"], "Gamma LLC");
  EXPECT_TRUE(rows[1]["country"].is_null());
  auto table = ctl({"accounts", "--filter", "name contains gamma"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("\n2 account(s)\n"), std::string::npos) << table.out;

  ASSERT_EQ(ctl({"segments", "delete", "us"}).exit_code, 0);
  auto again = ctl({"segments", "delete", "us"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "abmctl: no segment named 'us' (abmctl segments list shows them)\n");
}

TEST_F(SegmentsCli, BadFiltersAndUsageAreRefusedWithWhereAndWhy) {
  auto bad = ctl({"segments", "create", "x", "employee_count between and 5000"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "abmctl: filter:1:24: expected a value after 'between', found 'and'\n"
            "  employee_count between and 5000\n"
            "                         ^\n");
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM segments"), 0);
  EXPECT_EQ(ctl({"accounts", "--filter", "stage >= hot"}).exit_code, 2);
  EXPECT_EQ(ctl({"segments", "create", "a/b", "country = US"}).exit_code, 2);
  EXPECT_EQ(ctl({"segments", "create", "x"}).exit_code, 2);
  EXPECT_EQ(ctl({"segments", "list", "--replace"}).exit_code, 2);
  EXPECT_EQ(ctl({"accounts"}).exit_code, 2);
  EXPECT_EQ(ctl({"accounts", "--segment", "a", "--filter", "country = US"}).exit_code, 2);
  auto format = ctl({"accounts", "--filter", "country = US", "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("--format takes table, json or csv, not 'xml'"), std::string::npos);
  auto unknown = ctl({"accounts", "--segment", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "abmctl: no segment named 'nope' (abmctl segments list shows them)\n");
  // A filter saved by an older version that no longer parses: named, with the fix.
  execSql(ws_.store(), "INSERT INTO segments(name, filter, created_at, updated_at) VALUES"
                       " ('old', 'region = EMEA', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')");
  auto old = ctl({"accounts", "--segment", "old"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.err.find("segment 'old': its filter no longer parses: filter:1:1: unknown field 'region'"),
            std::string::npos)
      << old.err;
  auto list = ctl({"segments", "list"});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_NE(list.out.find("old      (filter does not parse)  region = EMEA"), std::string::npos) << list.out;
}

TEST_F(SegmentsCli, ListsAreMatchedByDomainThenNameAndReplacedOnReimport) {
  writeFile(ws_.dir / "in/abm.csv",
            "Company Name,Website\n"
            "\"ACME, Inc.\",https://www.acme.com/about\n"
            "Beta Ltd,\n"
            "Gamma Corp,\n"
            "Nope,nope.com\n");
  auto r = ctl({"lists", "import", "abm", (ws_.dir / "in/abm.csv").string(), "--target", "--tier", "Tier 1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "matched: 2\n"
            "  line 2: ACME, Inc. / https://www.acme.com/about -> account 1 (by domain)\n"
            "  line 3: Beta Ltd -> account 2 (by name)\n"
            "ambiguous: 1\n"
            "  line 4: Gamma Corp -> accounts 3, 4: the name 'gamma' is that of accounts 3, 4\n"
            "unmatched: 1\n"
            "  line 5: Nope / nope.com: no account has the domain nope.com; no account is named 'nope'\n"
            "list abm: 2 row(s) matched 2 account(s), its accounts are targets, tier Tier 1\n"
            "2 row(s) not matched written to " + (ws_.dir / "in/abm-unmatched.csv").string() +
                " (column abmd_reason says why; fix them and import the file again)\n");
  EXPECT_EQ(readFile(ws_.dir / "in/abm-unmatched.csv"),
            "Company Name,Website,abmd_reason\n"
            "Gamma Corp,,\"ambiguous: the name 'gamma' is that of accounts 3, 4\"\n"
            "Nope,nope.com,unmatched: no account has the domain nope.com; no account is named 'nope'\n");
  // The list's accounts are targets, with its tier, through account_targeting.
  auto targets = ctl({"accounts", "--filter", "is_target = true and tier = 'tier 1'", "--format", "csv"});
  ASSERT_EQ(targets.exit_code, 0) << targets.err;
  EXPECT_EQ(targets.out.substr(targets.out.find('\n') + 1),
            "1,Acme Inc,acme.com,Software,US,300,,Tier 1,true,engaged,0\n"
            "2,Beta GmbH,eu.beta.de,Fintech,DE,1200,,Tier 1,true,,0\n");
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM account_targeting WHERE is_target"), 2);

  auto lists = ctl({"lists", "list"});
  ASSERT_EQ(lists.exit_code, 0);
  EXPECT_EQ(lists.out.rfind("list  target  tier    accounts  imported\nabm   yes     Tier 1  2         ", 0), 0u) << lists.out;

  // Importing the name again replaces its accounts; --unmatched puts the leftovers elsewhere.
  writeFile(ws_.dir / "in/abm2.csv", "domain\ngamma.io\nshop.beta.de\n");
  auto again = ctl({"lists", "import", "abm", (ws_.dir / "in/abm2.csv").string(), "--unmatched",
                    (ws_.dir / "left.csv").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("every row matched; no unmatched file written\n"), std::string::npos) << again.out;
  EXPECT_FALSE(fs::exists(ws_.dir / "left.csv"));
  auto show = ctl({"lists", "show", "abm"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("target:   no\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("account_id  name       domain      matched_by\n"
                          "2           Beta GmbH  eu.beta.de  domain\n"
                          "3           Gamma      gamma.io    domain\n"),
            std::string::npos)
      << show.out;
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM account_targeting WHERE is_target"), 0);

  ASSERT_EQ(ctl({"lists", "delete", "abm"}).exit_code, 0);
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM account_list_members"), 0);
  EXPECT_EQ(ctl({"lists", "delete", "abm"}).exit_code, 1);
  EXPECT_EQ(ctl({"lists", "show", "abm"}).exit_code, 1);
}

TEST_F(SegmentsCli, ListImportsRefuseBadFilesAndNamesAndWriteNothing) {
  auto missing = ctl({"lists", "import", "x", (ws_.dir / "none.csv").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "abmctl: " + (ws_.dir / "none.csv").string() + ": cannot read it (no such file, or not readable)\n");
  writeFile(ws_.dir / "ids.csv", "id,industry\n1,x\n");
  auto columns = ctl({"lists", "import", "x", (ws_.dir / "ids.csv").string()});
  EXPECT_EQ(columns.exit_code, 1);
  EXPECT_NE(columns.err.find("ids.csv:1: no company name or domain column in the header"), std::string::npos) << columns.err;
  writeFile(ws_.dir / "ok.csv", "domain\nacme.com\n");
  EXPECT_EQ(ctl({"lists", "import", "bad name", (ws_.dir / "ok.csv").string()}).exit_code, 2);
  EXPECT_EQ(ctl({"lists", "import", "x", (ws_.dir / "ok.csv").string(), "--tier"}).exit_code, 2);
  EXPECT_EQ(ctl({"lists", "list", "--target"}).exit_code, 2);
  EXPECT_EQ(ctl({"lists", "import", "x", (ws_.dir / "ok.csv").string(), "--unmatched", (ws_.dir / "ok.csv").string()})
                .exit_code,
            2);
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM account_lists"), 0);
}

// abmd holds the store lock while it runs: segments and lists are written beside it, without
// migrating; a store whose schema predates segments is named as such and left alone.
TEST_F(SegmentsCli, WritesBesideADaemonHoldingTheLockAndRefuseAnOlderSchema) {
  auto lock = abm::store::StoreLock::acquire(ws_.store().location(), "abmd (test)");
  ASSERT_TRUE(lock) << lock.error();
  auto created = ctl({"segments", "create", "us", "country = US"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "segment us saved: 2 account(s) match now\n");
  writeFile(ws_.dir / "l.csv", "domain\nacme.com\n");
  ASSERT_EQ(ctl({"lists", "import", "l", (ws_.dir / "l.csv").string()}).exit_code, 0);

  execSql(ws_.store(), "DROP VIEW account_targeting");
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"segments", "create", "de", "country = DE"}, {"segments", "list"}, {"accounts", "--filter", "country = US"},
           {"lists", "list"}}) {
    auto r = ctl(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd[0];
    EXPECT_NE(r.err.find("has no segments or account lists yet (its schema predates them)"), std::string::npos)
        << cmd[0] << ": " << r.err;
  }
  EXPECT_EQ(queryInt(ws_.store(), "SELECT count(*) FROM segments"), 1);
}

}  // namespace
