#include "store/postgresql/pg_backend.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <deque>
#include <vector>

namespace abm::store::postgresql {

namespace {

// Type oids from pg_type.h (server headers are not needed for these few).
constexpr Oid kBoolOid = 16;
constexpr Oid kTextOid = 25;
constexpr Oid kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;
constexpr Oid kTimestampOid = 1114;
constexpr Oid kTimestamptzOid = 1184;

// Every write transaction holds this advisory lock: writers take turns as on SQLite, so identity
// resolution (find or create the account of a domain) never races between daemons.
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(7470001)";

// The server's primary message ("column x does not exist"), without the LINE/HINT lines.
std::string resultError(const PGresult* r, PGconn* conn) {
  if (r) {
    if (const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) {
      std::string m = primary;
      if (const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) m += std::string(" (") + detail + ")";
      return m;
    }
  }
  std::string m = r ? PQresultErrorMessage(r) : "";
  if (m.empty() && conn) m = PQerrorMessage(conn);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "unknown error" : m;
}

std::string trimmedError(const char* message) {
  std::string m = message ? message : "unknown error";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// deadlock_detected and serialization_failure: the transaction lost to another one and may be run again.
bool isConflict(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return state && (std::string_view(state) == "40P01" || std::string_view(state) == "40001");
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PgStatement;

// The connection, shared by its statements. One statement at a time may stream rows from the
// server; when another needs the connection, the streaming one reads the rest of its rows first.
class PgConnection {
 public:
  explicit PgConnection(PGconn* c) : conn(c) {}
  ~PgConnection() { PQfinish(conn); }
  void takeOver(PgStatement* next);
  void released(PgStatement* s) {
    if (streaming == s) streaming = nullptr;
  }

  // Sets statement_timeout to what is left of the deadline (or none) when the session's differs.
  void applyDeadline() {
    long want = 0;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      want = std::max<long>(1, static_cast<long>(left.count()));
    }
    if (want == timeout_set_ms) return;
    ResultPtr r(PQexec(conn, ("SET statement_timeout = " + std::to_string(want)).c_str()));
    // Refused (an aborted transaction): unknown, so the next statement sets it again.
    timeout_set_ms = PQresultStatus(r.get()) == PGRES_COMMAND_OK ? want : -1;
  }

  PGconn* conn;
  PgStatement* streaming = nullptr;
  int changes = 0;
  bool conflicted = false;  // a statement of the current transaction lost a deadlock or serialization conflict
  uint64_t next_statement = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  long timeout_set_ms = 0;  // statement_timeout now in force on the session (0 = none, -1 = unknown)
};

class PgStatement final : public StatementBackend {
 public:
  PgStatement(std::shared_ptr<PgConnection> c, std::string name, int params)
      : c_(std::move(c)), name_(std::move(name)), values_(params), set_(params) {}
  ~PgStatement() override {
    finishRun();
    c_->released(this);
    c_->takeOver(nullptr);
    ResultPtr r(PQexec(c_->conn, ("DEALLOCATE " + name_).c_str()));  // failing in an aborted transaction is harmless
  }

  void bindText(int i, std::string_view v) override { set(i, std::string(v)); }
  void bindInt(int i, int64_t v) override { set(i, std::to_string(v)); }
  void bindDouble(int i, double v) override {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    set(i, std::string(buf, end));
  }
  void bindNull(int i) override {
    if (i >= 1 && i <= static_cast<int>(values_.size())) set_[i - 1] = false;
  }

  Step step(std::string& error) override {
    if (!running_) {
      if (!start(error)) return Step::Error;
    }
    row_.reset();
    converted_.clear();
    for (;;) {
      ResultPtr r = next();
      if (!r) {
        if (!error_.empty()) {
          error = error_;
          return Step::Error;
        }
        return Step::Done;
      }
      switch (PQresultStatus(r.get())) {
        case PGRES_SINGLE_TUPLE:
          row_ = std::move(r);
          converted_.resize(static_cast<size_t>(PQnfields(row_.get())));
          return Step::Row;
        case PGRES_TUPLES_OK:
          described_ = std::move(r);  // no row, but the columns' names: a header for an empty result
          c_->changes = std::atoi(PQcmdTuples(described_.get()));
          break;
        case PGRES_COMMAND_OK:
          c_->changes = std::atoi(PQcmdTuples(r.get()));
          break;
        default:
          if (error_.empty()) error_ = describeError(r.get());
          break;
      }
    }
  }

  void rewind() override { finishRun(); }
  void reset() override {
    finishRun();
    std::fill(set_.begin(), set_.end(), false);
  }

  bool isNull(int col) const override { return !row_ || PQgetisnull(row_.get(), 0, col); }
  int64_t columnInt(int col) const override {
    if (isNull(col)) return 0;
    if (PQftype(row_.get(), col) == kBoolOid) return *PQgetvalue(row_.get(), 0, col) == 't' ? 1 : 0;
    const char* v = PQgetvalue(row_.get(), 0, col);
    char* end = nullptr;
    const long long n = std::strtoll(v, &end, 10);
    if (*end == '\0') return n;
    return static_cast<int64_t>(std::strtod(v, nullptr));  // numeric or float: truncated, as SQLite does
  }
  double columnDouble(int col) const override {
    if (isNull(col)) return 0;
    if (PQftype(row_.get(), col) == kBoolOid) return *PQgetvalue(row_.get(), 0, col) == 't' ? 1 : 0;
    return std::strtod(PQgetvalue(row_.get(), 0, col), nullptr);
  }
  std::string_view columnView(int col) const override {
    if (isNull(col)) return {};
    const char* v = PQgetvalue(row_.get(), 0, col);
    const size_t n = static_cast<size_t>(PQgetlength(row_.get(), 0, col));
    switch (PQftype(row_.get(), col)) {
      case kBoolOid: return *v == 't' ? "1" : "0";
      case kTimestampOid:
      case kTimestamptzOid: {
        auto& slot = converted_[static_cast<size_t>(col)];
        if (!slot) slot = isoTimestamp(std::string_view(v, n));
        return *slot;
      }
      default: return std::string_view(v, n);
    }
  }
  ColumnType columnType(int col) const override {
    if (isNull(col)) return ColumnType::Null;
    switch (PQftype(row_.get(), col)) {
      case kBoolOid:
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid: return ColumnType::Integer;
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid: return ColumnType::Real;
      default: return ColumnType::Text;
    }
  }
  int columnCount() const override {
    const PGresult* r = row_ ? row_.get() : described_.get();
    return r ? PQnfields(r) : 0;
  }
  std::string columnName(int col) const override {
    const PGresult* r = row_ ? row_.get() : described_.get();
    const char* n = r ? PQfname(r, col) : nullptr;
    return n ? n : "";
  }

  // The connection is needed by another statement: keep the rest of this run's results here.
  void buffer() {
    while (PGresult* r = PQgetResult(c_->conn)) buffered_.emplace_back(r);
    c_->released(this);
  }

 private:
  void set(int i, std::string v) {
    if (i < 1 || i > static_cast<int>(values_.size())) return;  // as SQLite: out of range binds are ignored
    values_[i - 1] = std::move(v);
    set_[i - 1] = true;
  }

  bool start(std::string& error) {
    c_->takeOver(this);
    c_->applyDeadline();
    std::vector<const char*> params(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) params[i] = set_[i] ? values_[i].c_str() : nullptr;
    running_ = true;
    described_.reset();
    error_.clear();
    if (!PQsendQueryPrepared(c_->conn, name_.c_str(), static_cast<int>(params.size()), params.data(), nullptr,
                             nullptr, 0)) {
      error = trimmedError(PQerrorMessage(c_->conn));
      running_ = false;
      c_->released(this);
      return false;
    }
    PQsetSingleRowMode(c_->conn);
    return true;
  }

  ResultPtr next() {
    if (!buffered_.empty()) {
      ResultPtr r = std::move(buffered_.front());
      buffered_.pop_front();
      return r;
    }
    if (c_->streaming != this) return nullptr;
    ResultPtr r(PQgetResult(c_->conn));
    if (!r) c_->released(this);
    return r;
  }

  void finishRun() {
    if (running_) {
      while (next()) {
      }
    }
    row_.reset();
    described_.reset();
    buffered_.clear();
    running_ = false;
  }

  std::string describeError(const PGresult* r) const {
    if (isConflict(r)) c_->conflicted = true;
    // A statement stopped by statement_timeout reads as SQLite's interrupted one.
    if (const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE); state && std::string_view(state) == "57014")
      return "interrupted";
    return resultError(r, c_->conn);
  }

  std::shared_ptr<PgConnection> c_;
  std::string name_;
  std::vector<std::string> values_;
  std::vector<bool> set_;
  bool running_ = false;
  std::string error_;
  ResultPtr row_;
  ResultPtr described_;  // the run's closing result: no row, the columns
  std::deque<ResultPtr> buffered_;
  mutable std::vector<std::optional<std::string>> converted_;
  friend class PgConnection;
};

void PgConnection::takeOver(PgStatement* next) {
  if (streaming && streaming != next) streaming->buffer();
  streaming = next;
}

class PgDatabase final : public DatabaseBackend {
 public:
  explicit PgDatabase(std::shared_ptr<PgConnection> c) : c_(std::move(c)) {}

