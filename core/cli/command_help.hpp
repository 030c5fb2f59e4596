// `abmctl COMMAND --help`: the lines of the full usage text that describe COMMAND, so the per-command
// help and `abmctl --help` (and the man page made from it) never say different things.
#pragma once

#include <string>

namespace abm::cli {

// The entries of `usage` ("  sync NAME [--full-refresh]  run one sync ...", with their continuation
// lines) whose first word is `command`, under "usage: abmctl [-c CONFIG] ..."; "" when none.
std::string commandHelp(const std::string& usage, const std::string& command);

}  // namespace abm::cli
