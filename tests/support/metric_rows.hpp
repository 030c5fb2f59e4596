// The metrics stage's results read back exactly, to compare two runs or two stores row by row and
// every double to the last bit (tests/integration/metrics_test.cpp, metrics_backends_test.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace abm::test {

// Rows of `sql`, columns joined by '|': those at the indexes in `reals` read as doubles and printed
// with 17 significant digits (two different doubles never print alike), the others as the store
// gives them (timestamps "…Z", flags 0/1); NULL as "NULL". The text forms of floating point differ
// between the backends (SQLite prints 15 digits); the doubles must not. An SQL error fails the test.
std::vector<std::string> exactRows(const StoreRef& db, const std::string& sql, const std::vector<int>& reals = {});

// The first column of every row as a double (NaN for NULL).
std::vector<double> doubles(const StoreRef& db, const std::string& sql);

// Every row of every table and view the metrics stage writes, but the rowid columns (an engine's
// own numbering) and metrics_runs (see metricRuns): table -> its rows, sorted here so that NULLs
// and engines order alike.
using MetricRows = std::map<std::string, std::vector<std::string>>;
MetricRows metricRows(const StoreRef& db);

// What each metrics run recorded, in order, but its wall-clock times.
std::vector<std::string> metricRuns(const StoreRef& db);

// "" when equal; else the first table and row where they part, for a readable failure.
std::string firstDifference(const MetricRows& a, const MetricRows& b);

// The last metrics run's mode and accounts: "incremental 2/120".
std::string lastMode(const StoreRef& db);

// A small sync from a second csv source ("events", files in `dir`) into every workspace: a webinar
// for the first account of `reference` and a won deal for its eighth, so an incremental run
// afterwards recomputes just those two. Fails the test if a sync fails.
void syncSmallChange(const fs::path& dir, const StoreRef& reference, const std::vector<const Workspace*>& into);

}  // namespace abm::test
