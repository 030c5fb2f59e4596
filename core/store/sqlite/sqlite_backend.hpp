// The SQLite backend: the embedded default, one file, WAL mode.
#pragma once

#include <filesystem>

#include "store/database.hpp"

namespace abm::store::sqlite {

Result<Database> open(const Location& where, bool read_only);

}  // namespace abm::store::sqlite
