// Store URLs: "sqlite:///abs/path.db", "sqlite://relative.db" or a bare path.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.hpp"

namespace abm::config {

// Returns the SQLite file path; relative paths are taken against `base_dir`.
Result<std::filesystem::path> sqlitePathFromUrl(const std::string& url, const std::filesystem::path& base_dir);

}  // namespace abm::config
