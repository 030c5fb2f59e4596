// Versioned schema migrations: schema/NNNN_description.sql, applied in order, each in a transaction,
// recorded in schema_migrations so every file runs once.
#pragma once

#include <filesystem>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace abm::store {

Status applyMigrations(Database& db, const std::filesystem::path& schema_dir);

}  // namespace abm::store
