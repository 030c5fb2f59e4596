#include "store/bulk_insert.hpp"

#include <charconv>
#include <cmath>


namespace abm::store {

namespace {
constexpr size_t kCopyChunkBytes = 4 << 20;
}  // namespace

void appendCopyText(std::string& out, std::string_view text) {
  for (const char ch : text) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += ch;
    }
  }
}

BulkInsert::BulkInsert(Database& db, std::string table, std::vector<std::string> columns, std::string conflict_key)
    : db_(db),
      table_(std::move(table)),
      conflict_key_(std::move(conflict_key)),
      staging_(conflict_key_.empty() ? "" : "abm_bulk_" + table_),
      columns_(std::move(columns)) {}

std::string BulkInsert::columnList() const {
  std::string out;
  for (const auto& c : columns_) out += (out.empty() ? "" : ", ") + c;
  return out;
}

Status BulkInsert::prepare() {
  if (copying()) {
    if (staging_.empty()) return Status::ok();
    return db_.exec("CREATE TEMP TABLE IF NOT EXISTS " + staging_ + " ON COMMIT DELETE ROWS AS SELECT " + columnList() +
                    " FROM " + table_ + " WITH NO DATA");
  }
  std::string sql = "INSERT INTO " + table_ + "(" + columnList() + ") VALUES(";
  for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", ?" : "?") + std::to_string(c + 1);
  sql += ")";
  if (!conflict_key_.empty()) {
    sql += " ON CONFLICT(" + conflict_key_ + ") DO UPDATE SET ";
    bool first = true;
    for (const auto& c : columns_) {
      if (c == conflict_key_) continue;
      sql += (first ? "" : ", ") + c + " = excluded." + c;
      first = false;
    }
  }
  auto st = db_.prepare(sql);
  if (!st) return st.status();
  insert_ = std::move(*st);
  return Status::ok();
}

BulkInsert& BulkInsert::add(int64_t v) {
  if (!copying()) {
    insert_.bind(++column_, v);
    return *this;
  }
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  buffer_.append(buf, end);
  return *this;
}

BulkInsert& BulkInsert::add(double v) {
  if (!copying()) {
    insert_.bind(++column_, v);
    return *this;
  }
  separate();
  if (std::isnan(v)) {
    buffer_ += "NaN";
  } else if (std::isinf(v)) {
    buffer_ += v > 0 ? "Infinity" : "-Infinity";
  } else {
    // The shortest text that reads back as the same double: the store gets every bit.
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    buffer_.append(buf, end);
  }
  return *this;
}

BulkInsert& BulkInsert::add(std::string_view v) {
  if (!copying()) {
    insert_.bind(++column_, v);
    return *this;
  }
  separate();
  appendCopyText(buffer_, v);
  return *this;
}

BulkInsert& BulkInsert::addStatic(std::string_view v) {
  if (!copying()) {
    insert_.bindStatic(++column_, v);
    return *this;
  }
  return add(v);
}

BulkInsert& BulkInsert::addNull() {
  if (!copying()) {
    insert_.bindNull(++column_);
    return *this;
  }
  separate();
  buffer_ += "\\N";
  return *this;
}

Status BulkInsert::endRow() {
  const int added = column_;
  column_ = 0;
  if (added != static_cast<int>(columns_.size()))
    return Status::error("a row of " + table_ + " has " + std::to_string(added) + " values for " +
                         std::to_string(columns_.size()) + " columns");
  if (!copying()) {
    if (auto s = insert_.run(); !s) return Status::error("cannot write a row into " + table_ + ": " + s.message());
    return Status::ok();
  }
  buffer_ += '\n';
  ++rows_;
  return buffer_.size() >= kCopyChunkBytes ? flush() : Status::ok();
}

Status BulkInsert::flush() {
  if (!copying() || rows_ == 0) return Status::ok();
  const std::string into = staging_.empty() ? table_ : staging_;
  Status s = db_.copyIn("COPY " + into + " (" + columnList() + ") FROM STDIN", buffer_);
  const size_t rows = rows_;
  buffer_.clear();
  rows_ = 0;
  if (s && !staging_.empty()) {
    std::string merge = "INSERT INTO " + table_ + " (" + columnList() + ") SELECT " + columnList() + " FROM " +
                        staging_ + " ON CONFLICT (" + conflict_key_ + ") DO UPDATE SET ";
    bool first = true;
    for (const auto& c : columns_) {
      if (c == conflict_key_) continue;
      merge += (first ? "" : ", ") + c + " = excluded." + c;
      first = false;
    }
    s = db_.exec(merge);
    if (s) s = db_.exec("TRUNCATE " + staging_);
  }
  if (!s) return Status::error("cannot write " + std::to_string(rows) + " rows into " + table_ + ": " + s.message());
  return Status::ok();
}

}  // namespace abm::store
