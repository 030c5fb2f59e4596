// The PostgreSQL backend (libpq): a shared store for several daemons and many readers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace abm::store::postgresql {

// Connects with the location's libpq URL; the session speaks UTC and ISO dates, so columns come back
// in the store's one format.
Result<Database> open(const Location& where, bool read_only);

// SQLite-style parameters ("?", "?3") as PostgreSQL's ("$1", "$3"), outside string literals, quoted
// names and comments. `count` gets the highest parameter number; `used`, when given, which of
// 1..count appear.
std::string numberParameters(std::string_view sql, int& count, std::vector<bool>* used = nullptr);

// A timestamptz as PostgreSQL prints it in UTC ("2024-03-01 12:00:00+00", fractions kept) in the
// store's form ("2024-03-01T12:00:00Z").
std::string isoTimestamp(std::string_view pg_text);

}  // namespace abm::store::postgresql
