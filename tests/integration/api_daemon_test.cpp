// The read API inside a real abmd process: tokens from the config (an ${env:} reference), the
// connectors and runs the daemon reports, a sync started over HTTP, paging the accounts it wrote to
// the end, the served OpenAPI document against the routes that answer, and an open API on loopback
// when no token is configured.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <set>

#include "api/api.hpp"
#include "http_client.hpp"
#include "test_support.hpp"

namespace abm::test {
namespace {

using namespace std::chrono_literals;

const std::string kToken = "daemon-api-token-0123456789";

class ApiDaemon : public ::testing::Test {
 protected:
  // A daemon with a pulled demo connector and a push source, listening on a free loopback port.
  void start(bool with_tokens) {
    port_ = freeLoopbackPort();
    const auto gen = run({(binDir() / "abm-demo-gen").string(), (ws_.dir / "data").string(), "--accounts",
                          "60", "--touchpoints", "3000"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    ws_.writeConfig(", \"http\": {\"listen\": \"127.0.0.1:" + std::to_string(port_) + "\"" +
                    (with_tokens ? ", \"api_tokens\": [\"${env:ABMD_API_TOKEN}\"]" : "") + "}");
    ws_.addConnector("demo", "csv", "{\"path\": \"../data\"}");
    writeFile(
        ws_.connectors() / "website.json",
        R"({"name": "website", "plugin": "events", "settings": {"write_key": "wk-website-secret-0123456789"}})");
    abmd_ = std::make_unique<Child>(
        std::vector<std::string>{(binDir() / "abmd").string(), "-c", ws_.config().string()}, ws_.dir.path(),
        std::map<std::string, std::string>{{"ABMD_API_TOKEN", kToken}});
    ASSERT_TRUE(waitForHealth(port_, 30s)) << abmd_->err();
  }
  void TearDown() override {
    if (!abmd_) return;
    abmd_->signal(SIGTERM);
    EXPECT_EQ(abmd_->wait(60s), 0) << abmd_->err();
  }

  std::optional<HttpAnswer> call(const std::string& method, const std::string& target) {
    return httpRequest(port_, method, target, "", "Authorization: Bearer " + kToken + "\r\n");
  }
  nlohmann::json getJson(const std::string& target) {
    auto a = call("GET", target);
    EXPECT_TRUE(a) << target;
    if (!a) return nullptr;
    EXPECT_EQ(a->status, 200) << target << ": " << a->body;
    return nlohmann::json::parse(a->body, nullptr, false);
  }
  // Waits until no run of demo is running and one has succeeded.
  bool demoSynced() {
    return waitFor(
        [&] {
          return queryInt(
                     ws_.store(),
                     "SELECT count(*) FROM sync_runs WHERE connector = 'demo' AND status = 'succeeded'") >
                     0 &&
                 queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'") == 0;
        },
        120s);
  }

  Workspace ws_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> abmd_;
};

TEST_F(ApiDaemon, TokensConnectorsSyncAndPaging) {
  start(true);
  auto none = httpRequest(port_, "GET", "/api/v1/accounts");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto wrong = httpRequest(port_, "GET", "/api/v1/accounts", "", "Authorization: Bearer " + kToken + "0\r\n");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find(kToken), std::string::npos);
  auto right = call("GET", "/api/v1/accounts?limit=1");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;

  // The connectors as the daemon has them, the push source's write key redacted.
  const auto connectors = getJson("/api/v1/connectors");
  ASSERT_EQ(connectors["items"].size(), 2u) << connectors.dump();
  EXPECT_EQ(connectors["items"][0]["name"], "demo");
  EXPECT_EQ(connectors["items"][0]["kind"], "pull");
  EXPECT_EQ(connectors["items"][1]["name"], "website");
  EXPECT_EQ(connectors["items"][1]["kind"], "push");
  EXPECT_EQ(connectors.dump().find("wk-website-secret"), std::string::npos) << connectors.dump();

  // The demo connector runs at start; once it is done a requested run starts and is followed by id.
  ASSERT_TRUE(demoSynced()) << abmd_->err();
  const auto runs_before = queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'demo'");
  auto sync = call("POST", "/api/v1/connectors/demo/sync");
  ASSERT_TRUE(sync);
  ASSERT_EQ(sync->status, 202) << sync->body;
  const auto started = nlohmann::json::parse(sync->body);
  if (started["status"] == "started") {
    const auto id = started["run_id"].get<int64_t>();
    EXPECT_EQ(sync->headers["location"], "/api/v1/runs/" + std::to_string(id));
    const auto run = getJson("/api/v1/runs/" + std::to_string(id));
    EXPECT_EQ(run["connector"], "demo");
  } else {
    EXPECT_EQ(started["status"], "queued") << sync->body;
  }
  // Queued when the metrics stage was writing after the first run: it starts once that is done.
  ASSERT_TRUE(waitFor(
      [&] {
        return queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'demo'") ==
                   runs_before + 1 &&
               queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'") == 0;
      },
      120s))
      << abmd_->err();
  auto push = call("POST", "/api/v1/connectors/website/sync");
  ASSERT_TRUE(push);
  EXPECT_EQ(push->status, 409);
  EXPECT_EQ(nlohmann::json::parse(push->body)["error"]["code"], "not_pullable");
  auto unknown = call("POST", "/api/v1/connectors/nope/sync");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  // The accounts the syncs wrote, paged to the end.
  std::set<int64_t> seen;
  size_t items = 0;
  std::string cursor;
  do {
    const auto page =
        getJson("/api/v1/accounts?limit=7&sort=name" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_TRUE(page.is_object());
    for (const auto& i : page["items"]) seen.insert(i["account_id"].get<int64_t>());
    items += page["items"].size();
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  EXPECT_EQ(items, seen.size()) << "an account was given twice";
  EXPECT_EQ(static_cast<int64_t>(items), queryInt(ws_.store(), "SELECT count(*) FROM accounts"));
  EXPECT_GT(items, 7u);

  const auto runs = getJson("/api/v1/runs?connector=demo");
  EXPECT_EQ(static_cast<int64_t>(runs["items"].size()),
            queryInt(ws_.store(), "SELECT count(*) FROM sync_runs WHERE connector = 'demo'"));
}

TEST_F(ApiDaemon, TheServedOpenApiDocumentMatchesTheRoutesThatAnswer) {
  start(true);
  ASSERT_TRUE(demoSynced()) << abmd_->err();
  const auto doc = getJson("/api/v1/openapi.json");
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> documented, registered;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(c));
      documented.insert(m + " " + path);
    }
  for (const auto& e : api::Api::endpoints()) registered.insert(e.method + " " + e.pattern);
  EXPECT_EQ(documented, registered);
  // Every documented path is served by this daemon: GETs answer 200 (ids taken from its store),
  // the sync route exists for POST (a GET on it is 405, not 404).
  const auto account = queryInt(ws_.store(), "SELECT min(account_id) FROM accounts");
  const auto run = queryInt(ws_.store(), "SELECT min(run_id) FROM sync_runs");
  // A saved segment for /api/v1/segments/{name}.
  execSql(ws_.store(), "INSERT INTO segments(name, filter, created_at, updated_at) VALUES('demo', 'industry = \"Software\"',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  for (const auto& d : documented) {
    std::string target = d.substr(d.find(' ') + 1);
    for (const auto& [hole, value] :
         {std::pair<std::string, std::string>{"{account_id}", std::to_string(account)},
          {"{run_id}", std::to_string(run)},
          {"{name}", "demo"}})
      if (auto at = target.find(hole); at != std::string::npos) target.replace(at, hole.size(), value);
    auto a = call("GET", target);
    ASSERT_TRUE(a) << target;
    EXPECT_EQ(a->status, d.rfind("GET ", 0) == 0 ? 200 : 405) << d << ": " << a->body;
  }
}

TEST_F(ApiDaemon, WithoutTokensTheApiIsOpenOnLoopback) {
  start(false);
  auto a = httpRequest(port_, "GET", "/api/v1/connectors");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200) << a->body;
  a = httpRequest(port_, "GET", "/api/v1/openapi.json");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
}

}  // namespace
}  // namespace abm::test
