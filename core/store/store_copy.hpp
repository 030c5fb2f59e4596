// Moves a store to another backend (abmctl store copy --to URL): every row of every table, ids
// kept, so that readers, checkpoints and metrics carry on as if nothing happened.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

struct CopiedTable {
  std::string table;
  int64_t rows = 0;
};

// Copies `from` into `to`, which must be empty and at the same schema version (migrate it first).
// The rows go in one transaction on `to` (COPY on PostgreSQL), read from one snapshot of `from`;
// afterwards every table's count is compared on both sides. `progress` gets a line per table.
Result<std::vector<CopiedTable>> copyStore(Database& from, Database& to,
                                           const std::function<void(const std::string&)>& progress);

}  // namespace abm::store
