// The short report `abmctl report` and the demo print: what the store holds and which accounts are
// most engaged.
#pragma once

#include <ostream>

#include "store/database.hpp"

namespace abm::cli {

// Fails, with what could not be read, when a query of the report does.
Status printReport(store::Database& db, std::ostream& out, int top);

}  // namespace abm::cli
