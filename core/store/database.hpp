// The store interface: a connection and reusable prepared statements, the same for every backend.
// SQL above the store is written once, in the dialect both engines share (ON CONFLICT, RETURNING,
// TRUE/FALSE, coalesce, CAST); parameters are `?` or `?N`, bound as text, integer, real or NULL, and
// columns come back in the store's one format (timestamps "YYYY-MM-DDTHH:MM:SSZ", flags 0/1). What
// the engines do differently lives in the backends (store/sqlite/, store/postgresql/).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.hpp"
#include "store/location.hpp"

namespace abm::store {

enum class Step { Row, Done, Error };

// What a column of the current row holds, for writers that keep types (JSON): flags are Integer
// (0/1), timestamps and dates Text, NUMERIC Real.
enum class ColumnType { Null, Integer, Real, Text };

// One backend's prepared statement. Binds are 1-based.
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void bindText(int i, std::string_view v) = 0;
  // `v` outlives the statement's next run (a member string); spares SQLite a copy.
  virtual void bindStaticText(int i, std::string_view v) { bindText(i, v); }
  virtual void bindInt(int i, int64_t v) = 0;
  virtual void bindDouble(int i, double v) = 0;
  virtual void bindNull(int i) = 0;
  virtual Step step(std::string& error) = 0;
  // Ends the current run; the bindings stay for the next.
  virtual void rewind() = 0;
  // Ends the current run and clears the bindings.
  virtual void reset() = 0;
  virtual bool isNull(int col) const = 0;
  virtual int64_t columnInt(int col) const = 0;
  virtual double columnDouble(int col) const = 0;
  virtual std::string_view columnView(int col) const = 0;
  virtual ColumnType columnType(int col) const = 0;
  virtual int columnCount() const = 0;
  virtual std::string columnName(int col) const = 0;
};

// One backend's connection.
class DatabaseBackend {
 public:
  virtual ~DatabaseBackend() = default;
  // One or more statements without parameters or results (DDL, BEGIN, SAVEPOINT).
  virtual Status exec(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<StatementBackend>> prepare(std::string_view sql) = 0;
  // Opens a write transaction: on SQLite it takes the write lock at once (BEGIN IMMEDIATE).
  virtual Status beginWrite() = 0;
  // Opens a read transaction that sees one snapshot of the store from its first read to its end.
  virtual Status beginRead() = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  virtual int changes() const = 0;
  // Changes whenever another connection commits, so caches know when to forget; -1 when the backend
  // cannot tell (then callers must assume it changed).
  virtual int64_t dataVersion() = 0;
  // False once an error has ended the open transaction (then only ROLLBACK helps).
  virtual bool transactionUsable() = 0;
  // Statements running past the deadline stop with the error "interrupted"; nullopt lifts it.
  virtual void setDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) = 0;
  // Whether a table (or view) of this name exists.
  virtual Result<bool> hasTable(std::string_view name) = 0;
  // Runs `copy_statement` ("COPY t (a, b) FROM STDIN") with `rows` in COPY's text format.
  virtual Status copyIn(std::string_view copy_statement, std::string_view rows) {
    (void)copy_statement, (void)rows;
    return Status::error("COPY is PostgreSQL's; this store writes row by row");
  }
  // Every COMMIT from now on is on disk when it returns, not only handed to the OS.
  virtual Status requireDurableCommits() = 0;
  // Whether a statement since the last beginWrite()/beginRead() failed because its transaction
  // conflicted with another one (a deadlock or a serialization failure): the same work, run again in
  // a new transaction, may then succeed.
  virtual bool transactionConflicted() const { return false; }
};

class Statement {
 public:
  using Step = store::Step;
  Statement() = default;
  explicit Statement(std::unique_ptr<StatementBackend> impl) : impl_(std::move(impl)) {}