  Status exec(std::string_view sql) override {
    c_->takeOver(nullptr);
    ResultPtr r(PQexec(c_->conn, std::string(sql).c_str()));
    // A rollback takes back a SET made in its transaction: the timeout in force is unknown again.
    if (sql.rfind("ROLLBACK", 0) == 0) c_->timeout_set_ms = -1;
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      if (isConflict(r.get())) c_->conflicted = true;
      return Status::error(resultError(r.get(), c_->conn));
    }
    c_->changes = std::atoi(PQcmdTuples(r.get()));
    return Status::ok();
  }

  Result<std::unique_ptr<StatementBackend>> prepare(std::string_view sql) override {
    c_->takeOver(nullptr);
    c_->applyDeadline();  // preparing may wait on a lock too
    int count = 0;
    std::vector<bool> used;
    std::string text = numberParameters(sql, count, &used);
    // The server infers each parameter's type from where it stands; one that the SQL skips (a
    // statement bound like its sibling that uses one more) has nowhere to stand and is taken as text.
    std::vector<Oid> types(static_cast<size_t>(count), 0);
    for (size_t i = 0; i < types.size(); ++i)
      if (!used[i]) types[i] = kTextOid;
    std::string name = "abm_" + std::to_string(++c_->next_statement);
    ResultPtr r(PQprepare(c_->conn, name.c_str(), text.c_str(), count, types.data()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      return Status::error("SQL error: " + resultError(r.get(), c_->conn) + " in: " + std::string(sql.substr(0, 120)));
    }
    return std::unique_ptr<StatementBackend>(std::make_unique<PgStatement>(c_, std::move(name), count));
  }

  Status beginWrite() override {
    c_->conflicted = false;
    Status s = exec(kBeginWrite);
    // The BEGIN may have run and the lock wait failed (a deadlock, a timeout): leave no transaction
    // open behind the error, or the next BEGIN would fail in it.
    if (!s) (void)exec("ROLLBACK");  // the error to report is the lock's
    return s;
  }
  Status beginRead() override {
    c_->conflicted = false;
    return exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  }
  bool transactionConflicted() const override { return c_->conflicted; }
  // On by default; set again in case the server's configuration turned it off.
  Status requireDurableCommits() override { return exec("SET synchronous_commit = on"); }
  int changes() const override { return c_->changes; }
  // PostgreSQL has no cheap "did another session commit" counter: callers assume it changed.
  int64_t dataVersion() override { return -1; }
  bool transactionUsable() override {
    c_->takeOver(nullptr);
    return PQtransactionStatus(c_->conn) == PQTRANS_INTRANS;
  }
  void setDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) override { c_->deadline = deadline; }

