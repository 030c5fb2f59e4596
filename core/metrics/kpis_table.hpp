// The figures of one KPI run, one cell per (metric, segment, period), and what the themes that fill
// it share (docs/metrics.md#kpis).
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/kpis_periods.hpp"
#include "metrics/kpis_segments.hpp"

namespace abm::metrics {

enum class Kpi {
  OpportunitiesCreated, PipelineCreated, WonDeals, WonRevenue, LostDeals, WinRate, AvgDealSize,
  SalesCycleDaysMean, SalesCycleDaysMedian, NewCustomers, WeightedPipeline, PipelineVelocity,
  ForecastQuarter, RunRateQuarter, AdSpend, Cac,
  ConvAwareToEngaged, ConvEngagedToMqa, ConvMqaToOpportunity, ConvOpportunityToCustomer, ConvTargetToCustomer,
  Grr, Nrr, Nps, SurveyResponses, CommitteeCoverage, EngagedContacts,
};
constexpr std::string_view kKpiNames[] = {
    "opportunities_created", "pipeline_created", "won_deals", "won_revenue", "lost_deals", "win_rate",
    "avg_deal_size", "sales_cycle_days_mean", "sales_cycle_days_median", "new_customers", "weighted_pipeline",
    "pipeline_velocity", "forecast_quarter", "run_rate_quarter", "ad_spend", "cac",
    "conv_aware_to_engaged", "conv_engaged_to_mqa", "conv_mqa_to_opportunity", "conv_opportunity_to_customer",
    "conv_target_to_customer", "grr", "nrr", "nps", "survey_responses", "committee_coverage", "engaged_contacts"};
constexpr size_t kKpiCount = std::size(kKpiNames);

// One row of the kpis table; value nullopt is NULL.
struct KpiRow {
  std::string period;
  int64_t start = 0, end = 0;
  std::string segment;
  std::string_view metric;
  std::optional<double> value;
};

// num ÷ den, or NULL when the denominator is zero (never NaN, never 0).
inline std::optional<double> ratio(double num, double den) {
  if (den == 0) return std::nullopt;
  return num / den;
}

// One accumulator of type T per (segment, period).
template <typename T>
class KpiGrid {
 public:
  KpiGrid(size_t segments, size_t periods) : periods_(periods), cells_(segments * periods) {}
  T& at(size_t segment, size_t period) { return cells_[segment * periods_ + period]; }
  const T& at(size_t segment, size_t period) const { return cells_[segment * periods_ + period]; }

 private:
  size_t periods_;
  std::vector<T> cells_;
};

class KpiTable {
 public:
  KpiTable(std::vector<KpiPeriod> periods, KpiSegments segments);

  const std::vector<KpiPeriod>& periods() const { return periods_; }
  const KpiSegments& segments() const { return segments_; }
  template <typename T>
  KpiGrid<T> grid() const {
    return KpiGrid<T>(segments_.size(), periods_.size());
  }

  // Calls f(segment, period) for every segment of `account` and every period that contains t.
  template <typename F>
  void forEachCell(int64_t account, int64_t t, F&& f) const {
    for (size_t p = 0; p < periods_.size(); ++p)
      if (periods_[p].contains(t))
        for (size_t s : segments_.of(account)) f(s, p);
  }

  void set(Kpi k, size_t segment, size_t period, std::optional<double> v);
  // Sets every (segment, period) cell of k from a grid of figures.
  void setAll(Kpi k, const KpiGrid<std::optional<double>>& figures);
  bool has(Kpi k, size_t segment, size_t period) const;
  // nullopt both for NULL and for a figure never set (has() tells them apart).
  std::optional<double> get(Kpi k, size_t segment, size_t period) const;

  // Every figure set, by period, then segment, then metric (the order of Kpi).
  std::vector<KpiRow> rows() const;

 private:
  struct Cell {
    bool set = false;
    std::optional<double> value;
  };
  Cell& cell(Kpi k, size_t segment, size_t period);
  const Cell& cell(Kpi k, size_t segment, size_t period) const;

  std::vector<KpiPeriod> periods_;
  KpiSegments segments_;
  std::vector<Cell> cells_;  // [period][segment][metric]
};

}  // namespace abm::metrics
