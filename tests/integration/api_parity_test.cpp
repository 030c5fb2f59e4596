// The same demo data synced by abmctl into an SQLite store and into a PostgreSQL store, the metrics
// stage run on both as of the same day: the read API over HTTP answers the same JSON from each, list
// pages and cursors included, walked to the end, for every account, timeline, campaign, opportunity
// and attribution roll-up. The times each store wrote its rows (when its sync ran) are the only
// values that may differ; everything else must match, numbers in the same JSON form.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <thread>

#include "api/api.hpp"
#include "common/timestamp.hpp"
#include "http/http_server.hpp"
#include "http_client.hpp"
#include "metrics/attribution_rules.hpp"
#include "test_support.hpp"

namespace abm::test {
namespace {

class DemoControl : public api::DaemonControl {
 public:
  std::vector<api::ConnectorView> connectors() const override {
    return {{"demo", "csv", "pull", "every 1h", true, {{"path", "../data"}}}};
  }
  void requestSync(const std::string&, const api::SyncRequest&,
                   std::function<void(api::SyncRequestResult)> done) override {
    done({api::SyncRequestResult::AlreadyRunning, 0});
  }
  void resetState(const std::string&, const std::string&, std::function<void(api::StateResetResult)> done) override {
    done({api::StateResetResult::Busy, 0, "is running a sync now"});
  }
};

// The read API of one store on a loopback port, as the daemon serves it.
class ServedApi {
 public:
  ServedApi(const store::Location& where, api::DaemonControl& control) {
    config::HttpSettings settings;
    settings.port = 0;
    router_ = std::make_shared<http::Router>();
    api_ = api::addRoutes(*router_, api::ApiContext{where, &control, 2, 64});
    server_ = std::make_unique<http::HttpServer>(io_, settings, router_);
    EXPECT_TRUE(server_->start().isOk());
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServedApi() {
    boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
    thread_.join();
    api_->stop();
  }
  std::optional<HttpAnswer> get(const std::string& target) { return httpRequest(port_, "GET", target); }

 private:
  boost::asio::io_context io_;
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// Syncs the demo data in `data` into `store` with abmctl and runs the metrics stage.
void syncDemo(const fs::path& dir, const std::string& store_url, const fs::path& data) {
  writeFile(dir / "abmd.json", "{\"store\": \"" + store_url + "\", \"connectors_dir\": \"connectors.d\", \"plugin_dir\": \"" +
                                   pluginDir().string() + "\", \"worker\": \"" + (binDir() / "abmd-worker").string() +
                                   "\", \"schema_dir\": \"" + (sourceDir() / "schema").string() + "\"}");
  writeFile(dir / "connectors.d" / "demo.json",
            "{\"name\": \"demo\", \"plugin\": \"csv\", \"schedule\": \"every 1h\", \"settings\": {\"path\": \"" +
                data.string() + "\"}}");
  const std::string ctl = (binDir() / "abmctl").string();
  const auto config = (dir / "abmd.json").string();
  const auto sync = run({ctl, "-c", config, "sync", "demo"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  const auto metrics = run({ctl, "-c", config, "metrics", "run", "--as-of", "2026-10-31T00:00:00Z"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
}

// Where two answers differ, as "path: a vs b", scalars compared as JSON text (so 1 and 1.0 differ),
// except timestamps that both stores wrote at or after `since`: when each one's sync ran and wrote
// its rows (sync_runs' times, accounts' updated_at) differs by nature.
void differences(const nlohmann::json& a, const nlohmann::json& b, const std::string& path, int64_t since,
                 std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      if (!b.contains(k)) out.push_back(path + "/" + k + ": missing on PostgreSQL");
      else differences(v, b[k], path + "/" + k, since, out);
    }
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) out.push_back(path + "/" + k + ": missing on SQLite");
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) differences(a[i], b[i], path + "/" + std::to_string(i), since, out);
    return;
  }
  if (a.dump() == b.dump()) return;
  if (a.is_string() && b.is_string()) {
    const auto ta = parseTimestamp(a.get<std::string>()), tb = parseTimestamp(b.get<std::string>());
    if (ta && tb && *ta >= since && *tb >= since) return;
  }
  out.push_back(path + ": " + a.dump() + " vs " + b.dump());
}

class PostgreSQLApiParity : public ::testing::Test {
 protected:
  void SetUp() override {
    since_ = nowEpochSeconds();
    const auto gen = run({(binDir() / "abm-demo-gen").string(), (dir_ / "data").string(), "--accounts", "120",
                          "--touchpoints", "6000"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    pg_db_ = PostgresTestDatabase::create();
    ASSERT_NO_FATAL_FAILURE(syncDemo(dir_ / "sqlite", "sqlite://abm.db", dir_ / "data"));
    ASSERT_NO_FATAL_FAILURE(syncDemo(dir_ / "postgresql", pg_db_->url(), dir_ / "data"));
    auto pg = store::parseLocation(pg_db_->url(), "/");
    ASSERT_TRUE(pg) << pg.error();
    on_sqlite_ = std::make_unique<ServedApi>(store::Location::sqlite(dir_ / "sqlite" / "abm.db"), control_);
    on_pg_ = std::make_unique<ServedApi>(*pg, control_);
  }

  // One request to both; the answer when both are the same (else a failure and null).
  nlohmann::json same(const std::string& target) {
    auto a = on_sqlite_->get(target);
    auto b = on_pg_->get(target);
    EXPECT_TRUE(a && b) << target;
    if (!a || !b) return nullptr;
    ++requests_;
    EXPECT_EQ(a->status, 200) << target << ": " << a->body;
    EXPECT_EQ(a->status, b->status) << target << ": " << b->body;
    const auto ja = nlohmann::json::parse(a->body, nullptr, false);
    const auto jb = nlohmann::json::parse(b->body, nullptr, false);
    std::vector<std::string> found;
    differences(ja, jb, "", since_, found);
    std::string listed;
    for (size_t i = 0; i < found.size() && i < 10; ++i) listed += "\n  " + found[i];
    EXPECT_TRUE(found.empty()) << target << ": " << found.size() << " differences (SQLite vs PostgreSQL):" << listed;
    if (a->status != b->status || !found.empty()) return nullptr;
    return ja;
  }

  // Walks a list on both, page by page, each page and its cursor the same; returns its items.
  std::vector<nlohmann::json> walk(const std::string& target) {
    std::vector<nlohmann::json> items;
    std::string cursor;
    for (int page = 0; page < 5000; ++page) {
      const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      const auto body = same(cursor.empty() ? target : target + sep + "cursor=" + cursor);
      if (!body.is_object()) break;
      for (const auto& i : body["items"]) items.push_back(i);
      if (body["next_cursor"].is_null()) break;
      cursor = body["next_cursor"].get<std::string>();
    }
    return items;
  }

  TempDir dir_;
  std::unique_ptr<PostgresTestDatabase> pg_db_;
  DemoControl control_;
  std::unique_ptr<ServedApi> on_sqlite_, on_pg_;
  size_t requests_ = 0;
  int64_t since_ = 0;
};

TEST_F(PostgreSQLApiParity, ADemoSyncedIntoBothStoresReadsTheSameOverHttp) {
  const auto accounts = walk("/api/v1/accounts?limit=17");
  ASSERT_EQ(accounts.size(), 120u);
  for (const std::string sort : {"name", "domain", "score", "created_at"})
    for (const std::string dir : {"", "-"}) walk("/api/v1/accounts?limit=17&sort=" + dir + sort);
  walk("/api/v1/accounts?limit=9&is_target=true&sort=-score");
  // Every account in full and its whole timeline, both directions.
  size_t touchpoints = 0;
  for (const auto& a : accounts) {
    const auto id = std::to_string(a["account_id"].get<int64_t>());
    same("/api/v1/accounts/" + id);
    touchpoints += walk("/api/v1/accounts/" + id + "/touchpoints?limit=40").size();
    walk("/api/v1/accounts/" + id + "/touchpoints?limit=100&sort=occurred_at");
  }
  EXPECT_GT(touchpoints, 5000u) << "the timelines hold the demo's touchpoints";
  for (const std::string sort : {"campaign_id", "name", "started_at"})
    for (const std::string dir : {"", "-"}) EXPECT_FALSE(walk("/api/v1/campaigns?limit=3&sort=" + dir + sort).empty());
  for (const std::string sort : {"opportunity_id", "created_at", "closed_at", "amount"})
    for (const std::string dir : {"", "-"})
      EXPECT_FALSE(walk("/api/v1/opportunities?limit=7&sort=" + dir + sort).empty());
  walk("/api/v1/opportunities?limit=5&is_won=true&sort=-amount");
  walk("/api/v1/opportunities?limit=5&is_closed=false&min_amount=10000");
  // Every model's roll-ups, each conversion kind; the rule-based models also per campaign.
  std::vector<std::string> models(metrics::kRuleModelNames.begin(), metrics::kRuleModelNames.end());
  for (const auto& model : models)
    for (const std::string conversion : {"pipeline", "revenue"})
      EXPECT_FALSE(walk("/api/v1/attribution?limit=3&by=campaign&model=" + model + "&conversion=" + conversion).empty())
          << model << " " << conversion;
  models.insert(models.end(), {"markov", "shapley"});
  for (const auto& model : models)
    for (const std::string conversion : {"pipeline", "revenue"})
      EXPECT_FALSE(walk("/api/v1/attribution?limit=3&model=" + model + "&conversion=" + conversion).empty())
          << model << " " << conversion;
  walk("/api/v1/runs");
  walk("/api/v1/connectors");
  same("/api/v1/health");
  EXPECT_GT(requests_, 600u);
}

}  // namespace
}  // namespace abm::test
