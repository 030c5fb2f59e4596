// The business KPIs (docs/metrics.md#kpis): a pure function of the input rows, the settings and
// as_of, like the attribution models. Each theme lives in a file of its own (kpis_deals,
// kpis_pipeline, kpis_costs, kpis_funnel, kpis_retention, kpis_reputation, kpis_relationship).
#pragma once

#include <vector>

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"
#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

// Every figure of every period of kpiPeriods(as_of) and every segment. Which figures a period and
// segment get: all of them, but forecast_quarter and run_rate_quarter only in qtd, and ad_spend
// and cac only in `all`.
KpiTable computeKpis(const KpiInput& in, const MetricsSettings& s, int64_t as_of);

}  // namespace abm::metrics
