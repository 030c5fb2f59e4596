#include "store/sqlite/sqlite_backend.hpp"

#include <sqlite3.h>

#include "store/sqlite/file_mode.hpp"

namespace abm::store::sqlite {

namespace {

class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bindText(int i, std::string_view v) override {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bindStaticText(int i, std::string_view v) override {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bindInt(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void bindDouble(int i, double v) override { sqlite3_bind_double(stmt_, i, v); }
  void bindNull(int i) override { sqlite3_bind_null(stmt_, i); }

  Step step(std::string& error) override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return Step::Row;
    if (rc == SQLITE_DONE) return Step::Done;
    error = sqlite3_errmsg(db_);
    return Step::Error;
  }
  void rewind() override { sqlite3_reset(stmt_); }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool isNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t columnInt(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double columnDouble(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string_view columnView(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (!p) return {};
    return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  ColumnType columnType(int col) const override {
    switch (sqlite3_column_type(stmt_, col)) {
      case SQLITE_NULL: return ColumnType::Null;
      case SQLITE_INTEGER: return ColumnType::Integer;
      case SQLITE_FLOAT: return ColumnType::Real;
      default: return ColumnType::Text;
    }
  }
  int columnCount() const override { return sqlite3_column_count(stmt_); }
  std::string columnName(int col) const override {
    const char* n = sqlite3_column_name(stmt_, col);
    return n ? n : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDatabase final : public DatabaseBackend {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  Status exec(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Status::error(msg);
    }
    return Status::ok();
  }

  Result<std::unique_ptr<StatementBackend>> prepare(std::string_view sql) override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
        SQLITE_OK)
      return Status::error(std::string("SQL error: ") + sqlite3_errmsg(db_) + " in: " + std::string(sql.substr(0, 120)));
    return std::unique_ptr<StatementBackend>(std::make_unique<SqliteStatement>(db_, s));
  }

  Status beginWrite() override { return exec("BEGIN IMMEDIATE"); }
  // A deferred transaction in WAL mode reads one snapshot from its first read on.
  Status beginRead() override { return exec("BEGIN"); }
  int changes() const override { return sqlite3_changes(db_); }

  int64_t dataVersion() override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &s, nullptr) != SQLITE_OK) return -1;
    const int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
  }

  // Some errors (a full disk, an I/O error) end the whole transaction: SQLite is back in autocommit.
  bool transactionUsable() override { return !sqlite3_get_autocommit(db_); }

  void setDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) override {
    deadline_ = deadline;
    // Every 1000 virtual machine steps: microseconds apart, so a deadline is kept closely.
    if (deadline) sqlite3_progress_handler(db_, 1000, &SqliteDatabase::progress, this);
    else sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  }

  Status requireDurableCommits() override { return exec("PRAGMA synchronous=FULL"); }

  Result<bool> hasTable(std::string_view name) override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE (type = 'table' OR type = 'view') AND name = ?", -1,
                           &s, nullptr) != SQLITE_OK)
      return Status::error(sqlite3_errmsg(db_));
    sqlite3_bind_text(s, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    const std::string error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    if (!error.empty()) return Status::error(error);
    return rc == SQLITE_ROW;
  }

 private:
  static int progress(void* self) {
    const auto& d = static_cast<SqliteDatabase*>(self)->deadline_;
    return d && std::chrono::steady_clock::now() > *d ? 1 : 0;
  }

  sqlite3* db_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

}  // namespace

Result<Database> open(const Location& where, bool read_only) {
  const std::string path = where.sqlite_path.string();
  sqlite3* db = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!read_only)
    if (auto s = applyFileMode(where.sqlite_path, where.file_mode); !s) return s;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::error("cannot open store " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 60000);
  Database d(std::make_unique<SqliteDatabase>(db), where);
  if (!read_only) {
    if (auto s = d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !s)
      return Status::error("cannot open store " + path + ": " + s.message());
  }
  if (auto s = d.exec("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"); !s)
    return Status::error("cannot open store " + path + ": " + s.message());
  return d;
}

}  // namespace abm::store::sqlite
