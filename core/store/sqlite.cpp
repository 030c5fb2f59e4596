#include "store/sqlite.hpp"

namespace abm::store {

Result<Database> Database::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::error("cannot open store " + path + ": " + msg);
  }
  Database d;
  d.db_ = db;
  d.path_ = path;
  sqlite3_busy_timeout(db, 60000);
  if (!read_only) {
    if (auto s = d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !s)
      return Status::error("cannot open store " + path + ": " + s.message());
  }
  if (auto s = d.exec("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"); !s)
    return Status::error("cannot open store " + path + ": " + s.message());
  return d;
}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Status Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::error(msg);
  }
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
      SQLITE_OK)
    return Status::error(std::string("SQL error: ") + sqlite3_errmsg(db_) + " in: " + std::string(sql.substr(0, 120)));
  return Statement(db_, s);
}

int64_t Database::dataVersion() {
  auto st = prepare("PRAGMA data_version");
  if (!st || st->step() != Statement::Step::Row) return -1;
  return st->columnInt(0);
}

Result<Statement*> StatementCache::get(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return &it->second;
  auto st = db_.prepare(sql);
  if (!st) return st.status();
  return &cache_.emplace(sql, std::move(*st)).first->second;
}

Status prepareAll(Database& db, std::initializer_list<StatementSpec> specs) {
  for (const auto& spec : specs) {
    auto st = db.prepare(spec.sql);
    if (!st) return st.status();
    *spec.target = std::move(*st);
  }
  return Status::ok();
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Step Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::Row;
  if (rc == SQLITE_DONE) return Step::Done;
  status_ = Status::error(sqlite3_errmsg(db_));
  return Step::Error;
}

Status Statement::run() {
  const int rc = sqlite3_step(stmt_);
  Status s = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? Status::ok() : Status::error(sqlite3_errmsg(db_));
  sqlite3_reset(stmt_);
  return s;
}

std::string Statement::columnText(int col) const { return std::string(columnView(col)); }

std::string_view Statement::columnView(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

}  // namespace abm::store
