#include "metrics/kpis_funnel.hpp"

#include <algorithm>
#include <climits>

namespace abm::metrics {

namespace {

struct Step {
  Kpi kpi;
  Stage from, to;
};
constexpr Step kSteps[] = {
    {Kpi::ConvAwareToEngaged, Stage::Aware, Stage::Engaged},
    {Kpi::ConvEngagedToMqa, Stage::Engaged, Stage::Mqa},
    {Kpi::ConvMqaToOpportunity, Stage::Mqa, Stage::Opportunity},
    {Kpi::ConvOpportunityToCustomer, Stage::Opportunity, Stage::Customer},
    {Kpi::ConvTargetToCustomer, Stage::Target, Stage::Customer},
};

struct Counts {
  int64_t entered = 0, reached = 0;
};

}  // namespace

void funnelKpis(const KpiInput& in, KpiTable& table) {
  const auto& periods = table.periods();
  std::vector<KpiGrid<Counts>> counts(std::size(kSteps), table.grid<Counts>());
  // One account's entries at a time (they come grouped by account).
  std::vector<int64_t> first(periods.size());
  // One account's entries at a time (they come grouped by account).
  auto account = [&](const KpiStageEntry* begin, const KpiStageEntry* end) {
    for (size_t k = 0; k < std::size(kSteps); ++k) {
      std::fill(first.begin(), first.end(), INT64_MAX);
      int64_t last_reached = INT64_MIN;
      for (const auto* e = begin; e != end; ++e) {
        if (e->stage >= kSteps[k].to) last_reached = std::max(last_reached, e->entered);
        if (e->stage != kSteps[k].from) continue;
        for (size_t p = 0; p < periods.size(); ++p)
          if (periods[p].contains(e->entered)) first[p] = std::min(first[p], e->entered);
      }
      for (size_t p = 0; p < periods.size(); ++p) {
        if (first[p] == INT64_MAX) continue;
        for (size_t s : table.segments().of(begin->account)) {
          ++counts[k].at(s, p).entered;
          if (last_reached > first[p]) ++counts[k].at(s, p).reached;
        }
      }
    }
  };
  const auto& entries = in.stage_entries;
  for (size_t i = 0, j = 0; i < entries.size(); i = j) {
    for (j = i; j < entries.size() && entries[j].account == entries[i].account;) ++j;
    account(entries.data() + i, entries.data() + j);
  }
  for (size_t k = 0; k < std::size(kSteps); ++k)
    for (size_t p = 0; p < periods.size(); ++p)
      for (size_t s = 0; s < table.segments().size(); ++s) {
        const Counts& c = counts[k].at(s, p);
        table.set(kSteps[k].kpi, s, p, ratio(static_cast<double>(c.reached), static_cast<double>(c.entered)));
      }
}

}  // namespace abm::metrics
