// hello: the smallest useful abmd plugin. It turns a list of company domains from its settings into
// accounts, marking them as targets: one class, an options table, one export macro.
#include <abm/sdk/plugin.hpp>

namespace {

constexpr abm::sdk::Option kOptions[] = {
    {"domains", abm::sdk::OptionType::StringList, true, "", "Company domains to load as target accounts"},
    {"tier", abm::sdk::OptionType::String, false, "\"Tier 1\"", "Tier given to every account"},
};

class HelloPlugin : public abm::sdk::Plugin {
 public:
  abm::sdk::Status check(abm::sdk::Host&, const nlohmann::json& settings) override {
    if (settings["domains"].empty()) return abm::sdk::Status::error("domains is empty: nothing to load");
    return abm::sdk::Status::ok();
  }

  std::vector<abm::sdk::Stream> streams(const nlohmann::json&) override {
    return {{"target_list", "accounts", false}};
  }

  abm::sdk::Status read(abm::sdk::Host& host, const nlohmann::json& settings, const std::string& stream,
                        const nlohmann::json&) override {
    abm::sdk::JsonObjectWriter record;
    for (const auto& d : settings["domains"]) {
      const std::string domain = d.get<std::string>();
      record.reset();
      record.add("external_id", domain);  // the source's own id for the account
      record.add("domain", domain);
      record.add("name", domain);
      record.add("is_target", true);
      record.add("tier", settings["tier"].get<std::string>());
      if (!host.emit(stream, record.finish())) break;  // the daemon is shutting down
    }
    host.checkpoint(stream, nlohmann::json{{"loaded", settings["domains"].size()}});
    return abm::sdk::Status::ok();
  }
};

}  // namespace

ABM_PLUGIN(HelloPlugin, "hello", "1.0.0", "file", "Target accounts from a list of domains", kOptions)
