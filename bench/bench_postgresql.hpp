// What the benchmarks that run on PostgreSQL share: databases of their own on one server, made
// empty (and migrated) before every measured run, so no run inherits another's rows, bloat or cache.
#pragma once

#include <cstdint>
#include <string>

#include "store/database.hpp"

namespace abm::bench {

// A benchmark that lost a write would time the wrong thing: any error ends it.
void check(const Status& s);

// The PostgreSQL URL with its database replaced by `name` (query parameters kept).
std::string withDatabase(const std::string& url, const std::string& name);

// Opens the database of a PostgreSQL URL; exits when it cannot.
store::Database openPostgresql(const std::string& url);

// Drops the database `name` on the server of `admin` (a superuser's connection to another database
// of it), creates it again and applies the store's migrations from `schema_root`.
store::Database freshDatabase(store::Database& admin, const std::string& url, const std::string& name,
                              const std::string& schema_root);

void dropDatabase(store::Database& admin, const std::string& name);

// One integer from a query (count(*) and the like).
int64_t number(store::Database& db, const std::string& sql);

}  // namespace abm::bench
