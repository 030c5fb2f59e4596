#include "ad_analytics.hpp"

#include <abm/sdk/time.hpp>

namespace linkedin_ads {

namespace http = abm::sdk::http;

namespace {

// Rest.li's date: (year:2024,month:3,day:1)
std::string restliDate(int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  abm::sdk::civilFromDays(days, y, m, d);
  return "(year:" + std::to_string(y) + ",month:" + std::to_string(m) + ",day:" + std::to_string(d) + ")";
}

}  // namespace

Status dailyAnalytics(Context& ctx, const std::string& pivot, const std::string& fields, int64_t from, int64_t to,
                      const std::function<void(const json& elements)>& on_rows) {
  const std::string target = "/rest/adAnalytics?q=analytics&pivot=" + pivot + "&timeGranularity=DAILY&dateRange=(start:" +
                             restliDate(from) + ",end:" + restliDate(to) + ")&accounts=List(" + encodedAccountUrn(ctx) +
                             ")&fields=" + fields + ",dateRange,pivotValues";
  const auto a = get(ctx, target);
  if (!a.ok()) return a.status;
  const json& elements = http::fieldOf(a.body, "elements");
  if (!elements.is_array()) return Status::error(a.response.endpoint + ": the answer has no \"elements\" array");
  const int64_t cap = ctx.settings.value("rows_per_call_limit", 15'000);
  if (static_cast<int64_t>(elements.size()) >= cap) {
    if (from < to) {
      const int64_t mid = from + (to - from) / 2;
      if (auto s = dailyAnalytics(ctx, pivot, fields, from, mid, on_rows); !s.isOk()) return s;
      return dailyAnalytics(ctx, pivot, fields, mid + 1, to, on_rows);
    }
    ctx.host.warn("adAnalytics " + pivot + " on " + abm::sdk::isoDate(from) + ": " + std::to_string(elements.size()) +
                  " rows, LinkedIn's cap for one answer; a single day cannot be split further, so rows past the cap"
                  " are missing");
  }
  on_rows(elements);
  return Status::ok();
}

std::string elementDate(const json& element) {
  const json& start = http::fieldOf(http::fieldOf(element, "dateRange"), "start");
  const int64_t y = http::integerOf(start, "year"), m = http::integerOf(start, "month"), d = http::integerOf(start, "day");
  if (y <= 0 || m < 1 || m > 12 || d < 1 || d > 31) return {};
  return abm::sdk::isoDate(abm::sdk::daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

std::string pivotValue(const json& element) {
  const json& values = http::fieldOf(element, "pivotValues");
  return values.is_array() && !values.empty() && values[0].is_string() ? values[0].get<std::string>() : std::string();
}

std::string urnId(const std::string& urn) {
  const auto colon = urn.rfind(':');
  return colon == std::string::npos ? urn : urn.substr(colon + 1);
}

}  // namespace linkedin_ads
