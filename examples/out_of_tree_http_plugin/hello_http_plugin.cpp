// hello_http: the smallest abmd plugin that calls an API. It fetches a JSON array of company domains
// from `base_url` + `path` with the SDK's HTTP kit (retries, Retry-After, clear errors) and loads them
// as target accounts.
#include <abm/sdk/http.hpp>
#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/plugin.hpp>

namespace {

namespace http = abm::sdk::http;

constexpr abm::sdk::Option kOptions[] = {
    {"base_url", abm::sdk::OptionType::String, true, "", "The API's scheme://host[:port]"},
    {"path", abm::sdk::OptionType::String, false, "\"/domains.json\"", "Path of the JSON array of domains"},
};

class HelloHttpPlugin : public abm::sdk::Plugin {
 public:
  abm::sdk::Status check(abm::sdk::Host& host, const nlohmann::json& settings) override {
    nlohmann::json domains;
    return fetch(host, settings, domains);
  }

  std::vector<abm::sdk::Stream> streams(const nlohmann::json&) override {
    return {{"domains", "accounts", false}};
  }

  abm::sdk::Status read(abm::sdk::Host& host, const nlohmann::json& settings, const std::string& stream,
                        const nlohmann::json&) override {
    nlohmann::json domains;
    if (auto st = fetch(host, settings, domains); !st.isOk()) return st;
    abm::sdk::JsonObjectWriter record;
    for (const auto& d : domains) {
      record.reset();
      record.add("external_id", d.get<std::string>());
      record.add("domain", d.get<std::string>());
      record.add("name", d.get<std::string>());
      record.add("is_target", true);
      if (!host.emit(stream, record.finish())) break;  // the daemon is shutting down
    }
    return abm::sdk::Status::ok();
  }

 private:
  static abm::sdk::Status fetch(abm::sdk::Host& host, const nlohmann::json& settings, nlohmann::json& out) {
    http::Client client({.base_url = settings["base_url"].get<std::string>()});
    http::RetryOptions retry;
    retry.stop_requested = [&host] { return host.stopRequested(); };
    const auto body = http::parseJsonBody(http::sendWithRetry(client, {.target = settings["path"].get<std::string>()}, retry));
    if (!body.error.empty()) return abm::sdk::Status::error(body.error);
    if (!body.value.is_array()) return abm::sdk::Status::error(settings["path"].get<std::string>() + ": expected a JSON array of domains");
    for (const auto& d : body.value)
      if (!d.is_string()) return abm::sdk::Status::error(settings["path"].get<std::string>() + ": every domain must be a string");
    out = body.value;
    return abm::sdk::Status::ok();
  }
};

}  // namespace

ABM_PLUGIN(HelloHttpPlugin, "hello_http", "1.0.0", "crm", "Target accounts from a JSON list of domains served over HTTP", kOptions)
