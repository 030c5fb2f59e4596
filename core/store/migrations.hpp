// Versioned schema migrations: schema/NNNN_description.sql, applied in order and recorded in
// schema_migrations so every file runs once. Pending ones run in one BEGIN IMMEDIATE transaction that
// re-reads what is applied, so two processes migrating one store at once cannot both apply a file.
#pragma once

#include <filesystem>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace abm::store {

Status applyMigrations(Database& db, const std::filesystem::path& schema_dir);

}  // namespace abm::store
