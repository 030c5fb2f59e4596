// GET /metrics from a real abmd after a csv sync, over loopback HTTP: what a Prometheus server
// scraping the daemon sees, checked value by value against the store and by promtool as a whole.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "common/timestamp.hpp"
#include "http_client.hpp"
#include "store/store_size.hpp"
#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
const std::string kCtl = (binDir() / "abmctl").string();

// "name{labels}" -> value of every sample of a scrape.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

class PrometheusScrape : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gen = run({(binDir() / "abm-demo-gen").string(), (ws_.dir / "data").string(), "--accounts", "30",
                    "--touchpoints", "400"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    port_ = freeLoopbackPort();
  }
  std::optional<HttpAnswer> scrape(const std::string& headers = "") {
    return httpRequest(port_, "GET", "/metrics", "", headers);
  }
  std::string listen() const { return "127.0.0.1:" + std::to_string(port_); }

  Workspace ws_;
  uint16_t port_ = 0;
};

TEST_F(PrometheusScrape, ADaemonAfterACsvSyncServesMetricsThatMatchTheStoreAndPassPromtool) {
  ws_.writeConfig(R"(, "http": {"listen": ")" + listen() + R"("}, "retry": {"attempts": 0})", true);
  // `before` succeeds through abmctl, so the daemon finds its last success in the store; its interval
  // then keeps the daemon from running it again during the test.
  ws_.addConnector("before", "csv", R"({"path": "../data"})");
  auto sync = run({kCtl, "-c", ws_.config().string(), "sync", "before"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  ws_.addConnector("fresh", "csv", R"({"path": "../data"})");
  ws_.addConnector("broken", "testkit", R"({"mode": "error"})");

  Child daemon({kAbmd, "-c", ws_.config().string()}, ws_.dir.path());
  // The cycle ends with the metrics stage, after which the daemon sits idle until the next hour.
  std::map<std::string, std::string> m;
  ASSERT_TRUE(waitFor(
      [&] {
        auto a = scrape();
        if (!a || a->status != 200) return false;
        m = samples(a->body);
        return m["abmd_metrics_stage_duration_seconds_count"] == "1" &&
               m[R"(abmd_syncs_total{connector="broken",outcome="failed"})"] == "1";
      },
      60s))
      << daemon.err();

  auto a = scrape();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  m = samples(a->body);

  const auto store = ws_.store();
  auto epoch = [&](const std::string& connector) {
    const auto finished = queryText(store, "SELECT finished_at FROM sync_runs WHERE status = 'succeeded' AND connector = '" +
                                               connector + "' ORDER BY run_id DESC LIMIT 1");
    const auto seconds = abm::parseTimestamp(finished);
    EXPECT_TRUE(seconds) << connector << ": '" << finished << "'";
    return std::to_string(seconds.value_or(-1));
  };
  // The daemon ran fresh (succeeded) and broken (failed), not before.
  EXPECT_EQ(m[R"(abmd_syncs_total{connector="fresh",outcome="succeeded"})"], "1");
  EXPECT_EQ(m[R"(abmd_syncs_total{connector="fresh",outcome="failed"})"], "0");
  EXPECT_EQ(m[R"(abmd_syncs_total{connector="broken",outcome="succeeded"})"], "0");
  EXPECT_EQ(m[R"(abmd_syncs_total{connector="before",outcome="succeeded"})"], "0");
  EXPECT_EQ(m[R"(abmd_sync_records_total{connector="fresh"})"],
            std::to_string(queryInt(store, "SELECT records FROM sync_runs WHERE connector = 'fresh'")));
  EXPECT_NE(m[R"(abmd_sync_records_total{connector="fresh"})"], "0");
  EXPECT_EQ(m[R"(abmd_sync_duration_seconds_count{connector="fresh"})"], "1");
  EXPECT_EQ(m[R"(abmd_sync_duration_seconds_bucket{connector="fresh",le="+Inf"})"], "1");
  // Last successes: fresh from its run, before from the store at start; broken never succeeded.
  EXPECT_EQ(m[R"(abmd_sync_last_success_timestamp_seconds{connector="fresh"})"], epoch("fresh"));
  EXPECT_EQ(m[R"(abmd_sync_last_success_timestamp_seconds{connector="before"})"], epoch("before"));
  EXPECT_EQ(m.count(R"(abmd_sync_last_success_timestamp_seconds{connector="broken"})"), 0u);
  EXPECT_EQ(m[R"(abmd_sync_schedule_gap_seconds{connector="fresh"})"], "3600");
  EXPECT_EQ(m["abmd_runs_running"], "0");
  EXPECT_EQ(m["abmd_runs_waiting"], "0");
  EXPECT_EQ(m["abmd_metrics_stage_failures_total"], "0");
  // Idle: the store's size is what the store says it is (SQLite's files, PostgreSQL's database size).
  // PostgreSQL's autovacuum may still be at work after the sync: its figure settles, and the scrape
  // must then match it.
  abm::store::StoreSize size(store.location());
  std::string measured;
  EXPECT_TRUE(waitFor(
      [&] {
        auto again = scrape();
        measured = again ? samples(again->body)["abmd_store_size_bytes"] : "";
        return measured == std::to_string(size.bytes());
      },
      30s))
      << measured << " != " << size.bytes() << " " << size.error();
  EXPECT_GT(std::stoll(measured.empty() ? "0" : measured), 0);
  // The scrapes themselves are counted under their route.
  EXPECT_EQ(m.count(R"(abmd_http_requests_total{route="/metrics",method="GET",code="200"})"), 1u);
  EXPECT_GE(std::stoi(m["abmd_http_open_connections"]), 1) << "this scrape's own connection";

  const auto file = ws_.dir / "scrape.prom";
  writeFile(file, a->body);
  auto check = run({"/bin/bash", (sourceDir() / "tests/telemetry/promtool_check.sh").string(), "metrics", file.string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30s), 0) << daemon.err();
}

TEST_F(PrometheusScrape, MetricsRequireTokenMakesTheScrapeAskForABearerToken) {
  ws_.writeConfig(R"(, "http": {"listen": ")" + listen() +
                  R"(", "api_tokens": ["s3cret-token-for-tests"], "metrics_require_token": true})");
  Child daemon({kAbmd, "-c", ws_.config().string()}, ws_.dir.path());
  std::optional<HttpAnswer> a;
  ASSERT_TRUE(waitFor([&] { return (a = scrape()).has_value(); }, 30s)) << daemon.err();
  EXPECT_EQ(a->status, 401);
  a = scrape("Authorization: Bearer wrong\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 401);
  a = scrape("Authorization: Bearer s3cret-token-for-tests\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_NE(a->body.find("# TYPE abmd_build_info gauge"), std::string::npos);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30s), 0) << daemon.err();
}

}  // namespace
