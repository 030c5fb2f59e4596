#include "metrics/kpis_run.hpp"

#include "metrics/kpis.hpp"
#include "metrics/kpis_loader.hpp"
#include "metrics/kpis_writer.hpp"
#include "segments/segment_members.hpp"

namespace abm::metrics {

Status runKpis(store::Database& db, const MetricsSettings& s, int64_t as_of) {
  auto in = loadKpiInput(db, as_of);
  if (!in) return in.status();
  // Saved segments are evaluated in this transaction, on the stages and scores just written.
  auto saved = segments::savedSegmentMembers(db, as_of);
  if (!saved) return Status::error("KPIs: " + saved.status().message());
  for (auto& m : *saved) in->saved_segments.push_back({m.name, std::move(m.account_ids)});
  return writeKpis(db, computeKpis(*in, s, as_of).rows(), as_of);
}

}  // namespace abm::metrics
