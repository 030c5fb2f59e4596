// The SQLite store's files get the mode the "store_mode" setting gives, whatever the umask, so a
// BI tool in the daemon's group can read them (docs/store.md#reading-the-store).
#pragma once

#include <filesystem>

#include "common/status.hpp"

namespace abm::store::sqlite {

// Creates the store file with `mode` when it does not exist, else sets `mode` on it and on its -wal
// and -shm files where abmd owns them (SQLite gives the WAL and SHM it creates the file's mode).
Status applyFileMode(const std::filesystem::path& db, unsigned mode);

}  // namespace abm::store::sqlite
