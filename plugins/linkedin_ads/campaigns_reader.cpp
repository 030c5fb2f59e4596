#include "campaigns_reader.hpp"

#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/time.hpp>

namespace linkedin_ads {

namespace http = abm::sdk::http;

Status readCampaigns(Context& ctx, const std::string& stream, const json& state) {
  const int64_t since = state.is_object() ? http::integerOf(state, "since_ms") : 0;
  const int64_t started = nowMillis();
  const std::string base = "/rest/adAccounts/" + ctx.account_id + "/adCampaigns?q=search&pageSize=100";
  std::string token;
  abm::sdk::JsonObjectWriter w;
  bool go_on = true;
  for (;;) {
    const auto a = get(ctx, token.empty() ? base : base + "&pageToken=" + http::formEncode(token));
    if (!a.ok()) return a.status;
    const json& elements = http::fieldOf(a.body, "elements");
    if (!elements.is_array()) return Status::error(a.response.endpoint + ": the page has no \"elements\" array");
    for (const auto& c : elements) {
      const std::string id = http::idText(http::fieldOf(c, "id"));
      const std::string origin = "/rest/adAccounts/" + ctx.account_id + "/adCampaigns/" + id;
      if (id.empty()) {
        ctx.host.reject(stream, "/rest/adAccounts/" + ctx.account_id + "/adCampaigns", "a campaign without an id", c.dump());
        continue;
      }
      const json& modified = http::fieldOf(http::fieldOf(c, "changeAuditStamps"), "lastModified");
      if (since > 0 && http::integerOf(modified, "time", since) < since) continue;
      w.reset();
      w.add("external_id", id);
      const std::string name = http::textOf(c, "name");
      w.add("name", name.empty() ? "LinkedIn campaign " + id : name);
      w.add("channel", "ads");
      const json& schedule = http::fieldOf(c, "runSchedule");
      if (const int64_t start = http::integerOf(schedule, "start"); start > 0) w.add("started_at", abm::sdk::millisToIso(start));
      if (const int64_t end = http::integerOf(schedule, "end"); end > 0) w.add("ended_at", abm::sdk::millisToIso(end));
      go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
    }
    const auto next = http::nextPageToken(http::fieldOf(a.body, "metadata"), "nextPageToken");
    if (!next) break;
    if (!go_on) return Status::ok();  // the next run lists the campaigns again
    token = *next;
  }
  ctx.host.checkpoint(stream, {{"since_ms", started}});
  return Status::ok();
}

}  // namespace linkedin_ads
