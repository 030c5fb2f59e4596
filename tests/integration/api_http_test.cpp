// The read API over real HTTP: the daemon's listener (HttpServer) in front of the API's routes, on
// a loopback port, over a store the real pipeline wrote (demo data synced by abmctl, metrics run).
// Tokens, paging to the end with totals checked against the store, and the served OpenAPI document
// against the routes the listener really has.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "api/api.hpp"
#include "http/http_server.hpp"
#include "http_client.hpp"
#include "test_support.hpp"

namespace abm {
namespace {

using test::httpRequest;
using test::queryInt;

const std::string kToken = "api-token-0123456789abcdef";

// Connectors as a daemon would report them, for /connectors and the sync endpoint.
class StaticControl : public api::DaemonControl {
 public:
  std::vector<api::ConnectorView> connectors() const override {
    return {{"demo", "csv", "pull", "every 1h", true, {{"path", "../data"}}}};
  }
  void requestSync(const std::string& name, const api::SyncRequest&,
                   std::function<void(api::SyncRequestResult)> done) override {
    done({name == "demo" ? api::SyncRequestResult::AlreadyRunning : api::SyncRequestResult::UnknownConnector,
          0});
  }
  void resetState(const std::string& name, const std::string&,
                  std::function<void(api::StateResetResult)> done) override {
    done({name == "demo" ? api::StateResetResult::Busy : api::StateResetResult::UnknownConnector, 0,
          "is running a sync now"});
  }
};

class ApiOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new test::Workspace;
    const auto gen = test::run({(test::binDir() / "abm-demo-gen").string(), (ws_->dir / "data").string(),
                                "--accounts", "120", "--touchpoints", "6000"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    ws_->writeConfig();
    ws_->addConnector("demo", "csv", "{\"path\": \"../data\"}");
    const std::string ctl = (test::binDir() / "abmctl").string();
    auto sync = test::run({ctl, "-c", ws_->config().string(), "sync", "demo"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    auto metrics =
        test::run({ctl, "-c", ws_->config().string(), "metrics", "run", "--as-of", "2026-10-31T00:00:00Z"});
    ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  }
  static void TearDownTestSuite() {
    delete ws_;
    ws_ = nullptr;
  }

  void start(std::vector<std::string> tokens) {
    config::HttpSettings settings;
    settings.port = 0;
    settings.api_tokens = std::move(tokens);
    router_ = std::make_shared<http::Router>();
    api_ = api::addRoutes(*router_, api::ApiContext{ws_->store().location(), &control_, 2, 64});
    server_ = std::make_unique<http::HttpServer>(io_, settings, router_);
    ASSERT_TRUE(server_->start().isOk());
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
      thread_.join();
    }
    if (api_) api_->stop();
  }

  std::optional<test::HttpAnswer> get(const std::string& target, bool with_token = true) {
    return httpRequest(port_, "GET", target, "",
                       with_token ? "Authorization: Bearer " + kToken + "\r\n" : "");
  }
  nlohmann::json getJson(const std::string& target) {
    auto a = get(target);
    EXPECT_TRUE(a);
    if (!a) return nullptr;
    EXPECT_EQ(a->status, 200) << target << ": " << a->body;
    return nlohmann::json::parse(a->body, nullptr, false);
  }
  // Every item of a list, following next_cursor.
  std::vector<nlohmann::json> walk(const std::string& target) {
    std::vector<nlohmann::json> items;
    std::string cursor;
    for (int pages = 0; pages < 10000; ++pages) {
      const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      const auto page = getJson(cursor.empty() ? target : target + sep + "cursor=" + cursor);
      if (!page.is_object()) break;
      for (const auto& i : page["items"]) items.push_back(i);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return items;
  }
  static std::set<int64_t> distinct(const std::vector<nlohmann::json>& items, const std::string& key) {
    std::set<int64_t> out;
    for (const auto& i : items) out.insert(i[key].get<int64_t>());
    return out;
  }

  static test::Workspace* ws_;
  StaticControl control_;
  boost::asio::io_context io_;
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};
test::Workspace* ApiOverHttp::ws_ = nullptr;

TEST_F(ApiOverHttp, TokensGuardEverythingButHealth) {
  start({kToken, "second-token-abcdef0123"});
  auto none = get("/api/v1/accounts", false);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(nlohmann::json::parse(none->body)["error"]["code"], "unauthorized");
  auto wrong = httpRequest(port_, "GET", "/api/v1/accounts", "", "Authorization: Bearer " + kToken + "x\r\n");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto right = get("/api/v1/accounts?limit=1");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
  auto second =
      httpRequest(port_, "GET", "/api/v1/runs", "", "Authorization: Bearer second-token-abcdef0123\r\n");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  for (const std::string target : {"/api/v1/openapi.json", "/api/v1/runs/1", "/api/v1/attribution"}) {
    auto a = get(target, false);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 401) << target;
  }
  auto sync = httpRequest(port_, "POST", "/api/v1/connectors/demo/sync");
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->status, 401) << "a sync request without a token starts nothing";
  auto health = get("/api/v1/health", false);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_EQ(nlohmann::json::parse(health->body)["status"], "ok");
}

TEST_F(ApiOverHttp, WithoutTokensTheApiIsOpenOnLoopback) {
  start({});
  auto a = get("/api/v1/accounts?limit=2", false);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200) << a->body;
  EXPECT_EQ(nlohmann::json::parse(a->body)["items"].size(), 2u);
}

TEST_F(ApiOverHttp, ListsPageToTheEndWithExactTotals) {
  start({kToken});
  const auto& store = ws_->store();
  const auto accounts = walk("/api/v1/accounts?limit=37");
  EXPECT_EQ(static_cast<int64_t>(accounts.size()), queryInt(store, "SELECT count(*) FROM accounts"));
  EXPECT_EQ(distinct(accounts, "account_id").size(), accounts.size());

  const auto by_score = walk("/api/v1/accounts?limit=9&sort=-score&is_target=true");
  EXPECT_EQ(static_cast<int64_t>(by_score.size()),
            queryInt(store, "SELECT count(*) FROM accounts WHERE is_target"));
  EXPECT_EQ(distinct(by_score, "account_id").size(), by_score.size());
  for (size_t i = 1; i < by_score.size(); ++i)
    EXPECT_GE(by_score[i - 1]["score"].is_null() ? 0.0 : by_score[i - 1]["score"].get<double>(),
              by_score[i]["score"].is_null() ? 0.0 : by_score[i]["score"].get<double>());

  const auto busiest = queryInt(store,
                                "SELECT account_id FROM touchpoints WHERE account_id IS NOT NULL"
                                " GROUP BY account_id ORDER BY count(*) DESC LIMIT 1");
  const auto timeline = walk("/api/v1/accounts/" + std::to_string(busiest) + "/touchpoints?limit=50");
  EXPECT_EQ(
      static_cast<int64_t>(timeline.size()),
      queryInt(store, "SELECT count(*) FROM touchpoints WHERE account_id = " + std::to_string(busiest)));
  EXPECT_EQ(distinct(timeline, "touchpoint_id").size(), timeline.size());
  EXPECT_GT(timeline.size(), 50u) << "the busiest account should need several pages";

  const auto opportunities = walk("/api/v1/opportunities?limit=13&sort=-amount");
  EXPECT_EQ(static_cast<int64_t>(opportunities.size()),
            queryInt(store, "SELECT count(*) FROM opportunities"));
  const auto won = walk("/api/v1/opportunities?limit=13&is_won=true");
  EXPECT_EQ(static_cast<int64_t>(won.size()),
            queryInt(store, "SELECT count(*) FROM opportunities WHERE is_won"));
  const auto campaigns = walk("/api/v1/campaigns?limit=3&sort=name");
  EXPECT_EQ(static_cast<int64_t>(campaigns.size()), queryInt(store, "SELECT count(*) FROM campaigns"));

  // The attribution roll-up adds up to the attributed value the metrics stage reported.
  const auto attribution = getJson("/api/v1/attribution?model=w_shaped&by=channel");
  double sum = 0;
  for (const auto& i : attribution["items"]) sum += i["value"].get<double>();
  EXPECT_NEAR(sum, attribution["totals"]["attributed_value"].get<double>(), 1e-6 * (1 + sum));
  EXPECT_EQ(attribution["as_of"], "2026-10-31T00:00:00Z");
}

TEST_F(ApiOverHttp, ErrorsOverTheWire) {
  start({kToken});
  auto a = get("/api/v1/accounts?limit=5000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 400);
  EXPECT_EQ(a->headers["content-type"], "application/json");
  EXPECT_NE(nlohmann::json::parse(a->body)["error"]["message"].get<std::string>().find("'limit'"),
            std::string::npos);
  a = get("/api/v1/accounts?bogus=1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 400);
  a = get("/api/v1/accounts/987654");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 404);
  a = get("/api/v1/connectors/demo/sync");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 405);
  EXPECT_EQ(a->headers["allow"], "POST");
  a = httpRequest(port_, "POST", "/api/v1/connectors/demo/sync", "",
                  "Authorization: Bearer " + kToken + "\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 409);
  EXPECT_EQ(nlohmann::json::parse(a->body)["error"]["code"], "already_running");
}

TEST_F(ApiOverHttp, TheServedOpenApiDocumentDescribesExactlyTheListenersRoutes) {
  start({kToken});
  const auto doc = getJson("/api/v1/openapi.json");
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> served, documented;
  for (const auto& r : router_->routes()) served.insert(r.method + " " + r.pattern);
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(c));
      documented.insert(m + " " + path);
    }
  EXPECT_EQ(served, documented);
  // And each documented GET path answers over the wire (path parameters filled from the store).
  const auto account = queryInt(ws_->store(), "SELECT min(account_id) FROM accounts");
  const auto run = queryInt(ws_->store(), "SELECT min(run_id) FROM sync_runs");
  // A saved segment for /api/v1/segments/{name}.
  execSql(ws_->store(), "INSERT INTO segments(name, filter, created_at, updated_at) VALUES('demo', 'industry = \"Software\"',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  for (const auto& d : documented) {
    if (d.rfind("GET ", 0) != 0) continue;
    std::string target = d.substr(4);
    for (const auto& [hole, value] :
         {std::pair<std::string, std::string>{"{account_id}", std::to_string(account)},
          {"{run_id}", std::to_string(run)},
          {"{name}", "demo"}})
      if (auto at = target.find(hole); at != std::string::npos) target.replace(at, hole.size(), value);
    auto a = get(target);
    ASSERT_TRUE(a) << target;
    EXPECT_EQ(a->status, 200) << target << ": " << a->body;
  }
}

}  // namespace
}  // namespace abm
