#include "report_definition.hpp"

#include <abm/sdk/time.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace ga4 {

bool ReportDefinition::byEvent() const {
  return std::find(dimensions.begin(), dimensions.end(), "eventName") != dimensions.end();
}

json ReportDefinition::requestBody(const std::string& from, const std::string& to, int64_t offset) const {
  json body;
  body["dateRanges"] = json::array({{{"startDate", from}, {"endDate", to}}});
  body["dimensions"] = json::array();
  body["orderBys"] = json::array();
  // Ordered by every dimension, date first: offset pages of one report never overlap or skip, and
  // a page's last row tells which days are complete.
  for (const auto& d : dimensions) {
    body["dimensions"].push_back({{"name", d}});
    body["orderBys"].push_back({{"dimension", {{"dimensionName", d}}}});
  }
  body["metrics"] = json::array();
  for (const auto& m : metrics) body["metrics"].push_back({{"name", m}});
  if (byEvent()) {
    json names = json::array();
    for (const auto& [event, activity] : event_activities) names.push_back(event);
    body["dimensionFilter"] = {{"filter", {{"fieldName", "eventName"}, {"inListFilter", {{"values", names}}}}}};
  }
  // int64 fields are strings in Google's JSON mapping.
  body["limit"] = std::to_string(page_size);
  body["offset"] = std::to_string(offset);
  body["returnPropertyQuota"] = true;
  return body;
}

ReportDefinition reportDefinition(const json& settings, std::string& why) {
  ReportDefinition r;
  std::string id = settings.value("property_id", "");
  if (id.rfind("properties/", 0) == 0) id = id.substr(11);
  r.property = "properties/" + id;
  r.dimensions.push_back("date");
  for (const auto& d : settings.value("dimensions", json::array())) {
    const std::string name = d.get<std::string>();
    if (name == "date") continue;  // always the first
    if (std::find(r.dimensions.begin(), r.dimensions.end(), name) == r.dimensions.end()) r.dimensions.push_back(name);
  }
  r.account_dimension = settings.value("account_dimension", "");
  if (!r.account_dimension.empty() &&
      std::find(r.dimensions.begin(), r.dimensions.end(), r.account_dimension) == r.dimensions.end())
    r.dimensions.push_back(r.account_dimension);
  if (r.account_dimension == "date") why = "account_dimension: 'date' cannot hold an account's domain";
  for (const auto& m : settings.value("metrics", json::array())) r.metrics.push_back(m.get<std::string>());
  if (r.metrics.empty() && why.empty()) why = "metrics: name at least one metric (the first is the touchpoint's quantity)";
  const json events = settings.value("event_activities", json::object());
  for (const auto& [event, activity] : events.items()) r.event_activities[event] = activity.get<std::string>();
  if (r.byEvent() && r.event_activities.empty() && why.empty())
    why = "event_activities: with eventName among the dimensions, name the events to read and their activity";
  r.activity = settings.value("activity", "page_view");
  r.page_size = settings.value("page_size", int64_t{10000});
  // GA4 answers at most 250,000 rows a request.
  if ((r.page_size < 1 || r.page_size > 250000) && why.empty()) why = "page_size: from 1 to 250000";
  return r;
}

int64_t dayNumber(const std::string& date) {
  if (date.size() != 10) return -1;
  const auto ms = abm::sdk::isoToMillis(date);
  return ms ? *ms / 86'400'000 : -1;
}

std::string dayText(int64_t day) { return abm::sdk::millisToIso(day * 86'400'000).substr(0, 10); }

int64_t todayNumber() { return static_cast<int64_t>(std::time(nullptr)) / 86400; }

int64_t startDay(const std::string& start_date, int64_t today) {
  if (start_date == "today") return today;
  if (start_date == "yesterday") return today - 1;
  unsigned n = 0;
  int used = 0;
  if (std::sscanf(start_date.c_str(), "%udaysAgo%n", &n, &used) == 1 && used == static_cast<int>(start_date.size()))
    return today - n;
  return dayNumber(start_date);
}

}  // namespace ga4
