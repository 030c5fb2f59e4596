// The endpoints that ask the running daemon to act rather than read the store: start a connector's
// run now, and forget its checkpoints. They answer once the scheduler has (from any thread).
#pragma once

#include <string>

#include "api/endpoint.hpp"
#include "http/http_types.hpp"

namespace abm::api {

// The 503 a stopping daemon answers with, Retry-After included.
http::Response shuttingDown();

// POST /api/v1/connectors/{name}/sync: no body, {} or {"full_refresh": true|false}.
void startSync(const Call& call, const std::string& body, http::Respond respond);

// DELETE /api/v1/connectors/{name}/state[?stream=S].
void resetConnectorState(const Call& call, http::Respond respond);

// Their query parameters.
std::vector<ParamSpec> stateResetParams();

}  // namespace abm::api
