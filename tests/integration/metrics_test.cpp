// The metrics stage end to end on the demo data: invariants that hold whatever the data, and the
// same rows for the same data and as_of.
#include <gtest/gtest.h>

#include <cstdio>

#include "common/timestamp.hpp"
#include "metric_rows.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-10-31T00:00:00Z";

class DemoMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace;
    ASSERT_EQ(run({(binDir() / "abm-demo-gen").string(), (ws_->dir / "data").string(), "--accounts", "150",
                   "--touchpoints", "12000"})
                  .exit_code,
              0);
    ws_->writeConfig();
    ws_->addConnector("demo", "csv", "{\"path\": \"../data\"}");
    auto sync = run({kCtl, "-c", ws_->config().string(), "sync", "demo"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto m = run({kCtl, "-c", ws_->config().string(), "metrics", "run", "--as-of", kAsOf});
    ASSERT_EQ(m.exit_code, 0) << m.err;
    ASSERT_NE(m.out.find("metrics as of 2026-10-31T00:00:00Z"), std::string::npos) << m.out;
  }
  static void TearDownTestSuite() { delete ws_; }
  int64_t q(const std::string& sql) { return queryInt(ws_->store(), sql); }
  static Workspace* ws_;
};
Workspace* DemoMetrics::ws_ = nullptr;

TEST_F(DemoMetrics, EachOpportunitysCreditsSumToOnePerModel) {
  EXPECT_GT(q("SELECT count(*) FROM attribution_touches"), 1000);
  for (const char* m : {"first_touch", "last_touch", "linear", "time_decay", "position_based", "u_shaped", "w_shaped",
                        "full_path", "j_shaped", "inverse_j"}) {
    const std::string sql = std::string("SELECT count(*) FROM (SELECT conversion, opportunity_id, sum(") + m +
                            ") AS s FROM attribution_touches GROUP BY 1, 2) x WHERE abs(s - 1) > 1e-9";
    EXPECT_EQ(q(sql), 0) << m;
  }
  // Every attributed conversion has a path, and each path row is within the lookback before it.
  EXPECT_EQ(q("SELECT count(DISTINCT conversion || opportunity_id) FROM attribution_touches"),
            q("SELECT sum(attributed) FROM attribution_conversions"));
  const auto spans = queryRows(ws_->store(), "SELECT t.occurred_at, o.created_at FROM attribution_touches t"
                                             " JOIN opportunities o USING (opportunity_id) WHERE t.conversion = 'pipeline'");
  ASSERT_GT(spans.size(), 500u);
  for (const auto& r : spans) {
    const auto touched = abm::parseTimestamp(r.substr(0, r.find('|')));
    const auto created = abm::parseTimestamp(r.substr(r.find('|') + 1));
    ASSERT_TRUE(touched && created) << r;
    EXPECT_LE(*touched, *created) << r;
    EXPECT_GE(*touched, *created - 365 * 86400) << r;
  }
  EXPECT_EQ(q("SELECT count(*) FROM attribution_touches t JOIN touchpoints p USING (touchpoint_id)"
              " WHERE p.activity IN ('email_send', 'ad_impression')"),
            0);
}

TEST_F(DemoMetrics, ChannelTotalsEqualTheAttributedConversions) {
  const int64_t models = q("SELECT count(DISTINCT model) FROM attribution_channels");
  EXPECT_EQ(models, 12);
  for (const char* conv : {"pipeline", "revenue"}) {
    const std::string c = conv;
    const std::string bad =
        "SELECT count(*) FROM (SELECT model, sum(conversions) AS n, sum(value) AS v FROM attribution_channels"
        " WHERE conversion = '" + c + "' GROUP BY model) x, attribution_conversions a WHERE a.conversion = '" + c +
        "' AND (abs(x.n - a.attributed) > 1e-6 OR abs(x.v - a.attributed_value) > 1e-3)";
    EXPECT_EQ(q(bad), 0) << conv;
    // The campaign roll-up and the long-form view agree with the channel roll-up.
    EXPECT_EQ(q("SELECT count(*) FROM (SELECT model, sum(conversions) AS n FROM attribution_campaigns"
                " WHERE conversion = '" + c + "' GROUP BY model) x, attribution_conversions a"
                " WHERE a.conversion = '" + c + "' AND abs(x.n - a.attributed) > 1e-6"),
              0);
    EXPECT_EQ(q("SELECT count(*) FROM (SELECT model, sum(credit) AS n FROM attribution_credits"
                " WHERE conversion = '" + c + "' GROUP BY model) x, attribution_conversions a"
                " WHERE a.conversion = '" + c + "' AND abs(x.n - a.attributed) > 1e-6"),
              0);
  }
  EXPECT_EQ(q("SELECT conversions FROM attribution_conversions WHERE conversion = 'pipeline'"),
            q("SELECT count(*) FROM opportunities WHERE created_at <= '" + kAsOf + "'"));
  EXPECT_EQ(q("SELECT conversions FROM attribution_conversions WHERE conversion = 'revenue'"),
            q("SELECT count(*) FROM opportunities WHERE is_won AND closed_at <= '" + kAsOf + "'"));
}

