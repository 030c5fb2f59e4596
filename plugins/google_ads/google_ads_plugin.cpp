// google_ads: campaigns and their daily metrics (impressions, clicks, cost) from the Google Ads API
// through GAQL queries. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/api_version.hpp>
#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include <memory>

#include "ad_spend_reader.hpp"
#include "campaigns_reader.hpp"
#include "gaql_search.hpp"

using namespace google_ads;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;
using abm::sdk::VersionStyle;

namespace {

constexpr std::string_view kAllStreams = R"(["campaigns","ad_spend"])";
// Google Ads customer ids are ten digits, shown as 123-456-7890.
constexpr std::string_view kCustomerId = "[0-9]{3}-?[0-9]{3}-?[0-9]{4}";
constexpr std::string_view kOptionalCustomerId = "([0-9]{3}-?[0-9]{3}-?[0-9]{4})?";

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, false, "\"https://googleads.googleapis.com\"",
     "Google Ads API host (a proxy or a test server may stand in)"},
    {"customer_id", OptionType::String, true, "", "The Google Ads account to read: ten digits, dashes allowed (123-456-7890)",
     false, "", kCustomerId},
    {"developer_token", OptionType::String, true, "", "The developer token of your Google Ads API access", true},
    {"login_customer_id", OptionType::String, false, "\"\"",
     "The manager account the credentials sign in through (ten digits), when customer_id is a client of it", false, "",
     kOptionalCustomerId},
    {"api_version", OptionType::String, false, "\"v26\"", "Google Ads API version: v26 or 26", false, "",
     abm::sdk::versionPattern(VersionStyle::VMajor)},
    {"streams", OptionType::StringList, false, kAllStreams, "Which streams to read: campaigns, ad_spend", false,
     kAllStreams},
    {"start_date", OptionType::Timestamp, false, "",
     "First day of metrics the first sync reads (default: a year back)"},
    {"lookback_days", OptionType::Integer, false, "3",
     "Each metrics sync reads this many days again before the last one read: Google restates recent days"},
    {"days_per_query", OptionType::Integer, false, "30", "Days of metrics per query, each checkpointed (1 to 366)"},
    {"requests_per_second", OptionType::Number, false, "5", "Request pace"},
};
constexpr auto kOptions = http::withHttpOptions(kOwnOptions);

constexpr abm::sdk::StreamSpec kStreamList[] = {{"campaigns", "campaigns"}, {"ad_spend", "ad_spend"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};

// What the option table cannot say about the settings; "" when they are good.
std::string settingsError(const json& settings) {
  if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return why;
  if (auto why = abm::sdk::versionError(VersionStyle::VMajor, "api_version", settings.value("api_version", ""));
      !why.empty())
    return why;
  if (auto why = abm::sdk::dayWindowSettingsError(settings); !why.empty()) return why;
  return http::missingCredentials(settings);
}

// One session for every stream of a run: one access token, one request budget.
struct Session {
  http::ApiSession api;
  Session(Host& host, const json& settings)
      : api(host, settings, settings.value("requests_per_second", 5.0), "https://oauth2.googleapis.com/token",
            &describeError) {
    api.readWaitFrom(&retryDelay);
  }
  Context context(Host& host, const json& settings) {
    return Context{{host, settings, api},
                   *abm::sdk::normalizeVersion(VersionStyle::VMajor, settings.value("api_version", "v26")),
                   customerDigits(settings.value("customer_id", "")),
                   customerDigits(settings.value("login_customer_id", "")),
                   settings.value("developer_token", "")};
  }
};

class GoogleAdsPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = settingsError(settings); !why.empty()) return Status::error(why);
    Session session(host, settings);
    Context ctx = session.context(host, settings);
    return search(ctx, "SELECT customer.id, customer.currency_code FROM customer LIMIT 1",
                  [](const json&) { return true; });
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override {
    return kStreams.selected(settings["streams"]);
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    if (auto why = settingsError(settings); !why.empty()) return Status::error(why);
    if (!session_) session_ = std::make_unique<Session>(host, settings);
    Context ctx = session_->context(host, settings);
    if (stream == "campaigns") return readCampaigns(ctx, stream, state);
    if (stream == "ad_spend") return readAdSpend(ctx, stream, state);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace

ABM_PLUGIN(GoogleAdsPlugin, "google_ads", "1.0.0", "ads",
           "Google Ads campaigns and daily campaign metrics (GAQL over REST)", kOptions)
