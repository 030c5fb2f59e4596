// abmd-worker: runs one plugin command in its own process so a crashing, hanging or leaking
// plugin only ever takes this process down. Started by abmd and abmctl, never by hand.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "plugin_runtime/worker_host.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "describe") != 0 && std::strcmp(argv[1], "run") != 0)) {
    std::fprintf(stderr, "usage: abmd-worker describe|run PLUGIN.so  (started by abmd; job JSON on stdin)\n");
    return abm::wire::kExitUsage;
  }
  // Protocol messages get a private copy of stdout; the plugin's own prints go to stderr, where the
  // daemon logs them, so they can never corrupt the message stream.
  const int out_fd = ::dup(STDOUT_FILENO);
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  return abm::plugin_runtime::runWorker(argv[1], argv[2], out_fd);
}