TEST_F(DemoMetrics, EveryAccountHasExactlyOneCurrentStage) {
  EXPECT_EQ(q("SELECT count(*) FROM account_stages"), q("SELECT count(*) FROM accounts"));
  EXPECT_EQ(q("SELECT count(*) FROM accounts a WHERE is_target AND"
              " (SELECT count(*) FROM account_stage_history h WHERE h.account_id = a.account_id AND exited_at IS NULL) != 1"),
            0);
  EXPECT_EQ(q("SELECT count(*) FROM account_stages s JOIN account_stage_history h USING (account_id)"
              " WHERE h.exited_at IS NULL AND (h.stage != s.stage OR h.entered_at != s.since)"),
            0);
  // Spans of an account follow each other without gaps.
  EXPECT_EQ(q("SELECT count(*) FROM account_stage_history h WHERE exited_at IS NOT NULL AND NOT EXISTS"
              " (SELECT 1 FROM account_stage_history n WHERE n.account_id = h.account_id AND n.entered_at = h.exited_at)"),
            0);
  // Won accounts are customers; non-target accounts are never 'target'.
  EXPECT_EQ(q("SELECT count(*) FROM account_stages s WHERE stage != 'customer' AND EXISTS (SELECT 1 FROM opportunities o"
              " WHERE o.account_id = s.account_id AND o.is_won AND o.closed_at <= '" + kAsOf + "')"),
            0);
  EXPECT_EQ(q("SELECT count(*) FROM account_stages s JOIN accounts a USING (account_id) WHERE NOT a.is_target AND s.stage = 'target'"), 0);
  // The stage agrees with the engagement row of the same run.
  EXPECT_EQ(q("SELECT count(*) FROM account_stages s JOIN account_engagement e USING (account_id)"
              " WHERE s.stage IN ('mqa', 'engaged', 'aware') AND e.touchpoints = 0"),
            0);
  EXPECT_EQ(q("SELECT count(*) FROM account_stages s JOIN account_engagement e USING (account_id)"
              " WHERE s.stage = 'engaged' AND (e.score < 15 OR e.score >= 60)"),
            0);
}

TEST_F(DemoMetrics, FunnelCountsTargetAccounts) {
  EXPECT_EQ(q("SELECT accounts_entered FROM journey_funnel WHERE stage = 'target'"),
            q("SELECT count(*) FROM accounts WHERE is_target"));
  EXPECT_EQ(q("SELECT accounts_entered FROM journey_funnel WHERE stage = 'customer'"),
            q("SELECT count(DISTINCT h.account_id) FROM account_stage_history h JOIN accounts a USING (account_id)"
              " WHERE a.is_target AND h.stage = 'customer'"));
  EXPECT_EQ(q("SELECT count(*) FROM journey_funnel WHERE accounts_reached_next > accounts_entered"), 0);
  EXPECT_EQ(q("SELECT count(*) FROM journey_funnel"), 6);
}

