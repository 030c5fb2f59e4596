// Funnel conversion KPIs from the journey (docs/metrics.md#kpis): conv_aware_to_engaged,
// conv_engaged_to_mqa, conv_mqa_to_opportunity, conv_opportunity_to_customer, conv_target_to_customer.
// Of the accounts that entered the first stage in the period, the share that entered the second
// stage, or one further along, after that entry and by as_of.
#pragma once

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

void funnelKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
