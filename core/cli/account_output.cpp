#include "cli/account_output.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "common/csv_field.hpp"
#include "segments/filter_fields.hpp"
#include "segments/list_file.hpp"

namespace abm::cli {

namespace {

const std::vector<std::string> kColumns = {"account_id", "name",  "domain",    "industry", "country",   "employee_count",
                                           "annual_revenue", "tier", "is_target", "stage", "engagement"};

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

nlohmann::json json(const segments::AccountFacts& a) {
  auto orNull = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"account_id", a.account_id},
          {"name", orNull(a.name)},
          {"domain", orNull(a.domain)},
          {"industry", orNull(a.industry)},
          {"country", orNull(a.country)},
          {"employee_count", a.employee_count ? nlohmann::json(static_cast<int64_t>(*a.employee_count)) : nlohmann::json(nullptr)},
          {"annual_revenue", orNull(a.annual_revenue)},
          {"tier", orNull(a.tier)},
          {"is_target", a.is_target},
          {"stage", a.stage ? nlohmann::json(std::string(segments::kStageOrder[*a.stage])) : nlohmann::json(nullptr)},
          {"engagement", a.engagement}};
}

std::vector<std::string> cells(const segments::AccountFacts& a) {
  auto text = [](const std::optional<std::string>& v) { return v.value_or(""); };
  auto num = [](const std::optional<double>& v) { return v ? number(*v) : ""; };
  return {std::to_string(a.account_id), text(a.name),  text(a.domain),         text(a.industry),
          text(a.country),              num(a.employee_count), num(a.annual_revenue), text(a.tier),
          a.is_target ? "true" : "false", a.stage ? std::string(segments::kStageOrder[*a.stage]) : "",
          number(a.engagement)};
}

}  // namespace

void printTable(std::ostream& out, const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < r.size(); ++i) {
      s += r[i];
      if (i + 1 < r.size()) s += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << s << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

void printAccounts(std::ostream& out, const std::vector<segments::AccountFacts>& accounts, ReportFormat format) {
  switch (format) {
    case ReportFormat::Json: {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& a : accounts) all.push_back(json(a));
      out << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    case ReportFormat::Csv:
      out << csvLine(kColumns);
      for (const auto& a : accounts) out << csvLine(cells(a));
      return;
    case ReportFormat::Table: {
      std::vector<std::vector<std::string>> rows;
      for (const auto& a : accounts) rows.push_back(cells(a));
      printTable(out, kColumns, rows);
      out << accounts.size() << " account(s)\n";
      return;
    }
  }
}

}  // namespace abm::cli