// The campaign table over the demo's year agrees with the rows it is made of.
TEST_F(DemoMetrics, CampaignTableAgreesWithSpendAndCredits) {
  const std::string year = "period = 'last_365d'";
  EXPECT_GT(q("SELECT count(*) FROM campaign_performance WHERE campaign_id IS NOT NULL AND " + year), 3);
  const auto channel_spend = doubles(ws_->store(), "SELECT sum(spend) FROM campaign_performance WHERE campaign_id IS NULL AND " + year);
  const auto spend = doubles(ws_->store(), "SELECT sum(cost) FROM ad_spend WHERE date >= '2025-10-31' AND date < '2026-10-31'");
  ASSERT_EQ(channel_spend.size(), 1u);
  EXPECT_GT(spend[0], 0);
  EXPECT_NEAR(channel_spend[0], spend[0], 1e-6 * spend[0]);
  const auto revenue = doubles(ws_->store(), "SELECT sum(c.value) FROM attribution_credits c JOIN opportunities o"
                                             " USING (opportunity_id) WHERE c.model = 'w_shaped' AND c.conversion = 'revenue'"
                                             " AND o.closed_at >= '2025-10-31T00:00:00Z' AND o.closed_at < '2026-10-31T00:00:00Z'");
  const auto channel_revenue =
      doubles(ws_->store(), "SELECT sum(attributed_revenue) FROM campaign_performance WHERE campaign_id IS NULL AND " + year);
  EXPECT_GT(revenue[0], 0);
  EXPECT_NEAR(channel_revenue[0], revenue[0], 1e-6 * revenue[0]);
  EXPECT_EQ(q("SELECT count(*) FROM campaign_performance WHERE accounts_engaged > accounts_reached"
              " OR sourced_pipeline > influenced_pipeline + 1e-6"),
            0);
  // Each channel's row counts every account its campaigns reached, and maybe more.
  EXPECT_EQ(q("SELECT count(*) FROM campaign_performance c JOIN campaign_performance t ON t.period = c.period"
              " AND t.campaign_id IS NULL AND t.channel = c.channel WHERE c.campaign_id IS NOT NULL"
              " AND c.accounts_reached > t.accounts_reached"),
            0);
}

TEST_F(DemoMetrics, ReportShowsScoresStagesFunnelAndChannels) {
  auto r = run({kCtl, "-c", ws_->config().string(), "report", "--top", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Most engaged accounts (metrics as of 2026-10-31T00:00:00Z)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Journey of target accounts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Revenue by channel (W-shaped attribution)"), std::string::npos) << r.out;
  // The first account listed is the one with the highest score.
  const std::string top = queryText(ws_->store(), "SELECT a.name FROM account_engagement e JOIN accounts a"
                                                  " USING (account_id) ORDER BY e.score DESC, a.account_id LIMIT 1");
  EXPECT_LT(r.out.find(top.substr(0, 29)), r.out.find("Journey"));
}

TEST_F(DemoMetrics, SameDataSameAsOfSameRowsWhetherFullOrIncremental) {
  const std::string ctl_c[] = {kCtl, "-c", ws_->config().string()};
  auto metrics = [&](const std::string& as_of, bool full = false) {
    std::vector<std::string> args(std::begin(ctl_c), std::end(ctl_c));
    args.insert(args.end(), {"metrics", "run", "--as-of", as_of});
    if (full) args.push_back("--full");
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  metrics(kAsOf, true);
  const MetricRows full = metricRows(ws_->store());
  ASSERT_GT(full.at("attribution_touches").size(), 1000u);

  metrics(kAsOf);  // nothing changed: incremental, and few accounts need anything
  EXPECT_EQ(lastMode(ws_->store()).rfind("incremental", 0), 0u) << lastMode(ws_->store());
  EXPECT_EQ(firstDifference(metricRows(ws_->store()), full), "");

  metrics("2026-06-30T00:00:00Z");  // back in time: a full run that sees less
  EXPECT_EQ(lastMode(ws_->store()).rfind("full", 0), 0u) << lastMode(ws_->store());
  EXPECT_NE(firstDifference(metricRows(ws_->store()), full), "");

  metrics(kAsOf);  // forward four months incrementally: exactly what a full run gives
  EXPECT_EQ(lastMode(ws_->store()).rfind("incremental", 0), 0u) << lastMode(ws_->store());
  EXPECT_EQ(firstDifference(metricRows(ws_->store()), full), "");
}

TEST(Metrics, AfterASmallSyncOnlyTheTouchedAccountsAreRecomputed) {
  Workspace ws;
  ws.writeConfig();
  ASSERT_EQ(run({(binDir() / "abm-demo-gen").string(), (ws.dir / "data").string(), "--accounts", "120",
                 "--touchpoints", "8000"}).exit_code, 0);
  ws.addConnector("demo", "csv", R"({"path": "../data"})");
  const std::string conf = ws.config().string();
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "demo"}).exit_code, 0);
  // An as_of long after the data: decay has settled, so only changed accounts need work.
  const std::string as_of = "2027-12-31T00:00:00Z";
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of}).exit_code, 0);
  EXPECT_EQ(lastMode(ws.store()).rfind("full", 0), 0u);

  // A small sync from a second source: a webinar for one account, a new won deal for another.
  const std::string a1 = queryText(ws.store(), "SELECT domain FROM accounts ORDER BY account_id LIMIT 1");
  const std::string a2 = queryText(ws.store(), "SELECT domain FROM accounts ORDER BY account_id LIMIT 1 OFFSET 7");
  writeFile(ws.dir / "events/touchpoints.csv", "external_id,account_domain,channel,activity,occurred_at\n"
                                               "w1," + a1 + ",event,webinar_attend,2027-12-20T15:00:00Z\n");
  writeFile(ws.dir / "events/opportunities.csv",
            "external_id,account_domain,amount,created_at,closed_at,is_closed,is_won\n"
            "x1," + a2 + ",90000,2027-11-01,2027-12-15,true,true\n");
  ws.addConnector("events", "csv", R"({"path": "../events"})");
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "events"}).exit_code, 0);
  ASSERT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 2);

  auto inc = run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of});
  ASSERT_EQ(inc.exit_code, 0) << inc.err;
  EXPECT_EQ(lastMode(ws.store()), "incremental 2/120") << inc.out;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_dirty_accounts"), 0);
  const MetricRows incremental = metricRows(ws.store());
  EXPECT_EQ(queryText(ws.store(), "SELECT stage FROM account_stages JOIN accounts USING (account_id)"
                                  " WHERE domain = '" + a2 + "'"), "customer");

  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of, "--full"}).exit_code, 0);
  EXPECT_EQ(lastMode(ws.store()), "full 120/120");
  EXPECT_EQ(firstDifference(metricRows(ws.store()), incremental), "");
}

