// Thin RAII over the SQLite C API: a connection and reusable prepared statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.hpp"

namespace abm::store {

class Statement;

class Database {
 public:
  // Opens (creating if needed) the file at `path` with WAL, NORMAL sync and a busy timeout.
  static Result<Database> open(const std::string& path, bool read_only = false);
  Database() = default;
  Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  ~Database();

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  int64_t lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  // Changes whenever another connection commits; lets caches know when to forget. -1 on error.
  int64_t dataVersion();
  std::string errorMessage() const { return sqlite3_errmsg(db_); }
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  ~Statement();

  // Binds are 1-based, as in SQLite.
  void bind(int i, std::string_view v) { sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void bindStatic(int i, std::string_view v) { sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC); }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bindNull(int i) { sqlite3_bind_null(stmt_, i); }
  template <typename T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v); else bindNull(i);
  }

  // One sqlite3_step: a row, the end of the rows, or an error (then status() says which). Loops
  // read `while (st.step() == Step::Row)` and then check `st.status()`.
  enum class Step { Row, Done, Error };
  [[nodiscard]] Step step();
  Status status() const { return status_; }
  // Runs to completion (INSERT/UPDATE) and resets for reuse.
  Status run();
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    status_ = Status::ok();
  }

  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t columnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  double columnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string columnText(int col) const;
  std::string_view columnView(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// Prepares each (target, sql) pair; stops at the first error.
struct StatementSpec {
  Statement* target;
  const char* sql;
};
Status prepareAll(Database& db, std::initializer_list<StatementSpec> specs);

// Statements prepared on first use and kept while the connection lives: for SQL that runs rarely
// but then possibly many times in a row (deletions, re-ties). Run or reset a statement after use.
class StatementCache {
 public:
  explicit StatementCache(Database& db) : db_(db) {}
  Result<Statement*> get(const std::string& sql);

 private:
  Database& db_;
  std::unordered_map<std::string, Statement> cache_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  Status begin() {
    auto s = db_.exec("BEGIN IMMEDIATE");
    open_ = s.isOk();
    return s;
  }
  Status commit() {
    open_ = false;
    return db_.exec("COMMIT");
  }
  ~Transaction() {
    if (open_) (void)db_.exec("ROLLBACK");  // nothing to report to: a failed ROLLBACK leaves the tx to close with the connection
  }

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace abm::store
