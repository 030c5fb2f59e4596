// `abmctl sync` and `abmctl state reset` while abmd holds the store: instead of refusing, abmctl
// asks the daemon over its API to do it (docs/operations.md#while-abmd-runs).
#pragma once

#include <string>

#include "bootstrap/setup.hpp"

namespace abm::cli {

// Whether the SQLite store is held by a running abmd (its lock file names it), rather than by
// another abmctl or nobody. Always false on PostgreSQL, where abmctl works beside the daemons.
bool storeHeldByDaemon(const config::DaemonConfig& daemon);

// Asks the daemon to run `name` now and, unless `wait` is false, follows the run to its end and
// prints what a local sync prints. 0 when the run succeeded (or, without waiting, started).
int syncThroughDaemon(const bootstrap::Setup& s, const std::string& name, bool full_refresh, bool wait);

// Asks the daemon to remove the checkpoints of `name` (of `stream` when not empty).
int resetStateThroughDaemon(const bootstrap::Setup& s, const std::string& name, const std::string& stream);

}  // namespace abm::cli
