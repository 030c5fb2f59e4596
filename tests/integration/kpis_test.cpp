// The KPIs of a metrics run on a small store, read back from the kpis table (docs/metrics.md#kpis).
// Runs on SQLite and, as Kpis.*/postgresql, on PostgreSQL.
#include <gtest/gtest.h>

#include "metric_rows.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-11-15T12:00:00Z";

// One figure as exact text ("NULL" when NULL); "" when the row is missing.
std::string kpi(const StoreRef& db, const std::string& period, const std::string& segment, const std::string& metric) {
  const auto rows = exactRows(db, "SELECT value FROM kpis WHERE period = '" + period + "' AND segment = '" + segment +
                                      "' AND metric = '" + metric + "'", {0});
  return rows.empty() ? "" : rows.front();
}

class Kpis : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig();
    writeFile(ws_.dir / "crm/accounts.csv", "external_id,name,domain,is_target,tier\n"
                                            "a1,Acme,acme.com,true,strategic\na2,Beta,beta.com,false,\n"
                                            "a3,Gamma,gamma.com,false,\n");
    writeFile(ws_.dir / "crm/contacts.csv", "external_id,account_external_id,email,buying_role\n"
                                            "c1,a1,ann@acme.com,decision_maker\nc2,a1,bob@acme.com,champion\n"
                                            "c3,a2,cy@beta.com,\n");
    writeFile(ws_.dir / "crm/touchpoints.csv",
              "external_id,account_external_id,contact_external_id,channel,activity,occurred_at\n"
              "t1,a1,c1,web,page_view,2026-10-02\nt2,a1,c2,email,email_click,2026-10-03\n"
              "t3,a2,c3,web,page_view,2026-10-04\nt4,a3,,web,page_view,2026-10-05\n");
    writeFile(ws_.dir / "crm/opportunities.csv",
              "external_id,account_external_id,type,amount,probability,created_at,closed_at,is_closed,is_won\n"
              "o1,a1,new_business,100,,2026-10-01,2026-10-11,true,true\n"
              "o2,a2,new_business,50,,2026-10-05,2026-10-20,true,false\n"
              "o3,a3,new_business,200,0.5,2026-10-10,,false,false\n");
    ws_.addConnector("crm", "csv", R"({"path": "../crm"})");
    auto sync = run({kCtl, "-c", ws_.config().string(), "sync", "crm"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    // What the CRM plugins, the survey connectors and `abmctl lists import` write.
    execSql(db(), "UPDATE opportunities SET expected_close_at = '2026-12-01T00:00:00Z' WHERE external_id = 'o3'");
    execSql(db(), "INSERT INTO survey_responses(account_id, source, external_id, score, responded_at)"
                  " SELECT account_id, 'survey', 'r1', 10, '2026-10-05T00:00:00Z' FROM accounts WHERE domain = 'acme.com'");
    execSql(db(), "INSERT INTO survey_responses(account_id, source, external_id, score, responded_at)"
                  " SELECT account_id, 'survey', 'r2', 3, '2026-10-06T00:00:00Z' FROM accounts WHERE domain = 'beta.com'");
    execSql(db(), "INSERT INTO account_lists(name, is_target, tier, imported_at)"
                  " VALUES('Q4 targets', TRUE, 'growth', '2026-09-01T00:00:00Z')");
    execSql(db(), "INSERT INTO account_list_members(list_id, account_id, matched_by)"
                  " SELECT l.list_id, a.account_id, 'domain' FROM accounts a, account_lists l"
                  " WHERE a.domain = 'gamma.com' AND l.name = 'Q4 targets'");
    auto m = run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf});
    ASSERT_EQ(m.exit_code, 0) << m.err;
  }
  StoreRef db() const { return ws_.store(); }
  std::string f(const std::string& segment, const std::string& metric, const std::string& period = "2026-10") {
    return kpi(db(), period, segment, metric);
  }
  Workspace ws_;
};

}  // namespace

TEST_F(Kpis, AMetricsRunWritesEveryFigureOfEveryPeriodAndSegment) {
  // 16 periods × 5 segments (all, target, non_target, tier:growth, tier:strategic) × 23 figures,
  // ad_spend and cac in `all` of every period, forecast and run rate in qtd of every segment.
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis"), 16 * 5 * 23 + 16 * 2 + 5 * 2);
  EXPECT_EQ(queryJoined(db(), "SELECT DISTINCT segment FROM kpis ORDER BY segment"),
            "all,non_target,target,tier:growth,tier:strategic");
  EXPECT_EQ(queryRows(db(), "SELECT as_of, period_start, period_end FROM kpis WHERE period = '2026-10' LIMIT 1"),
            std::vector<std::string>{kAsOf + "|2026-10-01T00:00:00Z|2026-11-01T00:00:00Z"});
  EXPECT_EQ(queryRows(db(), "SELECT period_start, period_end FROM kpis WHERE period = 'qtd' LIMIT 1"),
            std::vector<std::string>{"2026-10-01T00:00:00Z|" + kAsOf});
  // A second run replaces the figures.
  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf}).exit_code, 0);
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis"), 16 * 5 * 23 + 16 * 2 + 5 * 2);
}

