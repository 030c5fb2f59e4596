// How abmctl prints a report's table: aligned columns for a terminal, or JSON or CSV for programs.
// Each cell keeps its number (JSON and CSV print it exactly, as the shortest text that reads back
// to the same double) and a kind that says how a terminal shows it (money, a percentage, days).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv_field.hpp"

namespace abm::cli {

enum class ReportFormat { Table, Json, Csv };
// "table", "json", "csv"; nullopt for anything else.
std::optional<ReportFormat> parseReportFormat(std::string_view text);

enum class CellKind { Text, Count, Money, Percent, Lift, Days, Number };

struct Cell {
  CellKind kind = CellKind::Text;
  std::optional<std::string> text;  // Text cells
  std::optional<double> number;     // every other kind
  static Cell of(std::string_view v) { return {CellKind::Text, std::string(v), std::nullopt}; }
  static Cell null(CellKind k = CellKind::Text) { return {k, std::nullopt, std::nullopt}; }
  static Cell of(CellKind k, std::optional<double> v) { return {k, std::nullopt, v}; }
  bool isNull() const { return kind == CellKind::Text ? !text : !number; }
};

struct ReportTable {
  std::string title;               // the terminal's heading
  nlohmann::json about;            // JSON members beside "rows": report, period, as_of, ...
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string note;                // a line under the table on a terminal (empty: none)
};

void printReportTable(const ReportTable& t, ReportFormat format, std::ostream& out);

// `v` as the shortest text that reads back to the same double: plain digits from 1e-6 to 1e21
// ("0.1", "300000"), else with an exponent ("1e+300").
std::string exactNumber(double v);

}  // namespace abm::cli
