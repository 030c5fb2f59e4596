// The plugins in the plugin folder, each described by running `abmd-worker describe` on it, so the
// daemon never loads plugin code into its own process.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/option_schema.hpp"

namespace abm::plugin_host {

struct PluginInfo {
  std::string name, version, kind, description, abi;
  std::filesystem::path path;
  std::vector<config::OptionSpec> options;
  std::string options_json;  // the table as the plugin wrote it (abm-plugin-test checks it further)
  std::string shipped;       // the abmd version it ships with (built in the abmd tree); "" otherwise
  bool builtIn() const { return !shipped.empty(); }
  // A push source is built into the daemon (the events collector): no library, no worker, no schedule.
  bool push() const { return kind == "push"; }
};

// The built-in push plugin "events": Segment-compatible events posted to the daemon's listener.
PluginInfo eventsPluginInfo();

// Asks a worker to describe the plugin library `file`: its name, version and options table, or why
// it is not a usable plugin.
Result<PluginInfo> describePlugin(const std::filesystem::path& file, const std::filesystem::path& worker);

class PluginRegistry {
 public:
  // Describes every *.so in `dir`. Files that are not usable plugins are listed in problems().
  static PluginRegistry scan(const std::filesystem::path& dir, const std::filesystem::path& worker);
  const PluginInfo* find(const std::string& name) const;
  const std::map<std::string, PluginInfo>& all() const { return plugins_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::map<std::string, PluginInfo> plugins_;
  std::vector<std::string> problems_;
};

}  // namespace abm::plugin_host
