// The worker process side of the plugin boundary: implements the abm_host callbacks by writing
// protocol messages to the daemon's pipe, and runs one command (describe, check, discover, read).
#pragma once

#include <string>

#include "wire/protocol.hpp"

namespace abm::plugin_runtime {

// Runs the worker: `mode` is "describe" (no stdin) or "run" (a job JSON on stdin:
// {"command": "check"|"discover"|"read", "settings": {...}, "state": {stream: state},
//  "streams": [names] or null}). Messages go to `out_fd`. Returns the process exit code.
int runWorker(const std::string& mode, const std::string& plugin_path, int out_fd);

}  // namespace abm::plugin_runtime
