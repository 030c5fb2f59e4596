// salesforce: accounts, contacts, opportunities, campaigns and campaign members (as touchpoints)
// through the REST API's SOQL query endpoint. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/api_version.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include <map>
#include <memory>

#include "sobjects.hpp"

using namespace salesforce;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;

namespace {

constexpr auto kVersionStyle = abm::sdk::VersionStyle::VMajorMinor;

constexpr std::string_view kAllStreams =
    R"(["accounts","contacts","opportunities","campaigns","campaign_members"])";

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, false, "\"\"",
     "The org's instance, e.g. https://acme.my.salesforce.com (empty: the instance_url the token endpoint names)"},
    {"api_version", OptionType::String, false, "\"v59.0\"", "REST API version: v60.0 or 60.0", false, "",
     abm::sdk::versionPattern(kVersionStyle)},
    {"streams", OptionType::StringList, false, kAllStreams,
     "Which streams to read: accounts, contacts, opportunities, campaigns, campaign_members", false, kAllStreams},
    {"requests_per_second", OptionType::Number, false, "10", "Request pace"},
    {"modstamp_lookback_seconds", OptionType::Integer, false, "300",
     "Incremental queries reach back this far before the last SystemModstamp, for transactions that "
     "committed late"},
    {"target_account_field", OptionType::String, false, "\"\"",
     "Account checkbox field marking target accounts, e.g. ABM_Target__c"},
    {"tier_field", OptionType::String, false, "\"\"", "Account field holding the tier, e.g. ABM_Tier__c"},
    {"buying_role_field", OptionType::String, false, "\"\"", "Contact field holding the buying role"},
    {"currency_field", OptionType::String, false, "\"\"",
     "Opportunity currency field (CurrencyIsoCode in multi-currency orgs)"},
    {"campaign_type_channels", OptionType::StringMap, false, "{}",
     "Campaign.Type -> channel, added to the defaults (Email->email, Webinar->event, Advertisement->ads, ...)"},
    {"opportunity_type_map", OptionType::StringMap, false, "{}",
     "Opportunity.Type -> new_business, expansion or renewal, added to the defaults"},
};
constexpr auto kOptions = http::withHttpOptions(kOwnOptions);

constexpr abm::sdk::StreamSpec kStreamList[] = {{"accounts", "accounts"},
                                                 {"contacts", "contacts"},
                                                 {"opportunities", "opportunities"},
                                                 {"campaigns", "campaigns"},
                                                 {"campaign_members", "touchpoints"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};
const char* const kChannels[] = {"email", "ads", "web", "social", "event", "sales", "other"};

// A session on the org's instance: base_url, or the instance_url of the first token answer.
struct Session {
  http::ApiSession api;
  Status status;
  Session(Host& host, const json& settings)
      : api(host, settings, settings.value("requests_per_second", 10.0),
            "https://login.salesforce.com/services/oauth2/token", &describeError) {
    if (!settings.value("base_url", "").empty()) return;
    if (api.auth().header().empty()) {
      status = Status::error("no base_url and no token to learn the instance from: " + api.auth().error());
      return;
    }
    if (api.auth().instanceUrl().empty()) {
      status = Status::error("set base_url to the org's instance (https://<domain>.my.salesforce.com)");
      return;
    }
    api.rebase(api.auth().instanceUrl());
  }
};

class SalesforcePlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return Status::error(why);
    const std::string version = settings["api_version"].get<std::string>();
    if (auto why = abm::sdk::versionError(kVersionStyle, "api_version", version); !why.empty()) return Status::error(why);
    for (const auto& [type, channel] : settings["campaign_type_channels"].items())
      if (std::find(std::begin(kChannels), std::end(kChannels), channel.get<std::string>()) == std::end(kChannels))
        return Status::error("campaign_type_channels." + type + ": '" + channel.get<std::string>() +
                             "' is not a channel (email, ads, web, social, event, sales, other)");
    for (const auto& [type, unified] : settings["opportunity_type_map"].items()) {
      const std::string u = unified.get<std::string>();
      if (u != "new_business" && u != "expansion" && u != "renewal")
        return Status::error("opportunity_type_map." + type + ": '" + u + "' is not new_business, expansion or renewal");
    }
    if (auto why = http::missingCredentials(settings); !why.empty()) return Status::error(why);
    Session session(host, settings);
    if (!session.status.isOk()) return session.status;
    return session.api.call({"GET", "/services/data/" + *abm::sdk::normalizeVersion(kVersionStyle, version) + "/limits"})
        .status;
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override {
    return kStreams.selected(settings["streams"]);
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    // One session for every stream of the run: one access token, one request budget.
    if (!session_) session_ = std::make_unique<Session>(host, settings);
    if (!session_->status.isOk()) return session_->status;
    const auto version = abm::sdk::normalizeVersion(kVersionStyle, settings["api_version"].get<std::string>());
    if (!version)
      return Status::error(abm::sdk::versionError(kVersionStyle, "api_version", settings["api_version"].get<std::string>()));
    Context ctx{{host, settings, session_->api}, *version};
    if (stream == "accounts") return readSObjects(ctx, stream, accountSpec(settings), state);
    if (stream == "contacts") return readSObjects(ctx, stream, contactSpec(settings), state);
    if (stream == "opportunities") {
      SObjectSpec spec;
      if (auto s = opportunitySpec(ctx, spec); !s.isOk()) return s;
      return readSObjects(ctx, stream, spec, state);
    }
    if (stream == "campaigns") return readSObjects(ctx, stream, campaignSpec(settings), state);
    if (stream == "campaign_members") return readSObjects(ctx, stream, campaignMemberSpec(settings), state);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace

ABM_PLUGIN(SalesforcePlugin, "salesforce", "1.0.0", "crm",
           "Salesforce accounts, contacts, opportunities, campaigns and campaign members (SOQL over REST)", kOptions)
