// One connector instance: a JSON file in the connectors folder,
//   {"name": "...", "plugin": "...", "schedule": "every 15m", "settings": {...}}
// (a push source, plugin "events", has no schedule: its events arrive over HTTP)
// plus optional "enabled", "timeout" and "memory_limit_mb" overriding the daemon defaults.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/option_schema.hpp"
#include "config/schedule.hpp"
#include "config/secrets.hpp"

namespace abm::config {

struct ConnectorConfig {
  std::filesystem::path file;
  std::string name;
  std::string plugin;
  Schedule schedule;
  bool has_schedule = false;  // a pull plugin needs one; a push source (plugin "events") has none
  bool enabled = true;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<size_t> memory_limit_mb;
  nlohmann::json settings;           // secrets resolved: never log or print this
  nlohmann::json settings_as_written; // as in the file, with references unresolved
  std::set<std::string> secret_paths;
  std::vector<ResolvedSecret> resolved_secrets;  // for scrubbing the plugin's messages; never print
  std::vector<std::string> warnings;             // "<file>: <key path>: <what>", the connector still runs
  // Loaded with Secrets::Optional only: references this process could not resolve, as
  // "<file>: settings.token: environment variable CRM_TOKEN is not set". Such a connector is listed,
  // never run: its settings still hold the references.
  std::vector<std::string> unresolved_secrets;
};

// A connector file is a few settings: anything larger is not one.
inline constexpr size_t kMaxConnectorFileBytes = 1024 * 1024;

// The job sent to the worker for `command` (check, discover, read): the resolved settings and the
// list of secret values the worker replaces by their references in whatever the plugin says.
nlohmann::json workerJob(const ConnectorConfig& c, const std::string& command);

// Parses one connector file; only a regular file of at most kMaxConnectorFileBytes is read. Problems
// are appended to `errors` as "<file>: <key path>: <what>".
std::optional<ConnectorConfig> loadConnectorFile(const std::filesystem::path& file, std::vector<std::string>& errors,
                                                 Secrets secrets = Secrets::Required);

// Loads every *.json in `dir` (sorted by name); duplicate names are errors, and so is an entry that
// is not a regular file (a folder or FIFO named *.json), which is skipped like any bad file.
// `refused` (when given) gets each skipped file with the first line of its problem.
std::vector<ConnectorConfig> loadConnectorDir(const std::filesystem::path& dir, std::vector<std::string>& errors,
                                              std::map<std::filesystem::path, std::string>* refused = nullptr,
                                              Secrets secrets = Secrets::Required);

// Validates the settings against the plugin's options, filling defaults; errors as above. A secret
// option written literally in the file (not a reference) adds a warning to `c.warnings`.
void validateConnectorSettings(ConnectorConfig& c, const std::vector<OptionSpec>& specs, std::vector<std::string>& errors);

// The connector as it may be printed: secret options and resolved references redacted.
nlohmann::json redactedView(const ConnectorConfig& c, const std::vector<OptionSpec>& specs);

}  // namespace abm::config
