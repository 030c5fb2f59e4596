#include "ad_spend_reader.hpp"

#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/json_writer.hpp>

#include <cstdlib>

#include "ad_analytics.hpp"

namespace linkedin_ads {

namespace http = abm::sdk::http;

Status readAdSpend(Context& ctx, const std::string& stream, const json& state) {
  // The account's currency, which costInLocalCurrency is in.
  const auto account = get(ctx, "/rest/adAccounts/" + ctx.account_id);
  if (!account.ok()) return account.status;
  const std::string currency = http::textOf(account.body, "currency");
  abm::sdk::JsonObjectWriter w;
  return abm::sdk::readDayWindows(ctx.host, stream, ctx.settings, state, [&](abm::sdk::DayWindow d, bool& go_on) {
    return dailyAnalytics(ctx, "CAMPAIGN", "impressions,clicks,costInLocalCurrency", d.from, d.to, [&](const json& rows) {
      for (const auto& e : rows) {
        const std::string campaign = urnId(pivotValue(e));
        const std::string date = elementDate(e);
        const std::string origin = "/rest/adAnalytics?pivot=CAMPAIGN " + pivotValue(e) + " " + date;
        if (campaign.empty() || date.empty()) {
          ctx.host.reject(stream, origin, "an analytics row needs pivotValues and dateRange", e.dump());
          continue;
        }
        w.reset();
        w.add("campaign_external_id", campaign);
        w.add("date", date);
        w.add("impressions", http::integerOf(e, "impressions"));
        w.add("clicks", http::integerOf(e, "clicks"));
        // A decimal in a string ("12.34"), or a number.
        const json& cost = http::fieldOf(e, "costInLocalCurrency");
        if (cost.is_string()) w.add("cost", std::strtod(cost.get_ref<const std::string&>().c_str(), nullptr));
        else if (cost.is_number()) w.add("cost", cost.get<double>());
        if (!currency.empty()) w.add("currency", currency);
        go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
      }
    });
  });
}

}  // namespace linkedin_ads
