// The abmctl commands that read the store for people and programs, with their own options and help:
// `report [executive|campaigns|funnel|accounts]` (report_command.cpp) and `export TABLE`
// (export_command.cpp). They read only: no store is created or migrated, and the connectors'
// secrets are not needed.
#pragma once

#include <string>
#include <vector>

namespace abm::cli {

// `config_arg` is -c's value ("" for the default); `args` follow the command's name. Returns the
// exit status (0, 1 failed, 2 bad usage or configuration).
int runReportCommand(const std::string& config_arg, const std::vector<std::string>& args);
int runExportCommand(const std::string& config_arg, const std::vector<std::string>& args);

}  // namespace abm::cli
