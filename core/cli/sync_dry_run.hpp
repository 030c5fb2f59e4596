// abmctl sync NAME --dry-run: what a sync of NAME would write, and the store left exactly as it was.
#pragma once

#include <string>

#include "bootstrap/setup.hpp"

namespace abm::cli {

// Reads the connector in its worker, validates every record, and prints per stream the records
// that would be written, the rows that would be rejected and why, and the checkpoint that would be
// committed (`format` "text" or "json"). Exits as the sync would: 0 when it would succeed.
int cmdSyncDryRun(const bootstrap::Setup& s, const config::ConnectorConfig& c, bool full_refresh,
                  const std::string& format);

}  // namespace abm::cli
