// How abmctl's segments, accounts and lists commands open the store. They run beside a running
// abmd (a segment is a small write, unlike a sync), so they do not take the store lock to write; they
// migrate the store only when they can take the lock, that is when no daemon holds it.
#pragma once

#include "bootstrap/setup.hpp"
#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::cli {

// An existing store with the segments and lists tables; never creates or migrates one.
Result<store::Database> openSegmentsForReading(const bootstrap::Setup& s);
// The store, created and migrated if nobody holds its lock; else the store as the holder migrated it.
Result<store::Database> openSegmentsForWriting(const bootstrap::Setup& s);

// Prints a filter error; when it points at a place (filter:LINE:COLUMN: ...), the filter's line
// is shown with a caret under that column.
void printFilterError(const std::string& filter, const std::string& message);

}  // namespace abm::cli
