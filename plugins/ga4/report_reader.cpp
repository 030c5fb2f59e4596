#include "report_reader.hpp"

#include <abm/sdk/entities.hpp>
#include <abm/sdk/oauth.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <optional>
#include <set>

namespace ga4 {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

namespace {

// GA4's daily quota refreshes at midnight Pacific time: 08:00 UTC is that midnight in winter and an
// hour after it in summer, never before it.
int64_t nextPacificMidnight(int64_t now) {
  const int64_t eight = 8 * 3600;
  return ((now - eight) / 86400 + 1) * 86400 + eight;
}

// The quota GA4 says is spent in a successful answer's propertyQuota ("" when none is).
std::string spentQuota(const json& body, int64_t& resume_at) {
  const json& q = http::fieldOf(body, "propertyQuota");
  const int64_t now = std::time(nullptr);
  if (http::integerOf(http::fieldOf(q, "tokensPerDay"), "remaining", 1) <= 0) {
    resume_at = nextPacificMidnight(now);
    return "GA4's tokens per day for this property are spent (propertyQuota.tokensPerDay.remaining = 0)";
  }
  if (http::integerOf(http::fieldOf(q, "tokensPerHour"), "remaining", 1) <= 0) {
    resume_at = now + 3600;
    return "GA4's tokens per hour for this property are spent (propertyQuota.tokensPerHour.remaining = 0)";
  }
  return {};
}

// "20240501" -> day number, or -1.
int64_t reportDay(const std::string& v) {
  if (v.size() != 8) return -1;
  return dayNumber(v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2));
}

std::optional<double> metricNumber(const std::string& v) {
  double d = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return d;
}

void addNumber(JsonObjectWriter& w, std::string_view key, double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) w.add(key, static_cast<int64_t>(v));
  else w.add(key, v);
}

// What is written while the report is read, day by day, and what the checkpoint says.
class DayLedger {
 public:
  DayLedger(Context& ctx, const std::string& stream, const json& state, int64_t lookback)
      : ctx_(ctx), stream_(stream), lookback_(lookback) {
    if (!state.is_object()) return;
    for (const auto& [day, ids] : http::fieldOf(state, "ids").items()) {
      if (!ids.is_array()) continue;
      auto& set = before_[dayNumber(day)];
      for (const auto& id : ids)
        if (id.is_string()) set.insert(id.get<std::string>());
    }
  }

  void written(int64_t day, std::string id) { now_[day].push_back(std::move(id)); }

  // Every day before `day` is complete: what a re-read day no longer has leaves the store, and the
  // checkpoint moves to the day before. False when the host asks to stop.
  bool completeBefore(int64_t day) {
    bool go_on = true;
    for (auto it = before_.begin(); it != before_.end() && it->first < day;) {
      const auto& kept = now_[it->first];
      for (const auto& id : it->second)
        if (std::find(kept.begin(), kept.end(), id) == kept.end()) go_on = ctx_.host.deleted(stream_, id) && go_on;
      it = before_.erase(it);
    }
    const int64_t through = day - 1;
    json ids = json::object();
    for (auto it = now_.begin(); it != now_.end();) {
      if (it->first < through - lookback_) {
        it = now_.erase(it);
        continue;
      }
      if (it->first <= through) ids[dayText(it->first)] = it->second;
      ++it;
    }
    ctx_.host.checkpoint(stream_, {{"through", dayText(through)}, {"ids", ids}});
    return go_on;
  }

 private:
  Context& ctx_;
  const std::string& stream_;
  int64_t lookback_;
  std::map<int64_t, std::set<std::string>> before_;   // the last run's ids of the days read again
  std::map<int64_t, std::vector<std::string>> now_;   // this run's ids of the recent days
};

