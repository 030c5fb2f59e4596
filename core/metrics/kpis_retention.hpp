// Retention KPIs (docs/metrics.md#kpis), over the accounts that were customers (a won opportunity
// closed) before the period starts: grr = won renewal amount ÷ (won + lost renewal amount) closed in
// the period; nrr = (won renewal + won expansion amount) ÷ the same denominator.
#pragma once

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

void retentionKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
