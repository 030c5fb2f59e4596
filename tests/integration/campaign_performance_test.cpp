// The campaign table written by the metrics stage, on a small store whose figures are worked out by
// hand (docs/metrics.md#campaign-performance); also run on PostgreSQL (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "metric_rows.hpp"
#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();
const std::string kAsOf = "2026-06-15T00:00:00Z";
const std::string kFigures =
    "spend, impressions, clicks, ctr, cpc, cpm, accounts_reached, accounts_engaged, influenced_pipeline,"
    " sourced_pipeline, attributed_pipeline, attributed_revenue, roas, roi, cac";

using Figures = std::vector<std::optional<double>>;
constexpr std::nullopt_t null = std::nullopt;

// The figures of one row, NULL as nullopt; fails the test unless exactly one row matches.
Figures figures(const StoreRef& store, const std::string& where) {
  const auto rows = exactRows(store, "SELECT " + kFigures + " FROM campaign_performance WHERE " + where,
                              {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  EXPECT_EQ(rows.size(), 1u) << where;
  Figures out;
  if (rows.size() != 1) return out;
  const std::string& r = rows[0];
  for (size_t start = 0; start <= r.size();) {
    const size_t end = std::min(r.find('|', start), r.size());
    const std::string v = r.substr(start, end - start);
    out.push_back(v == "NULL" ? std::nullopt : std::optional<double>(std::stod(v)));
    start = end + 1;
  }
  return out;
}

void expectFigures(const Figures& got, const Figures& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].has_value(), want[i].has_value()) << what << ", column " << i;
    if (want[i]) {
      EXPECT_NEAR(*got[i], *want[i], 1e-9 * std::max(1.0, std::abs(*want[i]))) << what << ", column " << i;
    }
  }
}

