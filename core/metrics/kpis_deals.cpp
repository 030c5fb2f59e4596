#include "metrics/kpis_deals.hpp"

#include <algorithm>

namespace abm::metrics {

namespace {

struct Deals {
  int64_t created = 0, won = 0, lost = 0, sized = 0, new_customers = 0;
  double pipeline = 0, revenue = 0, sized_revenue = 0;
  std::vector<double> cycle_days;  // of every won deal, in opportunity order
};

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::unordered_map<int64_t, int64_t> firstWonAt(const std::vector<KpiOpportunity>& opportunities) {
  std::unordered_map<int64_t, int64_t> first;
  for (const auto& o : opportunities) {
    if (!o.won || !o.closed_at || o.account == 0) continue;
    auto [it, added] = first.emplace(o.account, *o.closed_at);
    if (!added) it->second = std::min(it->second, *o.closed_at);
  }
  return first;
}

void dealKpis(const KpiInput& in, KpiTable& table) {
  auto deals = table.grid<Deals>();
  for (const auto& o : in.opportunities) {
    table.forEachCell(o.account, o.created, [&](size_t s, size_t p) {
      Deals& d = deals.at(s, p);
      ++d.created;
      d.pipeline += o.amount.value_or(0);
    });
    if (!o.closed_at) continue;
    table.forEachCell(o.account, *o.closed_at, [&](size_t s, size_t p) {
      Deals& d = deals.at(s, p);
      if (!o.won) {
        ++d.lost;
        return;
      }
      ++d.won;
      d.revenue += o.amount.value_or(0);
      if (o.amount) {
        ++d.sized;
        d.sized_revenue += *o.amount;
      }
      d.cycle_days.push_back(static_cast<double>(*o.closed_at - o.created) / 86400.0);
    });
  }
  for (const auto& [account, at] : firstWonAt(in.opportunities))
    table.forEachCell(account, at, [&](size_t s, size_t p) { ++deals.at(s, p).new_customers; });

  for (size_t p = 0; p < table.periods().size(); ++p)
    for (size_t s = 0; s < table.segments().size(); ++s) {
      const Deals& d = deals.at(s, p);
      double cycle_sum = 0;
      for (double days : d.cycle_days) cycle_sum += days;
      table.set(Kpi::OpportunitiesCreated, s, p, static_cast<double>(d.created));
      table.set(Kpi::PipelineCreated, s, p, d.pipeline);
      table.set(Kpi::WonDeals, s, p, static_cast<double>(d.won));
      table.set(Kpi::WonRevenue, s, p, d.revenue);
      table.set(Kpi::LostDeals, s, p, static_cast<double>(d.lost));
      table.set(Kpi::WinRate, s, p, ratio(static_cast<double>(d.won), static_cast<double>(d.won + d.lost)));
      table.set(Kpi::AvgDealSize, s, p, ratio(d.sized_revenue, static_cast<double>(d.sized)));
      table.set(Kpi::SalesCycleDaysMean, s, p, ratio(cycle_sum, static_cast<double>(d.cycle_days.size())));
      table.set(Kpi::SalesCycleDaysMedian, s, p, median(d.cycle_days));
      table.set(Kpi::NewCustomers, s, p, static_cast<double>(d.new_customers));
    }
}

}  // namespace abm::metrics
