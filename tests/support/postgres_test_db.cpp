#include "postgres_test_db.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace abm::test {

namespace {

const char* const kServerDir = ABMD_TEST_PG_DIR;  // <build>/test-pg, the CTest fixture's server

// A URL fit for a message: a password in it (possible in $ABMD_TEST_PG_URL) becomes "***".
std::string redacted(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto authority = scheme_end + 3;
  const auto at = url.find('@', authority);
  const auto path = url.find('/', authority);
  if (at == std::string::npos || (path != std::string::npos && at > path)) return url;
  const auto colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string howToStart() {
  return std::string("CTest starts the server for every test that requires the fixture 'postgresql' "
                     "(PostgreSQL.StartServer runs `bash scripts/pg-test-server.sh start ") +
         kServerDir + "`); to run this test by hand, run that command first (or set ABMD_TEST_PG_URL)";
}

// Drops the server's NOTICEs ("database ... does not exist, skipping") instead of printing them.
void ignoreNotice(void*, const char*) {}

PGconn* connectTo(const std::string& url, const std::string& what) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = conn ? PQerrorMessage(conn) : "out of memory";
    PQfinish(conn);
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    throw std::runtime_error("cannot connect to " + what + " at " + redacted(url) + ": " + error);
  }
  PQsetNoticeProcessor(conn, ignoreNotice, nullptr);
  return conn;
}

// Runs `sql` on `conn`; returns the first column of the first row ("" for none or NULL).
std::string query(PGconn* conn, const std::string& sql, const std::string& where) {
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string error = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    PQclear(result);
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    throw std::runtime_error("SQL failed on " + where + ": " + error + "\n  SQL: " + sql);
  }
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0 &&
      !PQgetisnull(result, 0, 0)) {
    value = PQgetvalue(result, 0, 0);
  }
  PQclear(result);
  return value;
}

std::string uniqueName() {
  static std::atomic<unsigned> counter{0};
  std::random_device random;
  std::ostringstream name;
  name << "abmd_t_" << ::getpid() << '_' << counter++ << '_' << std::hex << random();
  return name.str();
}

}  // namespace

std::string postgresServerUrl() {
  if (const char* env = std::getenv("ABMD_TEST_PG_URL"); env && *env) return env;
  std::ifstream in(std::string(kServerDir) + "/url");
  std::string url;
  std::getline(in, url);
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) url.pop_back();
  return url;
}

std::string postgresUrlWithDatabase(const std::string& url, const std::string& database) {
  const auto scheme_end = url.find("://");
  const auto authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto query = url.find('?', authority);
  const auto authority_end = std::min(url.find('/', authority), query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, authority_end) + "/" + database + rest;
}

std::unique_ptr<PostgresTestDatabase> PostgresTestDatabase::create() {
  const std::string admin_url = postgresServerUrl();
  if (admin_url.empty()) {
    throw std::runtime_error(std::string("no PostgreSQL test server: ABMD_TEST_PG_URL is not set and ") +
                             kServerDir + "/url does not exist. " + howToStart());
  }
  PGconn* admin = nullptr;
  try {
    admin = connectTo(admin_url, "the PostgreSQL test server");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + ". Is the server running? " + howToStart());
  }
  const std::string name = uniqueName();
  try {
    query(admin, "CREATE DATABASE \"" + name + "\"", "the PostgreSQL test server");
  } catch (...) {
    PQfinish(admin);
    throw;
  }
  PQfinish(admin);
  return std::unique_ptr<PostgresTestDatabase>(
      new PostgresTestDatabase(admin_url, name, postgresUrlWithDatabase(admin_url, name)));
}

PostgresTestDatabase::PostgresTestDatabase(std::string admin_url, std::string name, std::string url)
    : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

PGconn* PostgresTestDatabase::connection() {
  if (!conn_) conn_ = connectTo(url_, "test database " + name_);
  return conn_;
}

void PostgresTestDatabase::exec(const std::string& sql) { query(connection(), sql, "test database " + name_); }

std::string PostgresTestDatabase::scalar(const std::string& sql) {
  return query(connection(), sql, "test database " + name_);
}

PostgresTestDatabase::~PostgresTestDatabase() {
  PQfinish(conn_);
  // FORCE ends the connections the code under test may still hold (a daemon killed mid-sync).
  try {
    PGconn* admin = connectTo(admin_url_, "the PostgreSQL test server");
    try {
      query(admin, "DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)", "the PostgreSQL test server");
    } catch (...) {
      PQfinish(admin);
      throw;
    }
    PQfinish(admin);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "test database " << name_ << " was not dropped: " << e.what();
  }
}

}  // namespace abm::test
