// The read API answers the same JSON, byte for byte, from an SQLite store and from a PostgreSQL
// store holding the same rows: every endpoint, every list walked to its end under each sort and
// filter (cursors included, so a client may not even tell the stores apart), and the errors. And,
// on PostgreSQL: a query the server stops at the time limit is answered 503 like SQLite's, and a
// connection the server ended is replaced.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

store::Location postgresLocation(const PostgresTestDatabase& db) {
  auto where = store::parseLocation(db.url(), "/");
  EXPECT_TRUE(where) << where.error();
  return *where;
}

// The targets to compare: each list under every sort, both directions, small pages, with filters.
std::vector<std::string> listTargets() {
  std::vector<std::string> out;
  const auto sorted = [&](const std::string& path, const std::vector<std::string>& sorts, const std::string& limit) {
    for (const auto& sort : sorts)
      for (const std::string dir : {"", "-"}) out.push_back(path + "sort=" + dir + sort + "&limit=" + limit);
  };
  sorted("/api/v1/accounts?", {"account_id", "name", "domain", "score", "created_at"}, "7");
  sorted("/api/v1/accounts/1/touchpoints?", {"occurred_at"}, "3");
  sorted("/api/v1/campaigns?", {"campaign_id", "name", "started_at"}, "1");
  sorted("/api/v1/opportunities?", {"opportunity_id", "created_at", "closed_at", "amount"}, "1");
  sorted("/api/v1/attribution?by=channel&", {"value", "conversions"}, "1");
  sorted("/api/v1/attribution?by=campaign&", {"value", "conversions"}, "1");
  sorted("/api/v1/runs?", {"run_id"}, "2");
  sorted("/api/v1/connectors?", {"name"}, "1");
  sorted("/api/v1/kpis?", {"key"}, "2");
  sorted("/api/v1/campaign-performance?", {"key", "spend", "accounts_reached", "attributed_pipeline", "attributed_revenue"},
         "1");
  sorted("/api/v1/engagement?", {"account_id", "score", "score_change"}, "7");
  sorted("/api/v1/segments/icp?", {"account_id"}, "4");
  sorted("/api/v1/segments/engaged?", {"account_id"}, "3");
  for (const std::string filter :
       {"is_target=true", "is_target=false", "tier=TIER%201", "stage=mqa", "industry=software", "country=DE",
        "min_score=30", "q=ACME", "q=d3.C", "q=0%25%20G", "q=h_c", "is_target=false&min_score=20&country=us"})
    out.push_back("/api/v1/accounts?limit=4&sort=-score&" + filter);
  for (const std::string filter : {"channel=web", "activity=ad_click", "since=2024-02-05", "until=2024-02-05T10:00:00Z",
                                   "since=2024-02-03&until=2024-02-04&channel=email"})
    out.push_back("/api/v1/accounts/1/touchpoints?limit=5&" + filter);
  out.push_back("/api/v1/accounts/2/touchpoints");
  for (const std::string filter : {"channel=ads", "source=crm", "q=WEBIN", "q=q1"})
    out.push_back("/api/v1/campaigns?" + filter);
  for (const std::string filter :
       {"account_id=1", "stage=closed%20WON", "type=renewal", "is_closed=false", "is_won=true", "min_amount=499.9",
        "source=crm", "created_since=2024-02-06&created_until=2024-02-07"})
    out.push_back("/api/v1/opportunities?limit=1&sort=-amount&" + filter);
  for (const std::string q : {"model=markov", "conversion=pipeline", "model=first_touch&by=campaign"})
    out.push_back("/api/v1/attribution?" + q);
  for (const std::string filter : {"connector=crm", "status=failed", "since=2024-06-02"})
    out.push_back("/api/v1/runs?limit=1&" + filter);
  out.push_back("/api/v1/connectors?kind=push");
  for (const std::string filter : {"period=last_90d&segment=target", "metric=won_revenue", "segment=segment%3ABig%20fish"})
    out.push_back("/api/v1/kpis?" + filter);
  for (const std::string filter : {"period=2024-05", "channel=ads", "campaign_id=1"})
    out.push_back("/api/v1/campaign-performance?" + filter);
  for (const std::string filter : {"is_target=true", "is_target=false&sort=-score_change", "tier=tier%202"})
    out.push_back("/api/v1/engagement?limit=5&" + filter);
  return out;
}

std::vector<std::string> singleTargets() {
  return {"/api/v1/accounts/1",
          "/api/v1/accounts/2",
          "/api/v1/accounts/4",
          "/api/v1/accounts/53",
          "/api/v1/accounts/999",
          "/api/v1/accounts/999/touchpoints",
          "/api/v1/runs/2",
          "/api/v1/runs/4",
          "/api/v1/runs/77",
          "/api/v1/health",
          "/api/v1/funnel",
          "/api/v1/accounts?limit=0",
          "/api/v1/accounts?sort=revenue",
          "/api/v1/attribution?model=shapley&by=campaign",
          "/api/v1/accounts?limit=5&cursor=not-a-cursor",
          "/api/v1/segments",
          "/api/v1/segments/software-us",
          "/api/v1/segments/nope"};
}

