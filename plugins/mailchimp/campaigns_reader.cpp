#include "campaigns_reader.hpp"

#include <abm/sdk/json_writer.hpp>

namespace mailchimp {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

Status listSentCampaigns(Context& ctx, const std::string& since_send_time,
                         const std::function<Status(const json& campaigns, bool& go_on)>& on_page) {
  std::string since = since_send_time;
  if (since.empty()) since = ctx.settings.value("start_date", "");
  int64_t offset = 0;
  for (;;) {
    std::string target = "/3.0/campaigns?status=sent&sort_field=send_time&sort_dir=ASC&count=" +
                         std::to_string(ctx.page_size) + "&offset=" + std::to_string(offset);
    if (!since.empty()) target += "&since_send_time=" + http::formEncode(since);
    const auto a = ctx.api.call({"GET", target});
    if (!a.ok()) return a.status;
    if (!a.body.is_object() || !a.body.contains("campaigns") || !a.body["campaigns"].is_array() ||
        !a.body.contains("total_items") || !a.body["total_items"].is_number_integer())
      return Status::error(a.response.endpoint + ": the page has no \"campaigns\" array and \"total_items\" count");
    bool go_on = true;
    if (auto s = on_page(a.body["campaigns"], go_on); !s.isOk()) return s;
    const auto next = http::nextOffset(offset, static_cast<int64_t>(a.body["campaigns"].size()),
                                       a.body["total_items"].get<int64_t>());
    if (!next || !go_on) return Status::ok();
    offset = *next;
  }
}

Status readCampaigns(Context& ctx, const std::string& stream, const json& state) {
  const std::string since = state.is_object() ? state.value("since_send_time", "") : "";
  JsonObjectWriter w;
  return listSentCampaigns(ctx, since, [&](const json& campaigns, bool& go_on) {
    std::string last;
    for (const auto& c : campaigns) {
      const std::string id = http::textOf(c, "id");
      const std::string origin = "/3.0/campaigns/" + id;
      const std::string sent = isoTime(http::textOf(c, "send_time"));
      if (id.empty() || sent.empty()) {
        ctx.host.reject(stream, origin, "a sent campaign needs an id and a send_time", c.dump());
        continue;
      }
      const json& settings = http::fieldOf(c, "settings");
      const std::string title = http::textOf(settings, "title");
      const std::string subject = http::textOf(settings, "subject_line");
      w.reset();
      w.add("external_id", id);
      w.add("name", !title.empty() ? title : !subject.empty() ? subject : "Mailchimp campaign " + id);
      w.add("channel", "email");
      w.add("started_at", sent);
      go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
      last = http::textOf(c, "send_time");
    }
    // Oldest send first: every campaign sent before the page's last one is stored (the last one is
    // asked for again, and upserted unchanged).
    if (!last.empty()) ctx.host.checkpoint(stream, {{"since_send_time", last}});
    return Status::ok();
  });
}

}  // namespace mailchimp
