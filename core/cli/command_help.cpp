#include "cli/command_help.hpp"

#include <sstream>

namespace abm::cli {

std::string commandHelp(const std::string& usage, const std::string& command) {
  std::istringstream in(usage);
  std::string entries;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    // An entry starts two spaces in; its continuation lines are indented further.
    const bool starts_entry = line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ';
    if (starts_entry) {
      const auto end = line.find(' ', 2);
      inside = line.substr(2, end == std::string::npos ? std::string::npos : end - 2) == command;
    } else if (line.empty() || line.compare(0, 4, "    ") != 0) {
      inside = false;
    }
    if (inside) entries += line + "\n";
  }
  if (entries.empty()) return "";
  return "usage: abmctl [-c CONFIG] " + command + " ...\n\n" + entries +
         "\nOptions of every command: -c, --config FILE (default $ABMD_CONFIG, else /etc/abmd/abmd.json).\n"
         "abmctl --help lists every command.\n";
}

}  // namespace abm::cli
