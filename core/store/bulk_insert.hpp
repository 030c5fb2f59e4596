// Rows for one table written in bulk: COPY on PostgreSQL (a round trip per few MB instead of per
// row), one prepared INSERT per row on SQLite (where a row costs no round trip). Rows that may
// replace stored ones (a `conflict_key`) are COPYed into a temporary staging table and merged with
// INSERT ... ON CONFLICT DO UPDATE; a batch must then name each key once. PostgreSQL keeps the rows
// in the order they were added, so generated ids (rowid) come out as row by row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

class BulkInsert {
 public:
  BulkInsert(Database& db, std::string table, std::vector<std::string> columns, std::string conflict_key = {});
  // Prepares the INSERT (SQLite) or the staging table (PostgreSQL, with a conflict key).
  Status prepare();

  // One row: a value per column, in order, then endRow().
  BulkInsert& add(int64_t v);
  BulkInsert& add(double v);
  BulkInsert& add(std::string_view v);
  BulkInsert& addStatic(std::string_view v);  // text that outlives the row (a literal)
  BulkInsert& addNull();
  // SQLite writes the row now; PostgreSQL buffers it and sends the buffer when it is large.
  Status endRow();
  // Sends what is buffered (PostgreSQL). Call before reading the table in the same transaction.
  Status flush();

 private:
  std::string columnList() const;
  bool copying() const { return db_.backend() == Backend::Postgresql; }
  void separate() {
    if (column_++ > 0) buffer_ += '\t';
  }

  Database& db_;
  const std::string table_, conflict_key_, staging_;
  const std::vector<std::string> columns_;
  int column_ = 0;  // values added to the current row
  Statement insert_;
  std::string buffer_;  // COPY text format
  size_t rows_ = 0;     // buffered
};

// `text` in COPY's text format: backslash, tab, newline and carriage return escaped.
void appendCopyText(std::string& out, std::string_view text);

}  // namespace abm::store
