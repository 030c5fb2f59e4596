// Versioned schema migrations: schema/NNNN_description.sql for SQLite, schema/postgresql/NNNN_*.sql
// for PostgreSQL (the same versions), applied in order and recorded in schema_migrations so every file
// runs once. Pending ones run in one write transaction (SQLite's write lock, PostgreSQL's writers'
// advisory lock) that re-reads what is applied, so two processes starting together migrate once.
#pragma once

#include <filesystem>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::store {

Status applyMigrations(Database& db, const std::filesystem::path& schema_root);

}  // namespace abm::store
