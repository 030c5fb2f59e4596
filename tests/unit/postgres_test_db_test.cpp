// The test database helper against the private PostgreSQL server that CTest's fixture `postgresql`
// starts (scripts/pg-test-server.sh): every database is fresh, apart from the others, and gone once
// its object is. Without a server these tests fail; they never skip.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "postgres_test_db.hpp"

using abm::test::PostgresTestDatabase;

namespace {

// Sets an environment variable for one scope, then puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A loopback port that nothing listens on: the kernel picks a free one, and the socket is closed.
int closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string createError() {
  try {
    PostgresTestDatabase::create();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(PostgreSQLTestDatabase, EachDatabaseIsFreshAndSeesOnlyItsOwnTables) {
  auto first = PostgresTestDatabase::create();
  auto second = PostgresTestDatabase::create();
  EXPECT_NE(first->name(), second->name());
  EXPECT_EQ(first->name().rfind("abmd_t_" + std::to_string(::getpid()) + "_", 0), 0u) << first->name();
  EXPECT_EQ(first->url().rfind("postgresql://abmd_test@127.0.0.1:", 0), 0u) << first->url();
  EXPECT_EQ(first->url().substr(first->url().rfind('/') + 1), first->name());
  EXPECT_EQ(first->scalar("SELECT current_database()"), first->name());
  EXPECT_EQ(second->scalar("SELECT current_database()"), second->name());
  EXPECT_EQ(first->scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");

  first->exec("CREATE TABLE accounts (id bigint PRIMARY KEY, domain text NOT NULL);"
              "INSERT INTO accounts VALUES (1, 'acme.example'), (2, 'globex.example')");
  EXPECT_EQ(first->scalar("SELECT count(*) FROM accounts"), "2");
  EXPECT_EQ(first->scalar("SELECT domain FROM accounts ORDER BY id"), "acme.example");

  EXPECT_EQ(second->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"), "0");
  try {
    second->exec("SELECT * FROM accounts");
    ADD_FAILURE() << "the second database sees the first one's table";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("relation \"accounts\" does not exist"), std::string::npos) << e.what();
  }
}

TEST(PostgreSQLTestDatabase, TheDatabaseIsDroppedWithItsObjectEvenWhileAClientHoldsIt) {
  auto observer = PostgresTestDatabase::create();
  auto db = PostgresTestDatabase::create();
  const std::string name = db->name(), url = db->url();
  db->exec("CREATE TABLE t (x int)");
  // A connection the code under test left open: WITH (FORCE) ends it instead of failing the drop.
  PGconn* held = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(held), CONNECTION_OK) << PQerrorMessage(held);
  const std::string count_sql = "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'";
  EXPECT_EQ(observer->scalar(count_sql), "1");

  db.reset();
  EXPECT_EQ(observer->scalar(count_sql), "0");
  PQfinish(held);
  PGconn* again = PQconnectdb(url.c_str());
  EXPECT_NE(PQstatus(again), CONNECTION_OK);
  EXPECT_NE(std::string(PQerrorMessage(again)).find("does not exist"), std::string::npos) << PQerrorMessage(again);
  PQfinish(again);
}

TEST(PostgreSQLTestDatabase, ScalarIsEmptyForNullOrNoRowAndErrorsCarryTheServerMessage) {
  auto db = PostgresTestDatabase::create();
  EXPECT_EQ(db->scalar("SELECT NULL"), "");
  EXPECT_EQ(db->scalar("SELECT 1 WHERE false"), "");
  EXPECT_EQ(db->scalar("SELECT 'ü' || 2"), "ü2");
  try {
    db->exec("SELEC 1");
    ADD_FAILURE() << "invalid SQL did not throw";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("syntax error"), std::string::npos) << what;
    EXPECT_NE(what.find(db->name()), std::string::npos) << what;
    EXPECT_NE(what.find("SELEC 1"), std::string::npos) << what;
  }
  EXPECT_THROW(db->scalar("SELECT 1/0"), std::runtime_error);
}

TEST(PostgreSQLTestDatabase, WithoutAServerCreateFailsAndSaysHowToStartOne) {
  const int port = closedPort();
  ScopedEnv env("ABMD_TEST_PG_URL",
                "postgresql://abmd_test:s3cret-word@127.0.0.1:" + std::to_string(port) + "/postgres");
  const std::string error = createError();
  EXPECT_NE(error.find("cannot connect to the PostgreSQL test server at postgresql://abmd_test:***@127.0.0.1:" +
                       std::to_string(port)),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("bash scripts/pg-test-server.sh start "), std::string::npos) << error;
  EXPECT_NE(error.find("fixture 'postgresql'"), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret-word"), std::string::npos) << "the password leaked: " << error;
}

TEST(PostgreSQLTestDatabase, TheDatabaseNameReplacesOnlyTheUrlsPath) {
  using abm::test::postgresUrlWithDatabase;
  EXPECT_EQ(postgresUrlWithDatabase("postgresql://abmd_test@127.0.0.1:5433/postgres", "abmd_t_1"),
            "postgresql://abmd_test@127.0.0.1:5433/abmd_t_1");
  EXPECT_EQ(postgresUrlWithDatabase("postgresql://u@h:1/postgres?sslmode=disable", "d"),
            "postgresql://u@h:1/d?sslmode=disable");
  EXPECT_EQ(postgresUrlWithDatabase("postgresql://u@h:1", "d"), "postgresql://u@h:1/d");
  EXPECT_EQ(postgresUrlWithDatabase("postgresql://u@h:1?sslmode=disable", "d"), "postgresql://u@h:1/d?sslmode=disable");
}