// Two accounts; an ads campaign (c1) with two days of spend and an email one (c2). Acme clicks the ad
// on May 2 and opens the email on May 3, opens a 1000 deal on May 10 and wins it on May 20; Beta
// is only sent the email. W-shaped over Acme's two touches: first and lead creation on the ad click
// (0.6), opportunity creation on the open (0.3), no middle touch: 2/3 and 1/3.
class CampaignPerformanceStage : public ::testing::Test {
 protected:
  void SetUp() override {
    writeFile(ws_.dir / "data/accounts.csv", "external_id,name,domain\na1,Acme,acme.com\na2,Beta,beta.com\n");
    writeFile(ws_.dir / "data/campaigns.csv", "external_id,name,channel\nc1,Spring Ads,ads\nc2,Newsletter,email\n");
    writeFile(ws_.dir / "data/touchpoints.csv",
              "external_id,account_external_id,campaign_external_id,channel,activity,occurred_at\n"
              "t1,a1,c1,ads,ad_click,2026-05-02T00:00:00Z\n"
              "t2,a1,c2,email,email_open,2026-05-03T00:00:00Z\n"
              "t3,a2,c2,email,email_send,2026-05-04T00:00:00Z\n");
    writeFile(ws_.dir / "data/opportunities.csv",
              "external_id,account_external_id,amount,created_at,closed_at,is_closed,is_won\n"
              "o1,a1,1000,2026-05-10T00:00:00Z,2026-05-20T00:00:00Z,true,true\n");
    writeFile(ws_.dir / "data/ad_spend.csv",
              "campaign_external_id,date,impressions,clicks,cost\nc1,2026-05-01,2000,20,100\nc1,2026-05-02,2000,20,100\n");
    ws_.addConnector("files", "csv", R"({"path": "../data"})");
  }
  // Runs the stage under the metrics settings given (a JSON object).
  void runStage(const std::string& metrics) {
    ws_.writeConfig(", \"metrics\": " + metrics);
    auto sync = run({kCtl, "-c", ws_.config().string(), "sync", "files"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto m = run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", kAsOf});
    ASSERT_EQ(m.exit_code, 0) << m.err;
  }
  StoreRef store() const { return ws_.store(); }
  Workspace ws_;
};

TEST_F(CampaignPerformanceStage, MayFiguresPerCampaignAndChannel) {
  // 1000 of event costs on ads over [May 1, May 11): all in May.
  ASSERT_NO_FATAL_FAILURE(
      runStage(R"({"other_costs": [{"from": "2026-05-01", "to": "2026-05-11", "amount": 1000, "channel": "ads"}]})"));
  const double third = 1000.0 / 3, two_thirds = 2000.0 / 3;
  // c1: 200 spent, 4000 impressions, 40 clicks; Acme reached and engaged; the deal influenced and
  // sourced (the ad click is Acme's earliest touch); ROAS 666.67 / 200; CAC 200 / (2/3).
  expectFigures(figures(store(), "period = '2026-05' AND campaign_id = (SELECT campaign_id FROM campaigns WHERE external_id = 'c1')"),
                {200, 4000, 40, 0.01, 5, 50, 1, 1, 1000, 1000, two_thirds, two_thirds, two_thirds / 200,
                 (two_thirds - 200) / 200, 300},
                "c1");
  // c2: nothing spent (ratios of spend NULL, CAC 0); Acme and Beta reached, only Acme engaged.
  expectFigures(figures(store(), "period = '2026-05' AND campaign_id = (SELECT campaign_id FROM campaigns WHERE external_id = 'c2')"),
                {0, 0, 0, null, null, null, 2, 1, 1000, 0, third, third, null, null, 0}, "c2");
  // The ads channel adds the other costs to its CAC: (200 + 1000) / (2/3).
  expectFigures(figures(store(), "period = '2026-05' AND campaign_id IS NULL AND channel = 'ads'"),
                {200, 4000, 40, 0.01, 5, 50, 1, 1, 1000, 1000, two_thirds, two_thirds, two_thirds / 200,
                 (two_thirds - 200) / 200, 1800},
                "ads");
  expectFigures(figures(store(), "period = '2026-05' AND campaign_id IS NULL AND channel = 'email'"),
                {0, 0, 0, null, null, null, 2, 1, 1000, 0, third, third, null, null, 0}, "email");
  EXPECT_EQ(queryText(store(), "SELECT channel FROM campaign_performance WHERE campaign_id IS NOT NULL"
                               " AND period = '2026-05' ORDER BY campaign_id LIMIT 1"),
            "ads");
  // May is inside last_90d and last_365d; April and June have nothing.
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance WHERE period = 'last_90d'"), 4);
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance WHERE period = 'last_365d'"), 4);
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance WHERE period IN ('2026-04', '2026-06')"), 0);
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance"), 12);
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance WHERE as_of = '" + kAsOf + "'"), 12);
}

TEST_F(CampaignPerformanceStage, TheKpiModelDecidesTheAttributedFigures) {
  ASSERT_NO_FATAL_FAILURE(runStage(R"({"kpi_model": "first_touch"})"));
  // First touch: all of the deal to the ad click.
  const auto c1 = figures(store(), "period = '2026-05' AND campaign_id IS NOT NULL AND channel = 'ads'");
  ASSERT_EQ(c1.size(), 15u);
  EXPECT_EQ(c1[10], 1000);
  EXPECT_EQ(c1[11], 1000);
  EXPECT_EQ(c1[14], 200);  // CAC: 200 / 1, no other costs
  const auto mail = figures(store(), "period = '2026-05' AND campaign_id IS NULL AND channel = 'email'");
  ASSERT_EQ(mail.size(), 15u);
  EXPECT_EQ(mail[11], 0);
  EXPECT_EQ(mail[14], null) << "no credit for the new customer: no CAC";
}

TEST_F(CampaignPerformanceStage, ARunReplacesTheRowsOfTheLastOne) {
  ASSERT_NO_FATAL_FAILURE(runStage("{}"));
  ASSERT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance"), 12);
  // A year later nothing of May is in any period.
  auto m = run({kCtl, "-c", ws_.config().string(), "metrics", "run", "--as-of", "2027-07-01T00:00:00Z"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(queryInt(store(), "SELECT count(*) FROM campaign_performance"), 0);
}

}  // namespace
