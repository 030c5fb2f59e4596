#include "cli/export.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "cli/report_format.hpp"

namespace abm::cli {

namespace {

// A value in the form both backends agree on: integers as digits, reals as the shortest text
// that reads back to the same double (SQLite's own text of a real keeps only 15 digits).
std::string plainValue(const store::Statement& q, int col, store::ColumnType type) {
  switch (type) {
    case store::ColumnType::Integer: return std::to_string(q.columnInt(col));
    case store::ColumnType::Real: return exactNumber(q.columnDouble(col));
    default: return q.columnText(col);
  }
}

}  // namespace

const std::vector<std::string_view>& exportableTables() {
  static const std::vector<std::string_view> kTables = {
      "accounts", "account_identities", "account_merges", "contacts", "opportunities", "survey_responses",
      "segments", "account_lists", "account_list_members", "account_targeting", "campaigns", "touchpoints",
      "ad_spend", "sync_runs", "attribution_touches", "attribution_credits", "attribution_channels",
      "attribution_campaigns", "attribution_conversions", "account_engagement", "account_stage_history",
      "account_stages", "journey_funnel", "kpis", "campaign_performance", "metrics_runs"};
  return kTables;
}

Status exportTable(store::Database& db, std::string_view table, ExportFormat format, std::ostream& out) {
  const auto& tables = exportableTables();
  if (std::find(tables.begin(), tables.end(), table) == tables.end())
    return Status::error("'" + std::string(table) + "' is not a table export knows");
  // `table` is one of the names above: safe to splice into the SQL.
  auto q = db.prepare("SELECT * FROM " + std::string(table));
  if (!q) return Status::error("cannot read " + std::string(table) + ": " + q.error());
  const auto step = q->step();
  if (step == store::Step::Error) return Status::error("cannot read " + std::string(table) + ": " + q->status().message());
  std::vector<int> columns;  // all but rowid
  std::vector<std::string> names;
  for (int c = 0; c < q->columnCount(); ++c)
    if (q->columnName(c) != "rowid") {
      columns.push_back(c);
      names.push_back(q->columnName(c));
    }
  std::string line;
  if (format == ExportFormat::Csv) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) line += ',';
      appendCsvField(line, names[i]);
    }
    out << line << "\r\n";
  }
  // JSON text of each column name, made once.
  std::vector<std::string> keys;
  for (const auto& n : names) keys.push_back(nlohmann::json(n).dump() + ":");
  for (auto s = step; s == store::Step::Row; s = q->step()) {
    line.clear();
    if (format == ExportFormat::Ndjson) line += '{';
    for (size_t i = 0; i < columns.size(); ++i) {
      const int c = columns[i];
      const auto type = q->columnType(c);
      if (format == ExportFormat::Csv) {
        if (i) line += ',';
        if (type != store::ColumnType::Null) appendCsvField(line, plainValue(*q, c, type));
        continue;
      }
      if (i) line += ',';
      line += keys[i];
      if (type == store::ColumnType::Null) line += "null";
      else if (type == store::ColumnType::Text)
        line += nlohmann::json(q->columnText(c)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      else line += plainValue(*q, c, type);
    }
    line += format == ExportFormat::Csv ? "\r\n" : "}\n";
    out << line;
    if (!out) return Status::error("cannot write the export of " + std::string(table) + " (output closed?)");
  }
  if (auto s = q->status(); !s) return Status::error("cannot read " + std::string(table) + ": " + s.message());
  out.flush();
  return Status::ok();
}

}  // namespace abm::cli
