#include "metrics/kpis_table.hpp"

namespace abm::metrics {

KpiTable::KpiTable(std::vector<KpiPeriod> periods, KpiSegments segments)
    : periods_(std::move(periods)),
      segments_(std::move(segments)),
      cells_(periods_.size() * segments_.size() * kKpiCount) {}

KpiTable::Cell& KpiTable::cell(Kpi k, size_t segment, size_t period) {
  return cells_[(period * segments_.size() + segment) * kKpiCount + static_cast<size_t>(k)];
}

const KpiTable::Cell& KpiTable::cell(Kpi k, size_t segment, size_t period) const {
  return cells_[(period * segments_.size() + segment) * kKpiCount + static_cast<size_t>(k)];
}

void KpiTable::set(Kpi k, size_t segment, size_t period, std::optional<double> v) {
  cell(k, segment, period) = {true, v};
}

void KpiTable::setAll(Kpi k, const KpiGrid<std::optional<double>>& figures) {
  for (size_t p = 0; p < periods_.size(); ++p)
    for (size_t s = 0; s < segments_.size(); ++s) set(k, s, p, figures.at(s, p));
}

bool KpiTable::has(Kpi k, size_t segment, size_t period) const { return cell(k, segment, period).set; }

std::optional<double> KpiTable::get(Kpi k, size_t segment, size_t period) const {
  return cell(k, segment, period).value;
}

std::vector<KpiRow> KpiTable::rows() const {
  std::vector<KpiRow> out;
  for (size_t p = 0; p < periods_.size(); ++p)
    for (size_t s = 0; s < segments_.size(); ++s)
      for (size_t k = 0; k < kKpiCount; ++k) {
        const Cell& c = cell(static_cast<Kpi>(k), s, p);
        if (!c.set) continue;
        out.push_back({periods_[p].name, periods_[p].start, periods_[p].end, segments_.names()[s], kKpiNames[k], c.value});
      }
  return out;
}

}  // namespace abm::metrics
