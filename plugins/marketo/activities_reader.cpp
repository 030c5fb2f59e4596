#include "activities_reader.hpp"

#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/time.hpp>

#include "activity_pager.hpp"

namespace marketo {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

namespace {

// The value of the attribute named `name` in an activity's "attributes" [{name, value}].
std::string attribute(const json& act, const std::string& name) {
  for (const auto& a : http::fieldOf(act, "attributes"))
    if (http::textOf(a, "name") == name) return http::idText(http::fieldOf(a, "value"));
  return {};
}

// Fills channel, activity and properties; "" or why the activity is not a touch.
std::string mapKind(const json& act, const json& settings, JsonObjectWriter& w, JsonObjectWriter& details) {
  const std::string asset = http::textOf(act, "primaryAttributeValue");
  switch (http::integerOf(act, "activityTypeId")) {
    case activity_type::kVisitWebpage:
      w.add("channel", "web");
      w.add("activity", "page_view");
      details.add("page", asset);
      return {};
    case activity_type::kFillOutForm:
      w.add("channel", "web");
      w.add("activity", "form_submit");
      details.add("form", asset);
      return {};
    case activity_type::kEmailBounced:
    case activity_type::kOpenEmail:
    case activity_type::kClickEmail: {
      const int64_t type = http::integerOf(act, "activityTypeId");
      w.add("channel", "email");
      w.add("activity", type == activity_type::kEmailBounced ? "email_bounce"
                        : type == activity_type::kOpenEmail  ? "email_open"
                                                             : "email_click");
      details.add("email", asset);
      if (const std::string link = attribute(act, "Link"); !link.empty()) details.add("link", link);
      return {};
    }
    case activity_type::kChangeStatusInProgression: {
      const std::string status = attribute(act, "New Status");
      const json& map = http::fieldOf(settings, "program_status_activities");
      w.add("channel", "event");
      w.add("activity", map.is_object() && map.contains(status) ? map[status].get<std::string>() : "other");
      details.add("program", asset);
      details.add("status", status);
      return {};
    }
    default:
      return "activity type " + std::to_string(http::integerOf(act, "activityTypeId")) + " is not one this plugin maps";
  }
}

}  // namespace

Status readActivities(Context& ctx, const std::string& stream, const json& state) {
  JsonObjectWriter w, details;
  return pageActivities(ctx, stream, state, countedTypes(ctx.settings), [&](const json& result, bool& go_on) {
    for (const auto& act : result) {
      std::string id = http::textOf(act, "marketoGUID");
      if (id.empty()) id = http::idText(http::fieldOf(act, "id"));
      const std::string origin = "/rest/v1/activities.json#" + id;
      const std::string lead = http::idText(http::fieldOf(act, "leadId"));
      const auto when = abm::sdk::isoToMillis(http::textOf(act, "activityDate"));
      if (id.empty() || lead.empty() || !when) {
        ctx.host.reject(stream, origin, "an activity needs an id, a leadId and an activityDate", act.dump());
        continue;
      }
      w.reset();
      details.reset();
      w.add("external_id", id);
      w.add("contact_external_id", lead);
      w.add("occurred_at", abm::sdk::millisToIso(*when));
      if (const std::string why = mapKind(act, ctx.settings, w, details); !why.empty()) {
        ctx.host.reject(stream, origin, why, act.dump());
        continue;
      }
      w.addRaw("properties", details.finish());
      go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
    }
    return Status::ok();
  });
}

}  // namespace marketo
