// Databases on the test run's private PostgreSQL server (scripts/pg-test-server.sh), one per test, so
// that tests running side by side never see each other's tables. CTest starts the server before any
// test marked with the fixture `postgresql` (tests/CMakeLists.txt: abm_discover_tests(... POSTGRESQL
// ...) or abm_tests_use_postgresql()) and stops it after the last one; docs/testing.md says how to
// run such a test by hand.
#pragma once

#include <memory>
#include <string>

typedef struct pg_conn PGconn;

namespace abm::test {

// A fresh, empty database on the test run's private PostgreSQL server, dropped (WITH (FORCE)) when
// this object dies. create() fails the calling test (it throws, with a message naming
// scripts/pg-test-server.sh and the fixture) when no server is running; it never returns null.
class PostgresTestDatabase {
 public:
  static std::unique_ptr<PostgresTestDatabase> create();  // name: abmd_t_<pid>_<counter>_<random>

  const std::string& url() const { return url_; }  // postgresql://abmd_test@127.0.0.1:PORT/<name>
  const std::string& name() const { return name_; }

  // Runs SQL (one or more statements) on this database, to set up a case or check one; throws
  // std::runtime_error with the server's message on error.
  void exec(const std::string& sql);
  // First column of the first row as text ("" when NULL or when there is no row); throws on error.
  std::string scalar(const std::string& sql);

  ~PostgresTestDatabase();
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

 private:
  PostgresTestDatabase(std::string admin_url, std::string name, std::string url);
  PGconn* connection();  // to this database, opened on first use

  std::string admin_url_, name_, url_;
  PGconn* conn_ = nullptr;
};

// The server's admin URL (database `postgres`): $ABMD_TEST_PG_URL when set, else the url file that
// scripts/pg-test-server.sh wrote into <build>/test-pg; "" when there is neither.
std::string postgresServerUrl();

// `url` with its database replaced by `database` (query parameters kept).
std::string postgresUrlWithDatabase(const std::string& url, const std::string& database);

}  // namespace abm::test
