// `abmctl export TABLE [--format csv|ndjson]`: one table or view of the store's public contract
// (docs/store.md), streamed row by row to stdout, the same on both backends.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::cli {

enum class ExportFormat { Csv, Ndjson };

// The tables and views export accepts, in docs/store.md's order.
const std::vector<std::string_view>& exportableTables();

// Writes every row of `table` (one of exportableTables()) as it is read: CSV (RFC 4180, a header
// row, CRLF line ends, NULL as an empty field) or one JSON object per line (integers and reals as
// numbers, NULL as null, everything else as strings). The engine's own `rowid` column is left out.
Status exportTable(store::Database& db, std::string_view table, ExportFormat format, std::ostream& out);

}  // namespace abm::cli
