#include "metrics/kpis_funnel.hpp"

#include <algorithm>
#include <climits>

namespace abm::metrics {

FunnelCounter::FunnelCounter(std::vector<KpiPeriod> periods, std::vector<int64_t> target_accounts)
    : periods_(std::move(periods)), target_accounts_(std::move(target_accounts)) {}

void FunnelCounter::add(const KpiStageEntry& e) {
  if (!account_.empty() && e.account != account_.front().account) {
    out_of_order_ = out_of_order_ || e.account < account_.front().account;
    finishAccount();
  }
  account_.push_back(e);
}

void FunnelCounter::finishAccount() {
  if (account_.empty()) return;
  KpiFunnelAccount row;
  row.account = account_.front().account;
  if (std::binary_search(target_accounts_.begin(), target_accounts_.end(), row.account)) {
    const auto start = std::min_element(account_.begin(), account_.end(),
                                        [](const auto& a, const auto& b) { return a.entered < b.entered; })->entered;
    account_.push_back({row.account, Stage::Target, start});
  }
  std::vector<int64_t> first(periods_.size());
  for (size_t k = 0; k < kFunnelStepCount; ++k) {
    std::fill(first.begin(), first.end(), INT64_MAX);
    int64_t last_reached = INT64_MIN;
    for (const auto& e : account_) {
      if (e.stage >= kFunnelSteps[k].to) last_reached = std::max(last_reached, e.entered);
      if (e.stage != kFunnelSteps[k].from) continue;
      for (size_t p = 0; p < periods_.size(); ++p)
        if (periods_[p].contains(e.entered)) first[p] = std::min(first[p], e.entered);
    }
    for (size_t p = 0; p < periods_.size(); ++p) {
      if (first[p] == INT64_MAX) continue;
      row.entered[k] |= uint32_t{1} << p;
      if (last_reached > first[p]) row.reached[k] |= uint32_t{1} << p;
    }
  }
  out_.push_back(row);
  account_.clear();
}

Result<std::vector<KpiFunnelAccount>> FunnelCounter::result() {
  finishAccount();
  if (out_of_order_) return Status::error("stage entries for the KPIs must come in account order");
  return std::move(out_);
}

void funnelKpis(const KpiInput& in, KpiTable& table) {
  struct Counts {
    int64_t entered = 0, reached = 0;
  };
  const size_t periods = table.periods().size();
  std::vector<KpiGrid<Counts>> counts(kFunnelStepCount, table.grid<Counts>());
  for (const auto& a : in.funnel)
    for (size_t k = 0; k < kFunnelStepCount; ++k)
      for (size_t p = 0; p < periods; ++p) {
        if (!(a.entered[k] >> p & 1)) continue;
        for (size_t s : table.segments().of(a.account)) {
          ++counts[k].at(s, p).entered;
          if (a.reached[k] >> p & 1) ++counts[k].at(s, p).reached;
        }
      }
  for (size_t k = 0; k < kFunnelStepCount; ++k)
    for (size_t p = 0; p < periods; ++p)
      for (size_t s = 0; s < table.segments().size(); ++s) {
        const Counts& c = counts[k].at(s, p);
        table.set(kFunnelSteps[k].kpi, s, p, ratio(static_cast<double>(c.reached), static_cast<double>(c.entered)));
      }
}

}  // namespace abm::metrics
