// A well-formed plugin of a kind abmd does not know: the host must refuse it, naming the allowed kinds.
#include <abm/sdk/plugin.hpp>

namespace {

constexpr abm::sdk::Option kOptions[] = {
    {"path", abm::sdk::OptionType::String, false, "\"\"", "Unused"},
};

class WarehousePlugin : public abm::sdk::Plugin {
 public:
  abm::sdk::Status check(abm::sdk::Host&, const nlohmann::json&) override { return abm::sdk::Status::ok(); }
  std::vector<abm::sdk::Stream> streams(const nlohmann::json&) override { return {{"accounts", "accounts", true}}; }
  abm::sdk::Status read(abm::sdk::Host&, const nlohmann::json&, const std::string&, const nlohmann::json&) override {
    return abm::sdk::Status::ok();
  }
};

}  // namespace

ABM_PLUGIN(WarehousePlugin, "warehouse", "1.0.0", "warehouse", "Declares a kind abmd does not know", kOptions)
