// marketo: leads and their activities (email, web, forms, programs) from Marketo's REST API. See
// README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/entities.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include <algorithm>

#include "activities_reader.hpp"
#include "activity_pager.hpp"
#include "leads_reader.hpp"

using namespace marketo;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;

namespace {

constexpr std::string_view kAllStreams = R"(["leads","activities"])";
constexpr std::string_view kDefaultTypes =
    R"(["email_opened","email_clicked","form_filled","web_page_visited","program_status_changed"])";
constexpr std::string_view kTypeChoices =
    R"(["email_opened","email_clicked","email_bounced","form_filled","web_page_visited","program_status_changed"])";

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, true, "",
     "The instance's REST endpoint, e.g. https://123-ABC-456.mktorest.com (Admin > Web Services)"},
    {"client_id", OptionType::String, true, "", "The custom service's Client ID (Admin > LaunchPoint)"},
    {"client_secret", OptionType::String, true, "", "The custom service's Client Secret", true},
    {"streams", OptionType::StringList, false, kAllStreams, "Which streams to read: leads, activities", false,
     kAllStreams},
    {"start_date", OptionType::Timestamp, false, "\"2020-01-01T00:00:00Z\"",
     "The first sync reads the activity log from this date"},
    {"activity_types", OptionType::StringList, false, kDefaultTypes,
     "Activity types that become touchpoints: email_opened, email_clicked, email_bounced, form_filled, "
     "web_page_visited, program_status_changed",
     false, kTypeChoices},
    {"program_status_activities", OptionType::StringMap, false, R"({"Attended":"webinar_attend","Attended On-demand":"webinar_attend"})",
     "A program's new status -> touchpoint activity (others become \"other\"), for program_status_changed"},
    {"page_size", OptionType::Integer, false, "300", "Activities per request (batchSize: 1 to 300)"},
    {"requests_per_second", OptionType::Number, false, "4",
     "Request pace (Marketo allows 100 calls per 20 seconds per instance)"},
};
constexpr auto kOptions = http::withTransportOptions(kOwnOptions);

constexpr abm::sdk::StreamSpec kStreamList[] = {{"leads", "contacts"}, {"activities", "touchpoints"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};

// What the options table cannot say: "" or why the settings cannot work.
std::string checkSettings(const json& settings) {
  if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return why;
  const int page = settings.value("page_size", 300);
  if (page < 1 || page > 300) return "page_size must be from 1 to 300, not " + std::to_string(page);
  if (countedTypes(settings).empty()) return "activity_types is empty: no activity would become a touchpoint";
  for (const auto& [status, activity] : settings["program_status_activities"].items()) {
    const std::string a = activity.get<std::string>();
    if (std::find(std::begin(abm::sdk::kActivities), std::end(abm::sdk::kActivities), a) == std::end(abm::sdk::kActivities))
      return "program_status_activities." + status + ": '" + a + "' is not a touchpoint activity (webinar_attend, other, ...)";
  }
  const std::string base = settings.value("base_url", "");
  if (base.rfind("https://", 0) != 0 && base.rfind("http://", 0) != 0)
    return "base_url must be the instance's REST endpoint, like https://123-ABC-456.mktorest.com";
  return {};
}

class MarketoPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = checkSettings(settings); !why.empty()) return Status::error(why);
    // Needs a token (the credentials) and any read permission.
    MarketoApi api(host, settings);
    return api.get("/rest/v1/activities/types.json").status;
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override { return kStreams.selected(settings["streams"]); }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    if (auto why = checkSettings(settings); !why.empty()) return Status::error(why);
    // One session for every stream of the run: one access token, one request budget.
    if (!api_) api_ = std::make_unique<MarketoApi>(host, settings);
    Context ctx{host, settings, *api_};
    if (stream == "leads") return readLeads(ctx, stream, state);
    if (stream == "activities") return readActivities(ctx, stream, state);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<MarketoApi> api_;
};

}  // namespace

ABM_PLUGIN(MarketoPlugin, "marketo", "1.0.0", "marketing_automation",
           "Marketo leads and their activities (email opens and clicks, form fills, web visits, program statuses)",
           kOptions)
