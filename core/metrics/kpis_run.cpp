#include "metrics/kpis_run.hpp"

#include "metrics/kpis.hpp"
#include "metrics/kpis_loader.hpp"
#include "metrics/kpis_writer.hpp"

namespace abm::metrics {

Status runKpis(store::Database& db, const MetricsSettings& s, int64_t as_of) {
  auto in = loadKpiInput(db, as_of);
  if (!in) return in.status();
  return writeKpis(db, computeKpis(*in, s, as_of).rows(), as_of);
}

}  // namespace abm::metrics
