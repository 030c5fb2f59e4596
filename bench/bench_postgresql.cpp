#include "bench_postgresql.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "store/location.hpp"
#include "store/migrations.hpp"

namespace abm::bench {

void check(const Status& s) {
  if (s) return;
  std::fprintf(stderr, "bench: %s\n", s.message().c_str());
  std::exit(1);
}

std::string withDatabase(const std::string& url, const std::string& name) {
  const size_t host = url.find("://");
  const size_t slash = url.find('/', host == std::string::npos ? 0 : host + 3);
  const size_t query = url.find('?');
  return url.substr(0, std::min(slash, query)) + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

store::Database openPostgresql(const std::string& url) {
  auto where = store::parseLocation(url, std::filesystem::current_path());
  check(where.status());
  if (where->backend != store::Backend::Postgresql) check(Status::error(where->describe() + " is not a PostgreSQL URL"));
  auto db = store::Database::open(*where);
  check(db.status());
  return std::move(*db);
}

void dropDatabase(store::Database& admin, const std::string& name) {
  check(admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
}

store::Database freshDatabase(store::Database& admin, const std::string& url, const std::string& name,
                              const std::string& schema_root) {
  dropDatabase(admin, name);
  check(admin.exec("CREATE DATABASE " + name));
  auto db = openPostgresql(withDatabase(url, name));
  check(store::applyMigrations(db, schema_root));
  return db;
}

int64_t number(store::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  check(st.status());
  const int64_t v = st->step() == store::Step::Row ? st->columnInt(0) : -1;
  check(st->status());
  st->reset();
  return v;
}

}  // namespace abm::bench