TEST(Metrics, ChangedSettingsRecomputeEverything) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,Acme,acme.com\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "sync", "files"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "metrics", "run"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "metrics", "run"}).exit_code, 0);
  EXPECT_EQ(lastMode(ws.store()).rfind("incremental", 0), 0u);
  ws.writeConfig(R"(, "metrics": {"engaged_score": 20})");
  ASSERT_EQ(run({kCtl, "-c", ws.config().string(), "metrics", "run"}).exit_code, 0);
  EXPECT_EQ(lastMode(ws.store()).rfind("full", 0), 0u);
}

TEST(Metrics, TheDaemonRunsTheStageAfterASyncCycle) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain,is_target\na1,Acme,acme.com,true\n");
  writeFile(ws.dir / "data/opportunities.csv", "external_id,account_external_id,amount,created_at\no1,a1,100,2026-01-10\n");
  writeFile(ws.dir / "data/touchpoints.csv", "external_id,account_external_id,channel,activity,occurred_at\n"
                                             "t1,a1,web,page_view,2026-01-01\nt2,a1,email,email_click,2026-01-05\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  auto r = run({(binDir() / "abmd").string(), "-c", ws.config().string(), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("metrics as of"), std::string::npos) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM metrics_runs"), 1);
  EXPECT_EQ(doubles(ws.store(), "SELECT first_touch FROM attribution_touches ORDER BY occurred_at"),
            (std::vector<double>{1, 0}));
  EXPECT_EQ(doubles(ws.store(), "SELECT last_touch FROM attribution_touches ORDER BY occurred_at"),
            (std::vector<double>{0, 1}));
  EXPECT_EQ(queryText(ws.store(), "SELECT stage FROM account_stages"), "opportunity");
}

