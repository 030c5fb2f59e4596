// The worker process side of the plugin boundary: implements the abm_host callbacks by writing
// protocol messages to the daemon's pipe, and runs one command (describe, check, discover, read).
#pragma once

#include <string>

namespace abm::worker {

// Exit codes of abmd-worker, read by the daemon when the message stream ends.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;       // permanent failure; the reason was sent as a TRACE
constexpr int kExitUsage = 2;
constexpr int kExitRetry = 75;      // transient failure (EX_TEMPFAIL)
constexpr int kExitStopped = 76;    // stopped on request at a checkpoint

// Runs the worker: `mode` is "describe" (no stdin) or "run" (a job JSON on stdin:
// {"command": "check"|"discover"|"read", "settings": {...}, "state": {stream: state},
//  "streams": [names] or null}). Messages go to `out_fd`. Returns the process exit code.
int runWorker(const std::string& mode, const std::string& plugin_path, int out_fd);

}  // namespace abm::worker
