// Cost KPIs, for segment `all` only (costs belong to no account; docs/metrics.md#kpis): ad_spend and
// cac. Runs after dealKpis, whose new_customers it divides by.
#pragma once

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"
#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

// The part of an other cost that falls in [start, end): its amount spread evenly over its days,
// a day counting where its first instant (UTC midnight) lies.
double costIn(const OtherCost& c, int64_t start, int64_t end);

void costKpis(const KpiInput& in, const MetricsSettings& s, KpiTable& table);

}  // namespace abm::metrics
