// Open pipeline KPIs (docs/metrics.md#kpis): weighted_pipeline and pipeline_velocity at the end of
// each period, and forecast_quarter and run_rate_quarter for qtd. Runs after dealKpis, whose win
// rate, deal size and cycle it reads.
#pragma once

#include <optional>

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"
#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

// The deal's probability: its source's, else metrics.stage_probabilities by its stage, else none.
std::optional<double> winProbability(const KpiOpportunity& o, const MetricsSettings& s);

// Open at t: created before t and not closed before it.
bool openAt(const KpiOpportunity& o, int64_t t);

void pipelineKpis(const KpiInput& in, const MetricsSettings& s, KpiTable& table);

void forecastKpis(const KpiInput& in, const MetricsSettings& s, int64_t as_of, KpiTable& table);

}  // namespace abm::metrics
