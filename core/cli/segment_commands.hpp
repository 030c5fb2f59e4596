// abmctl segments | accounts | lists (docs/segments.md): saved segments, the accounts a segment or
// filter selects, and imported account lists.
#pragma once

#include <string>
#include <vector>

namespace abm::cli {

// What --help says about these commands.
extern const char* const kSegmentCommandsUsage;

// True for the commands below.
bool isSegmentCommand(const std::string& command);

// Runs `command` with its arguments (after the command word; -c/--config already taken out).
// Exit status as abmctl's: 0 done, 1 failed, 2 bad usage or configuration.
int runSegmentCommand(const std::string& command, const std::vector<std::string>& args, const std::string& config_arg);

}  // namespace abm::cli
