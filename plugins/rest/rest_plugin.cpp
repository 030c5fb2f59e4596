// rest: a declarative connector. The connector file describes a REST/JSON source (base_url, how it
// signs in, and per stream: path, query, where the records are, how it pages, an incremental cursor,
// and the mapping of its fields to a unified entity); no code is written. See docs/rest.md.
#include <abm/sdk/api_session.hpp>
#include <abm/sdk/plugin.hpp>

#include "rest_definition.hpp"
#include "stream_reader.hpp"

namespace {

using nlohmann::json;
namespace http = abm::sdk::http;
using abm::sdk::Host;
using abm::sdk::Option;
using abm::sdk::OptionType;
using abm::sdk::Status;

constexpr Option kOwnOptions[] = {
    {"base_url", OptionType::String, true, "", "The API's root, e.g. https://acme.pipedrive.com/api; every path hangs off it"},
    {"streams", OptionType::Object, true, "",
     "The source's streams: per stream its entity and field mapping, path, query, records, paginator and cursor "
     "(docs/rest.md)"},
    {"requests_per_second", OptionType::Number, false, "5", "Request pace (keep under the source's rate limit)"},
};
constexpr auto kOptions = http::withAuthOptions(kOwnOptions);

// "" or why a record or an answer of the source could not be read, from a JSON error body: the
// common shapes {"error": "..."}, {"error": {"message": ...}}, {"message": ...}, {"errors": [{"message"}]}.
std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return {};
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); };
  const json& error = http::fieldOf(body, "error");
  if (error.is_object()) return text(http::fieldOf(error, "message"));
  std::string out = text(error);
  if (out.empty()) out = text(http::fieldOf(body, "message"));
  const json& errors = http::fieldOf(body, "errors");
  if (out.empty() && errors.is_array() && !errors.empty() && errors[0].is_object()) out = text(http::fieldOf(errors[0], "message"));
  return out;
}

std::unique_ptr<http::ApiSession> newSession(Host& host, const json& settings) {
  return std::make_unique<http::ApiSession>(host, settings, settings.value("requests_per_second", 5.0), "", &describeError);
}

class RestPlugin : public abm::sdk::Plugin {
 public:
  Status check(Host& host, const json& settings) override {
    std::vector<rest::RestStream> streams;
    if (auto why = rest::readDefinition(settings, streams); !why.empty()) return Status::error(why);
    auto api = newSession(host, settings);
    if (!api->settingsError().empty()) return Status::error(api->settingsError());
    // The first stream's first page: the host, the credentials and the path answer at once.
    return api->call({"GET", rest::firstTarget(streams.front(), settings.value("base_url", ""))}).status;
  }

  Status listStreams(const json& settings, std::vector<abm::sdk::Stream>& out) override {
    std::vector<rest::RestStream> streams;
    if (auto why = rest::readDefinition(settings, streams); !why.empty()) return Status::error(why);
    std::vector<abm::sdk::mapping::StreamMapping> mapped;
    for (const auto& s : streams) mapped.push_back(s.mapping);
    out = abm::sdk::mapping::streamsOf(mapped, true);
    for (auto& o : out)
      for (const auto& s : streams)
        if (s.mapping.stream == o.name) o.incremental = s.incremental;
    return Status::ok();
  }

  Status read(Host& host, const json& settings, const std::string& stream, const json& state) override {
    std::vector<rest::RestStream> streams;
    if (auto why = rest::readDefinition(settings, streams); !why.empty()) return Status::error(why);
    // One session for every stream of the run: one connection, one request budget.
    if (!api_) api_ = newSession(host, settings);
    for (const auto& s : streams)
      if (s.mapping.stream == stream) return rest::readStream(host, *api_, settings.value("base_url", ""), s, state);
    return Status::error("unknown stream " + stream + " (the connector file's streams name the ones to read)");
  }

 private:
  std::unique_ptr<http::ApiSession> api_;
};

}  // namespace

ABM_PLUGIN(RestPlugin, "rest", "1.0.0", "declarative",
           "Declarative REST/JSON connector: the connector file describes the source (auth, paths, paging, "
           "incremental cursor, field mapping); no code", kOptions)
