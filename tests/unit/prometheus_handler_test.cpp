// GET /metrics as a handler: the exposition content type, and the store's size counted over the
// database and its -wal and -shm files.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "prometheus/prometheus_handler.hpp"
#include "telemetry/telemetry.hpp"
#include "test_support.hpp"

using namespace abm;

namespace {

TEST(PrometheusHandler, StoreSizeCountsTheDatabaseAndItsWalAndShmFiles) {
  test::TempDir dir;
  const auto db = dir / "abm.db";
  EXPECT_EQ(prometheus::storeSizeBytes(db), -1) << "no database: unknown, not zero";
  test::writeFile(db, std::string(4096, 'd'));
  EXPECT_EQ(prometheus::storeSizeBytes(db), 4096);
  test::writeFile(dir / "abm.db-wal", std::string(1000, 'w'));
  EXPECT_EQ(prometheus::storeSizeBytes(db), 5096);
  test::writeFile(dir / "abm.db-shm", std::string(32768, 's'));
  EXPECT_EQ(prometheus::storeSizeBytes(db), 37864);
  // Another store's files beside it are not counted.
  test::writeFile(dir / "other.db-wal", std::string(500, 'x'));
  EXPECT_EQ(prometheus::storeSizeBytes(db), 37864);
}

TEST(PrometheusHandler, AnswersTheRegistryInTheTextFormatWithTheStoreSize) {
  test::TempDir dir;
  test::writeFile(dir / "abm.db", std::string(8192, 'd'));
  test::writeFile(dir / "abm.db-wal", std::string(100, 'w'));
  telemetry::Registry::global().syncFinished("handler_test", "succeeded", 1, 3, 0, 1700000000);

  std::optional<http::Response> answer;
  auto handler = prometheus::prometheusHandler(dir / "abm.db");
  handler(http::Request{}, [&](http::Response r) { answer = std::move(r); });
  ASSERT_TRUE(answer) << "the handler answers at once";
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(answer->body.find("\nabmd_store_size_bytes 8292\n"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("abmd_sync_records_total{connector=\"handler_test\"} 3\n"), std::string::npos);
}

TEST(PrometheusHandler, RegistersGetMetricsWithMetricsAccess) {
  http::Router router;
  prometheus::addPrometheusRoute(router, "/nonexistent/abm.db");
  auto match = router.match("GET", "/metrics");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->access, http::Access::Metrics);
  EXPECT_EQ(router.match("POST", "/metrics").route, nullptr);
}

}  // namespace
