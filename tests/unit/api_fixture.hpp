// A store with known rows for the read API's tests: 53 accounts whose names, domains, scores and
// creation times tie on purpose (paging must break ties by id), touchpoints with equal times,
// contacts, opportunities, campaigns with spend in two currencies and in none, metric rows and runs,
// KPI and campaign-performance rows of two runs.
// The expected answers are computed here from the same definitions, not from SQL. The store is on
// the backend under test (TestStore: SQLite, or PostgreSQL with ABMD_TEST_BACKEND=postgresql), and
// buildApiStore() writes the same rows into either.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "api_harness.hpp"
#include "store/migrations.hpp"
#include "store/database.hpp"
#include "test_support.hpp"

namespace abm::test {

struct FixtureAccount {
  int64_t id;
  std::optional<std::string> name, domain, tier, stage;
  bool is_target;
  std::string industry, country, created_at;
  std::optional<double> score, annual_revenue;
  std::optional<int64_t> employee_count;
};

inline std::vector<FixtureAccount> fixtureAccounts() {
  static const char* kNames[] = {"Acme", "Beta", "acme", "Zeta"};
  static const char* kStages[] = {"unaware", "target", "aware", "engaged", "mqa", "opportunity", "customer"};
  std::vector<FixtureAccount> out;
  for (int64_t id = 1; id <= 53; ++id) {
    FixtureAccount a;
    a.id = id;
    if (id == 53)
      a.name = "100% Growth_Co";
    else if (id % 7 != 0)
      a.name = kNames[id % 4];
    if (id % 5 != 0) a.domain = "d" + std::to_string(id % 6) + ".com";
    if (id % 5 == 0) a.tier = "Tier 1";
    if (id % 5 == 1) a.tier = "tier 2";
    a.is_target = id % 3 == 0;
    a.industry = id % 2 == 0 ? "Software" : "Retail";
    a.country = id % 2 == 1 ? "US" : "de";
    a.created_at = "2024-01-0" + std::to_string(id % 3 + 1) + "T00:00:00Z";
    if (id % 4 != 0) {
      a.score = (id % 6) * 10.0;
      a.stage = kStages[id % 7];
    }
    if (id % 4 == 1) a.annual_revenue = 1234567.5 * static_cast<double>(id);  // numeric on PostgreSQL
    if (id % 3 == 0) a.employee_count = id * 10;
    out.push_back(a);
  }
  return out;
}

struct FixtureTouch {
  int64_t id, account_id;
  std::string occurred_at, channel, activity;
  std::optional<int64_t> contact_id, campaign_id;
  // Written with spaces and keys out of order: PostgreSQL's jsonb gives it back normalised, and the
  // API must answer the same document either way.
  std::string properties = R"({"url": "/pricing"})";
};

inline std::vector<FixtureTouch> fixtureTouches() {
  static const char* kChannels[] = {"email", "web", "ads"};
  static const char* kActivities[] = {"email_open", "page_view", "ad_click"};
  std::vector<FixtureTouch> out;
  for (int64_t i = 0; i < 40; ++i) {
    const int day = static_cast<int>(1 + i % 10);  // four touches share each time
    FixtureTouch t{i + 1, 1,
                   std::string("2024-02-") + (day < 10 ? "0" : "") + std::to_string(day) + "T10:00:00Z",
                   kChannels[i % 3], kActivities[i % 3]};
    if (i % 2 == 0) t.contact_id = 1 + i % 3;
    if (i % 3 == 0) t.campaign_id = 1;
    if (i % 5 == 0) t.properties = R"({"url":  "/pricing", "ref": {"z": 1, "a": [1.5, "x", null, true]}})";
    out.push_back(t);
  }
  for (int64_t i = 0; i < 3; ++i) out.push_back({41 + i, 2, "2024-03-01T00:00:00Z", "web", "page_view"});
  return out;
}

class FakeControl : public api::DaemonControl {
 public:
  std::vector<api::ConnectorView> connectors() const override {
    return {{"crm", "hubspot", "pull", "every 1h", true, {{"portal", "123"}, {"token", "(secret)"}}},
            {"ads", "csv", "pull", "cron 0 * * * *", false, {{"path", "ads"}}},
            {"website", "events", "push", "", true, {{"event_activities", nlohmann::json::object()}}}};
  }
  void requestSync(const std::string& name, const api::SyncRequest& request,
                   std::function<void(api::SyncRequestResult)> done) override {
    requested.push_back(name);
    full_refreshes.push_back(request.full_refresh);
    using R = api::SyncRequestResult;
    if (name == "crm") return done({R::Started, 42});
    if (name == "ads") return done({R::Queued, 0});
    if (name == "busy") return done({R::AlreadyRunning, 0});
    if (name == "website") return done({R::NotPullable, 0});
    done({R::UnknownConnector, 0});
  }
  // crm has streams companies and deals; busy is running; website is a push source.
  void resetState(const std::string& name, const std::string& stream,
                  std::function<void(api::StateResetResult)> done) override {
    resets.push_back(name + "/" + stream);
    using R = api::StateResetResult;
    if (name == "busy") return done({R::Busy, 0, "is running a sync now"});
    if (name == "website") return done({R::NotPullable, 0, ""});
    if (name == "broken") return done({R::Failed, 0, "database is locked"});
    if (name != "crm") return done({R::UnknownConnector, 0, ""});
    if (!stream.empty() && stream != "companies" && stream != "deals") return done({R::UnknownStream, 0, "companies, deals"});
    done({R::Reset, stream.empty() ? 2 : 1, ""});
  }
  std::vector<std::string> requested;
  std::vector<bool> full_refreshes;
  std::vector<std::string> resets;
};

// Writes the fixture's rows into a new store at `where`, on either backend, in SQL both accept:
// flags as TRUE/FALSE or bound 0/1, timestamps as ISO text, touchpoints through the store's upsert.
inline void buildApiStore(const store::Location& where) {
  auto db = store::Database::open(where);
  ASSERT_TRUE(db) << db.error();
  ASSERT_TRUE(store::applyMigrations(*db, sourceDir() / "schema"));
  ASSERT_TRUE(db->exec("BEGIN"));
  {
    auto acc = db->prepare(
        "INSERT INTO accounts(account_id, name, domain, registrable_domain, industry, country, is_target, tier,"
        " created_at, updated_at, annual_revenue, employee_count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto eng = db->prepare(
        "INSERT INTO account_engagement(account_id, as_of, score, touchpoints, engaged_contacts, channels,"
        " score_prev_window) VALUES(?, '2024-06-01T00:00:00Z', ?, 3, 1, 2, 1.5)");
    auto stage =
        db->prepare("INSERT INTO account_stages(account_id, stage, since) VALUES(?, ?, '2024-05-01T00:00:00Z')");
    ASSERT_TRUE(acc) << acc.error();
    ASSERT_TRUE(eng) << eng.error();
    ASSERT_TRUE(stage) << stage.error();
    for (const auto& a : fixtureAccounts()) {
      acc->bind(1, a.id);
      acc->bind(2, a.name);
      acc->bind(3, a.domain);
      acc->bind(4, a.domain);
      acc->bind(5, a.industry);
      acc->bind(6, a.country);
      acc->bind(7, int64_t{a.is_target});
      acc->bind(8, a.tier);
      acc->bind(9, a.created_at);
      acc->bind(10, a.created_at);
      acc->bind(11, a.annual_revenue);
      acc->bind(12, a.employee_count);
      ASSERT_TRUE(acc->run());
      acc->reset();
      if (a.score) {
        eng->bind(1, a.id);
        eng->bind(2, *a.score);
        ASSERT_TRUE(eng->run());
        eng->reset();
        stage->bind(1, a.id);
        stage->bind(2, *a.stage);
        ASSERT_TRUE(stage->run());
        stage->reset();
      }
    }
    // The store numbers touchpoints itself, in the order they are written: 1 to 43 here.
    auto tp = db->prepare(db->touchpointUpsertSql());
    ASSERT_TRUE(tp) << tp.error();
    for (const auto& t : fixtureTouches()) {
      tp->bind(1, t.account_id);
      tp->bind(2, t.contact_id);
      tp->bind(3, t.campaign_id);
      tp->bind(4, "web");
      tp->bind(5, "t" + std::to_string(t.id));
      tp->bind(6, t.channel);
      tp->bind(7, t.activity);
      tp->bind(8, t.occurred_at);
      tp->bindNull(9);
      tp->bind(10, t.properties);
      tp->bindNull(11);
      tp->bind(12, int64_t{0});
      ASSERT_TRUE(tp->run());
      tp->reset();
    }
  }
  ASSERT_TRUE(db->exec(R"SQL(
    INSERT INTO account_identities VALUES ('crm', 'a1', 1), ('ads', 'X-1', 1), ('crm', 'a2', 2);
    INSERT INTO account_merges(account_id, source, external_id, rule, matched_value, merged_at)
      VALUES (1, 'ads', 'X-1', 'registrable_domain', 'd1.com', '2024-01-05T00:00:00Z');
    INSERT INTO contacts(contact_id, account_id, source, external_id, email, first_name, last_name, title,
                         buying_role, created_at, updated_at)
      VALUES (1, 1, 'crm', 'c1', 'ann@d1.com', 'Ann', 'Lee', 'CFO', 'decision_maker', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
             (2, 1, 'crm', 'c2', 'bob@d1.com', 'Bob', 'Ray', 'Engineer', 'influencer', '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z'),
             (3, 1, 'crm', 'c3', 'cy@d1.com', 'Cy', NULL, NULL, NULL, '2024-01-03T00:00:00Z', '2024-01-03T00:00:00Z'),
             (4, 2, 'crm', 'c4', 'di@d2.com', 'Di', NULL, NULL, 'champion', '2024-01-03T00:00:00Z', '2024-01-03T00:00:00Z');
    -- 499.9000000000000000001: more digits than a double keeps (SQLite reads 499.9, PostgreSQL's
    -- numeric keeps them all); paging by amount must neither repeat nor skip it.
    INSERT INTO opportunities(opportunity_id, account_id, source, external_id, name, stage, type, amount, currency,
                              probability, is_closed, is_won, created_at, closed_at, updated_at)
      VALUES (1, 1, 'crm', 'o1', 'Acme platform', 'Closed Won', 'new_business', 1000, 'USD', 1, TRUE, TRUE,
              '2024-02-05T00:00:00Z', '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z'),
             (2, 1, 'crm', 'o2', 'Acme seats', 'Negotiation', 'expansion', 499.9000000000000000001, 'USD', 0.5, FALSE, FALSE,
              '2024-02-06T00:00:00Z', NULL, '2024-02-06T00:00:00Z'),
             (3, 2, 'crm', 'o3', 'Beta renewal', 'Discovery', 'renewal', NULL, NULL, NULL, FALSE, FALSE,
              '2024-02-07T00:00:00Z', NULL, '2024-02-07T00:00:00Z');
    INSERT INTO account_stage_history VALUES (1, 'target', '2024-01-01T00:00:00Z', '2024-02-01T10:00:00Z'),
                                             (1, 'aware', '2024-02-01T10:00:00Z', NULL);
    INSERT INTO campaigns(campaign_id, source, external_id, name, channel, started_at, ended_at)
      VALUES (1, 'crm', 'k1', 'Spring webinar', 'email', '2024-02-01T00:00:00Z', NULL),
             (2, 'ads', 'k2', 'LinkedIn Q1', 'ads', NULL, NULL),
             (3, 'ads', 'k3', NULL, 'social', '2024-01-15T00:00:00Z', '2024-03-01T00:00:00Z');
    INSERT INTO ad_spend(source, campaign_external_id, campaign_id, date, impressions, clicks, cost, currency)
      VALUES ('ads', 'k2', 2, '2024-02-01', 100, 5, 10.5, 'USD'),
             ('ads', 'k2', 2, '2024-02-02', 200, 7, 20, 'USD');
    INSERT INTO ad_spend(source, campaign_external_id, campaign_id, date, impressions, clicks, cost, currency)
      VALUES ('ads', 'k2', 2, '2024-02-03', 50, 1, 3, 'EUR');
    INSERT INTO ad_spend(source, campaign_external_id, campaign_id, date, impressions, clicks, cost, currency)
      VALUES ('ads', 'k3', 3, '2024-02-01', 10, 1, 2.25, NULL),
             ('ads', 'k3', 3, '2024-02-02', 10, 0, 1, 'USD');
    INSERT INTO attribution_channels VALUES ('w_shaped', 'revenue', 'email', 0.5, 500),
                                            ('w_shaped', 'revenue', 'web', 0.2, 300),
                                            ('w_shaped', 'revenue', 'event', 0.1, 300),
                                            ('w_shaped', 'revenue', 'ads', 0.2, 200),
                                            ('markov', 'revenue', 'web', 1, 1000),
                                            ('w_shaped', 'pipeline', 'web', 2, 1500);
    INSERT INTO attribution_campaigns VALUES ('w_shaped', 'revenue', 1, 0.6, 600), ('w_shaped', 'revenue', NULL, 0.4, 400);
    INSERT INTO attribution_conversions VALUES ('revenue', 1, 1, 0, 1000, 1000), ('pipeline', 3, 2, 1, 1500, 1500);
    INSERT INTO metrics_runs VALUES (1, '2024-06-01T00:00:00Z', '2024-06-01T00:00:01Z', '2024-06-01T00:00:02Z',
                                     'full', '{}', 53, 53, 43, 4, 1, 0.5);
    -- KPIs and campaign figures of the run of 2024-06-01, and rows an older run left behind.
    INSERT INTO kpis VALUES
      ('2024-06-01T00:00:00Z', 'last_90d', '2024-03-03T00:00:00Z', '2024-06-01T00:00:00Z', 'all', 'won_revenue', 1500),
      ('2024-06-01T00:00:00Z', 'last_90d', '2024-03-03T00:00:00Z', '2024-06-01T00:00:00Z', 'all', 'win_rate', 0.5),
      ('2024-06-01T00:00:00Z', 'last_90d', '2024-03-03T00:00:00Z', '2024-06-01T00:00:00Z', 'target', 'win_rate', NULL),
      ('2024-06-01T00:00:00Z', 'last_90d', '2024-03-03T00:00:00Z', '2024-06-01T00:00:00Z', 'segment:Big fish', 'won_revenue', 0),
      ('2024-06-01T00:00:00Z', '2024-05', '2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z', 'all', 'won_revenue', 700),
      ('2024-05-01T00:00:00Z', '2023-05', '2023-05-01T00:00:00Z', '2023-06-01T00:00:00Z', 'all', 'won_revenue', 99);
    INSERT INTO campaign_performance VALUES
      ('2024-06-01T00:00:00Z', 'last_90d', 1, 'email', 0, 0, 0, NULL, NULL, NULL, 4, 2, 5000, 1000, 600, 300, NULL, NULL, NULL),
      ('2024-06-01T00:00:00Z', 'last_90d', 2, 'ads', 30.5, 300, 12, 0.04, 2.5416666666666665, 101.66666666666667, 3, 1, 0, 0, 200, 100, 3.278688524590164, 2.278688524590164, NULL),
      ('2024-06-01T00:00:00Z', 'last_90d', NULL, 'ads', 30.5, 300, 12, 0.04, 2.5416666666666665, 101.66666666666667, 3, 1, 0, 0, 200, 100, 3.278688524590164, 2.278688524590164, 30.5),
      ('2024-06-01T00:00:00Z', '2024-05', 2, 'ads', 10, 100, 2, 0.02, 5, 100, 1, 0, 0, 0, 0, 0, 0, -1, NULL),
      ('2024-05-01T00:00:00Z', 'last_90d', 3, 'social', 77, 1, 1, 1, 77, 77000, 1, 1, 1, 1, 1, 1, 0.01, -0.99, NULL);
    INSERT INTO journey_funnel VALUES ('target', 1, 10, 6, 0.6, 12.5), ('aware', 2, 6, 0, 0, NULL),
                                      ('customer', 6, 0, 0, NULL, NULL);
    INSERT INTO sync_runs(run_id, connector, started_at, finished_at, status, records, rejected, error, owner)
      VALUES (1, 'crm', '2024-06-01T00:00:00Z', '2024-06-01T00:01:00Z', 'succeeded', 100, 0, NULL, 'abmd'),
             (2, 'ads', '2024-06-01T00:00:00Z', '2024-06-01T00:02:00Z', 'failed', 3, 1, 'plugin crashed', 'abmd'),
             (3, 'crm', '2024-06-02T00:00:00Z', '2024-06-02T00:01:00Z', 'failed', 0, 0, 'token expired', 'abmd'),
             (4, 'crm', '2024-06-03T00:00:00Z', NULL, 'running', 5, 0, NULL, 'abmd'),
             (5, 'ads', '2024-06-03T00:00:00Z', '2024-06-03T00:02:00Z', 'succeeded', 7, 0, NULL, 'abmctl sync');
    -- Saved segments (GET /api/v1/segments): icp holds the target accounts (every third id);
    -- engaged reads stages, scores and numbers, so the two stores are compared on those too.
    INSERT INTO segments(name, filter, created_at, updated_at)
      VALUES ('icp', 'is_target = true', '2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z'),
             ('engaged', 'stage >= engaged and engagement >= 20 or employee_count between 100 and 400 or annual_revenue > 50000000',
              '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z'),
             ('software-us', 'industry = software and country = US', '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z');
  )SQL"));
  ASSERT_TRUE(db->exec("COMMIT"));
  // The ids the tests expect: touchpoint n is the n-th written.
  std::string want;
  for (const auto& t : fixtureTouches())
    want += (want.empty() ? "" : ",") + std::to_string(t.id) + ":t" + std::to_string(t.id);
  std::string got;
  auto st = db->prepare("SELECT touchpoint_id, external_id FROM touchpoints ORDER BY touchpoint_id");
  ASSERT_TRUE(st) << st.error();
  while (st->step() == store::Step::Row)
    got += (got.empty() ? "" : ",") + std::to_string(st->columnInt(0)) + ":" + st->columnText(1);
  ASSERT_TRUE(st->status()) << st->status().message();
  ASSERT_EQ(got, want);
}

class ApiStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    store_ = new TestStore(*dir_ / "abm.db");
    buildApiStore(store_->location());
  }
  static void TearDownTestSuite() {
    delete store_;
    store_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    harness_ = std::make_unique<ApiHarness>(api::ApiContext{store_->location(), &control_, 2, 64});
  }

  // Every item of a list, following next_cursor from the first page; fails on an error answer.
  std::vector<nlohmann::json> walk(const std::string& target, int* pages = nullptr) {
    std::vector<nlohmann::json> items;
    std::string next;
    int n = 0;
    for (;;) {
      const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      const auto a = harness_->get(next.empty() ? target : target + sep + "cursor=" + next);
      EXPECT_EQ(a.status, 200) << target << ": " << a.raw;
      if (a.status != 200 || ++n > 1000) break;
      for (const auto& item : a.body["items"]) items.push_back(item);
      if (a.body["next_cursor"].is_null()) break;
      next = a.body["next_cursor"].get<std::string>();
    }
    if (pages) *pages = n;
    return items;
  }

  static std::vector<int64_t> ids(const std::vector<nlohmann::json>& items, const std::string& key) {
    std::vector<int64_t> out;
    for (const auto& i : items) out.push_back(i[key].get<int64_t>());
    return out;
  }

  static TempDir* dir_;
  static TestStore* store_;
  FakeControl control_;
  std::unique_ptr<ApiHarness> harness_;
};

inline TempDir* ApiStoreTest::dir_ = nullptr;
inline TestStore* ApiStoreTest::store_ = nullptr;

}  // namespace abm::test
