// abmctl report executive|campaigns|funnel|accounts and abmctl export, over rows put into the metric
// tables by hand; also run on PostgreSQL (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "test_support.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-06-15T00:00:00Z";

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig();
    // A connector whose secret is not set: reports and exports do not need it.
    ws_.addConnector("crm", "csv", R"({"path": "${env:ABMD_TEST_UNSET_SECRET}"})");
    ASSERT_TRUE(ws_.store_.open());  // created and migrated: the commands only read
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws_.config().string()});
    return run(args);
  }
  void sql(const std::string& s) { execSql(ws_.store(), s); }
  // One kpis row of the period; value "NULL" for none.
  void kpi(const std::string& period, const std::string& segment, const std::string& metric, const std::string& value) {
    sql("INSERT INTO kpis(as_of, period, period_start, period_end, segment, metric, value) VALUES('" + kAsOf + "', '" +
        period + "', '2026-03-17T00:00:00Z', '" + kAsOf + "', '" + segment + "', '" + metric + "', " + value + ")");
  }
  void executiveKpis() {
    kpi("last_90d", "target", "pipeline_created", "300000");
    kpi("last_90d", "non_target", "pipeline_created", "100000");
    kpi("last_90d", "all", "pipeline_created", "400000");
    kpi("last_90d", "target", "win_rate", "0.5");
    kpi("last_90d", "non_target", "win_rate", "0.25");
    kpi("last_90d", "all", "win_rate", "0.4");
    kpi("last_90d", "target", "avg_deal_size", "NULL");
    kpi("last_90d", "non_target", "avg_deal_size", "20000");
    kpi("last_90d", "all", "cac", "1200");
    kpi("qtd", "target", "forecast_quarter", "30000");
    kpi("qtd", "non_target", "forecast_quarter", "20000");
    kpi("qtd", "all", "forecast_quarter", "50000");
    kpi("last_90d", "segment:Enterprise", "pipeline_created", "200000");
  }
  Workspace ws_;
};

// The row of `metric` in a report's JSON.
json rowOf(const json& doc, const std::string& key, const std::string& value) {
  for (const auto& r : doc["rows"])
    if (r[key] == value) return r;
  ADD_FAILURE() << "no row " << key << "=" << value << " in " << doc.dump();
  return json::object();
}

