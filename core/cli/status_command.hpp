// `abmctl status`: every connector's last run, last success, last error and next run, a daemon's
// "config invalid, running previous", the push sources' counts, the instances sharing the store with
// their leases, and the metrics cycle in progress; as text or (--format json) one JSON document.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>

#include "bootstrap/setup.hpp"
#include "store/run_log.hpp"

namespace abm::cli {

int cmdStatus(const bootstrap::Setup& s, bool as_json);
// One run as `status` and `runs --format json` show it; null for none.
nlohmann::json runJson(const std::optional<store::RunRecord>& r);

}  // namespace abm::cli
