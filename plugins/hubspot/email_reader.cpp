#include "email_reader.hpp"

#include <abm/sdk/time.hpp>

namespace hubspot {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

namespace {

const char* activityOf(const std::string& type) {
  if (type == "SENT") return "email_send";
  if (type == "OPEN") return "email_open";
  if (type == "CLICK") return "email_click";
  if (type == "BOUNCE") return "email_bounce";
  return nullptr;  // PROCESSED, DELIVERED, DROPPED, DEFERRED, ... are not touches
}

int64_t startMillis(Context& ctx) {
  const std::string start = ctx.settings.value("start_date", "");
  if (start.empty()) return 0;
  return abm::sdk::isoToMillis(start).value_or(0);
}

}  // namespace

Status readEmailCampaigns(Context& ctx, const std::string& stream, const json& state) {
  const int64_t since = state.is_object() ? state.value("since_ms", int64_t{0}) : 0;
  const int64_t started = nowMillis();
  std::string offset;
  JsonObjectWriter w;
  for (;;) {
    std::string target = "/email/public/v1/campaigns/by-id?limit=1000";
    if (!offset.empty()) target += "&offset=" + http::formEncode(offset);
    const auto a = ctx.api.call({"GET", target});
    if (!a.ok()) return streamFailure(ctx, stream, a, true);
    bool go_on = true;
    for (const auto& c : a.body.value("campaigns", json::array())) {
      if (!c.contains("id")) continue;
      if (http::integerOf(c, "lastUpdatedTime") < since) continue;
      const std::string id = http::idText(c["id"]);
      const auto d = ctx.api.call({"GET", "/email/public/v1/campaigns/" + id});
      if (!d.ok()) return d.status;
      w.reset();
      w.add("external_id", id);
      const std::string name = http::textOf(d.body, "name");
      const std::string subject = http::textOf(d.body, "subject");
      w.add("name", !name.empty() ? name : !subject.empty() ? subject : "HubSpot email " + id);
      w.add("channel", "email");
      if (d.body.contains("lastProcessingStartedAt") && d.body["lastProcessingStartedAt"].is_number())
        w.add("started_at", abm::sdk::millisToIso(d.body["lastProcessingStartedAt"].get<int64_t>()));
      go_on = ctx.host.emit(stream, w.finish(), ("/email/public/v1/campaigns/" + id).c_str()) && go_on;
    }
    const auto next = http::nextPageToken(a.body, "offset", "hasMore");
    if (!next) break;
    offset = *next;
    if (!go_on) return Status::ok();  // the page is stored; the next run lists campaigns again
  }
  ctx.host.checkpoint(stream, {{"since_ms", started}});
  return Status::ok();
}

Status readEmailEvents(Context& ctx, const std::string& stream, const json& state) {
  // A window [from, until) is read to its end before the next begins; a stop inside it keeps the
  // window and the page token so the next run goes on from there.
  const bool resuming = state.is_object() && state.contains("offset");
  // Events reach the API a little after they happen: a new window reaches back over the last one's
  // end (what is read twice is upserted again, unchanged).
  const int64_t lookback = resuming ? 0 : ctx.settings.value("email_events_lookback_minutes", 60) * 60'000LL;
  const int64_t from = state.is_object() && state.contains("since_ms")
                           ? std::max<int64_t>(0, state["since_ms"].get<int64_t>() - lookback)
                           : startMillis(ctx);
  const int64_t until = resuming ? state.value("until_ms", nowMillis()) : nowMillis();
  std::string offset = resuming ? state.value("offset", "") : "";
  JsonObjectWriter w, details;
  for (;;) {
    std::string target = "/email/public/v1/events?limit=1000&startTimestamp=" + std::to_string(from) +
                         "&endTimestamp=" + std::to_string(until - 1);
    if (!offset.empty()) target += "&offset=" + http::formEncode(offset);
    const auto a = ctx.api.call({"GET", target});
    if (!a.ok()) return streamFailure(ctx, stream, a, true);
    if (!a.body.contains("events") || !a.body["events"].is_array())
      return Status::error(a.response.endpoint + ": the page has no \"events\" array");
    bool go_on = true;
    for (const auto& e : a.body["events"]) {
      const std::string type = http::textOf(e, "type");
      const char* activity = activityOf(type);
      if (!activity) continue;
      const std::string id = e.contains("id") ? http::idText(e["id"]) : "";
      // The event's own endpoint: /email/public/v1/events/{created}/{id}.
      const std::string origin = "/email/public/v1/events/" + (e.contains("created") ? http::idText(e["created"]) : "") + "/" + id;
      if (id.empty() || !e.contains("created") || !e["created"].is_number() || !e.contains("recipient")) {
        ctx.host.reject(stream, origin, "an email event needs id, created and recipient");
        continue;
      }
      w.reset();
      w.add("external_id", "email-event-" + id);
      w.add("email", http::idText(e["recipient"]));
      if (e.contains("emailCampaignId") && !e["emailCampaignId"].is_null())
        w.add("campaign_external_id", http::idText(e["emailCampaignId"]));
      w.add("channel", "email");
      w.add("activity", activity);
      w.add("occurred_at", abm::sdk::millisToIso(e["created"].get<int64_t>()));
      details.reset();
      details.add("type", type);
      if (e.contains("url") && e["url"].is_string()) details.add("url", e["url"].get<std::string>());
      w.addRaw("properties", details.finish());
      go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
    }
    const auto next = http::nextPageToken(a.body, "offset", "hasMore");
    if (!next) break;
    offset = *next;
    ctx.host.checkpoint(stream, {{"since_ms", from}, {"until_ms", until}, {"offset", offset}});
    if (!go_on) return Status::ok();
  }
  ctx.host.checkpoint(stream, {{"since_ms", until}});
  return Status::ok();
}

}  // namespace hubspot
