// A check or discover of one connector in a worker: the job sent, the answer collected. Shared by
// abmctl (check, discover) and abm-plugin-test.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "wire/protocol.hpp"

namespace abm::plugin_host {

// What a check or discover run of a connector's worker answered.
struct WorkerAnswer {
  std::string failure;  // empty when the command succeeded
  std::optional<wire::ConnectionStatusMessage> status;
  std::vector<wire::CatalogStream> streams;
};

// Runs `command` (check or discover) for connector `c` of `plugin` (a pull plugin) in a worker.
// `on_log` receives the plugin's log lines and its stderr.
WorkerAnswer runWorkerCommand(const config::DaemonConfig& daemon, const PluginInfo& plugin,
                              const config::ConnectorConfig& c, const std::string& command,
                              const std::function<void(std::string_view)>& on_log);

}  // namespace abm::plugin_host
