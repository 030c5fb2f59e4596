#include "metrics/kpis_reputation.hpp"

namespace abm::metrics {

void reputationKpis(const KpiInput& in, KpiTable& table) {
  struct Answers {
    int64_t responses = 0, promoters = 0, detractors = 0;
  };
  auto answers = table.grid<Answers>();
  for (const auto& r : in.surveys)
    table.forEachCell(r.account, r.responded, [&](size_t s, size_t p) {
      Answers& a = answers.at(s, p);
      ++a.responses;
      if (r.score >= 9) ++a.promoters;
      else if (r.score <= 6) ++a.detractors;
    });
  for (size_t p = 0; p < table.periods().size(); ++p)
    for (size_t s = 0; s < table.segments().size(); ++s) {
      const Answers& a = answers.at(s, p);
      table.set(Kpi::Nps, s, p, ratio(100.0 * static_cast<double>(a.promoters - a.detractors), static_cast<double>(a.responses)));
      table.set(Kpi::SurveyResponses, s, p, static_cast<double>(a.responses));
    }
}

}  // namespace abm::metrics
