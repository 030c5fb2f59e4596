// Deal KPIs (docs/metrics.md#kpis): opportunities_created, pipeline_created, won_deals, won_revenue,
// lost_deals, win_rate, avg_deal_size, sales_cycle_days_mean, sales_cycle_days_median, new_customers.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

void dealKpis(const KpiInput& in, KpiTable& table);

// When each account's first won opportunity (any type) closed: account -> time.
std::unordered_map<int64_t, int64_t> firstWonAt(const std::vector<KpiOpportunity>& opportunities);

}  // namespace abm::metrics