class PostgreSQLApiParity : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite_ = store::Location::sqlite(dir_ / "abm.db");
    pg_db_ = PostgresTestDatabase::create();
    pg_ = postgresLocation(*pg_db_);
    ASSERT_NO_FATAL_FAILURE(buildApiStore(sqlite_));
    ASSERT_NO_FATAL_FAILURE(buildApiStore(pg_));
    on_sqlite_ = std::make_unique<ApiHarness>(api::ApiContext{sqlite_, &control_, 1, 64});
    on_pg_ = std::make_unique<ApiHarness>(api::ApiContext{pg_, &control_, 1, 64});
  }

  // One request on both; true when the answers are the same bytes (a failure shows both).
  bool same(const std::string& target, Answer* answer = nullptr) {
    const auto a = on_sqlite_->get(target);
    const auto b = on_pg_->get(target);
    EXPECT_EQ(a.status, b.status) << target << "\n  SQLite:     " << a.raw << "\n  PostgreSQL: " << b.raw;
    EXPECT_EQ(a.raw, b.raw) << target;
    if (answer) *answer = a;
    return a.status == b.status && a.raw == b.raw;
  }

  TempDir dir_;
  store::Location sqlite_, pg_;
  std::unique_ptr<PostgresTestDatabase> pg_db_;
  FakeControl control_;
  std::unique_ptr<ApiHarness> on_sqlite_, on_pg_;
};

TEST_F(PostgreSQLApiParity, EveryEndpointAnswersTheSameJsonOnBothStores) {
  size_t pages = 0, items = 0;
  for (const auto& target : listTargets()) {
    // Page by page: the same page and the same cursor, which the next request takes to both.
    std::string cursor;
    for (int page = 0; page < 200; ++page) {
      const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      Answer a;
      if (!same(cursor.empty() ? target : target + sep + "cursor=" + cursor, &a)) break;
      ASSERT_EQ(a.status, 200) << target << ": " << a.raw;
      ++pages;
      items += a.body["items"].size();
      if (a.body["next_cursor"].is_null()) break;
      cursor = a.body["next_cursor"].get<std::string>();
    }
  }
  for (const auto& target : singleTargets()) same(target);
  // The walks went through real data, not empty lists.
  EXPECT_GT(pages, 250u);
  EXPECT_GT(items, 900u);
}

// A query the PostgreSQL server stops at the time limit (statement_timeout, here while it waits for
// a lock another session holds) is answered 503 query_timeout, as SQLite's interrupted one; the
// query thread and its connection go on serving.
TEST(PostgreSQLApi, AQueryStoppedByTheServerAtTheTimeLimitIs503) {
  auto db = PostgresTestDatabase::create();
  const auto where = postgresLocation(*db);
  ASSERT_NO_FATAL_FAILURE(buildApiStore(where));
  FakeControl control;
  // One query thread, so each request below reuses its connection and prepared statements (making a
  // statement is not bounded by the limit: it would wait for the lock unstopped).
  ApiHarness h(api::ApiContext{where, &control, 1, 8, std::chrono::seconds(2)});
  ASSERT_EQ(h.get("/api/v1/accounts?sort=-score").status, 200);
  db->exec("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
  const auto stopped = h.get("/api/v1/accounts?sort=-score");
  EXPECT_EQ(stopped.status, 503) << stopped.raw;
  EXPECT_EQ(stopped.errorCode(), "query_timeout");
  EXPECT_NE(stopped.errorMessage().find("time limit"), std::string::npos) << stopped.errorMessage();
  db->exec("COMMIT");
  const auto after = h.get("/api/v1/accounts?sort=-score");
  EXPECT_EQ(after.status, 200) << after.raw;
  EXPECT_EQ(after.body["items"].size(), 53u);
}

// The server ends the API's connection (a restart, an administrator's pg_terminate_backend): the
// request that meets the dead connection fails, and the query thread connects again for the next.
TEST(PostgreSQLApi, AConnectionTheServerEndedIsReplacedForTheNextRequest) {
  auto db = PostgresTestDatabase::create();
  const auto where = postgresLocation(*db);
  ASSERT_NO_FATAL_FAILURE(buildApiStore(where));
  FakeControl control;
  ApiHarness h(api::ApiContext{where, &control, 1, 8});
  ASSERT_EQ(h.get("/api/v1/accounts/1").status, 200);
  db->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
           " AND pid <> pg_backend_pid()");
  const auto lost = h.get("/api/v1/accounts/1");
  EXPECT_EQ(lost.status, 500) << lost.raw;
  EXPECT_EQ(lost.errorCode(), "store_error");
  const auto again = h.get("/api/v1/accounts/1");
  EXPECT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["name"], "Beta");
}

}  // namespace
