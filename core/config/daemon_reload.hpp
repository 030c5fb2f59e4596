// What a SIGHUP may change in the daemon config while abmd runs. Pacing, limits, retries, logging,
// metrics, the HTTP tokens, limits and timeouts, and the plugin and connectors folders apply at
// once; the listen address (a bound socket), the store, its schema, the connector state folder and
// the identity rules (held by running syncs) need a restart.
#pragma once

#include <string>
#include <vector>

#include "config/daemon_config.hpp"

namespace abm::config {

struct DaemonReload {
  DaemonConfig config;                     // `fresh`, with the restart-only settings of `running`
  std::vector<std::string> applied;        // changed keys that took effect, as written in the file
  std::vector<std::string> need_restart;   // changed keys that keep their running value until a restart
};

DaemonReload planDaemonReload(const DaemonConfig& running, const DaemonConfig& fresh);

}  // namespace abm::config
