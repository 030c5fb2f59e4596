// The KPI step of a metrics run: load the inputs, compute the figures, replace the kpis table.
#pragma once

#include <cstdint>

#include "common/status.hpp"
#include "metrics/metrics_settings.hpp"
#include "store/database.hpp"

namespace abm::metrics {

// Runs in the transaction that writes the run's global results, after the journey is written.
Status runKpis(store::Database& db, const MetricsSettings& s, int64_t as_of);

}  // namespace abm::metrics