  Status copyIn(std::string_view copy_statement, std::string_view rows) override {
    c_->takeOver(nullptr);
    ResultPtr start(PQexec(c_->conn, std::string(copy_statement).c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return Status::error(resultError(start.get(), c_->conn));
    // Blocking connection: PQputCopyData only returns -1 (error), never 0.
    constexpr size_t kChunk = 1 << 20;
    std::string failure;
    for (size_t at = 0; at < rows.size() && failure.empty(); at += kChunk) {
      const size_t n = std::min(kChunk, rows.size() - at);
      if (PQputCopyData(c_->conn, rows.data() + at, static_cast<int>(n)) != 1) failure = PQerrorMessage(c_->conn);
    }
    if (PQputCopyEnd(c_->conn, failure.empty() ? nullptr : failure.c_str()) != 1)
      return Status::error(trimmedError(PQerrorMessage(c_->conn)));
    Status out = Status::ok();
    while (PGresult* raw = PQgetResult(c_->conn)) {
      ResultPtr r(raw);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && out.isOk()) out = Status::error(resultError(r.get(), c_->conn));
      else if (out.isOk()) c_->changes = std::atoi(PQcmdTuples(r.get()));
    }
    if (!failure.empty() && out.isOk()) out = Status::error(trimmedError(failure.c_str()));
    return out;
  }

  Result<bool> hasTable(std::string_view name) override {
    c_->takeOver(nullptr);
    const std::string n(name);
    const char* params[] = {n.c_str()};
    ResultPtr r(PQexecParams(c_->conn, "SELECT to_regclass($1) IS NOT NULL", 1, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      return Status::error(resultError(r.get(), c_->conn));
    return *PQgetvalue(r.get(), 0, 0) == 't';
  }

 private:
  std::shared_ptr<PgConnection> c_;
};

}  // namespace

std::string numberParameters(std::string_view sql, int& count, std::vector<bool>* used) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  int highest = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char ch = sql[i];
    if (ch == '\'' || ch == '"') {  // a literal or quoted name, doubled quotes inside
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == ch) {
          if (j + 1 < sql.size() && sql[j + 1] == ch) { j += 2; continue; }
          break;
        }
        ++j;
      }
      out.append(sql.substr(i, j + 1 - i));
      i = j + 1;
    } else if (ch == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t j = sql.find('\n', i);
      const size_t end = j == std::string_view::npos ? sql.size() : j;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (ch == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t j = sql.find("*/", i + 2);
      const size_t end = j == std::string_view::npos ? sql.size() : j + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (ch == '?') {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      if (j == i + 1) n = highest + 1;  // a bare "?" takes the next number, as in SQLite
      highest = std::max(highest, n);
      if (used) {
        if (used->size() < static_cast<size_t>(n)) used->resize(static_cast<size_t>(n), false);
        (*used)[static_cast<size_t>(n - 1)] = true;
      }
      out += '$';
      out += std::to_string(n);
      i = j;
    } else {
      out += ch;
      ++i;
    }
  }
  count = highest;
  if (used) used->resize(static_cast<size_t>(highest), false);
  return out;
}

std::string isoTimestamp(std::string_view t) {
  // "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (or "-05:30"; the session is UTC, so "+00").
  std::string out(t);
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  if (out.size() > 3 && (out.compare(out.size() - 3, 3, "+00") == 0)) out.replace(out.size() - 3, 3, "Z");
  else if (out.size() == 19) out += 'Z';  // timestamp without zone: stored as UTC
  // PostgreSQL drops trailing zeros of a fraction ("04.9"): the change-tracking times keep
  // milliseconds, three digits always, as SQLite writes them (docs/store.md#change-tracking).
  if (out.size() > 20 && out[19] == '.') {
    const size_t end = std::min(out.find_first_not_of("0123456789", 20), out.size());
    const size_t digits = end - 20;
    if (digits < 3) out.insert(20 + digits, 3 - digits, '0');
    else if (digits > 3) out.erase(23, digits - 3);
  }
  return out;
}

Result<Database> open(const Location& where, bool read_only) {
  PGconn* conn = PQconnectdb(where.conninfo.c_str());
  auto c = std::make_shared<PgConnection>(conn);
  if (!conn || PQstatus(conn) != CONNECTION_OK)
    return Status::error("cannot open store " + where.describe() + ": " +
                         trimmedError(conn ? PQerrorMessage(conn) : "out of memory"));
  Database d(std::make_unique<PgDatabase>(c), where);
  std::string session =
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601';"
      " SET client_min_messages = 'warning'; SET extra_float_digits = 1";
  if (read_only) session += "; SET default_transaction_read_only = on";
  if (auto s = d.exec(session); !s) return Status::error("cannot open store " + where.describe() + ": " + s.message());
  return d;
}

}  // namespace abm::store::postgresql
