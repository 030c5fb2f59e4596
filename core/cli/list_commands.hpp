// abmctl lists import | list | show | delete (docs/segments.md, "Account lists").
#pragma once

#include <string>
#include <vector>

namespace abm::cli {

// `args` start with the subcommand. Exit status as abmctl's.
int runListCommand(const std::vector<std::string>& args, const std::string& config_arg);

}  // namespace abm::cli