TEST_F(Kpis, DealsSplitByTargetListsAndTiers) {
  EXPECT_EQ(f("all", "opportunities_created"), "3");
  EXPECT_EQ(f("all", "pipeline_created"), "350");
  EXPECT_EQ(f("all", "win_rate"), "0.5");
  EXPECT_EQ(f("all", "avg_deal_size"), "100");
  EXPECT_EQ(f("all", "sales_cycle_days_median"), "10");
  EXPECT_EQ(f("all", "new_customers"), "1");
  // Gamma is a target through the list, with the list's tier.
  EXPECT_EQ(f("target", "pipeline_created"), "300");
  EXPECT_EQ(f("target", "win_rate"), "1");
  EXPECT_EQ(f("non_target", "win_rate"), "0");
  EXPECT_EQ(f("tier:growth", "pipeline_created"), "200");
  EXPECT_EQ(f("tier:strategic", "won_revenue"), "100");
  EXPECT_EQ(f("all", "weighted_pipeline"), "100");
  EXPECT_EQ(f("all", "forecast_quarter", "qtd"), "200");  // 100 won + 200 × 0.5 expected by 2027-01-01
  // Empty: counts 0, ratios NULL.
  EXPECT_EQ(f("all", "won_deals", "2026-05"), "0");
  EXPECT_EQ(f("all", "win_rate", "2026-05"), "NULL");
  EXPECT_EQ(f("all", "cac", "2026-10"), "0");  // no spend, one new customer
  EXPECT_EQ(f("all", "cac", "2026-05"), "NULL");
}

TEST_F(Kpis, SurveysCoverageAndTheJourney) {
  EXPECT_EQ(f("all", "survey_responses"), "2");
  EXPECT_EQ(f("all", "nps"), "0");
  EXPECT_EQ(f("target", "nps"), "100");
  EXPECT_EQ(f("non_target", "nps"), "-100");
  EXPECT_EQ(f("all", "committee_coverage"), "0.66666666666666663");  // 2 roles at Acme, none at Beta and Gamma
  EXPECT_EQ(f("all", "engaged_contacts"), "3");
  EXPECT_EQ(f("tier:strategic", "committee_coverage"), "2");
  // Only Acme is a target in the CRM, so only it has a "target" stage.
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis WHERE segment = 'non_target'"
                           " AND metric = 'conv_target_to_customer' AND value IS NOT NULL"),
            0);
  // From the journey: Acme's deal was won, Beta's lost; Gamma went from aware (its page view) straight
  // to an opportunity, past engaged.
  EXPECT_EQ(f("tier:strategic", "conv_opportunity_to_customer"), "1");
  EXPECT_EQ(f("non_target", "conv_opportunity_to_customer"), "0");
  EXPECT_EQ(f("tier:growth", "conv_aware_to_engaged"), "1");
}

TEST_F(Kpis, SavedSegmentsCutEveryFigure) {
  auto create = run({kCtl, "-c", ws_.config().string(), "segments", "create", "acme_beta",
                     R"(domain in ("acme.com", "beta.com"))"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf}).exit_code, 0);
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis WHERE segment = 'segment:acme_beta'"), 16 * 23 + 2)
      << "every figure of every period, the quarter's forecast and run rate";
  EXPECT_EQ(f("segment:acme_beta", "pipeline_created"), "150");
  EXPECT_EQ(f("segment:acme_beta", "win_rate"), "0.5");
  EXPECT_EQ(f("segment:acme_beta", "survey_responses"), "2");
}

TEST_F(Kpis, ASavedFilterThatNoLongerParsesFailsTheRunNamingIt) {
  execSql(db(), "INSERT INTO segments(name, filter, created_at, updated_at)"
                " VALUES('broken', 'industry between', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')");
  auto m = run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf});
  EXPECT_NE(m.exit_code, 0);
  EXPECT_NE(m.err.find("saved segment 'broken'"), std::string::npos) << m.err;
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis WHERE segment LIKE 'segment:%'"), 0);
  EXPECT_EQ(queryInt(db(), "SELECT count(*) FROM kpis"), 16 * 5 * 23 + 16 * 2 + 5 * 2)
      << "the figures of the last good run stay";
}

TEST_F(Kpis, AnImportedTargetListMakesItsAccountsTargetsInTheJourneyEvenIncrementally) {
  // Delta arrives with no touch at all: unaware, until a target list names it.
  writeFile(ws_.dir / "more/accounts.csv", "external_id,name,domain,created_at\nd1,Delta,delta.com,2026-09-01\n");
  ws_.addConnector("more", "csv", R"({"path": "../more"})");
  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "sync", "more"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf}).exit_code, 0);
  const std::string stage =
      "SELECT s.stage FROM account_stages s JOIN accounts a USING (account_id) WHERE a.domain = 'delta.com'";
  EXPECT_EQ(queryJoined(db(), stage), "unaware");

  writeFile(ws_.dir / "delta.csv", "domain\nhttps://www.delta.com/about\n");
  auto import = run({kCtl, "-c", ws_.config().string(), "lists", "import", "late", (ws_.dir / "delta.csv").string(),
                     "--target"});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  auto m = run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("incremental"), std::string::npos) << m.out;
  EXPECT_EQ(queryJoined(db(), stage), "target") << "the list import marked Delta for the incremental run";

  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "lists", "delete", "late"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf}).exit_code, 0);
  EXPECT_EQ(queryJoined(db(), stage), "unaware") << "deleting the list marked Delta too";
}
