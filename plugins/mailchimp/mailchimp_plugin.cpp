// mailchimp: sent campaigns and their per-recipient email activity (opens, clicks, bounces) from the
// Mailchimp Marketing API 3.0. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/stream_catalog.hpp>

#include "activity_reader.hpp"
#include "campaigns_reader.hpp"

using namespace mailchimp;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;

namespace {

constexpr std::string_view kAllStreams = R"(["campaigns","email_activity"])";

constexpr Option kOwnOptions[] = {
    {"api_key", OptionType::String, true, "",
     "Mailchimp API key, ending with its data centre (\"…-us6\"); sent as the HTTP Basic password", true},
    {"base_url", OptionType::String, false, "\"\"",
     "API host (empty: https://<dc>.api.mailchimp.com from the key's suffix; a proxy or a test server may stand in)"},
    {"streams", OptionType::StringList, false, kAllStreams, "Which streams to read: campaigns, email_activity", false,
     kAllStreams},
    {"start_date", OptionType::Timestamp, false, "\"2020-01-01T00:00:00Z\"",
     "Campaigns sent before this date, and their activity, are not read"},
    {"activity_lookback_minutes", OptionType::Integer, false, "60",
     "Each email_activity sync reaches back this far over the last one, for actions Mailchimp records late"},
    {"page_size", OptionType::Integer, false, "1000", "Records per request (count: 1 to 1000)"},
    {"requests_per_second", OptionType::Number, false, "10",
     "Request pace (Mailchimp limits simultaneous connections to 10; the connector uses one)"},
};
constexpr auto kOptions = http::withTransportOptions(kOwnOptions);

constexpr abm::sdk::StreamSpec kStreamList[] = {{"campaigns", "campaigns"}, {"email_activity", "touchpoints"}};
constexpr abm::sdk::StreamCatalog kStreams{kStreamList};

// What the options table cannot say: "" or why the settings cannot work.
std::string checkSettings(const json& settings) {
  if (auto why = kStreams.checkSelection(settings["streams"]); !why.empty()) return why;
  const int page = settings.value("page_size", 1000);
  if (page < 1 || page > 1000) return "page_size must be from 1 to 1000, not " + std::to_string(page);
  if (settings.value("activity_lookback_minutes", 60) < 0) return "activity_lookback_minutes must not be negative";
  std::string why;
  apiHost(settings, why);
  return why;
}

class MailchimpPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    if (auto why = checkSettings(settings); !why.empty()) return Status::error(why);
    // Mailchimp's health check: 200 with a good key, 401 "API Key Invalid" with a bad one.
    return newSession(host, settings)->call({"GET", "/3.0/ping"}).status;
  }

  std::vector<abm::sdk::Stream> streams(const json& settings) override { return kStreams.selected(settings["streams"]); }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    if (auto why = checkSettings(settings); !why.empty()) return Status::error(why);
    // One session for every stream of the run: one connection, one request budget.
    if (!api_) api_ = newSession(host, settings);
    Context ctx{{host, settings, *api_}, settings.value("page_size", 1000)};
    if (stream == "campaigns") return readCampaigns(ctx, stream, state);
    if (stream == "email_activity") return readEmailActivity(ctx, stream, state);
    return Status::error("unknown stream " + stream);
  }

 private:
  std::unique_ptr<http::ApiSession> api_;
};

}  // namespace

ABM_PLUGIN(MailchimpPlugin, "mailchimp", "1.0.0", "email",
           "Mailchimp sent campaigns and per-recipient email activity (opens, clicks, bounces)", kOptions)
