#include "metrics/kpis_retention.hpp"

#include "metrics/kpis_deals.hpp"

namespace abm::metrics {

void retentionKpis(const KpiInput& in, KpiTable& table) {
  struct Amounts {
    double won_renewal = 0, lost_renewal = 0, won_expansion = 0;
  };
  auto sums = table.grid<Amounts>();
  const auto first_won = firstWonAt(in.opportunities);
  for (const auto& o : in.opportunities) {
    if (!o.closed_at || (o.type != "renewal" && o.type != "expansion")) continue;
    const auto customer = first_won.find(o.account);
    if (customer == first_won.end()) continue;
    const double amount = o.amount.value_or(0);
    table.forEachCell(o.account, *o.closed_at, [&](size_t s, size_t p) {
      if (customer->second >= table.periods()[p].start) return;  // not a customer before the period
      Amounts& a = sums.at(s, p);
      if (o.type == "expansion") a.won_expansion += o.won ? amount : 0;
      else if (o.won) a.won_renewal += amount;
      else a.lost_renewal += amount;
    });
  }
  for (size_t p = 0; p < table.periods().size(); ++p)
    for (size_t s = 0; s < table.segments().size(); ++s) {
      const Amounts& a = sums.at(s, p);
      table.set(Kpi::Grr, s, p, ratio(a.won_renewal, a.won_renewal + a.lost_renewal));
      table.set(Kpi::Nrr, s, p, ratio(a.won_renewal + a.won_expansion, a.won_renewal + a.lost_renewal));
    }
}

}  // namespace abm::metrics
