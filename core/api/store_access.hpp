// How a query thread reads the store: its own read-only connection with the statements it has
// prepared, statements that always release their read lock, one snapshot for the reads of one
// answer, and rows turned into JSON values (SQL NULL as null).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/api_error.hpp"
#include "store/database.hpp"

namespace abm::api {

// One query thread's connection. Pinned in memory: the statement cache refers to the database.
class Connection {
 public:
  explicit Connection(store::Database db);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  store::Database& db() { return db_; }
  // A prepared statement for `sql`, reset and without bindings. Statements are kept per distinct
  // SQL text; the endpoints bind every value, so the texts are a small fixed set.
  ApiResult<store::Statement*> prepare(const std::string& sql);

  // The store stops the queries of this connection past `deadline`, so a runaway query cannot hold
  // a query thread: its step fails with "interrupted", which storeError() answers as 503
  // query_timeout. A query about to start once the deadline has passed is refused the same way
  // without running: the store may only notice the deadline after some work (SQLite's progress
  // handler, PostgreSQL's statement_timeout, which a quick statement finishes ahead of).
  void setDeadline(std::chrono::steady_clock::time_point deadline) {
    deadline_ = deadline;
    db_.setDeadline(deadline);
  }

 private:
  store::Database db_;
  store::StatementCache statements_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// Resets a statement when the scope ends: a statement left mid-rows keeps its read transaction
// open (on SQLite an open reader stops the daemon's WAL checkpoints from ever completing; on
// PostgreSQL it holds the connection until its rows are read).
class ScopedReset {
 public:
  explicit ScopedReset(store::Statement* s) : s_(s) {}
  ~ScopedReset() { s_->reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  store::Statement* s_;
};

// One read transaction around the several queries of one answer, so that they all see the same
// commit (an account and its contacts from one moment, never half a sync): SQLite's read
// transaction, PostgreSQL's REPEATABLE READ (Database::beginRead).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(store::Database& db) : db_(db) {}
  ~ReadSnapshot();
  ApiResult<bool> begin();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  store::Database& db_;
  bool open_ = false;
};

// The code of the answer to a store read that failed for the store's own reasons.
inline constexpr const char* kStoreErrorCode = "store_error";

// The answer for a store read that failed (the store's message says why): 503 query_timeout when the
// deadline interrupted it, else 500 store_error, logged.
ApiError storeError(const std::string& what, const std::string& detail);
// Checks a statement that has stepped to its end: Step::Error becomes the store error.
ApiResult<bool> finished(const store::Statement& st, const std::string& what);

// The text of the first column of the first row `sql` gives (null when none, or NULL): for example
// the as_of of the last metrics run. `what` names it in a store error.
ApiResult<nlohmann::json> firstText(Connection& c, const std::string& sql, const std::string& what);
// The as_of of the last metrics run, or null before the first.
inline ApiResult<nlohmann::json> lastMetricsAsOf(Connection& c) {
  return firstText(c, "SELECT as_of FROM metrics_runs ORDER BY run_id DESC LIMIT 1", "the last metrics run");
}

// Columns of the current row as JSON, counted from `offset` (list queries put their sort key and
// id first).
class RowReader {
 public:
  RowReader(const store::Statement& st, int offset = 0) : st_(st), offset_(offset) {}
  nlohmann::json text(int col) const;
  nlohmann::json integer(int col) const;
  nlohmann::json real(int col) const;
  nlohmann::json boolean(int col) const;
  // A column holding a JSON document (touchpoints.properties, settings): parsed; text that is not
  // JSON is given back as a string rather than failing the answer.
  nlohmann::json document(int col) const;
  bool isNull(int col) const { return st_.isNull(offset_ + col); }
  int64_t rawInt(int col) const { return st_.columnInt(offset_ + col); }

 private:
  const store::Statement& st_;
  int offset_;
};

// A JSON answer. Text from the store is valid UTF-8 by the ingest rules, but a store written by an
// older version may hold bad bytes: Response::json replaces them with U+FFFD rather than failing.
http::Response jsonResponse(int status, const nlohmann::json& body);

}  // namespace abm::api
