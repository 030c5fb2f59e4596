// Funnel conversion KPIs from the journey (docs/metrics.md#kpis): conv_aware_to_engaged,
// conv_engaged_to_mqa, conv_mqa_to_opportunity, conv_opportunity_to_customer, conv_target_to_customer.
// Of the accounts that entered the first stage in the period, the share that entered the second
// stage, or one further along, after that entry and by as_of.
#pragma once

#include <vector>

#include "common/status.hpp"
#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

struct FunnelStep {
  Kpi kpi;
  Stage from, to;
};
constexpr FunnelStep kFunnelSteps[kFunnelStepCount] = {
    {Kpi::ConvAwareToEngaged, Stage::Aware, Stage::Engaged},
    {Kpi::ConvEngagedToMqa, Stage::Engaged, Stage::Mqa},
    {Kpi::ConvMqaToOpportunity, Stage::Mqa, Stage::Opportunity},
    {Kpi::ConvOpportunityToCustomer, Stage::Opportunity, Stage::Customer},
    {Kpi::ConvTargetToCustomer, Stage::Target, Stage::Customer},
};

// Reduces stage entries, streamed in ascending account order, to one KpiFunnelAccount per account.
// A target account starts its history in "target", as in journey_funnel, even when the replay left
// no row for it (its first event came at the very start of its history and moved it on at once).
class FunnelCounter {
 public:
  // `target_accounts`: the ids of the target accounts, ascending.
  explicit FunnelCounter(std::vector<KpiPeriod> periods, std::vector<int64_t> target_accounts = {});
  void add(const KpiStageEntry& e);
  // Every account's row, by account; an error if the entries were not in account order.
  Result<std::vector<KpiFunnelAccount>> result();

 private:
  void finishAccount();

  std::vector<KpiPeriod> periods_;
  std::vector<int64_t> target_accounts_;
  std::vector<KpiStageEntry> account_;  // the current account's entries
  std::vector<KpiFunnelAccount> out_;
  bool out_of_order_ = false;
};

void funnelKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
