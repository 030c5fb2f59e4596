// The GA4 report a connector reads, from its settings: which dimensions and metrics, which events
// count as which activity, which dimension names the account, and the days to ask for.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ga4 {

using nlohmann::json;

struct ReportDefinition {
  std::string property;                // "properties/1234"
  std::vector<std::string> dimensions;  // "date" first, then the settings', then account_dimension
  std::vector<std::string> metrics;     // the first is the touchpoint's quantity
  std::map<std::string, std::string> event_activities;  // eventName -> activity, when eventName is asked
  std::string activity;                 // every row's activity when eventName is not asked
  std::string account_dimension;        // "" or the dimension holding the account's domain
  int64_t page_size = 10000;

  bool byEvent() const;
  // The runReport body for the days `from`..`to` (YYYY-MM-DD) at `offset`.
  json requestBody(const std::string& from, const std::string& to, int64_t offset) const;
};

// The definition, or "" in `why` when the settings describe one; else what is wrong, naming the setting.
ReportDefinition reportDefinition(const json& settings, std::string& why);

// Days as "YYYY-MM-DD" and days since the epoch.
int64_t dayNumber(const std::string& date);  // -1 when not a date
std::string dayText(int64_t day);
int64_t todayNumber();
// start_date as GA4 spells it ("2024-01-01", "30daysAgo", "yesterday", "today") as a day number, or -1.
int64_t startDay(const std::string& start_date, int64_t today);

}  // namespace ga4
