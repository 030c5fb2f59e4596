#include "campaigns_reader.hpp"

#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/time.hpp>

#include "gaql_search.hpp"

namespace google_ads {

namespace http = abm::sdk::http;

namespace {

// change_status answers only for the last 90 days and at most 10,000 rows per query.
constexpr int64_t kChangeStatusDays = 89;
constexpr int kChangeStatusLimit = 10'000;
constexpr int64_t kDayMs = 86'400'000;

// "YYYY-MM-DD HH:MM:SS", GAQL's date-time form.
std::string gaqlDateTime(int64_t ms) {
  std::string iso = abm::sdk::millisToIso(ms);
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

// v23 replaced campaign.start_date / end_date (dates) by start_date_time / end_date_time.
struct DateFields {
  const char* start;
  const char* end;
  const char* start_json;
  const char* end_json;
};
DateFields dateFields(const Context& ctx) {
  if (versionNumber(ctx.version) >= 23)
    return {"campaign.start_date_time", "campaign.end_date_time", "startDateTime", "endDateTime"};
  return {"campaign.start_date", "campaign.end_date", "startDate", "endDate"};
}

std::string campaignFields(const Context& ctx) {
  const DateFields f = dateFields(ctx);
  return std::string("campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, ") + f.start +
         ", " + f.end;
}

// Emits one row's campaign; false once the host asked to stop.
bool emitCampaign(Context& ctx, const std::string& stream, const json& row, abm::sdk::JsonObjectWriter& w) {
  const json& c = http::fieldOf(row, "campaign");
  const std::string id = http::idText(http::fieldOf(c, "id"));
  if (id.empty()) {
    ctx.host.reject(stream, resourcePath(ctx, "googleAds:search"), "a campaign row without campaign.id", row.dump());
    return true;
  }
  const DateFields f = dateFields(ctx);
  w.reset();
  w.add("external_id", id);
  const std::string name = http::textOf(c, "name");
  w.add("name", name.empty() ? "Google Ads campaign " + id : name);
  w.add("channel", "ads");
  // Dates are the account's local days; a date-time keeps its day ("2024-03-01 00:00:00").
  if (const std::string start = http::textOf(c, f.start_json); start.size() >= 10) w.add("started_at", start.substr(0, 10));
  // Before v23, 2037-12-30 was how Google said "no end date".
  if (const std::string end = http::textOf(c, f.end_json); end.size() >= 10 && end.rfind("2037-12-30", 0) != 0)
    w.add("ended_at", end.substr(0, 10));
  const std::string origin = resourcePath(ctx, "campaigns/" + id);
  return ctx.host.emit(stream, w.finish(), origin.c_str());
}

Status listAll(Context& ctx, const std::string& stream) {
  const int64_t started = nowMillis();
  abm::sdk::JsonObjectWriter w;
  bool go_on = true;
  auto s = search(ctx, "SELECT " + campaignFields(ctx) + " FROM campaign ORDER BY campaign.id", [&](const json& rows) {
    for (const auto& row : rows) go_on = emitCampaign(ctx, stream, row, w) && go_on;
    return true;  // campaigns are few: the list is read to its end, then checkpointed
  });
  if (!s.isOk() || !go_on) return s;  // stopped: the next run lists them again
  ctx.host.checkpoint(stream, {{"changed_since", gaqlDateTime(started)}});
  return Status::ok();
}

}  // namespace

Status readCampaigns(Context& ctx, const std::string& stream, const json& state) {
  const std::string since = state.is_object() ? http::textOf(state, "changed_since") : "";
  // Written by gaqlDateTime below: UTC, in GAQL's format without a zone.
  std::optional<int64_t> since_ms;
  if (!since.empty()) since_ms = abm::sdk::isoToMillis(since + "Z");
  const int64_t now = nowMillis();
  if (!since_ms || now - *since_ms > kChangeStatusDays * kDayMs) return listAll(ctx, stream);

  // The cursor is UTC and change times are the account's local time (up to 14 hours apart), and
  // change_status may show a change up to three minutes late: each window starts a day early.
  // What is read twice is upserted again, unchanged.
  const std::string from = gaqlDateTime(std::max(*since_ms - kDayMs, now - kChangeStatusDays * kDayMs));
  const std::string until = gaqlDateTime(now + kDayMs);
  const std::string gaql = "SELECT change_status.last_change_date_time, " + campaignFields(ctx) +
                           " FROM change_status WHERE change_status.resource_type = 'CAMPAIGN'"
                           " AND change_status.last_change_date_time BETWEEN '" + from + "' AND '" + until +
                           "' ORDER BY change_status.last_change_date_time LIMIT " + std::to_string(kChangeStatusLimit);
  json rows = json::array();
  auto s = search(ctx, gaql, [&](const json& page) {
    for (const auto& r : page) rows.push_back(r);
    return true;
  });
  if (!s.isOk()) return s;
  if (rows.size() >= static_cast<size_t>(kChangeStatusLimit)) {
    ctx.host.info(stream + ": change_status holds " + std::to_string(kChangeStatusLimit) +
                  " or more campaign changes; listing every campaign instead");
    return listAll(ctx, stream);
  }
  abm::sdk::JsonObjectWriter w;
  bool go_on = true;
  for (const auto& row : rows) go_on = emitCampaign(ctx, stream, row, w) && go_on;
  if (!go_on) return Status::ok();  // stopped: the next run asks change_status again
  ctx.host.checkpoint(stream, {{"changed_since", gaqlDateTime(now)}});
  return Status::ok();
}

}  // namespace google_ads
