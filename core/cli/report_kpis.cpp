// executive and funnel: KPI rows by segment side by side.
#include <map>
#include <utility>

#include "cli/report_views.hpp"

namespace abm::cli {

namespace {

using Row = store::Step;

Status readFailed(const char* table, const Status& s) {
  return Status::error(std::string("cannot read ") + table + " for the report: " + s.message());
}

// The first column of every row of `sql`, joined for an error message ("last_90d, 2026-05").
Result<std::string> known(store::Database& db, const std::string& sql) {
  auto q = db.prepare(sql);
  if (!q) return q.status();
  std::string list;
  while (q->step() == Row::Row) list += (list.empty() ? "" : ", ") + q->columnText(0);
  if (auto s = q->status(); !s) return s;
  return list;
}

// kpis rows of the request's period (and the quarter's, which the forecast lives in) by segment.
struct KpiFigures {
  std::map<std::pair<std::string, std::string>, std::optional<double>> values;  // (segment, metric)
  std::string as_of, start, end;
  bool table_empty = true;

  std::optional<double> get(const std::string& segment, const std::string& metric) const {
    auto it = values.find({segment, metric});
    return it == values.end() ? std::nullopt : it->second;
  }
};

Result<KpiFigures> readKpis(store::Database& db, const ReportRequest& r) {
  KpiFigures f;
  auto any = db.prepare("SELECT count(*) FROM kpis");
  if (!any) return any.status();
  if (any->step() == Row::Row) f.table_empty = any->columnInt(0) == 0;
  if (auto s = any->status(); !s) return readFailed("kpis", s);
  if (f.table_empty) return f;
  auto q = db.prepare("SELECT period, segment, metric, value, as_of, period_start, period_end FROM kpis"
                      " WHERE period = ?1 OR (period = 'qtd' AND metric = 'forecast_quarter')");
  if (!q) return q.status();
  q->bind(1, r.period);
  bool period_found = false;
  while (q->step() == Row::Row) {
    const bool in_period = q->columnView(0) == r.period;
    if (in_period && !period_found) {
      period_found = true;
      f.as_of = q->columnText(4);
      f.start = q->columnText(5);
      f.end = q->columnText(6);
    }
    // The forecast is the quarter's whatever the period; the period's own rows win for qtd.
    const std::string metric = q->columnText(2);
    if (!in_period && metric != "forecast_quarter") continue;
    f.values[{q->columnText(1), metric}] =
        q->isNull(3) ? std::nullopt : std::optional<double>(q->columnDouble(3));
  }
  if (auto s = q->status(); !s) return readFailed("kpis", s);
  if (!period_found) {
    auto list = known(db, "SELECT DISTINCT period FROM kpis ORDER BY period");
    if (!list) return list.status();
    return Status::error("no KPIs for period '" + r.period + "'; the store has: " + *list);
  }
  return f;
}

// The columns a KPI report compares: target and non-target (or a segment and all) with the lift.
struct Comparison {
  std::vector<std::string> segments;  // the first two are compared
  std::vector<std::string> headers;
};

Result<Comparison> comparison(store::Database& db, const ReportRequest& r) {
  if (!r.segment) return Comparison{{"target", "non_target", "all"}, {"target", "non_target", "all", "lift"}};
  const std::string key = "segment:" + *r.segment;
  auto q = db.prepare("SELECT count(*) FROM kpis WHERE segment = ?1");
  if (!q) return q.status();
  q->bind(1, key);
  const bool has = q->step() == Row::Row && q->columnInt(0) > 0;
  if (auto s = q->status(); !s) return readFailed("kpis", s);
  if (!has) {
    auto list = known(db, "SELECT DISTINCT segment FROM kpis WHERE segment LIKE 'segment:%' ORDER BY segment");
    if (!list) return list.status();
    return Status::error("segment '" + *r.segment + "' has no KPIs (" +
                         (list->empty() ? std::string("no saved segment has any") : "segments with KPIs: " + *list) +
                         "); a segment saved since the last metrics run has its KPIs after the next");
  }
  return Comparison{{key, "all"}, {key, "all", "lift"}};
}

std::optional<double> lift(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b - 1;
}

std::vector<Cell> compared(const KpiFigures& f, const Comparison& c, const std::string& metric, CellKind kind) {
  std::vector<Cell> cells;
  for (const auto& s : c.segments) cells.push_back(Cell::of(kind, f.get(s, metric)));
  cells.push_back(Cell::of(CellKind::Lift, lift(f.get(c.segments[0], metric), f.get(c.segments[1], metric))));
  return cells;
}

nlohmann::json about(const char* report, const ReportRequest& r, const KpiFigures& f) {
  nlohmann::json j = {{"report", report}, {"period", r.period}};
  j["period_start"] = f.start.empty() ? nlohmann::json() : nlohmann::json(f.start);
  j["period_end"] = f.end.empty() ? nlohmann::json() : nlohmann::json(f.end);
  j["as_of"] = f.as_of.empty() ? nlohmann::json() : nlohmann::json(f.as_of);
  j["segment"] = r.segment ? nlohmann::json(*r.segment) : nlohmann::json();
  return j;
}

std::string heading(const char* what, const ReportRequest& r, const KpiFigures& f) {
  std::string h = std::string(what) + ", " + r.period;
  if (!f.start.empty()) h += " [" + f.start + ", " + f.end + ")";
  if (!f.as_of.empty()) h += ", metrics as of " + f.as_of;
  return h;
}

const char* const kNoKpis = "No KPIs yet: run 'abmctl metrics run' to compute them.";

}  // namespace

Result<ReportTable> executiveReport(store::Database& db, const ReportRequest& r) {
  auto cmp = comparison(db, r);
  if (!cmp) return cmp.status();
  auto f = readKpis(db, r);
  if (!f) return f.status();
  static const std::pair<const char*, CellKind> kMetrics[] = {
      {"pipeline_created", CellKind::Money}, {"won_revenue", CellKind::Money},
      {"win_rate", CellKind::Percent},       {"avg_deal_size", CellKind::Money},
      {"sales_cycle_days_mean", CellKind::Days}, {"forecast_quarter", CellKind::Money},
      {"cac", CellKind::Money}};
  ReportTable t;
  t.title = heading("Executive summary", r, *f);
  t.about = about("executive", r, *f);
  t.columns = {"metric"};
  t.columns.insert(t.columns.end(), cmp->headers.begin(), cmp->headers.end());
  for (const auto& [metric, kind] : kMetrics) {
    std::vector<Cell> row{Cell::of(metric)};
    for (Cell& c : compared(*f, *cmp, metric, kind)) row.push_back(std::move(c));
    t.rows.push_back(std::move(row));
  }
  t.note = f->table_empty ? kNoKpis : "forecast_quarter is the quarter to date's; cac is over all accounts.";
  return t;
}

Result<ReportTable> funnelReport(store::Database& db, const ReportRequest& r) {
  auto cmp = comparison(db, r);
  if (!cmp) return cmp.status();
  auto f = readKpis(db, r);
  if (!f) return f.status();
  // Each stage's conversion in the period: of the accounts that entered it in P, the share that
  // reached the next by as_of; the target stage's is straight to customer.
  static const std::pair<const char*, const char*> kStages[] = {
      {"target", "conv_target_to_customer"},     {"aware", "conv_aware_to_engaged"},
      {"engaged", "conv_engaged_to_mqa"},          {"mqa", "conv_mqa_to_opportunity"},
      {"opportunity", "conv_opportunity_to_customer"}, {"customer", nullptr}};
  std::map<std::string, std::vector<Cell>> all_time;
  auto q = db.prepare("SELECT stage, accounts_entered, accounts_reached_next, conversion_rate, median_days_to_next"
                      " FROM journey_funnel");
  if (!q) return q.status();
  while (q->step() == Row::Row) {
    auto number = [&](int col) { return q->isNull(col) ? std::nullopt : std::optional<double>(q->columnDouble(col)); };
    all_time[q->columnText(0)] = {Cell::of(CellKind::Count, number(1)), Cell::of(CellKind::Count, number(2)),
                                  Cell::of(CellKind::Percent, number(3)), Cell::of(CellKind::Days, number(4))};
  }
  if (auto s = q->status(); !s) return readFailed("journey_funnel", s);
  ReportTable t;
  t.title = heading("Journey of target accounts (all time) and conversion in the period", r, *f);
  t.about = about("funnel", r, *f);
  t.columns = {"stage", "accounts_entered", "accounts_reached_next", "conversion_rate", "median_days_to_next",
               "period_metric"};
  t.columns.insert(t.columns.end(), cmp->headers.begin(), cmp->headers.end());
  for (const auto& [stage, metric] : kStages) {
    std::vector<Cell> row{Cell::of(stage)};
    auto it = all_time.find(stage);
    for (Cell& c : it != all_time.end() ? it->second
                                        : std::vector<Cell>{Cell::null(CellKind::Count), Cell::null(CellKind::Count),
                                                            Cell::null(CellKind::Percent), Cell::null(CellKind::Days)})
      row.push_back(std::move(c));
    if (metric) {
      row.push_back(Cell::of(metric));
      for (Cell& c : compared(*f, *cmp, metric, CellKind::Percent)) row.push_back(std::move(c));
    } else {
      row.push_back(Cell::null());
      for (size_t i = 0; i < cmp->headers.size(); ++i) row.push_back(Cell::null(CellKind::Percent));
    }
    t.rows.push_back(std::move(row));
  }
  if (f->table_empty) t.note = kNoKpis;
  return t;
}

}  // namespace abm::cli
