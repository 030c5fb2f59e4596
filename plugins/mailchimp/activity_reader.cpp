#include "activity_reader.hpp"

#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/time.hpp>

#include <chrono>

#include "campaigns_reader.hpp"

namespace mailchimp {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

namespace {

const char* activityOf(const std::string& action) {
  if (action == "open") return "email_open";
  if (action == "click") return "email_click";
  if (action == "bounce") return "email_bounce";
  return nullptr;
}

// `ms` as Mailchimp writes times ("2024-01-10T09:00:00+00:00"), a second before the second it falls
// in: Mailchimp times actions to the second and `since` asks for those strictly after it, so an
// action in that same second must still be asked for.
std::string mailchimpTime(int64_t ms) {
  const int64_t floored = ms - ((ms % 1000) + 1000) % 1000 - 1000;
  return abm::sdk::millisToIso(floored).substr(0, 19) + "+00:00";
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One recipient's actions in one campaign as touchpoints.
bool emitRecipient(Context& ctx, const std::string& stream, const std::string& campaign, const json& member) {
  const std::string email = http::textOf(member, "email_address");
  const std::string email_id = http::textOf(member, "email_id");
  // The recipient's own endpoint: /3.0/reports/{campaign_id}/email-activity/{subscriber_hash}.
  const std::string origin = "/3.0/reports/" + campaign + "/email-activity/" + email_id;
  if (email.empty() || email_id.empty()) {
    ctx.host.reject(stream, origin, "an email activity needs the recipient's email_address and email_id", member.dump());
    return true;
  }
  bool go_on = true;
  JsonObjectWriter w, details;
  for (const auto& act : http::fieldOf(member, "activity")) {
    const std::string action = http::textOf(act, "action");
    const char* activity = activityOf(action);
    if (!activity) continue;
    const std::string raw_time = http::textOf(act, "timestamp");
    const std::string when = isoTime(raw_time);
    if (when.empty()) {
      ctx.host.reject(stream, origin, "a " + action + " without a readable timestamp", act.dump());
      continue;
    }
    const std::string url = http::textOf(act, "url");
    w.reset();
    // Mailchimp gives actions no id: the campaign, the recipient, the action and its time name one
    // (and the link, as one person may click two links in the same second).
    w.add("external_id", campaign + ":" + email_id + ":" + action + ":" + when + (url.empty() ? "" : ":" + url));
    w.add("email", email);
    w.add("campaign_external_id", campaign);
    w.add("channel", "email");
    w.add("activity", activity);
    w.add("occurred_at", when);
    details.reset();
    if (!url.empty()) details.add("url", url);
    if (action == "bounce") http::copyField(details, "bounce_type", act, "type");
    w.addRaw("properties", details.finish());
    go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
  }
  return go_on;
}

Status readCampaignActivity(Context& ctx, const std::string& stream, const std::string& campaign,
                            const std::string& from, bool& go_on) {
  int64_t offset = 0;
  for (;;) {
    std::string target = "/3.0/reports/" + campaign + "/email-activity?count=" + std::to_string(ctx.page_size) +
                         "&offset=" + std::to_string(offset);
    if (!from.empty()) target += "&since=" + http::formEncode(from);
    const auto a = ctx.api.call({"GET", target});
    if (!a.ok()) return a.status;
    if (!a.body.is_object() || !a.body.contains("emails") || !a.body["emails"].is_array() ||
        !a.body.contains("total_items") || !a.body["total_items"].is_number_integer())
      return Status::error(a.response.endpoint + ": the page has no \"emails\" array and \"total_items\" count");
    for (const auto& member : a.body["emails"]) go_on = emitRecipient(ctx, stream, campaign, member) && go_on;
    const auto next = http::nextOffset(offset, static_cast<int64_t>(a.body["emails"].size()),
                                       a.body["total_items"].get<int64_t>());
    if (!next) return Status::ok();
    offset = *next;
  }
}

}  // namespace

Status readEmailActivity(Context& ctx, const std::string& stream, const json& state) {
  const bool resuming = state.is_object() && state.contains("after_campaign");
  std::string from, until, after;
  if (resuming) {
    from = state.value("from", "");
    until = state.value("until", "");
    after = state.value("after_campaign", "");
  } else {
    until = abm::sdk::millisToIso(nowMillis());
    // Mailchimp records some actions a little after they happen: reach back over the last run's end.
    if (const auto since = abm::sdk::isoToMillis(state.is_object() ? state.value("since", "") : ""))
      from = mailchimpTime(*since - ctx.settings.value("activity_lookback_minutes", 60) * 60'000LL);
  }
  bool skipping = !after.empty(), stopped = false;
  const auto pass = [&] {
    return listSentCampaigns(ctx, "", [&](const json& campaigns, bool& go_on) {
      for (const auto& c : campaigns) {
        const std::string id = http::textOf(c, "id");
        if (id.empty()) continue;
        if (skipping) {
          skipping = id != after;
          continue;
        }
        bool more = true;
        if (auto s = readCampaignActivity(ctx, stream, id, from, more); !s.isOk()) return s;
        ctx.host.checkpoint(stream, {{"from", from}, {"until", until}, {"after_campaign", id}});
        if (!more) {
          go_on = false;
          stopped = true;
          return Status::ok();
        }
      }
      return Status::ok();
    });
  };
  if (auto s = pass(); !s.isOk() || stopped) return s;
  // The campaign the last run stopped after is gone (deleted): read every campaign again.
  if (skipping) {
    skipping = false;
    if (auto s = pass(); !s.isOk() || stopped) return s;
  }
  ctx.host.checkpoint(stream, {{"since", until}});
  return Status::ok();
}

}  // namespace mailchimp