  void bind(int i, std::string_view v) { impl_->bindText(i, v); }
  void bind(int i, const std::string& v) { impl_->bindText(i, v); }
  void bind(int i, const char* v) { impl_->bindText(i, v); }
  void bindStatic(int i, std::string_view v) { impl_->bindStaticText(i, v); }
  void bind(int i, int64_t v) { impl_->bindInt(i, v); }
  void bind(int i, int v) { impl_->bindInt(i, v); }
  void bind(int i, double v) { impl_->bindDouble(i, v); }
  void bindNull(int i) { impl_->bindNull(i); }
  template <typename T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v); else bindNull(i);
  }

  // One step: a row, the end of the rows, or an error (then status() says which). Loops read
  // `while (st.step() == Step::Row)` and then check `st.status()`.
  [[nodiscard]] Step step();
  Status status() const { return status_; }
  // Runs to completion (INSERT/UPDATE) and resets for reuse.
  Status run();
  // Ends the current run and clears the bindings.
  void reset() {
    impl_->reset();
    status_ = Status::ok();
  }

  bool isNull(int col) const { return impl_->isNull(col); }
  int64_t columnInt(int col) const { return impl_->columnInt(col); }
  double columnDouble(int col) const { return impl_->columnDouble(col); }
  std::string columnText(int col) const { return std::string(impl_->columnView(col)); }
  std::string_view columnView(int col) const { return impl_->columnView(col); }
  ColumnType columnType(int col) const { return impl_->columnType(col); }
  // Also before the first row and after the last (PostgreSQL: once the statement has run).
  int columnCount() const { return impl_->columnCount(); }
  std::string columnName(int col) const { return impl_->columnName(col); }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  std::unique_ptr<StatementBackend> impl_;
  Status status_;
};

class Database {
 public:
  // Opens the store at `where`, creating an SQLite file if needed; read_only connections never write.
  static Result<Database> open(const Location& where, bool read_only = false);
  // An SQLite file by path (tests, benchmarks).
  static Result<Database> open(const std::string& sqlite_path, bool read_only = false);
  Database() = default;
  Database(std::unique_ptr<DatabaseBackend> impl, Location where) : impl_(std::move(impl)), where_(std::move(where)) {}
  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  Status exec(std::string_view sql) { return impl_->exec(sql); }
  Result<Statement> prepare(std::string_view sql);
  Status beginWrite() { return impl_->beginWrite(); }
  Status beginRead() { return impl_->beginRead(); }
  int changes() const { return impl_->changes(); }
  int64_t dataVersion() { return impl_->dataVersion(); }
  bool transactionUsable() { return impl_->transactionUsable(); }
  void setDeadline(std::optional<std::chrono::steady_clock::time_point> d) { impl_->setDeadline(d); }
  Result<bool> hasTable(std::string_view name) { return impl_->hasTable(name); }
  Status copyIn(std::string_view copy_statement, std::string_view rows) { return impl_->copyIn(copy_statement, rows); }
  // For a writer that answers "stored" after its COMMIT (the event collector): the commit reaches
  // the disk (SQLite's synchronous=FULL; PostgreSQL's synchronous_commit).
  Status requireDurableCommits() { return impl_->requireDurableCommits(); }
  // True when the transaction failed on a conflict with another one (PostgreSQL's deadlock_detected
  // 40P01 or serialization_failure 40001): roll back and run the same work again. SQLite writers
  // take the store's one write lock up front and never conflict this way.
  bool transactionConflicted() const { return impl_->transactionConflicted(); }
  Backend backend() const { return where_.backend; }
  const Location& location() const { return where_; }
  // Writes one touchpoint, keyed by (source, external_id), replacing every column of a known one.
  // Parameters: ?1 account_id, ?2 contact_id, ?3 campaign_id, ?4 source, ?5 external_id, ?6 channel,
  // ?7 activity, ?8 occurred_at, ?9 quantity (NULL: 1), ?10 properties (NULL: {}),
  // ?11 account_via_domain, ?12 account_via_contact. On PostgreSQL touchpoints are partitioned by
  // month and their keys live in touchpoint_keys, so the write is a function of the schema's.
  const char* touchpointUpsertSql() const;
  // The store named for messages: the file, or the URL without its password.
  std::string path() const { return where_.describe(); }

 private:
  std::unique_ptr<DatabaseBackend> impl_;
  Location where_;
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

// A write transaction; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  Status begin() {
    auto s = db_.beginWrite();
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
