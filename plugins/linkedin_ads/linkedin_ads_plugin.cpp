// linkedin_ads: campaigns, daily campaign spend, and the companies whose members saw and clicked the
// ads (account-level touchpoints) from LinkedIn's Marketing API. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/api_version.hpp>
#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include <algorithm>
#include <memory>

#include "ad_spend_reader.hpp"
#include "campaigns_reader.hpp"
#include "company_engagement_reader.hpp"

using namespace linkedin_ads;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;
using abm::sdk::VersionStyle;

namespace {

constexpr std::string_view kAllStreams = R"(["campaigns","ad_spend","company_engagement"])";

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, false, "\"https://api.linkedin.com\"",
     "LinkedIn's API host (a proxy or a test server may stand in)"},
    {"account_id", OptionType::String, true, "", "The sponsored ad account to read (its number, e.g. 507404993)", false,
     "", "[0-9]+"},
    {"linkedin_version", OptionType::String, false, "\"202606\"",
     "Marketing API version sent as LinkedIn-Version: YYYYMM (202606), or YYYYMM.RR", false, "",
     abm::sdk::versionPattern(VersionStyle::YearMonth)},
    {"streams", OptionType::StringList, false, kAllStreams,
     "Which streams to read: campaigns, ad_spend, company_engagement (which also fills companies)", false,
     kAllStreams},
    {"start_date", OptionType::Timestamp, false, "", "First day of statistics the first sync reads (default: a year back)"},
    {"lookback_days", OptionType::Integer, false, "3",
     "Each statistics sync reads this many days again before the last one read: LinkedIn restates recent days"},
    {"days_per_query", OptionType::Integer, false, "30",
     "Days of statistics per request, each checkpointed (1 to 366); a range whose answer reaches the row cap is split"},
    {"rows_per_call_limit", OptionType::Integer, false, "15000",
     "LinkedIn's cap on the rows of one adAnalytics answer: an answer this long is taken as cut and its range split"},
    {"requests_per_second", OptionType::Number, false, "2", "Request pace"},
};
constexpr auto kOptions = http::withHttpOptions(kOwnOptions);

// The order streams are read in: organizations (accounts) arrive with company_engagement, before
// the touchpoints that name them.
constexpr abm::sdk::StreamSpec kStreamList[] = {
    {"campaigns", "campaigns"}, {"ad_spend", "ad_spend"}, {"company_engagement", "touchpoints"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};

std::string settingsError(const json& settings) {
  if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return why;
  if (auto why = abm::sdk::versionError(VersionStyle::YearMonth, "linkedin_version", settings.value("linkedin_version", ""));
      !why.empty())
    return why;
  if (auto why = abm::sdk::dayWindowSettingsError(settings); !why.empty()) return why;
  if (settings.value("rows_per_call_limit", 15000) < 2) return "rows_per_call_limit must be 2 or more";
  return http::missingCredentials(settings);
}

// One session for every stream of a run: one access token, one request budget.
struct Session {
  http::ApiSession api;
  KnownOrganizations organizations;
  Session(Host& host, const json& settings)
      : api(host, settings, settings.value("requests_per_second", 2.0), "https://www.linkedin.com/oauth/v2/accessToken",
            &describeError) {
    api.readWaitFrom(&dailyLimitWait);
  }
  Context context(Host& host, const json& settings) {
    return Context{{host, settings, api},
                   settings.value("account_id", ""),
                   *abm::sdk::normalizeVersion(VersionStyle::YearMonth, settings.value("linkedin_version", "202606"))};
  }
};

class LinkedInAdsPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = settingsError(settings); !why.empty()) return Status::error(why);
    Session session(host, settings);
    Context ctx = session.context(host, settings);
    return get(ctx, "/rest/adAccounts/" + ctx.account_id).status;
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override {
    std::vector<abm::sdk::Stream> out = kStreams.selected(settings["streams"]);
    // company_engagement emits the organizations it names as accounts on a stream of their own.
    const auto engagement = std::find_if(out.begin(), out.end(), [](const auto& s) { return s.name == "company_engagement"; });
    if (engagement != out.end()) out.insert(engagement, {kCompaniesStream, "accounts", true});
    return out;
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    if (auto why = settingsError(settings); !why.empty()) return Status::error(why);
    if (!session_) session_ = std::make_unique<Session>(host, settings);
    Context ctx = session_->context(host, settings);
    if (stream == "campaigns") return readCampaigns(ctx, stream, state);
    if (stream == "ad_spend") return readAdSpend(ctx, stream, state);
    if (stream == kCompaniesStream) return Status::ok();  // filled while company_engagement is read
    if (stream == "company_engagement") return readCompanyEngagement(ctx, stream, state, session_->organizations);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace

ABM_PLUGIN(LinkedInAdsPlugin, "linkedin_ads", "1.0.0", "ads",
           "LinkedIn Ads campaigns, daily campaign spend, and company-level ad engagement (MEMBER_COMPANY)", kOptions)
