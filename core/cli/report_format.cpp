#include "cli/report_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace abm::cli {

namespace {

// 1234567.891 -> "1,234,567.89"
std::string grouped(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string digits(buf);
  const size_t point = std::min(digits.find('.'), digits.size());
  std::string out;
  for (size_t i = 0; i < point; ++i) {
    if (i > 0 && (point - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out += digits.substr(point);
  return (v < 0 && out.find_first_not_of("0.,") != std::string::npos ? "-" : "") + out;
}

std::string shown(const Cell& c) {
  if (c.isNull()) return "-";
  if (c.kind == CellKind::Text) return *c.text;
  const double v = *c.number;
  char buf[64];
  switch (c.kind) {
    case CellKind::Count: return grouped(v, 0);
    case CellKind::Money: return grouped(v, 2);
    case CellKind::Percent: std::snprintf(buf, sizeof buf, "%.1f%%", v * 100); return buf;
    case CellKind::Lift: std::snprintf(buf, sizeof buf, "%+.1f%%", v * 100); return buf;
    case CellKind::Days: std::snprintf(buf, sizeof buf, "%.1f", v); return buf;
    default: std::snprintf(buf, sizeof buf, "%.2f", v); return buf;
  }
}

nlohmann::json value(const Cell& c) {
  if (c.isNull()) return nullptr;
  if (c.kind == CellKind::Text) return *c.text;
  return *c.number;
}

void printAligned(const ReportTable& t, std::ostream& out) {
  std::vector<std::vector<std::string>> text;
  std::vector<size_t> width(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) width[c] = t.columns[c].size();
  for (const auto& row : t.rows) {
    text.emplace_back();
    for (size_t c = 0; c < row.size(); ++c) {
      text.back().push_back(shown(row[c]));
      width[c] = std::max(width[c], text.back().back().size());
    }
  }
  // Text columns align left, numbers right; a column's kind is that of its first non-empty cell.
  std::vector<bool> left(t.columns.size(), true);
  for (size_t c = 0; c < t.columns.size(); ++c)
    for (const auto& row : t.rows)
      if (!row[c].isNull()) {
        left[c] = row[c].kind == CellKind::Text;
        break;
      }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = " ";
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - std::min(width[c], cells[c].size()), ' ');
      s += ' ';
      s += left[c] ? cells[c] + pad : pad + cells[c];
      s += ' ';
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  if (!t.title.empty()) out << t.title << "\n\n";
  line(t.columns);
  for (const auto& r : text) line(r);
  if (!t.note.empty()) out << "\n" << t.note << "\n";
}

}  // namespace

std::optional<ReportFormat> parseReportFormat(std::string_view text) {
  if (text == "table") return ReportFormat::Table;
  if (text == "json") return ReportFormat::Json;
  if (text == "csv") return ReportFormat::Csv;
  return std::nullopt;
}

std::string exactNumber(double v) {
  // Plain digits where a reader expects them (300000, not 3e+05), as JavaScript prints numbers.
  const double a = std::fabs(v);
  const bool plain = a == 0 || (a >= 1e-6 && a < 1e21);
  char buf[400];
  const auto end = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed).ptr
                         : std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

void printReportTable(const ReportTable& t, ReportFormat format, std::ostream& out) {
  if (format == ReportFormat::Table) return printAligned(t, out);
  if (format == ReportFormat::Json) {
    nlohmann::json doc = t.about.is_object() ? t.about : nlohmann::json::object();
    doc["rows"] = nlohmann::json::array();
    for (const auto& row : t.rows) {
      nlohmann::json r = nlohmann::json::object();
      for (size_t c = 0; c < row.size(); ++c) r[t.columns[c]] = value(row[c]);
      doc["rows"].push_back(std::move(r));
    }
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  std::string line;
  auto end = [&] {
    line += "\r\n";
    out << line;
    line.clear();
  };
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) line += ',';
    appendCsvField(line, t.columns[c]);
  }
  end();
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) line += ',';
      if (row[c].isNull()) continue;
      appendCsvField(line, row[c].kind == CellKind::Text ? *row[c].text : exactNumber(*row[c].number));
    }
    end();
  }
}

}  // namespace abm::cli
