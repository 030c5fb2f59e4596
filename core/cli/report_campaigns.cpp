// campaigns and accounts: rows of campaign_performance, and the most engaged accounts.
#include "cli/report_views.hpp"

namespace abm::cli {

namespace {

using Row = store::Step;

std::optional<double> number(const store::Statement& q, int col) {
  return q.isNull(col) ? std::nullopt : std::optional<double>(q.columnDouble(col));
}
Cell text(const store::Statement& q, int col) { return q.isNull(col) ? Cell::null() : Cell::of(q.columnView(col)); }

}  // namespace

bool isPeriodName(std::string_view p) {
  if (p == "last_90d" || p == "last_365d" || p == "qtd") return true;
  auto digit = [&](size_t i) { return p[i] >= '0' && p[i] <= '9'; };
  return p.size() == 7 && digit(0) && digit(1) && digit(2) && digit(3) && p[4] == '-' &&
         ((p[5] == '0' && p[6] >= '1' && p[6] <= '9') || (p[5] == '1' && p[6] >= '0' && p[6] <= '2'));
}

Result<ReportTable> campaignsReport(store::Database& db, const ReportRequest& r) {
  static const std::pair<const char*, CellKind> kFigures[] = {
      {"spend", CellKind::Money},           {"impressions", CellKind::Count},
      {"clicks", CellKind::Count},          {"ctr", CellKind::Percent},
      {"cpc", CellKind::Money},             {"cpm", CellKind::Money},
      {"accounts_reached", CellKind::Count}, {"accounts_engaged", CellKind::Count},
      {"influenced_pipeline", CellKind::Money}, {"sourced_pipeline", CellKind::Money},
      {"attributed_pipeline", CellKind::Money}, {"attributed_revenue", CellKind::Money},
      {"roas", CellKind::Number},           {"roi", CellKind::Percent},
      {"cac", CellKind::Money}};
  std::string sql = "SELECT c.name, p.campaign_id, p.channel, p.as_of";
  for (const auto& [column, kind] : kFigures) sql += std::string(", p.") + column;
  // Campaigns by id, then the channels' rows.
  sql += " FROM campaign_performance p LEFT JOIN campaigns c ON c.campaign_id = p.campaign_id WHERE p.period = ?1"
         " ORDER BY CASE WHEN p.campaign_id IS NULL THEN 1 ELSE 0 END, p.campaign_id, p.channel";
  auto q = db.prepare(sql);
  if (!q) return q.status();
  q->bind(1, r.period);
  ReportTable t;
  t.columns = {"campaign", "campaign_id", "channel"};
  for (const auto& f : kFigures) t.columns.push_back(f.first);
  std::string as_of;
  while (q->step() == Row::Row) {
    if (as_of.empty()) as_of = q->columnText(3);
    std::vector<Cell> row;
    // A channel's row covers every touch and spend of the channel, in a campaign or not.
    row.push_back(q->isNull(1) ? Cell::of("(channel total)") : text(*q, 0));
    row.push_back(Cell::of(CellKind::Count, number(*q, 1)));
    row.push_back(text(*q, 2));
    for (size_t i = 0; i < std::size(kFigures); ++i)
      row.push_back(Cell::of(kFigures[i].second, number(*q, static_cast<int>(4 + i))));
    t.rows.push_back(std::move(row));
  }
  if (auto s = q->status(); !s) return Status::error("cannot read campaign_performance for the report: " + s.message());
  if (t.rows.empty()) {
    auto p = db.prepare("SELECT DISTINCT period FROM campaign_performance ORDER BY period");
    if (!p) return p.status();
    std::string list;
    while (p->step() == Row::Row) list += (list.empty() ? "" : ", ") + p->columnText(0);
    if (auto s = p->status(); !s) return Status::error("cannot read campaign_performance: " + s.message());
    if (!list.empty()) return Status::error("no campaign figures for period '" + r.period + "'; the store has: " + list);
    t.note = "No campaign figures yet: 'abmctl metrics run' computes them once the store has campaigns, touches or spend.";
  }
  t.title = "Campaigns and channels, " + r.period + (as_of.empty() ? "" : ", metrics as of " + as_of);
  t.about = {{"report", "campaigns"}, {"period", r.period}, {"as_of", as_of.empty() ? nlohmann::json() : nlohmann::json(as_of)}};
  return t;
}

Result<ReportTable> accountsReport(store::Database& db, const ReportRequest& r) {
  auto q = db.prepare(
      "SELECT a.account_id, a.name, a.domain, t.is_target, t.tier, s.stage, s.since, e.score, e.score_prev_window,"
      " e.touchpoints, e.engaged_contacts, e.channels, e.as_of FROM account_engagement e"
      " JOIN accounts a ON a.account_id = e.account_id"
      " LEFT JOIN account_targeting t ON t.account_id = e.account_id"
      " LEFT JOIN account_stages s ON s.account_id = e.account_id"
      " ORDER BY e.score DESC, a.account_id LIMIT ?1");
  if (!q) return q.status();
  q->bind(1, r.top);
  ReportTable t;
  t.columns = {"account_id", "name", "domain", "target", "tier", "stage", "since", "score", "score_prev_window",
               "touchpoints", "engaged_contacts", "channels"};
  std::string as_of;
  while (q->step() == Row::Row) {
    if (as_of.empty()) as_of = q->columnText(12);
    t.rows.push_back({Cell::of(CellKind::Count, number(*q, 0)), text(*q, 1), text(*q, 2),
                      q->isNull(3) ? Cell::null() : Cell::of(q->columnInt(3) ? "yes" : "no"), text(*q, 4), text(*q, 5),
                      text(*q, 6), Cell::of(CellKind::Number, number(*q, 7)), Cell::of(CellKind::Number, number(*q, 8)),
                      Cell::of(CellKind::Count, number(*q, 9)), Cell::of(CellKind::Count, number(*q, 10)),
                      Cell::of(CellKind::Count, number(*q, 11))});
  }
  if (auto s = q->status(); !s) return Status::error("cannot read account_engagement for the report: " + s.message());
  t.title = "Most engaged accounts" + (as_of.empty() ? std::string() : ", metrics as of " + as_of);
  t.about = {{"report", "accounts"}, {"as_of", as_of.empty() ? nlohmann::json() : nlohmann::json(as_of)}};
  if (t.rows.empty()) t.note = "No engagement yet: run 'abmctl metrics run' to compute it.";
  return t;
}

}  // namespace abm::cli
