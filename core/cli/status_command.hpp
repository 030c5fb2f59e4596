// `abmctl status`: every connector's last run, last success, last error and next run, a daemon's
// "config invalid, running previous", the push sources' counts, the instances sharing the store with
// their leases, and the metrics cycle in progress; as text or (--format json) one JSON document.
#pragma once

#include "bootstrap/setup.hpp"

namespace abm::cli {

int cmdStatus(const bootstrap::Setup& s, bool as_json);

}  // namespace abm::cli
