// The campaign table from the store and back: streams what CampaignPerformance needs, in an order
// both backends give alike, and replaces the campaign_performance rows. Runs in the metrics stage's
// roll-up (MetricsOutput::rollUp), inside the transaction that writes the cycle's global results.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.hpp"
#include "metrics/campaign_performance.hpp"
#include "metrics/metrics_settings.hpp"
#include "store/database.hpp"

namespace abm::metrics {

// The campaign table as of `as_of`, from the store as this connection sees it; credits come from
// the kept attribution rows of `settings.kpi_model`, so call it after they are written.
Result<std::vector<CampaignPerformanceRow>> computeCampaignPerformance(store::Database& db,
                                                                       const MetricsSettings& settings, int64_t as_of);

// Computes the table and replaces campaign_performance with it; the caller holds a write transaction.
Status writeCampaignPerformance(store::Database& db, const MetricsSettings& settings, int64_t as_of);

}  // namespace abm::metrics
