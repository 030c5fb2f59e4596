// The store a read-only abmctl command reads: the one its daemon config names.
#pragma once

#include <optional>
#include <string>

#include "store/database.hpp"

namespace abm::cli {

// Loads the daemon config at `config_arg` and opens its store for reading. On failure it prints why
// and sets `exit_code`: 2 for a config that does not load, 1 for a store that does not open.
std::optional<store::Database> openConfiguredStoreForReading(const std::string& config_arg, int& exit_code);

}  // namespace abm::cli
