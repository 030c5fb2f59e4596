#include "company_engagement_reader.hpp"

#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/entities.hpp>
#include <abm/sdk/json_writer.hpp>

#include "ad_analytics.hpp"

namespace linkedin_ads {

namespace http = abm::sdk::http;

namespace {

// organizationsLookup takes a batch of ids; keep the URL well under LinkedIn's length limit.
constexpr size_t kLookupBatch = 50;

// Looks up the organizations of `urns` not yet known and emits each as an account.
Status emitOrganizations(Context& ctx, const std::vector<std::string>& urns, KnownOrganizations& known) {
  std::vector<std::string> todo;
  for (const auto& u : urns)
    if (!known.count(u) && std::find(todo.begin(), todo.end(), u) == todo.end()) todo.push_back(u);
  abm::sdk::JsonObjectWriter w;
  for (size_t i = 0; i < todo.size(); i += kLookupBatch) {
    std::string ids;
    for (size_t k = i; k < std::min(todo.size(), i + kLookupBatch); ++k) ids += (ids.empty() ? "" : ",") + urnId(todo[k]);
    const auto a = get(ctx, "/rest/organizationsLookup?ids=List(" + ids + ")");
    if (!a.ok()) return a.status;
    const json& results = http::fieldOf(a.body, "results");
    for (size_t k = i; k < std::min(todo.size(), i + kLookupBatch); ++k) {
      const std::string& urn = todo[k];
      const json& org = http::fieldOf(results, urnId(urn));  // absent: LinkedIn did not say (statuses/errors)
      std::string name = http::textOf(org, "localizedName");
      if (name.empty()) name = http::textOf(org, "vanityName");
      const std::string website = http::textOf(org, "localizedWebsite");
      const std::string domain = abm::sdk::plausibleDomain(website) ? website : "";
      known[urn] = domain;
      w.reset();
      w.add("external_id", urn);
      if (!name.empty()) w.add("name", name);
      if (!domain.empty()) w.add("domain", domain);
      ctx.host.emit(kCompaniesStream, w.finish(), ("/rest/organizationsLookup?ids=List(" + urnId(urn) + ")").c_str());
    }
  }
  return Status::ok();
}

// Emits a touchpoint of `activity` standing for `count` of them; false once the host asked to stop.
bool emitTouch(Context& ctx, const std::string& stream, const std::string& urn, const std::string& domain,
               const std::string& date, const char* activity, int64_t count, const std::string& origin, abm::sdk::JsonObjectWriter& w,
               abm::sdk::JsonObjectWriter& props) {
  if (count <= 0) return true;
  w.reset();
  w.add("external_id", urnId(urn) + ":" + date + ":" + activity);
  w.add("account_external_id", urn);
  if (!domain.empty()) w.add("account_domain", domain);
  w.add("channel", "ads");
  w.add("activity", activity);
  w.add("occurred_at", date + "T00:00:00Z");
  w.add("quantity", count);
  props.reset();
  props.add("organization", urn);
  props.add("ad_account", ctx.account_id);
  w.addRaw("properties", props.finish());
  return ctx.host.emit(stream, w.finish(), origin.c_str());
}

}  // namespace

Status readCompanyEngagement(Context& ctx, const std::string& stream, const json& state, KnownOrganizations& known) {
  abm::sdk::JsonObjectWriter w, props;
  return abm::sdk::readDayWindows(ctx.host, stream, ctx.settings, state, [&](abm::sdk::DayWindow d, bool& go_on) {
    json rows = json::array();
    auto s = dailyAnalytics(ctx, "MEMBER_COMPANY", "impressions,clicks", d.from, d.to, [&](const json& page) {
      for (const auto& e : page) rows.push_back(e);
    });
    if (!s.isOk()) return s;
    std::vector<std::string> urns;
    for (const auto& e : rows)
      if (!pivotValue(e).empty()) urns.push_back(pivotValue(e));
    if (s = emitOrganizations(ctx, urns, known); !s.isOk()) return s;
    for (const auto& e : rows) {
      const std::string urn = pivotValue(e);
      const std::string date = elementDate(e);
      const std::string origin = "/rest/adAnalytics?pivot=MEMBER_COMPANY " + urn + " " + date;
      if (urn.empty() || date.empty()) {
        ctx.host.reject(stream, origin, "an analytics row needs pivotValues and dateRange", e.dump());
        continue;
      }
      go_on = emitTouch(ctx, stream, urn, known[urn], date, "ad_impression", http::integerOf(e, "impressions"), origin, w, props) && go_on;
      go_on = emitTouch(ctx, stream, urn, known[urn], date, "ad_click", http::integerOf(e, "clicks"), origin, w, props) && go_on;
    }
    return Status::ok();
  });
}

}  // namespace linkedin_ads
