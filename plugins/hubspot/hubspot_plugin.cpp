// hubspot: companies, contacts and deals (CRM v3, with their associations), meetings and calls, and
// marketing email campaigns and events from HubSpot. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include "crm_objects.hpp"
#include "email_reader.hpp"

using namespace hubspot;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;

namespace {

constexpr std::string_view kAllStreams =
    R"(["companies","contacts","deals","email_campaigns","email_events","meetings","calls"])";

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, false, "\"https://api.hubapi.com\"",
     "HubSpot's API host (a proxy or a test server may stand in)"},
    {"streams", OptionType::StringList, false, kAllStreams,
     "Which streams to read: companies, contacts, deals, email_campaigns, email_events, meetings, calls", false,
     kAllStreams},
    {"start_date", OptionType::Timestamp, false, "\"2020-01-01T00:00:00Z\"",
     "Email events before this date are not read on the first sync"},
    {"email_events_lookback_minutes", OptionType::Integer, false, "60",
     "Each email events sync reaches back this far over the last one, for events HubSpot reports late"},
    {"page_size", OptionType::Integer, false, "100", "Records per request (1 to 100; search allows up to 200)"},
    {"requests_per_second", OptionType::Number, false, "9",
     "Request pace (HubSpot allows 100 or 190 per 10 seconds per app, by plan)"},
    {"search_requests_per_second", OptionType::Number, false, "4",
     "Pace of the search endpoint used by incremental syncs (HubSpot allows 5 a second per account)"},
    {"search_settle_seconds", OptionType::Integer, false, "30",
     "Incremental syncs ask search only for changes older than this: HubSpot's search index trails its writes"},
    {"target_account_property", OptionType::String, false, "\"hs_is_target_account\"",
     "Company property that marks a target account"},
    {"tier_property", OptionType::String, false, "\"hs_ideal_customer_profile\"",
     "Company property holding the account tier (tier_1 becomes \"Tier 1\")"},
    {"buying_role_property", OptionType::String, false, "\"hs_buying_role\"",
     "Contact property holding the buying role"},
};
constexpr auto kOptions = http::withHttpOptions(kOwnOptions);

constexpr abm::sdk::StreamSpec kStreamList[] = {
    {"companies", "accounts"},       {"contacts", "contacts"},        {"deals", "opportunities"},
    {"email_campaigns", "campaigns"}, {"email_events", "touchpoints"}, {"meetings", "touchpoints"},
    {"calls", "touchpoints"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};

std::unique_ptr<http::ApiSession> newSession(Host& host, const json& settings) {
  return std::make_unique<http::ApiSession>(host, settings, settings.value("requests_per_second", 9.0),
                                            "https://api.hubapi.com/oauth/v1/token", &describeError);
}

class HubSpotPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return Status::error(why);
    const int page = settings.value("page_size", 100);
    if (page < 1 || page > 100) return Status::error("page_size must be from 1 to 100, not " + std::to_string(page));
    if (auto why = http::missingCredentials(settings); !why.empty()) return Status::error(why);
    return newSession(host, settings)->call({"GET", "/crm/v3/objects/companies?limit=1"}).status;
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override {
    return kStreams.selected(settings["streams"]);
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    // One session for every stream of the run: one access token, one request budget.
    if (!api_) {
      api_ = newSession(host, settings);
      search_pace_ = std::make_unique<http::RateLimiter>(settings.value("search_requests_per_second", 4.0));
    }
    Context ctx{{host, settings, *api_}, *search_pace_, settings.value("page_size", 100)};
    if (stream == "companies") return readObjects(ctx, stream, companiesSpec(settings), state);
    if (stream == "contacts") return readObjects(ctx, stream, contactsSpec(settings), state);
    if (stream == "deals") {
      ObjectSpec spec;
      if (auto s = dealsSpec(ctx, spec); !s.isOk()) return s;
      return readObjects(ctx, stream, spec, state);
    }
    if (stream == "meetings") return readObjects(ctx, stream, meetingsSpec(), state);
    if (stream == "calls") return readObjects(ctx, stream, callsSpec(), state);
    if (stream == "email_campaigns") return readEmailCampaigns(ctx, stream, state);
    if (stream == "email_events") return readEmailEvents(ctx, stream, state);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<http::ApiSession> api_;
  std::unique_ptr<http::RateLimiter> search_pace_;
};

}  // namespace

ABM_PLUGIN(HubSpotPlugin, "hubspot", "1.0.0", "crm",
           "HubSpot CRM (companies, contacts, deals, meetings, calls) and marketing email events", kOptions)
