// A migrated store for tests that run against both backends: an SQLite file in a temporary folder,
// or a fresh database on the test run's private PostgreSQL server (tests/support/postgres_test_db.hpp).
// Parameterize a fixture with kStoreBackends: the PostgreSQL instances are named ".../postgresql", which
// tests/CMakeLists.txt gives the `postgresql` fixture. The SQL a test writes itself must be the dialect
// both share, with times from store/db_clock.hpp.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_support.hpp"

namespace abm::test {

inline const auto kStoreBackends = ::testing::Values(std::string("sqlite"), std::string("postgresql"));
inline std::string backendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class StoreUnderTest {
 public:
  explicit StoreUnderTest(const std::string& backend)
      : store_(tmp_ / "abm.db", backend == "postgresql" ? store::Backend::Postgresql : store::Backend::Sqlite) {}
  const store::Location& where() const { return store_.location(); }
  bool sqlite() const { return where().backend == store::Backend::Sqlite; }
  // A new connection to the store, migrated.
  std::unique_ptr<store::Database> open() const { return store_.open(); }

 private:
  TempDir tmp_;
  TestStore store_;
};

// The first column of the first row as text ("" when there is none); an SQL error fails the test.
inline std::string scalar(store::Database& db, const std::string& sql) {
  auto q = db.prepare(sql);
  if (!q) {
    ADD_FAILURE() << q.error();
    return "";
  }
  std::string out;
  if (q->step() == store::Step::Row) out = q->columnText(0);
  if (auto s = q->status(); !s) ADD_FAILURE() << s.message() << " in " << sql;
  return out;
}

}  // namespace abm::test
