#include "api/store_access.hpp"

#include "log/logger.hpp"

namespace abm::api {

Connection::Connection(store::Database db) : db_(std::move(db)), statements_(db_) {}

ApiResult<store::Statement*> Connection::prepare(const std::string& sql) {
  if (deadline_ && std::chrono::steady_clock::now() >= *deadline_)
    return storeError("cannot read the store", "interrupted");
  auto st = statements_.get(sql);
  if (!st) return storeError("cannot prepare a query", st.error());
  (*st)->reset();
  return *st;
}

ReadSnapshot::~ReadSnapshot() {
  // A read transaction has nothing to undo; ending it only releases the snapshot.
  if (open_) (void)db_.exec("COMMIT");
}

ApiResult<bool> ReadSnapshot::begin() {
  if (auto s = db_.beginRead(); !s) return storeError("cannot start a read", s.message());
  open_ = true;
  return true;
}

ApiError storeError(const std::string& what, const std::string& detail) {
  if (detail == "interrupted") {
    log::warn("read API: " + what + ": stopped at the query time limit");
    return ApiError::unavailable("query_timeout",
                                 what +
                                     ": the query ran past the read API's time limit and was "
                                     "stopped; narrow it with filters or ask for fewer items");
  }
  log::error("read API: " + what + ": " + detail);
  return ApiError{500, kStoreErrorCode, what + ": " + detail + "; the daemon log has the details"};
}

ApiResult<bool> finished(const store::Statement& st, const std::string& what) {
  if (auto s = st.status(); !s) return storeError("cannot read " + what + " from the store", s.message());
  return true;
}

ApiResult<nlohmann::json> firstText(Connection& c, const std::string& sql, const std::string& what) {
  auto st = c.prepare(sql);
  if (!st) return st.error();
  ScopedReset reset(*st);
  if ((*st)->step() == store::Statement::Step::Row) return RowReader(**st).text(0);
  if (auto ok = finished(**st, what); !ok) return ok.error();
  return nlohmann::json(nullptr);
}

nlohmann::json RowReader::text(int col) const {
  if (isNull(col)) return nullptr;
  return st_.columnText(offset_ + col);
}

nlohmann::json RowReader::integer(int col) const {
  if (isNull(col)) return nullptr;
  return st_.columnInt(offset_ + col);
}

nlohmann::json RowReader::real(int col) const {
  if (isNull(col)) return nullptr;
  return st_.columnDouble(offset_ + col);
}

nlohmann::json RowReader::boolean(int col) const {
  if (isNull(col)) return nullptr;
  return st_.columnInt(offset_ + col) != 0;
}

nlohmann::json RowReader::document(int col) const {
  if (isNull(col)) return nullptr;
  const auto text = st_.columnView(offset_ + col);
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return std::string(text);
  return parsed;
}

http::Response jsonResponse(int status, const nlohmann::json& body) {
  return http::Response::json(status, body);
}

}  // namespace abm::api
