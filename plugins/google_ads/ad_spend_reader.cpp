#include "ad_spend_reader.hpp"

#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/json_writer.hpp>

#include "gaql_search.hpp"

namespace google_ads {

namespace http = abm::sdk::http;
using abm::sdk::isoDate;

namespace {

// Emits one result row; false once the host asked to stop.
bool emitRow(Context& ctx, const std::string& stream, const json& row, abm::sdk::JsonObjectWriter& w) {
  const std::string id = http::idText(http::fieldOf(http::fieldOf(row, "campaign"), "id"));
  const std::string date = http::textOf(http::fieldOf(row, "segments"), "date");
  const std::string origin = resourcePath(ctx, "campaigns/" + id) + " segments.date=" + date;
  if (id.empty() || date.empty()) {
    ctx.host.reject(stream, origin, "a metrics row needs campaign.id and segments.date", row.dump());
    return true;
  }
  // int64 fields arrive as JSON strings, and a zero metric is left out of the row altogether.
  const json& m = http::fieldOf(row, "metrics");
  w.reset();
  w.add("campaign_external_id", id);
  w.add("date", date);
  w.add("impressions", http::integerOf(m, "impressions"));
  w.add("clicks", http::integerOf(m, "clicks"));
  w.add("cost", static_cast<double>(http::integerOf(m, "costMicros")) / 1e6);
  const std::string currency = http::textOf(http::fieldOf(row, "customer"), "currencyCode");
  if (!currency.empty()) w.add("currency", currency);
  return ctx.host.emit(stream, w.finish(), origin.c_str());
}

}  // namespace

Status readAdSpend(Context& ctx, const std::string& stream, const json& state) {
  abm::sdk::JsonObjectWriter w;
  return abm::sdk::readDayWindows(ctx.host, stream, ctx.settings, state, [&](abm::sdk::DayWindow d, bool& go_on) {
    const std::string gaql =
        "SELECT campaign.id, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros,"
        " customer.currency_code FROM campaign WHERE segments.date BETWEEN '" + isoDate(d.from) + "' AND '" +
        isoDate(d.to) + "' ORDER BY segments.date, campaign.id";
    return search(ctx, gaql, [&](const json& rows) {
      for (const auto& row : rows) go_on = emitRow(ctx, stream, row, w) && go_on;
      return true;  // a window is read to its end: its checkpoint covers all of it
    });
  });
}

}  // namespace google_ads
