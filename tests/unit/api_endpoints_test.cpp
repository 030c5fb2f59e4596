// The read API's other endpoints over the fixture store: an account in full, campaigns,
// opportunities, attribution, runs, connectors, health, starting a sync, and what a caller sees
// when the store is missing, the query threads are full or the API has stopped.
#include <gtest/gtest.h>

#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

class ApiEndpointsTest : public ApiStoreTest {};

TEST_F(ApiEndpointsTest, AnAccountInFull) {
  const auto a = harness_->get("/api/v1/accounts/1");
  ASSERT_EQ(a.status, 200) << a.raw;
  const auto& b = a.body;
  EXPECT_EQ(b["account_id"], 1);
  EXPECT_EQ(b["name"], "Beta");
  EXPECT_EQ(b["stage"], "target");
  EXPECT_EQ(b["identities"], nlohmann::json::parse(R"([{"source":"ads","external_id":"X-1"},
                                                         {"source":"crm","external_id":"a1"}])"));
  ASSERT_EQ(b["merges"].size(), 1u);
  EXPECT_EQ(b["merges"][0]["rule"], "registrable_domain");
  ASSERT_EQ(b["contacts"].size(), 3u);
  EXPECT_EQ(b["contacts_total"], 3);
  EXPECT_EQ(b["contacts"][0]["email"], "ann@d1.com");
  EXPECT_EQ(b["contacts"][0]["buying_role"], "decision_maker");
  EXPECT_EQ(b["contacts"][1]["buying_role"], "influencer");
  EXPECT_TRUE(b["contacts"][2]["buying_role"].is_null());
  ASSERT_EQ(b["opportunities"].size(), 2u);
  EXPECT_EQ(b["opportunities_total"], 2);
  EXPECT_EQ(b["opportunities"][0]["is_won"], true);
  EXPECT_EQ(b["opportunities"][0]["amount"], 1000.0);
  EXPECT_EQ(b["opportunities"][1]["type"], "expansion");
  ASSERT_EQ(b["stage_history"].size(), 2u);
  EXPECT_EQ(b["stage_history"][0]["stage"], "target");
  EXPECT_EQ(b["stage_history"][1]["stage"], "aware");
  EXPECT_TRUE(b["stage_history"][1]["exited_at"].is_null());
  EXPECT_EQ(b["engagement"]["score"], 10.0);
  EXPECT_EQ(b["engagement"]["as_of"], "2024-06-01T00:00:00Z");
  EXPECT_EQ(b["touchpoints_total"], 40);

  // No metrics for account 4: stage and engagement are null, not missing.
  const auto plain = harness_->get("/api/v1/accounts/4");
  ASSERT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.body["engagement"].is_null());
  EXPECT_TRUE(plain.body["stage"].is_null());
  EXPECT_EQ(plain.body["contacts"], nlohmann::json::array());
}

TEST_F(ApiEndpointsTest, UnknownAndMalformedAccountIds) {
  for (const std::string target : {"/api/v1/accounts/999", "/api/v1/accounts/999/touchpoints"}) {
    const auto a = harness_->get(target);
    EXPECT_EQ(a.status, 404) << target;
    EXPECT_EQ(a.errorCode(), "not_found");
    EXPECT_NE(a.errorMessage().find("no account 999"), std::string::npos) << a.errorMessage();
  }
  for (const std::string target :
       {"/api/v1/accounts/abc", "/api/v1/accounts/0", "/api/v1/accounts/-3/touchpoints",
        "/api/v1/accounts/99999999999999999999"}) {
    const auto a = harness_->get(target);
    EXPECT_EQ(a.status, 400) << target;
    EXPECT_NE(a.errorMessage().find("account_id must be a positive whole number"), std::string::npos)
        << a.errorMessage();
  }
}

