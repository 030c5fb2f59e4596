#include "metrics/kpis.hpp"

#include "metrics/kpis_costs.hpp"
#include "metrics/kpis_deals.hpp"
#include "metrics/kpis_funnel.hpp"
#include "metrics/kpis_pipeline.hpp"
#include "metrics/kpis_relationship.hpp"
#include "metrics/kpis_reputation.hpp"
#include "metrics/kpis_retention.hpp"

namespace abm::metrics {

KpiTable computeKpis(const KpiInput& in, const MetricsSettings& s, int64_t as_of) {
  KpiTable table(kpiPeriods(as_of), KpiSegments(in.accounts, in.saved_segments));
  dealKpis(in, table);  // first: pipeline, forecast and costs read its figures
  pipelineKpis(in, s, table);
  forecastKpis(in, s, as_of, table);
  costKpis(in, s, table);
  funnelKpis(in, table);
  retentionKpis(in, table);
  reputationKpis(in, table);
  relationshipKpis(in, table);
  return table;
}

}  // namespace abm::metrics
