// Every row of every table of a store, in a form in which SQLite's and PostgreSQL's answers compare:
// how tests show that the same input gives the same store, ids included, on both backends.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace abm::test {

struct TableRows {
  std::vector<std::string> columns;
  std::vector<std::string> rows;  // each row's values joined by " | ", sorted
};
// By table name.
using StoreSnapshot = std::map<std::string, TableRows>;

// Reads `db`'s rows of every table that the SQLite store `sqlite_shape` has (SQLite's own tables
// aside), with the columns it has there, plus the rowid of the tables whose rowid is part of the
// contract (ad_spend: pending_links ties spend rows by it). Values are normalised so both backends
// give the same text: NULL as "NULL", numbers by value (numeric 10.50 and REAL 10.5 alike), JSON
// objects parsed (jsonb keeps its own key order and spacing), and a timestamp from `now_from` to
// `now_to` (epoch seconds: the "now" a write stamps on rows) as "<now>". Columns named in `ignored`
// ("table.column": what describes the writing process, not the data, such as sync_runs.owner_pid)
// read as "<ignored>".
StoreSnapshot snapshotStore(const StoreRef& db, const fs::path& sqlite_shape, int64_t now_from, int64_t now_to,
                            const std::set<std::string>& ignored = {});

// What differs, table by table, in a few lines each for a test's message; "" when nothing does.
std::string snapshotDifferences(const StoreSnapshot& a, const StoreSnapshot& b, const std::string& name_a,
                                const std::string& name_b);

}  // namespace abm::test