TEST_F(ApiEndpointsTest, CampaignsWithSpendPerCurrency) {
  const auto a = harness_->get("/api/v1/campaigns");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["items"].size(), 3u);
  EXPECT_EQ(a.body["items"][0]["name"], "Spring webinar");
  EXPECT_EQ(a.body["items"][0]["spend"], nlohmann::json::array());
  const auto& spend = a.body["items"][1]["spend"];
  ASSERT_EQ(spend.size(), 2u) << spend;
  // Money is a number and counts are integers, whatever the store sums them as.
  EXPECT_EQ(spend[0].dump(), R"({"clicks":1,"cost":3.0,"currency":"EUR","impressions":50})");
  EXPECT_EQ(spend[1].dump(), R"({"clicks":12,"cost":30.5,"currency":"USD","impressions":300})");
  // Spend without a currency comes first and is never added to another currency's.
  EXPECT_EQ(a.body["items"][2]["spend"].dump(),
            R"([{"clicks":1,"cost":2.25,"currency":null,"impressions":10},)"
            R"({"clicks":0,"cost":1.0,"currency":"USD","impressions":10}])");
  EXPECT_EQ(a.body["items"][2]["ended_at"], "2024-03-01T00:00:00Z");
  EXPECT_EQ(walk("/api/v1/campaigns?channel=ads").size(), 1u);
  EXPECT_EQ(walk("/api/v1/campaigns?source=crm").size(), 1u);
  EXPECT_EQ(ids(walk("/api/v1/campaigns?q=webin"), "campaign_id"), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids(walk("/api/v1/campaigns?q=LINKEDIN%20q"), "campaign_id"), (std::vector<int64_t>{2}))
      << "q ignores ASCII case";
  // Spend is read for every campaign of every page, also one at a time.
  const auto paged = walk("/api/v1/campaigns?limit=1");
  ASSERT_EQ(paged.size(), 3u);
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], a.body["items"][i]);
  // A missing name sorts as the empty text: last descending.
  EXPECT_EQ(ids(walk("/api/v1/campaigns?sort=-name&limit=1"), "campaign_id"), (std::vector<int64_t>{1, 2, 3}));
  // A campaign without started_at sorts before every time.
  EXPECT_EQ(ids(walk("/api/v1/campaigns?sort=started_at&limit=1"), "campaign_id"),
            (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(ids(walk("/api/v1/campaigns?sort=-started_at&limit=2"), "campaign_id"),
            (std::vector<int64_t>{1, 3, 2}));
}

TEST_F(ApiEndpointsTest, OpportunitiesAndTheirFilters) {
  auto got = [&](const std::string& q) {
    return ids(walk("/api/v1/opportunities?limit=1&" + q), "opportunity_id");
  };
  EXPECT_EQ(got("sort=opportunity_id"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(got("account_id=1"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(got("is_won=true"), (std::vector<int64_t>{1}));
  EXPECT_EQ(got("is_closed=false"), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(got("type=renewal"), (std::vector<int64_t>{3}));
  EXPECT_EQ(got("stage=closed%20won"), (std::vector<int64_t>{1}));
  EXPECT_EQ(got("min_amount=600"), (std::vector<int64_t>{1}));
  EXPECT_EQ(got("created_since=2024-02-06&created_until=2024-02-07"), (std::vector<int64_t>{2}));
  EXPECT_EQ(got("sort=-amount"), (std::vector<int64_t>{1, 2, 3}));  // a missing amount sorts as 0
  EXPECT_EQ(got("sort=amount"), (std::vector<int64_t>{3, 2, 1}));    // 499.9 is a cursor key too
  EXPECT_EQ(got("sort=closed_at"), (std::vector<int64_t>{2, 3, 1}));  // a missing time first
  EXPECT_EQ(got("sort=-closed_at"), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(got("sort=-created_at"), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(got("stage=NEGOTIATION"), (std::vector<int64_t>{2}));
  const auto a = harness_->get("/api/v1/opportunities?limit=2");
  EXPECT_EQ(a.body["items"][0]["account_name"], "Beta");
  EXPECT_EQ(a.body["items"][0]["closed_at"], "2024-03-01T00:00:00Z");
  EXPECT_EQ(a.body["items"][0]["is_closed"], true);
  EXPECT_EQ(a.body["items"][0]["amount"].dump(), "1000.0") << "money is a number, also when whole";
  EXPECT_EQ(a.body["items"][1]["amount"].dump(), "499.9");
  EXPECT_EQ(a.body["items"][1]["probability"].dump(), "0.5");
  EXPECT_EQ(harness_->get("/api/v1/opportunities?account_id=0").status, 400);
  EXPECT_EQ(harness_->get("/api/v1/opportunities?type=upsell").status, 400);
}

TEST_F(ApiEndpointsTest, AttributionByChannelAndByCampaign) {
  const auto a = harness_->get("/api/v1/attribution?model=w_shaped&by=channel");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["model"], "w_shaped");
  EXPECT_EQ(a.body["conversion"], "revenue");
  EXPECT_EQ(a.body["as_of"], "2024-06-01T00:00:00Z");
  EXPECT_EQ(a.body["totals"]["attributed_value"], 1000.0);
  std::vector<std::string> channels;
  for (const auto& i : a.body["items"]) channels.push_back(i["channel"]);
  // Highest value first; web and event tie at 300 and are ordered by channel, descending like the value.
  EXPECT_EQ(channels, (std::vector<std::string>{"email", "web", "event", "ads"}));

  std::vector<std::string> paged;
  for (const auto& i : walk("/api/v1/attribution?by=channel&limit=1")) paged.push_back(i["channel"]);
  EXPECT_EQ(paged, channels) << "the defaults are w_shaped, revenue and -value";

  const auto pipeline = harness_->get("/api/v1/attribution?conversion=pipeline");
  EXPECT_EQ(pipeline.body["items"].size(), 1u);
  EXPECT_EQ(pipeline.body["totals"]["unattributed"], 1);

  const auto markov = harness_->get("/api/v1/attribution?model=markov");
  ASSERT_EQ(markov.body["items"].size(), 1u);
  EXPECT_EQ(markov.body["items"][0]["value"], 1000.0);

  const auto c = walk("/api/v1/attribution?by=campaign&limit=1");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["campaign_id"], 1);
  EXPECT_EQ(c[0]["campaign_name"], "Spring webinar");
  EXPECT_TRUE(c[1]["campaign_id"].is_null()) << "touches outside any campaign";

  const auto refused = harness_->get("/api/v1/attribution?model=shapley&by=campaign");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.errorMessage().find("by=channel"), std::string::npos) << refused.errorMessage();
  const auto unknown = harness_->get("/api/v1/attribution?model=w-shaped");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.errorMessage().find("w_shaped"), std::string::npos);
  EXPECT_EQ(harness_->get("/api/v1/attribution?by=contact").status, 400);
}

TEST_F(ApiEndpointsTest, RunsNewestFirstAndOneRun) {
  EXPECT_EQ(ids(walk("/api/v1/runs?limit=2"), "run_id"), (std::vector<int64_t>{5, 4, 3, 2, 1}));
  EXPECT_EQ(ids(walk("/api/v1/runs?limit=2&sort=run_id&connector=crm"), "run_id"),
            (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(ids(walk("/api/v1/runs?status=failed"), "run_id"), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(ids(walk("/api/v1/runs?since=2024-06-02"), "run_id"), (std::vector<int64_t>{5, 4, 3}));
  const auto run = harness_->get("/api/v1/runs/2");
  ASSERT_EQ(run.status, 200);
  EXPECT_EQ(run.body["error"], "plugin crashed");
  EXPECT_EQ(run.body["rejected"], 1);
  EXPECT_EQ(run.body["full_refresh"], false);
  EXPECT_EQ(harness_->get("/api/v1/runs/77").status, 404);
  EXPECT_EQ(harness_->get("/api/v1/runs?status=done").status, 400);
}

TEST_F(ApiEndpointsTest, ConnectorsWithTheirLastRuns) {
  const auto a = harness_->get("/api/v1/connectors");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["items"].size(), 3u);
  const auto& ads = a.body["items"][0];
  EXPECT_EQ(ads["name"], "ads");
  EXPECT_EQ(ads["enabled"], false);
  EXPECT_EQ(ads["last_run"]["run_id"], 5);
  EXPECT_EQ(ads["last_success_at"], "2024-06-03T00:02:00Z");
  const auto& crm = a.body["items"][1];
  EXPECT_EQ(crm["last_run"]["status"], "running");
  EXPECT_EQ(crm["last_success_at"], "2024-06-01T00:01:00Z");
  EXPECT_EQ(crm["settings"]["token"], "(secret)") << "settings come redacted from the daemon, as given";
  const auto& web = a.body["items"][2];
  EXPECT_EQ(web["kind"], "push");
  EXPECT_TRUE(web["schedule"].is_null());
  EXPECT_TRUE(web["last_run"].is_null());

  std::vector<std::string> names;
  for (const auto& i : walk("/api/v1/connectors?limit=1&sort=-name")) names.push_back(i["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"website", "crm", "ads"}));
  EXPECT_EQ(walk("/api/v1/connectors?kind=push&limit=1").size(), 1u);
  EXPECT_EQ(harness_->get("/api/v1/connectors?kind=scheduled").status, 400);
}

TEST_F(ApiEndpointsTest, SyncAnswersForEveryOutcome) {
  const auto started = harness_->call("POST", "/api/v1/connectors/crm/sync");
  EXPECT_EQ(started.status, 202);
  EXPECT_EQ(started.body["run_id"], 42);
  EXPECT_EQ(started.body["status"], "started");
  EXPECT_EQ(started.header("Location"), "/api/v1/runs/42");
  const auto queued = harness_->call("POST", "/api/v1/connectors/ads/sync", "{}");
  EXPECT_EQ(queued.status, 202);
  EXPECT_TRUE(queued.body["run_id"].is_null());
  EXPECT_EQ(queued.body["status"], "queued");
  const auto running = harness_->call("POST", "/api/v1/connectors/busy/sync");
  EXPECT_EQ(running.status, 409);
  EXPECT_EQ(running.errorCode(), "already_running");
  const auto push = harness_->call("POST", "/api/v1/connectors/website/sync");
  EXPECT_EQ(push.status, 409);
  EXPECT_EQ(push.errorCode(), "not_pullable");
  const auto unknown = harness_->call("POST", "/api/v1/connectors/nope/sync");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.errorMessage().find("'nope'"), std::string::npos);
  EXPECT_EQ(control_.requested, (std::vector<std::string>{"crm", "ads", "busy", "website", "nope"}));

  EXPECT_EQ(control_.full_refreshes, (std::vector<bool>(5, false)));

  // The one option: a full refresh.
  const auto full = harness_->call("POST", "/api/v1/connectors/crm/sync", R"({"full_refresh": true})");
  EXPECT_EQ(full.status, 202);
  ASSERT_EQ(control_.full_refreshes.size(), 6u);
  EXPECT_TRUE(control_.full_refreshes.back());
  const auto explicit_no = harness_->call("POST", "/api/v1/connectors/crm/sync", R"({"full_refresh": false})");
  EXPECT_EQ(explicit_no.status, 202);
  EXPECT_FALSE(control_.full_refreshes.back());

  for (const std::string bad : {R"({"full_refresh": "yes"})", R"({"fullrefresh": true})", "[]", "{oops"}) {
    const auto refused = harness_->call("POST", "/api/v1/connectors/crm/sync", bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_EQ(refused.errorCode(), "invalid_body") << bad;
  }
  EXPECT_NE(harness_->call("POST", "/api/v1/connectors/crm/sync", R"({"fullrefresh": true})")
                .errorMessage()
                .find("'fullrefresh'"),
            std::string::npos);
  EXPECT_EQ(harness_->call("POST", "/api/v1/connectors/crm/sync?now=1").status, 400);
  EXPECT_EQ(control_.requested.size(), 7u) << "refused requests start nothing";
  EXPECT_EQ(harness_->call("GET", "/api/v1/connectors/crm/sync").status, 405);
}

TEST_F(ApiEndpointsTest, StateResetAnswersForEveryOutcome) {
  const auto all = harness_->call("DELETE", "/api/v1/connectors/crm/state");
  EXPECT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["connector"], "crm");
  EXPECT_TRUE(all.body["stream"].is_null());
  EXPECT_EQ(all.body["removed"], 2);
  const auto one = harness_->call("DELETE", "/api/v1/connectors/crm/state?stream=deals");
  EXPECT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(one.body["stream"], "deals");
  EXPECT_EQ(one.body["removed"], 1);

  const auto misspelt = harness_->call("DELETE", "/api/v1/connectors/crm/state?stream=deal");
  EXPECT_EQ(misspelt.status, 404);
  EXPECT_NE(misspelt.errorMessage().find("no stream 'deal' (known streams: companies, deals)"), std::string::npos)
      << misspelt.errorMessage();
  const auto busy = harness_->call("DELETE", "/api/v1/connectors/busy/state");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(busy.errorCode(), "already_running");
  EXPECT_NE(busy.errorMessage().find("is running a sync now"), std::string::npos);
  const auto push = harness_->call("DELETE", "/api/v1/connectors/website/state");
  EXPECT_EQ(push.status, 409);
  EXPECT_EQ(push.errorCode(), "not_pullable");
  EXPECT_EQ(harness_->call("DELETE", "/api/v1/connectors/nope/state").status, 404);
  const auto failed = harness_->call("DELETE", "/api/v1/connectors/broken/state");
  EXPECT_EQ(failed.status, 500);
  EXPECT_NE(failed.errorMessage().find("database is locked"), std::string::npos);
  EXPECT_EQ(control_.resets, (std::vector<std::string>{"crm/", "crm/deals", "crm/deal", "busy/", "website/", "nope/",
                                                       "broken/"}));

  EXPECT_EQ(harness_->call("DELETE", "/api/v1/connectors/crm/state?streem=deals").status, 400);
  EXPECT_EQ(harness_->call("DELETE", "/api/v1/connectors/crm/state?stream=").status, 400);
  EXPECT_EQ(control_.resets.size(), 7u) << "refused requests reset nothing";
  EXPECT_EQ(harness_->call("GET", "/api/v1/connectors/crm/state").status, 405);
}

TEST_F(ApiEndpointsTest, HealthAndTheOpenApiDocument) {
  const auto h = harness_->get("/api/v1/health");
  ASSERT_EQ(h.status, 200) << h.raw;
  EXPECT_EQ(h.body["status"], "ok");
  EXPECT_EQ(h.body["store"]["readable"], true);
  EXPECT_GE(h.body["store"]["schema_version"].get<int>(), 6);
  EXPECT_EQ(h.body["metrics"]["as_of"], "2024-06-01T00:00:00Z");
  const auto doc = harness_->get("/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.content_type, "application/json");
  EXPECT_EQ(doc.body["openapi"], "3.1.0");
}

TEST_F(ApiEndpointsTest, ErrorsHaveTheDocumentedShape) {
  for (const std::string target : {"/api/v1/accounts?limit=0", "/api/v1/accounts/999", "/api/v1/runs?x=1"}) {
    const auto a = harness_->get(target);
    ASSERT_TRUE(a.body.is_object()) << a.raw;
    EXPECT_EQ(a.body.size(), 1u) << a.raw;
    EXPECT_TRUE(a.body["error"]["code"].is_string()) << a.raw;
    EXPECT_TRUE(a.body["error"]["message"].is_string()) << a.raw;
    EXPECT_EQ(a.content_type, "application/json");
  }
}

TEST_F(ApiEndpointsTest, AQueryPastTheTimeLimitIsStoppedAnd503) {
  // A limit already passed when the query is to start: it is refused without running, on either store.
  ApiHarness strict(api::ApiContext{store_->location(), &control_, 1, 8, std::chrono::milliseconds(0)});
  const auto a = strict.get("/api/v1/accounts?sort=-score");
  EXPECT_EQ(a.status, 503) << a.raw;
  EXPECT_EQ(a.errorCode(), "query_timeout");
  EXPECT_NE(a.errorMessage().find("time limit"), std::string::npos) << a.errorMessage();
  // The thread and its connection go on serving: the next request gets its own time.
  EXPECT_EQ(harness_->get("/api/v1/accounts?sort=-score").status, 200);
}

TEST(ApiWithoutStore, AMissingStoreIs503AndHealthSaysSo) {
  // No store yet: on SQLite no file, on PostgreSQL a database without the schema (a daemon creating it).
  TempDir dir;
  TestStore store(dir / "missing.db");
  FakeControl control;
  ApiHarness h(api::ApiContext{store.location(), &control, 1, 8});
  const auto a = h.get("/api/v1/accounts");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.errorCode(), "store_unavailable");
  EXPECT_NE(a.errorMessage().find(store.location().describe()), std::string::npos) << a.errorMessage();
  EXPECT_NE(a.errorMessage().find("retry"), std::string::npos) << a.errorMessage();
  const auto health = h.get("/api/v1/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body["status"], "unavailable");
  EXPECT_EQ(health.raw.find(store.location().describe()), std::string::npos) << "health is public: it names no store";
  EXPECT_EQ(health.raw.find("missing.db"), std::string::npos);

  // The store appears (the daemon created it): the next request reads it without a restart.
  auto db = store::Database::open(store.location());
  ASSERT_TRUE(db) << db.error();
  ASSERT_TRUE(store::applyMigrations(*db, sourceDir() / "schema"));
  const auto after = h.get("/api/v1/accounts");
  EXPECT_EQ(after.status, 200) << after.raw;
  EXPECT_EQ(after.body["items"], nlohmann::json::array());
}

TEST(ApiLimits, FullQueueIs429AndAStoppedApiIs503) {
  TempDir dir;
  TestStore store(dir / "abm.db");
  ApiHarness full(api::ApiContext{store.location(), nullptr, 1, 0});
  const auto busy = full.get("/api/v1/runs");
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.header("Retry-After"), "1");
  EXPECT_EQ(busy.errorCode(), "too_many_requests");

  ApiHarness h(api::ApiContext{store.location(), nullptr, 1, 8});
  EXPECT_EQ(h.call("POST", "/api/v1/connectors/crm/sync").status, 503) << "no DaemonControl";
  EXPECT_EQ(h.call("DELETE", "/api/v1/connectors/crm/state").status, 503) << "no DaemonControl";
  h.api().stop();
  const auto stopped = h.get("/api/v1/runs");
  EXPECT_EQ(stopped.status, 503);
  EXPECT_EQ(stopped.errorCode(), "shutting_down");
  // The routes outlive the Api: a request after it is gone is still answered.
  h.destroyApi();
  EXPECT_EQ(h.get("/api/v1/accounts").status, 503);
}

}  // namespace
