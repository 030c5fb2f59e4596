// GET /metrics as a handler: the exposition content type, and the store's size: an SQLite store's
// database with its -wal and -shm files, a PostgreSQL store's pg_database_size.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "prometheus/prometheus_handler.hpp"
#include "store/store_size.hpp"
#include "telemetry/telemetry.hpp"
#include "test_support.hpp"

using namespace abm;

namespace {

// Calls the handler and waits for its answer, which comes from the route's thread.
http::Response scrape(const http::Handler& handler) {
  auto promise = std::make_shared<std::promise<http::Response>>();
  auto answered = promise->get_future();
  handler(http::Request{}, [promise](http::Response r) { promise->set_value(std::move(r)); });
  EXPECT_EQ(answered.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "no answer";
  return answered.get();
}

// The value of the sample line "name value", or "" when the scrape has none.
std::string sample(const std::string& body, const std::string& name) {
  const auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 2;
  return body.substr(start, body.find('\n', start) - start);
}

store::Location postgresLocation(const std::string& url) {
  auto where = store::parseLocation(url, "/");
  EXPECT_TRUE(where) << where.error();
  return *where;
}

TEST(PrometheusHandler, StoreSizeCountsTheDatabaseAndItsWalAndShmFiles) {
  test::TempDir dir;
  const auto db = dir / "abm.db";
  store::StoreSize size(store::Location::sqlite(db));
  EXPECT_EQ(store::sqliteStoreBytes(db), -1) << "no database: unknown, not zero";
  EXPECT_EQ(size.bytes(), -1);
  EXPECT_NE(size.error().find(db.string()), std::string::npos) << size.error();
  test::writeFile(db, std::string(4096, 'd'));
  EXPECT_EQ(store::sqliteStoreBytes(db), 4096);
  test::writeFile(dir / "abm.db-wal", std::string(1000, 'w'));
  EXPECT_EQ(store::sqliteStoreBytes(db), 5096);
  test::writeFile(dir / "abm.db-shm", std::string(32768, 's'));
  EXPECT_EQ(store::sqliteStoreBytes(db), 37864);
  // Another store's files beside it are not counted.
  test::writeFile(dir / "other.db-wal", std::string(500, 'x'));
  EXPECT_EQ(store::sqliteStoreBytes(db), 37864);
  EXPECT_EQ(size.bytes(), 37864);
  EXPECT_EQ(size.error(), "");
}

TEST(PrometheusHandler, AnswersTheRegistryInTheTextFormatWithTheStoreSize) {
  test::TempDir dir;
  test::writeFile(dir / "abm.db", std::string(8192, 'd'));
  test::writeFile(dir / "abm.db-wal", std::string(100, 'w'));
  telemetry::Registry::global().syncFinished("handler_test", "succeeded", 1, 3, 0, 1700000000);

  prometheus::MetricsRoute route(store::Location::sqlite(dir / "abm.db"));
  const auto answer = scrape(route.handler());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(sample(answer.body, "abmd_store_size_bytes"), "8292") << answer.body;
  EXPECT_NE(answer.body.find("abmd_sync_records_total{connector=\"handler_test\"} 3\n"), std::string::npos);

  // The store gone: the scrape still answers, without the size sample (its HELP and TYPE stay).
  std::filesystem::remove(dir / "abm.db");
  const auto without = scrape(route.handler());
  EXPECT_EQ(without.status, 200);
  EXPECT_EQ(sample(without.body, "abmd_store_size_bytes"), "") << without.body;
  EXPECT_NE(without.body.find("# TYPE abmd_store_size_bytes gauge"), std::string::npos);
}

TEST(PrometheusHandler, AStoppedRouteStillAnswersAtOnceWithoutTheStoreSize) {
  test::TempDir dir;
  test::writeFile(dir / "abm.db", std::string(4096, 'd'));
  auto route = std::make_unique<prometheus::MetricsRoute>(store::Location::sqlite(dir / "abm.db"));
  const auto handler = route->handler();
  route->stop();
  const auto stopped = scrape(handler);
  EXPECT_EQ(stopped.status, 200);
  EXPECT_EQ(sample(stopped.body, "abmd_store_size_bytes"), "");
  route.reset();
  EXPECT_EQ(scrape(handler).status, 200) << "the handler outlives the route";
}

TEST(PrometheusHandler, RegistersGetMetricsWithMetricsAccess) {
  http::Router router;
  auto route = prometheus::addPrometheusRoute(router, store::Location::sqlite("/nonexistent/abm.db"));
  auto match = router.match("GET", "/metrics");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->access, http::Access::Metrics);
  EXPECT_EQ(router.match("POST", "/metrics").route, nullptr);
}

TEST(PrometheusHandler, AnUnreachablePostgresqlStoreGivesNoSizeAndSaysWhereWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  store::StoreSize size(postgresLocation("postgresql://abmd:hunter2@127.0.0.1:1/abm?connect_timeout=5"));
  EXPECT_EQ(size.bytes(), -1);
  EXPECT_NE(size.error().find("127.0.0.1:1"), std::string::npos) << size.error();
  EXPECT_EQ(size.error().find("hunter2"), std::string::npos) << size.error();
}

// The server's own figure for the test database, read before and after `measure`: autovacuum may
// grow the database meanwhile (its statistics and visibility maps live in it), never shrink it
// while only this test writes.
int64_t bracketed(test::PostgresTestDatabase& db, const std::function<int64_t()>& measure) {
  const auto server = [&] { return std::stoll(db.scalar("SELECT pg_database_size(current_database())")); };
  const int64_t before = server();
  const int64_t n = measure();
  const int64_t after = server();
  EXPECT_LE(before, n);
  EXPECT_LE(n, after);
  return n;
}

// On PostgreSQL the store's size is its database's, as the server counts it (pg_database_size).
TEST(PostgreSQLStoreSize, IsTheDatabaseSizeTheServerReports) {
  auto db = test::PostgresTestDatabase::create();
  store::StoreSize size(postgresLocation(db->url()));
  const auto empty = bracketed(*db, [&] { return size.bytes(); });
  EXPECT_EQ(size.error(), "");
  EXPECT_GT(empty, 0);

  // Rows written make it grow, and the same connection measures again.
  db->exec("CREATE TABLE filler AS SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
  const auto grown = bracketed(*db, [&] { return size.bytes(); });
  EXPECT_GT(grown, empty + 20000 * 200);

  // And /metrics reports it.
  prometheus::MetricsRoute route(postgresLocation(db->url()));
  bracketed(*db, [&] {
    const auto text = sample(scrape(route.handler()).body, "abmd_store_size_bytes");
    EXPECT_NE(text, "");
    return text.empty() ? int64_t{-1} : std::stoll(text);
  });
}

}  // namespace
