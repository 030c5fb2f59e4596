// Reputation KPIs from survey answers (docs/metrics.md#kpis): survey_responses, and nps = 100 ×
// (promoters, scores 9-10, − detractors, scores 0-6) ÷ responses, by responded_at.
#pragma once

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

void reputationKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