TEST(Metrics, BadSettingsAndBadAsOfAreRefused) {
  Workspace ws;
  ws.writeConfig(R"(, "metrics": {"markov_order": 9})");
  auto r = run({kCtl, "-c", ws.config().string(), "metrics", "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("metrics.markov_order: expected a whole number from 1 to 4"), std::string::npos) << r.err;
  Workspace ok;
  ok.writeConfig();
  auto bad = run({kCtl, "-c", ok.config().string(), "metrics", "run", "--as-of", "yesterday"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--as-of 'yesterday' is not an ISO-8601 time"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// Each touch's U-shaped credit in time order, one decimal.
std::string uShaped(const StoreRef& db) {
  std::string out;
  for (double v : doubles(db, "SELECT u_shaped FROM attribution_touches ORDER BY occurred_at")) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%.1f", out.empty() ? "" : " ", v);
    out += buf;
  }
  return out;
}

TEST(Metrics, AContactWithoutACreationTimeIsCreatedAtItsFirstTouch) {
  Workspace ws;
  ws.writeConfig();
  // c1's source gives no created_at; its first touch is t2. Taking the sync time instead would make
  // the last touch before the deal the lead creation.
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,Acme,acme.com\n");
  writeFile(ws.dir / "data/contacts.csv", "external_id,account_external_id,email\nc1,a1,jane@acme.com\n");
  writeFile(ws.dir / "data/touchpoints.csv",
            "external_id,account_external_id,contact_external_id,channel,activity,occurred_at\n"
            "t1,a1,,web,page_view,2026-01-01T00:00:00Z\n"
            "t2,a1,c1,email,email_click,2026-01-05T00:00:00Z\n"
            "t3,a1,,web,page_view,2026-01-10T00:00:00Z\n");
  writeFile(ws.dir / "data/opportunities.csv", "external_id,account_external_id,amount,created_at\no1,a1,100,2026-01-20\n");
  ws.addConnector("files", "csv", R"({"path": "../data"})");
  const std::string conf = ws.config().string();
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "files"}).exit_code, 0);
  EXPECT_EQ(queryText(ws.store(), "SELECT created_at_known FROM contacts"), "0");
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", "2026-02-01T00:00:00Z"}).exit_code, 0);
  // u_shaped: first touch 0.4, lead creation 0.4, the rest 0.2.
  EXPECT_EQ(uShaped(ws.store()), "0.4 0.4 0.2");

  // Once the source says when the contact was created, that time counts.
  writeFile(ws.dir / "data/contacts.csv",
            "external_id,account_external_id,email,created_at\nc1,a1,jane@acme.com,2026-01-11T00:00:00Z\n");
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "files"}).exit_code, 0);
  EXPECT_EQ(queryRows(ws.store(), "SELECT created_at_known, created_at FROM contacts"),
            std::vector<std::string>{"1|2026-01-11T00:00:00Z"});
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", "2026-02-01T00:00:00Z"}).exit_code, 0);
  EXPECT_EQ(uShaped(ws.store()), "0.4 0.2 0.4");
}

}  // namespace

namespace {

TEST(Metrics, ConversionTotalsAreTheSameBitsAfterAnIncrementalRun) {
  Workspace ws;
  ws.writeConfig();
  // Amounts whose sum depends on the order of adding: (0.1 + 0.2) + 0.3 != (0.2 + 0.3) + 0.1.
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,A,a.com\na2,B,b.com\na3,C,c.com\n");
  writeFile(ws.dir / "data/touchpoints.csv", "external_id,account_external_id,channel,activity,occurred_at\n"
                                             "t1,a1,web,page_view,2026-01-01\nt2,a2,web,page_view,2026-01-01\n"
                                             "t3,a3,web,page_view,2026-01-01\n");
  writeFile(ws.dir / "data/opportunities.csv", "external_id,account_external_id,amount,created_at,closed_at,is_won\n"
                                               "o1,a1,0.1,2026-01-10,2026-01-20,true\n"
                                               "o2,a2,0.2,2026-01-10,2026-01-20,true\n"
                                               "o3,a3,0.3,2026-01-10,2026-01-20,true\n");
  ws.addConnector("crm", "csv", R"({"path": "../data"})");
  const std::string conf = ws.config().string(), as_of = "2027-01-01T00:00:00Z";
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "crm"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of}).exit_code, 0);
  // A new touch of the first account: its per-account rows are written again, after the others'.
  writeFile(ws.dir / "web/touchpoints.csv", "external_id,account_domain,channel,activity,occurred_at\n"
                                            "w1,a.com,web,page_view,2026-01-05\n");
  ws.addConnector("web", "csv", R"({"path": "../web"})");
  ASSERT_EQ(run({kCtl, "-c", conf, "sync", "web"}).exit_code, 0);
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of}).exit_code, 0);
  ASSERT_EQ(lastMode(ws.store()), "incremental 1/3");
  const std::string totals = "SELECT conversion, value, attributed_value FROM attribution_conversions ORDER BY conversion";
  const auto incremental = exactRows(ws.store(), totals, {1, 2});
  ASSERT_EQ(run({kCtl, "-c", conf, "metrics", "run", "--as-of", as_of, "--full"}).exit_code, 0);
  EXPECT_EQ(exactRows(ws.store(), totals, {1, 2}), incremental);
  EXPECT_EQ(incremental, (std::vector<std::string>{"pipeline|0.60000000000000009|0.60000000000000009",
                                                   "revenue|0.60000000000000009|0.60000000000000009"}));
}

}  // namespace
