#include "metrics/kpis_writer.hpp"

#include "common/timestamp.hpp"
#include "store/bulk_insert.hpp"

namespace abm::metrics {

Status writeKpis(store::Database& db, const std::vector<KpiRow>& rows, int64_t as_of) {
  if (auto s = db.exec("DELETE FROM kpis"); !s) return s;
  store::BulkInsert out(db, "kpis", {"as_of", "period", "period_start", "period_end", "segment", "metric", "value"});
  if (auto s = out.prepare(); !s) return s;
  const std::string as_of_text = formatTimestamp(as_of);
  for (const auto& r : rows) {
    out.add(std::string_view(as_of_text)).add(std::string_view(r.period)).add(formatTimestamp(r.start));
    out.add(formatTimestamp(r.end)).add(std::string_view(r.segment)).addStatic(r.metric);
    if (r.value) out.add(*r.value);
    else out.addNull();
    if (auto s = out.endRow(); !s) return s;
  }
  return out.flush();
}

}  // namespace abm::metrics
