// ga4: Google Analytics 4 page views, form submits and other events per day, as aggregated web
// touchpoints, through the Data API's runReport. See README.md beside this file.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/google_api.hpp>
#include <abm/sdk/plugin.hpp>

#include <memory>
#include <set>

#include "report_reader.hpp"

using namespace ga4;
namespace http = abm::sdk::http;
using abm::sdk::Option;
using abm::sdk::OptionType;

namespace {

constexpr std::string_view kName = "[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_]+)?";  // "date", "customEvent:company"
constexpr std::string_view kActivities =
    R"(["email_send","email_open","email_click","email_bounce","ad_impression","ad_click","page_view",)"
    R"("form_submit","webinar_attend","meeting","call","social_engagement","other"])";

constexpr Option kOwnOptions[] = {
    {"property_id", OptionType::String, true, "", "The GA4 property: 123456789 or properties/123456789", false, "",
     "(properties/)?[0-9]+"},
    {"base_url", OptionType::String, false, "\"https://analyticsdata.googleapis.com\"", "The Data API's host"},
    {"dimensions", OptionType::StringList, false, R"(["eventName"])",
     "Report dimensions besides date (always the first): one touchpoint per day and combination of their values",
     false, "", kName},
    {"metrics", OptionType::StringList, false, R"(["eventCount"])",
     "Report metrics: the first is the touchpoint's quantity, the others go to its properties", false, "", kName},
    {"event_activities", OptionType::StringMap, false, R"({"page_view": "page_view", "form_submit": "form_submit"})",
     "With eventName among the dimensions: the events to read and the activity each becomes", false, kActivities},
    {"activity", OptionType::String, false, "\"page_view\"",
     "Without eventName among the dimensions: the activity of every row", false, kActivities},
    {"account_dimension", OptionType::String, false, "\"\"",
     "A dimension holding the visitor's company domain (e.g. customUser:company_domain); added to the report "
     "when not listed, and ties each row to that account",
     false, "", "([A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_]+)?)?"},
    {"start_date", OptionType::String, false, "\"30daysAgo\"",
     "The first day of the first sync: 2024-01-01, NdaysAgo, yesterday or today", false, "",
     "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]+daysAgo|yesterday|today"},
    {"lookback_days", OptionType::Integer, false, "3",
     "Later syncs read again the last day read and this many days before it (GA4 restates recent days)"},
    {"page_size", OptionType::Integer, false, "10000", "Rows per runReport request (at most 250000)"},
    {"requests_per_second", OptionType::Number, false, "5", "Request pace"},
};
constexpr auto kOptions = http::withHttpOptions(kOwnOptions);

constexpr const char* kStream = "daily_activity";

// What read() and check() both need before any request: a report the settings describe.
Status definitionOf(const json& settings, ReportDefinition& out) {
  std::string why;
  out = reportDefinition(settings, why);
  if (!why.empty()) return Status::error(why);
  if (startDay(settings.value("start_date", "30daysAgo"), todayNumber()) < 0)
    return Status::error("start_date: '" + settings.value("start_date", "") + "' is not a day");
  return Status::ok();
}

class Ga4Plugin : public abm::sdk::Plugin {
 public:
  // Valid settings, accepted credentials, and a property whose metadata knows every dimension and
  // metric asked for (getMetadata costs no report tokens).
  Status check(Host& host, const json& settings) override {
    ReportDefinition report;
    if (auto s = definitionOf(settings, report); !s.isOk()) return s;
    if (auto why = http::missingCredentials(settings); !why.empty()) return Status::error(why);
    http::ApiSession api(host, settings, settings.value("requests_per_second", 5.0), kTokenUrl,
                         &http::describeGoogleError);
    const auto a = api.call({"GET", "/v1beta/" + report.property + "/metadata"});
    if (!a.ok()) return failure(a);
    std::set<std::string> known;
    for (const char* kind : {"dimensions", "metrics"})
      for (const auto& f : http::fieldOf(a.body, kind)) known.insert(http::textOf(f, "apiName"));
    std::string unknown;
    for (const auto* names : {&report.dimensions, &report.metrics})
      for (const auto& n : *names)
        if (!known.count(n)) unknown += (unknown.empty() ? "" : ", ") + n;
    if (!unknown.empty())
      return Status::error(report.property + " has no dimension or metric named " + unknown +
                           " (custom ones are customEvent:NAME or customUser:NAME)");
    return Status::ok();
  }

  std::vector<abm::sdk::Stream> streams(const json&) override { return {{kStream, "touchpoints", true}}; }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    if (stream != kStream) return Status::error("unknown stream " + stream + " (ga4 reads " + kStream + ")");
    ReportDefinition report;
    if (auto s = definitionOf(settings, report); !s.isOk()) return s;
    http::ApiSession api(host, settings, settings.value("requests_per_second", 5.0), kTokenUrl,
                         &http::describeGoogleError);
    Context ctx{{host, settings, api}, report};
    return readReport(ctx, stream, state);
  }

 private:
  static constexpr const char* kTokenUrl = "https://oauth2.googleapis.com/token";
};

}  // namespace

ABM_PLUGIN(Ga4Plugin, "ga4", "1.0.0", "web_analytics",
           "Google Analytics 4 events per day (page views, form submits) as web touchpoints (Data API runReport)",
           kOptions)
