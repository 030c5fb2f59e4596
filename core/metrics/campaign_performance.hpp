// The campaign table (docs/metrics.md#campaign-performance): per campaign and period, and per channel,
// what was spent, whom it reached and engaged, which pipeline it influenced and sourced, what the KPI
// model attributes to it, and what it returned. A pure computation: the loader
// (campaign_performance_store.hpp) feeds it rows read from the store, in a fixed order, so the same
// data gives the same doubles to the last bit.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/kpis_periods.hpp"
#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

constexpr size_t kChannelCount = 7;  // sdk::kChannels

// One touchpoint of an account. `campaign` 0: outside any campaign; `channel` and `activity` index
// sdk::kChannels and sdk::kActivities.
struct CampaignTouch {
  int64_t time = 0;
  int64_t campaign = 0;
  int channel = 0;
  int activity = 0;
};

struct CampaignOpportunity {
  int64_t created = 0;
  double amount = 0;  // a missing amount counts as 0
};

// One ad_spend row: a day (its first second, UTC) of one campaign (0: not known yet).
struct SpendDay {
  int64_t campaign = 0;
  int64_t day = 0;
  int64_t impressions = 0, clicks = 0;
  double cost = 0;
};

// One touch's share of a conversion under the KPI model. `at`: the opportunity's created_at for a
// pipeline conversion, its closed_at for a revenue one. `first_win`: the revenue conversion of the
// account's first won deal, which makes the account a new customer when `at` lies in the period.
struct CampaignCredit {
  bool revenue = false;
  int64_t at = 0;
  int64_t campaign = 0;
  int channel = 0;
  double credit = 0, value = 0;
  bool first_win = false;
};

// A won deal, to find each account's first (by closed_at, then opportunity_id).
struct WonDeal {
  int64_t account = 0, opportunity = 0, closed = 0;
};
// The opportunity ids of every account's first won deal, sorted.
std::vector<int64_t> firstWonDeals(std::vector<WonDeal> won);

struct CampaignPerformanceRow {
  std::string period;
  int64_t campaign_id = 0;        // 0: the channel's row (campaign_id NULL)
  std::optional<int> channel;     // sdk::kChannels; none for a campaign without a channel
  double spend = 0;
  int64_t impressions = 0, clicks = 0;
  std::optional<double> ctr, cpc, cpm;
  int64_t accounts_reached = 0, accounts_engaged = 0;
  double influenced_pipeline = 0, sourced_pipeline = 0, attributed_pipeline = 0, attributed_revenue = 0;
  std::optional<double> roas, roi, cac;
};

class CampaignPerformance {
 public:
  CampaignPerformance(int64_t as_of, int lookback_days, std::vector<OtherCost> other_costs);

  // A campaign's channel (-1: it has none); spend of campaigns not known here counts as ads.
  void addCampaign(int64_t campaign, int channel);
  // One account's touchpoints, sorted by time (then id), and its opportunities.
  void addAccount(const std::vector<CampaignTouch>& touches, const std::vector<CampaignOpportunity>& opportunities);
  void addSpend(const SpendDay& day);
  void addCredit(const CampaignCredit& credit);

  // A row for every campaign and channel with anything in a period: periods in campaignPeriods()
  // order, in each the campaigns by id, then the channels in sdk::kChannels order.
  std::vector<CampaignPerformanceRow> rows() const;

  const std::vector<KpiPeriod>& periods() const { return periods_; }

 private:
  struct Sums {
    bool seen = false;
    double spend = 0, other_costs = 0;
    int64_t impressions = 0, clicks = 0, reached = 0, engaged = 0;
    double influenced = 0, sourced = 0, attributed_pipeline = 0, attributed_revenue = 0, new_customer_credit = 0;
  };
  struct PeriodSums {
    std::map<int64_t, Sums> campaigns;
    std::array<Sums, kChannelCount> channels{};
  };
  CampaignPerformanceRow row(const std::string& period, int64_t campaign, std::optional<int> channel,
                             const Sums& s, bool with_costs) const;

  std::vector<KpiPeriod> periods_;
  int64_t lookback_seconds_;
  std::map<int64_t, int> campaign_channel_;
  std::vector<PeriodSums> sums_;  // one per period
};

}  // namespace abm::metrics
