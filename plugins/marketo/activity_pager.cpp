#include "activity_pager.hpp"

#include <algorithm>

namespace marketo {

namespace http = abm::sdk::http;

namespace {

constexpr std::pair<const char*, int> kTypeNames[] = {
    {"web_page_visited", activity_type::kVisitWebpage}, {"form_filled", activity_type::kFillOutForm},
    {"email_bounced", activity_type::kEmailBounced},     {"email_opened", activity_type::kOpenEmail},
    {"email_clicked", activity_type::kClickEmail},       {"program_status_changed", activity_type::kChangeStatusInProgression}};

std::string joined(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace

std::vector<int> countedTypes(const json& settings) {
  std::vector<int> out;
  for (const auto& name : settings.value("activity_types", json::array()))
    for (const auto& [n, id] : kTypeNames)
      if (name == n && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  return out;
}

Status pageActivities(Context& ctx, const std::string& stream, const json& state, const std::vector<int>& type_ids,
                      const std::function<Status(const json& result, bool& go_on)>& on_page) {
  std::string token = state.is_object() ? state.value("next_page_token", "") : "";
  if (token.empty()) {
    const auto a = ctx.api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=" +
                               http::formEncode(ctx.settings.value("start_date", "")));
    if (!a.ok()) return a.status;
    token = http::textOf(a.body, "nextPageToken");
    if (token.empty()) return Status::error(a.response.endpoint + ": the answer has no nextPageToken");
  }
  const std::string batch = std::to_string(ctx.settings.value("page_size", 300));
  for (;;) {
    const auto a = ctx.api.get("/rest/v1/activities.json?nextPageToken=" + http::formEncode(token) +
                               "&activityTypeIds=" + joined(type_ids) + "&batchSize=" + batch);
    if (!a.ok()) return a.status;
    const json& result = http::fieldOf(a.body, "result");
    const std::string next = http::textOf(a.body, "nextPageToken");
    const json& more = http::fieldOf(a.body, "moreResult");
    if ((!result.is_null() && !result.is_array()) || next.empty() || !more.is_boolean())
      return Status::error(a.response.endpoint + ": the page needs nextPageToken, moreResult and (if any) a result array");
    bool go_on = true;
    if (auto s = on_page(result.is_array() ? result : json::array(), go_on); !s.isOk()) return s;
    token = next;
    ctx.host.checkpoint(stream, {{"next_page_token", token}});
    if (!more.get<bool>() || !go_on) return Status::ok();
  }
}

}  // namespace marketo