TEST_F(ReportCli, ExecutiveShowsTargetNonTargetAndAllWithTheLift) {
  executiveKpis();
  auto r = ctl({"report", "executive", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["report"], "executive");
  EXPECT_EQ(doc["period"], "last_90d");
  EXPECT_EQ(doc["as_of"], kAsOf);
  EXPECT_EQ(doc["period_end"], kAsOf);
  const json pipeline = rowOf(doc, "metric", "pipeline_created");
  EXPECT_EQ(pipeline["target"], 300000.0);
  EXPECT_EQ(pipeline["non_target"], 100000.0);
  EXPECT_EQ(pipeline["all"], 400000.0);
  EXPECT_EQ(pipeline["lift"], 2.0);
  EXPECT_EQ(rowOf(doc, "metric", "win_rate")["lift"], 1.0);
  // A NULL figure stays null, and so does its lift; the forecast is the quarter's.
  EXPECT_TRUE(rowOf(doc, "metric", "avg_deal_size")["target"].is_null());
  EXPECT_TRUE(rowOf(doc, "metric", "avg_deal_size")["lift"].is_null());
  EXPECT_EQ(rowOf(doc, "metric", "forecast_quarter")["all"], 50000.0);
  EXPECT_EQ(rowOf(doc, "metric", "forecast_quarter")["lift"], 0.5);
  EXPECT_EQ(rowOf(doc, "metric", "cac")["all"], 1200.0);
  EXPECT_TRUE(rowOf(doc, "metric", "cac")["target"].is_null());
  EXPECT_TRUE(rowOf(doc, "metric", "sales_cycle_days_mean")["all"].is_null());

  auto table = ctl({"report", "executive"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Executive summary, last_90d [2026-03-17T00:00:00Z, 2026-06-15T00:00:00Z)"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("  metric                     target  non_target         all     lift"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("  pipeline_created       300,000.00  100,000.00  400,000.00  +200.0%"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("  win_rate                    50.0%       25.0%       40.0%  +100.0%"), std::string::npos)
      << table.out;

  auto csv = ctl({"report", "executive", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find("\r\n", csv.out.find("\r\n") + 2) + 2),
            "metric,target,non_target,all,lift\r\npipeline_created,300000,100000,400000,2\r\n");
  EXPECT_NE(csv.out.find("avg_deal_size,,20000,,\r\n"), std::string::npos) << csv.out;
}

TEST_F(ReportCli, ASegmentIsComparedWithAllAndAnUnknownOneIsNamed) {
  executiveKpis();
  auto r = ctl({"report", "executive", "--segment", "Enterprise", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json pipeline = rowOf(json::parse(r.out), "metric", "pipeline_created");
  EXPECT_EQ(pipeline["segment:Enterprise"], 200000.0);
  EXPECT_EQ(pipeline["all"], 400000.0);
  EXPECT_EQ(pipeline["lift"], -0.5);
  EXPECT_FALSE(pipeline.contains("target"));

  auto bad = ctl({"report", "executive", "--segment", "Nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("segment 'Nope' has no KPIs (segments with KPIs: segment:Enterprise)"), std::string::npos)
      << bad.err;
  EXPECT_EQ(bad.out, "");
}

TEST_F(ReportCli, PeriodsAreCheckedAndTheKnownOnesListed) {
  executiveKpis();
  auto missing = ctl({"report", "executive", "--period", "2026-05"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no KPIs for period '2026-05'; the store has: last_90d, qtd"), std::string::npos)
      << missing.err;
  auto shapeless = ctl({"report", "funnel", "--period", "yesterday"});
  EXPECT_EQ(shapeless.exit_code, 2);
  EXPECT_NE(shapeless.err.find("--period 'yesterday' is not a period: last_90d, last_365d, qtd or a month"),
            std::string::npos)
      << shapeless.err;
  EXPECT_EQ(ctl({"report", "executive", "--period", "2026-13"}).exit_code, 2);
  auto quarter = ctl({"report", "executive", "--period", "qtd", "--format", "json"});
  ASSERT_EQ(quarter.exit_code, 0) << quarter.err;
  EXPECT_EQ(rowOf(json::parse(quarter.out), "metric", "forecast_quarter")["target"], 30000.0);
}

TEST_F(ReportCli, BadUsageIsRefusedWithTheReason) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } const cases[] = {
      {{"report", "executive", "--format", "xml"}, "--format 'xml' is not one of table, json, csv"},
      {{"report", "pipeline"}, "report has no subcommand 'pipeline' (executive, campaigns, funnel, accounts)"},
      {{"report", "executive", "funnel"}, "report takes one subcommand"},
      {{"report", "--format", "json"}, "go with a subcommand"},
      {{"report", "campaigns", "--segment", "Enterprise"}, "campaign figures are over all accounts"},
      {{"report", "accounts", "--period", "last_90d"}, "report accounts takes no --period"},
      {{"report", "accounts", "--top", "many"}, "--top takes a whole number"},
      {{"report", "executive", "--period"}, "--period needs a value"},
      {{"report", "executive", "--colour"}, "unknown option --colour"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.back();
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  auto help = ctl({"report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("report executive|campaigns|funnel|accounts"), std::string::npos);
  EXPECT_NE(ctl({"--help"}).out.find("export TABLE [--format csv|ndjson]"), std::string::npos);
}

TEST_F(ReportCli, AnEmptyStoreGivesEmptyReportsNotErrors) {
  auto exec = ctl({"report", "executive"});
  ASSERT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find("No KPIs yet: run 'abmctl metrics run'"), std::string::npos) << exec.out;
  auto j = ctl({"report", "executive", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json doc = json::parse(j.out);
  EXPECT_TRUE(doc["as_of"].is_null());
  EXPECT_EQ(doc["rows"].size(), 7u);
  EXPECT_TRUE(rowOf(doc, "metric", "win_rate")["target"].is_null());
  auto campaigns = ctl({"report", "campaigns", "--format", "json"});
  ASSERT_EQ(campaigns.exit_code, 0) << campaigns.err;
  EXPECT_EQ(json::parse(campaigns.out)["rows"].size(), 0u);
  auto accounts = ctl({"report", "accounts", "--format", "csv"});
  ASSERT_EQ(accounts.exit_code, 0) << accounts.err;
  EXPECT_EQ(accounts.out,
            "account_id,name,domain,target,tier,stage,since,score,score_prev_window,touchpoints,engaged_contacts,"
            "channels\r\n");
  auto funnel = ctl({"report", "funnel", "--format", "json"});
  ASSERT_EQ(funnel.exit_code, 0) << funnel.err;
  EXPECT_EQ(json::parse(funnel.out)["rows"].size(), 6u);
  EXPECT_EQ(ctl({"report", "executive", "--segment", "Enterprise"}).exit_code, 1);
  // Without a subcommand: the overview, as before.
  auto overview = ctl({"report", "--top", "3"});
  ASSERT_EQ(overview.exit_code, 0) << overview.err;
  EXPECT_NE(overview.out.find("Store: "), std::string::npos);
}

TEST_F(ReportCli, CampaignsListCampaignsThenChannels) {
  sql("INSERT INTO campaigns(campaign_id, source, external_id, name, channel) VALUES"
      " (1, 'ads', 'c1', 'Spring, \"big\" push', 'ads'), (2, 'mail', 'c2', 'Newsletter', 'email')");
  const std::string cols =
      "INSERT INTO campaign_performance(as_of, period, campaign_id, channel, spend, impressions, clicks, ctr, cpc, cpm,"
      " accounts_reached, accounts_engaged, influenced_pipeline, sourced_pipeline, attributed_pipeline,"
      " attributed_revenue, roas, roi, cac) VALUES ";
  sql(cols + "('" + kAsOf + "', 'last_90d', NULL, 'ads', 200, 4000, 40, 0.01, 5, 50, 1, 1, 1000, 1000, 600, 600, 3, 2, 300),"
             "('" + kAsOf + "', 'last_90d', 2, 'email', 0, 0, 0, NULL, NULL, NULL, 2, 1, 1000, 0, 400, 400, NULL, NULL, 0),"
             "('" + kAsOf + "', 'last_90d', 1, 'ads', 200, 4000, 40, 0.01, 5, 50, 1, 1, 1000, 1000, 600, 600, 3, 2, 300),"
             "('" + kAsOf + "', '2026-05', 1, 'ads', 200, 4000, 40, 0.01, 5, 50, 1, 1, 1000, 1000, 600, 600, 3, 2, 300)");
  auto r = ctl({"report", "campaigns", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["as_of"], kAsOf);
  ASSERT_EQ(doc["rows"].size(), 3u);
  EXPECT_EQ(doc["rows"][0]["campaign"], "Spring, \"big\" push");
  EXPECT_EQ(doc["rows"][0]["roas"], 3.0);
  EXPECT_EQ(doc["rows"][1]["campaign_id"], 2.0);
  EXPECT_TRUE(doc["rows"][1]["ctr"].is_null());
  EXPECT_TRUE(doc["rows"][2]["campaign_id"].is_null());
  EXPECT_EQ(doc["rows"][2]["channel"], "ads");
  EXPECT_EQ(doc["rows"][2]["cac"], 300.0);

  auto csv = ctl({"report", "campaigns", "--format", "csv", "--period", "2026-05"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("\r\n\"Spring, \"\"big\"\" push\",1,ads,200,4000,40,0.01,5,50,1,1,1000,1000,600,600,3,2,300\r\n"),
            std::string::npos)
      << csv.out;
  auto table = ctl({"report", "campaigns"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("(channel total)"), std::string::npos) << table.out;
  auto missing = ctl({"report", "campaigns", "--period", "2025-01"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no campaign figures for period '2025-01'; the store has: 2026-05, last_90d"),
            std::string::npos)
      << missing.err;
}

TEST_F(ReportCli, FunnelJoinsTheJourneyWithThePeriodsConversions) {
  sql("INSERT INTO journey_funnel(stage, position, accounts_entered, accounts_reached_next, conversion_rate,"
      " median_days_to_next) VALUES ('target', 1, 3, 2, 0.6666666666666666, 7.5), ('aware', 2, 2, 2, 1, 20),"
      " ('customer', 6, 0, 0, NULL, NULL)");
  kpi("last_90d", "target", "conv_aware_to_engaged", "0.5");
  kpi("last_90d", "non_target", "conv_aware_to_engaged", "0.25");
  kpi("last_90d", "target", "conv_target_to_customer", "0.1");
  auto r = ctl({"report", "funnel", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["rows"].size(), 6u);
  const json aware = rowOf(doc, "stage", "aware");
  EXPECT_EQ(aware["accounts_entered"], 2.0);
  EXPECT_EQ(aware["median_days_to_next"], 20.0);
  EXPECT_EQ(aware["period_metric"], "conv_aware_to_engaged");
  EXPECT_EQ(aware["target"], 0.5);
  EXPECT_EQ(aware["lift"], 1.0);
  EXPECT_EQ(rowOf(doc, "stage", "target")["target"], 0.1);
  EXPECT_TRUE(rowOf(doc, "stage", "engaged")["accounts_entered"].is_null());
  EXPECT_TRUE(rowOf(doc, "stage", "customer")["period_metric"].is_null());
}

TEST_F(ReportCli, AccountsAreTheMostEngagedFirst) {
  sql("INSERT INTO accounts(account_id, name, domain, is_target, tier, created_at, updated_at) VALUES"
      " (1, 'Acme', 'acme.com', TRUE, 'tier1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
      " (2, 'Beta', NULL, FALSE, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  sql("INSERT INTO account_engagement(account_id, as_of, score, touchpoints, engaged_contacts, channels,"
      " score_prev_window) VALUES (1, '" + kAsOf + "', 12.5, 4, 2, 2, 3), (2, '" + kAsOf + "', 70, 9, 3, 1, 0)");
  sql("INSERT INTO account_stages(account_id, stage, since) VALUES (1, 'aware', '2026-05-01T00:00:00Z'),"
      " (2, 'mqa', '2026-06-01T00:00:00Z')");
  auto r = ctl({"report", "accounts", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["rows"].size(), 2u);
  EXPECT_EQ(doc["rows"][0]["name"], "Beta");
  EXPECT_EQ(doc["rows"][0]["stage"], "mqa");
  EXPECT_TRUE(doc["rows"][0]["domain"].is_null());
  EXPECT_EQ(doc["rows"][1]["target"], "yes");
  EXPECT_EQ(doc["rows"][1]["tier"], "tier1");
  EXPECT_EQ(doc["rows"][1]["score"], 12.5);
  auto top = ctl({"report", "accounts", "--top", "1", "--format", "csv"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_EQ(top.out.substr(top.out.find("\r\n") + 2), "2,Beta,,no,,mqa,2026-06-01T00:00:00Z,70,0,9,3,1\r\n");
}

class ExportCli : public ReportCli {};

TEST_F(ExportCli, CsvIsRfc4180WithAHeaderAndEmptyNulls) {
  sql("INSERT INTO accounts(account_id, name, domain, employee_count, annual_revenue, created_at, updated_at) VALUES"
      " (1, 'Acme, \"Inc\"\nEurope', 'acme.com', 250, 1500000.5, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),"
      " (2, 'Beta', NULL, NULL, 0.1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  auto r = ctl({"export", "accounts"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string header = r.out.substr(0, r.out.find("\r\n"));
  EXPECT_EQ(header.rfind("account_id,name,domain,registrable_domain,industry,employee_count,annual_revenue,country,"
                         "is_target,tier,created_at,updated_at",
                         0),
            0u)
      << header;
  EXPECT_EQ(header.find("rowid"), std::string::npos);
  EXPECT_NE(r.out.find("\r\n1,\"Acme, \"\"Inc\"\"\nEurope\",acme.com,,,250,1500000.5,,0,,2026-01-01T00:00:00Z,"
                       "2026-01-02T00:00:00Z"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\r\n2,Beta,,,,,0.1,,0,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z"), std::string::npos) << r.out;
}

TEST_F(ExportCli, NdjsonKeepsNumbersNumbersAndNullsNull) {
  sql("INSERT INTO opportunities(opportunity_id, account_id, source, external_id, name, amount, probability,"
      " is_closed, is_won, created_at, closed_at, updated_at) VALUES"
      " (7, 1, 'crm', '0042', 'Big \"deal\"', 1000.25, NULL, TRUE, TRUE, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z',"
      " '2026-02-01T00:00:00Z')");
  auto r = ctl({"export", "opportunities", "--format", "ndjson"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const json o = json::parse(line);
  EXPECT_EQ(o["opportunity_id"], 7);
  EXPECT_TRUE(o["opportunity_id"].is_number_integer());
  EXPECT_EQ(o["external_id"], "0042");  // text that looks like a number stays text
  EXPECT_EQ(o["name"], "Big \"deal\"");
  EXPECT_EQ(o["amount"], 1000.25);
  EXPECT_TRUE(o["probability"].is_null());
  EXPECT_EQ(o["is_won"], 1);
  EXPECT_EQ(o["closed_at"], "2026-02-01T00:00:00Z");
  EXPECT_FALSE(o.contains("rowid"));
  EXPECT_FALSE(std::getline(lines, line));
}

TEST_F(ExportCli, ViewsAndEmptyTablesExport) {
  sql("INSERT INTO accounts(account_id, name, is_target, created_at, updated_at) VALUES"
      " (1, 'Acme', TRUE, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  auto view = ctl({"export", "account_targeting", "--format", "ndjson"});
  ASSERT_EQ(view.exit_code, 0) << view.err;
  EXPECT_EQ(json::parse(view.out), json::parse(R"({"account_id": 1, "is_target": 1, "tier": null})"));
  // An empty table still has its header (PostgreSQL names the columns without a row).
  auto empty = ctl({"export", "kpis"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "as_of,period,period_start,period_end,segment,metric,value\r\n");
  auto none = ctl({"export", "campaign_performance", "--format", "ndjson"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
}

TEST_F(ExportCli, OnlyTheContractsTablesAndFormatsAreAccepted) {
  for (const char* table : {"metrics_dirty_accounts", "sqlite_master", "accounts; DROP TABLE accounts"}) {
    auto r = ctl({"export", table});
    EXPECT_EQ(r.exit_code, 2) << table;
    EXPECT_NE(r.err.find(std::string("export has no table '") + table + "'; it exports: accounts, account_identities,"),
              std::string::npos)
        << r.err;
  }
  auto format = ctl({"export", "accounts", "--format", "xlsx"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("--format 'xlsx' is not one of csv, ndjson"), std::string::npos) << format.err;
  auto none = ctl({"export"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("export takes a TABLE: accounts,"), std::string::npos) << none.err;
  auto help = ctl({"export", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("campaign_performance"), std::string::npos);
}

TEST(ExportCliStore, AMissingStoreIsAnErrorAndNothingIsCreated) {
  if (onPostgresql()) GTEST_SKIP() << "a missing SQLite file";
  Workspace ws;
  ws.writeConfig();
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{{"export", "accounts"}, {"report", "executive"}}) {
    std::vector<std::string> argv{kCtl, "-c", ws.config().string()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 1) << cmd[0];
    EXPECT_NE(r.err.find("no store at " + ws.store().string()), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(ws.store().file())) << cmd[0] << " created the store";
  }
}

}  // namespace
