#include "cli/abmctl.hpp"

#include <csignal>

int main(int argc, char** argv) {
  // Workers are started from here too: EPIPE from a dead worker is reported, not fatal (see abmd).
  std::signal(SIGPIPE, SIG_IGN);
  return abm::cli::runAbmctl(argc, argv);
}
