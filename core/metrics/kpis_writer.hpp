// Writes the KPI figures of a run to the kpis table, replacing the previous run's (docs/metrics.md#kpis).
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.hpp"
#include "metrics/kpis_table.hpp"
#include "store/database.hpp"

namespace abm::metrics {

// The caller holds the write transaction: readers see the old figures or the new, never a mix.
Status writeKpis(store::Database& db, const std::vector<KpiRow>& rows, int64_t as_of);

}  // namespace abm::metrics
