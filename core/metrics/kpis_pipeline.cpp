#include "metrics/kpis_pipeline.hpp"

namespace abm::metrics {

std::optional<double> winProbability(const KpiOpportunity& o, const MetricsSettings& s) {
  if (o.probability) return o.probability;
  if (const auto it = s.stage_probabilities.find(o.stage); it != s.stage_probabilities.end()) return it->second;
  return std::nullopt;
}

bool openAt(const KpiOpportunity& o, int64_t t) { return o.created < t && !(o.closed_at && *o.closed_at < t); }

void pipelineKpis(const KpiInput& in, const MetricsSettings& s, KpiTable& table) {
  struct Open {
    int64_t count = 0;
    double weighted = 0;
  };
  auto open = table.grid<Open>();
  const auto& periods = table.periods();
  for (const auto& o : in.opportunities) {
    const std::optional<double> probability = winProbability(o, s);
    for (size_t p = 0; p < periods.size(); ++p) {
      if (!openAt(o, periods[p].end)) continue;
      for (size_t seg : table.segments().of(o.account)) {
        Open& c = open.at(seg, p);
        ++c.count;
        if (probability && o.amount) c.weighted += *o.amount * *probability;
      }
    }
  }
  for (size_t p = 0; p < periods.size(); ++p)
    for (size_t seg = 0; seg < table.segments().size(); ++seg) {
      table.set(Kpi::WeightedPipeline, seg, p, open.at(seg, p).weighted);
      const auto win_rate = table.get(Kpi::WinRate, seg, p);
      const auto deal_size = table.get(Kpi::AvgDealSize, seg, p);
      const auto cycle = table.get(Kpi::SalesCycleDaysMean, seg, p);
      std::optional<double> velocity;
      if (win_rate && deal_size && cycle)
        velocity = ratio(static_cast<double>(open.at(seg, p).count) * *win_rate * *deal_size, *cycle);
      table.set(Kpi::PipelineVelocity, seg, p, velocity);
    }
}

void forecastKpis(const KpiInput& in, const MetricsSettings& s, int64_t as_of, KpiTable& table) {
  const size_t qtd = qtdIndex(table.periods());
  const int64_t quarter_start = table.periods()[qtd].start, quarter_end = quarterEnd(as_of);
  std::vector<double> expected(table.segments().size(), 0.0);
  for (const auto& o : in.opportunities) {
    if (!openAt(o, as_of) || !o.expected_close || *o.expected_close >= quarter_end || !o.amount) continue;
    if (const auto probability = winProbability(o, s))
      for (size_t seg : table.segments().of(o.account)) expected[seg] += *o.amount * *probability;
  }
  for (size_t seg = 0; seg < table.segments().size(); ++seg) {
    const double won = table.get(Kpi::WonRevenue, seg, qtd).value_or(0);
    table.set(Kpi::ForecastQuarter, seg, qtd, won + expected[seg]);
    table.set(Kpi::RunRateQuarter, seg, qtd,
              ratio(won * static_cast<double>(quarter_end - quarter_start), static_cast<double>(as_of - quarter_start)));
  }
}

}  // namespace abm::metrics
