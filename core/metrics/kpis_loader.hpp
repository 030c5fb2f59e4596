// Reads what the KPIs are computed from out of the store (docs/metrics.md#kpis): nothing after
// as_of, the opportunities by id so that every sum is taken in the same order on every backend.
#pragma once

#include <cstdint>

#include "common/status.hpp"
#include "metrics/kpis_input.hpp"
#include "store/database.hpp"

namespace abm::metrics {

// Every input but saved_segments, which the segments feature evaluates. Targets and tiers come from
// the view account_targeting; the stage entries from account_stage_history, so the journey of this
// run must be written (and flushed) first.
Result<KpiInput> loadKpiInput(store::Database& db, int64_t as_of);

}  // namespace abm::metrics
