// Forgetting a connector's checkpoints so that its next run reads from the start: what
// `abmctl state reset` does itself, and what the daemon does when asked over its API. Both take the
// connector's lease first, so no run of it (here or on another instance) writes a checkpoint while
// they remove them.
#pragma once

#include <string>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "store/database.hpp"
#include "store/lease_keeper.hpp"

namespace abm::pipeline {

struct StateResetOutcome {
  enum Kind { Reset, HeldElsewhere, UnknownStream, Failed } kind = Reset;
  int removed = 0;
  // HeldElsewhere: "is being synced by <holder>"; UnknownStream: the known streams, comma-separated;
  // Failed: why.
  std::string detail;
};

// Removes the checkpoints of connector `name` (of `stream` only, when not empty) from `db` under
// the lease "connector:<name>" taken with `keeper`. A stream is checked first against the streams
// with a checkpoint and those the connector's plugin discovers (`connector` and `plugin` may be null
// for a connector no longer configured): a misspelt stream would otherwise "remove 0" and look done.
StateResetOutcome resetConnectorState(store::Database& db, store::LeaseKeeper& keeper,
                                      const config::DaemonConfig& daemon, const std::string& name,
                                      const std::string& stream, const config::ConnectorConfig* connector,
                                      const plugin_host::PluginInfo* plugin);

}  // namespace abm::pipeline
