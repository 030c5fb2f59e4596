// Everything a command needs before it can act: the daemon config, the plugins, the connectors
// validated against their plugins' options, and the store opened and migrated.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "metrics/metrics_settings.hpp"
#include "pipeline/identity_rules.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "store/database.hpp"

namespace abm::bootstrap {

struct Setup {
  config::DaemonConfig daemon;
  metrics::MetricsSettings metrics;  // the daemon config's "metrics" object
  plugin_host::PluginRegistry plugins;
  std::vector<config::ConnectorConfig> connectors;  // only the valid ones
  std::vector<std::string> errors;                  // one line per problem, with file and key
  // Connector files that were refused, each with its first problem: a reload keeps running the
  // previous configuration of a connector whose file broke (scheduler.cpp).
  std::map<std::filesystem::path, std::string> refused_files;
  std::unique_ptr<pipeline::IdentityRules> identity;

  const config::ConnectorConfig* connector(const std::string& name) const;
};

// Throws ConfigError when the daemon config itself is unusable; connector problems go to errors.
// With Secrets::Optional, a connector whose secret references cannot be resolved here is kept (and
// lists them in unresolved_secrets): for commands that only read.
Setup loadSetup(const std::filesystem::path& config_file, config::Secrets secrets = config::Secrets::Required);

// Opens the store and applies pending migrations.
Result<store::Database> openStore(const config::DaemonConfig& daemon);

}  // namespace abm::bootstrap
