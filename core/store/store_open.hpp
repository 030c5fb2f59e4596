// How commands that only read open the store: never create it, never migrate it.
#pragma once

#include <filesystem>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::store {

// Opens an existing store read-only, with the busy timeout of every connection. A path with no
// store is an error (a typo must not leave an empty store behind), and so is a store that has no
// schema yet (a daemon that is creating it): the caller says so and retries later. Migrations are
// left to the writers, which hold the store lock.
Result<Database> openForReading(const Location& store);

}  // namespace abm::store
