#include "cli/configured_store.hpp"

#include "bootstrap/setup.hpp"
#include "cli/exit_codes.hpp"
#include "store/store_open.hpp"

namespace abm::cli {

std::optional<store::Database> openConfiguredStoreForReading(const std::string& config_arg, int& exit_code) {
  bootstrap::Setup setup;
  try {
    setup = bootstrap::loadSetup(config::resolveConfigPath(config_arg), config::Secrets::Optional);
  } catch (const std::exception& e) {
    std::cerr << "abmctl: " << e.what() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  auto db = store::openForReading(setup.daemon.store);
  if (!db) {
    exit_code = failed(db.error());
    return std::nullopt;
  }
  return std::move(*db);
}

}  // namespace abm::cli