// One report row as a touchpoint, or why it cannot be one ("" and no record for a row of nothing).
std::string touchpoint(const ReportDefinition& r, const json& row, int64_t& day, std::string& id, std::string& out) {
  const json& dims = http::fieldOf(row, "dimensionValues");
  const json& mets = http::fieldOf(row, "metricValues");
  if (!dims.is_array() || dims.size() != r.dimensions.size() || !mets.is_array() || mets.size() != r.metrics.size())
    return "the row does not have the report's " + std::to_string(r.dimensions.size()) + " dimension and " +
           std::to_string(r.metrics.size()) + " metric values";
  std::vector<std::string> values;
  for (const auto& v : dims) values.push_back(http::textOf(v, "value"));
  day = reportDay(values[0]);
  if (day < 0) return "date '" + values[0] + "' is not YYYYMMDD";
  std::vector<double> numbers;
  for (size_t i = 0; i < mets.size(); ++i) {
    const auto n = metricNumber(http::textOf(mets[i], "value"));
    if (!n) return "metric " + r.metrics[i] + " '" + http::textOf(mets[i], "value") + "' is not a number";
    numbers.push_back(*n);
  }
  if (numbers[0] <= 0) return {};
  std::string activity = r.activity;
  JsonObjectWriter props;
  std::string domain;
  id = dayText(day);
  for (size_t i = 1; i < values.size(); ++i) {
    const std::string& name = r.dimensions[i];
    id += "/" + http::formEncode(values[i]);
    props.add(name, values[i]);
    if (name == "eventName") {
      const auto it = r.event_activities.find(values[i]);
      if (it == r.event_activities.end()) return "event '" + values[i] + "' is not in event_activities";
      activity = it->second;
    }
    // "(not set)" and "(other)" are GA4's own placeholders, never an identifier.
    if (name == r.account_dimension && abm::sdk::plausibleDomain(values[i]) && values[i].front() != '(')
      domain = values[i];
  }
  for (size_t i = 1; i < numbers.size(); ++i) addNumber(props, r.metrics[i], numbers[i]);
  JsonObjectWriter w;
  w.add("external_id", id);
  if (!domain.empty()) w.add("account_domain", domain);
  w.add("channel", "web");
  w.add("activity", activity);
  w.add("occurred_at", dayText(day) + "T00:00:00Z");
  addNumber(w, "quantity", numbers[0]);
  w.addRaw("properties", props.finish());
  out = w.finish();
  return {};
}

}  // namespace

Status failure(const http::Answer& a) {
  const auto& r = a.response;
  if (r.status == 429 && r.body.find("RESOURCE_EXHAUSTED") != std::string::npos) {
    const int64_t now = std::time(nullptr);
    if (r.body.find("per day") != std::string::npos)
      return Status::rateLimited(a.status.message, nextPacificMidnight(now));
    if (r.body.find("per hour") != std::string::npos) return Status::rateLimited(a.status.message, now + 3600);
  }
  return a.status;
}

Status readReport(Context& ctx, const std::string& stream, const json& state) {
  const ReportDefinition& r = ctx.report;
  const int64_t lookback = std::max<int64_t>(0, ctx.settings.value("lookback_days", int64_t{3}));
  const int64_t to = todayNumber();
  const int64_t start = startDay(ctx.settings.value("start_date", "30daysAgo"), to);
  const int64_t through = state.is_object() ? dayNumber(http::textOf(state, "through")) : -1;
  if (state.is_object() && through < 0)
    return Status::error("the checkpoint of " + stream + " has no day in \"through\"; reset it (abmctl state reset)");
  if (start > to) {
    // No checkpoint either: the first sync after start_date reads from it.
    ctx.host.info("start_date " + dayText(start) + " is after today: nothing to read yet");
    return Status::ok();
  }
  const int64_t from = std::min(to, through < 0 ? start : std::max(start, through - lookback));
  const std::string path = "/v1beta/" + r.property + ":runReport";

  DayLedger ledger(ctx, stream, state, lookback);
  int64_t current = from;
  for (int64_t offset = 0;;) {
    const auto a = ctx.api.call({"POST", path, {"Content-Type: application/json"},
                                 r.requestBody(dayText(from), dayText(to), offset).dump()});
    if (!a.ok()) return failure(a);
    const json& rows = http::fieldOf(a.body, "rows");
    if (!a.body.is_object() || !(rows.is_array() || rows.is_null()))
      return Status::error(a.response.endpoint + ": the answer is not a report (no \"rows\" array), at offset " +
                           std::to_string(offset));
    const json no_rows = json::array();
    const json& page = rows.is_array() ? rows : no_rows;
    bool go_on = true;
    for (size_t i = 0; i < page.size(); ++i) {
      const std::string origin = r.property + ":runReport rows[" + std::to_string(offset + i) + "]";
      int64_t day = -1;
      std::string id, record;
      if (const std::string why = touchpoint(r, page[i], day, id, record); !why.empty()) {
        ctx.host.reject(stream, origin, why, page[i].dump());
        continue;
      }
      if (record.empty()) continue;
      if (day > current) {
        go_on = ledger.completeBefore(day) && go_on;
        current = day;
      }
      ledger.written(day, id);
      go_on = ctx.host.emit(stream, record, origin.c_str()) && go_on;
    }
    const auto next = http::nextOffset(offset, static_cast<int64_t>(page.size()), http::integerOf(a.body, "rowCount", 0));
    if (!next) break;
    int64_t resume_at = 0;
    if (const std::string why = spentQuota(a.body, resume_at); !why.empty()) return Status::rateLimited(why, resume_at);
    if (!go_on) return Status::ok();  // the host is stopping; the checkpoint says where to go on
    offset = *next;
  }
  ledger.completeBefore(to + 1);
  return Status::ok();
}

}  // namespace ga4
