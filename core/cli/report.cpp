#include "cli/report.hpp"

#include <cmath>
#include <cstdio>
#include <iomanip>

#include "common/timestamp.hpp"

namespace abm::cli {

namespace {

using Step = store::Statement::Step;

Result<int64_t> scalar(store::Database& db, const char* sql) {
  auto q = db.prepare(sql);
  if (!q) return q.status();
  if (q->step() != Step::Row) return Status::error("report query gave no row: " + q->status().message());
  return q->columnInt(0);
}

// Every query of the report ends here: a failed one fails the report instead of cutting it short.
Status ended(store::Statement& q) {
  if (auto s = q.status(); !s) return Status::error("cannot read the store for the report: " + s.message());
  return Status::ok();
}

// A stored figure rounded half up to `decimals` places and printed with one more place than whole
// numbers need ("12.0", "12.3"), as the report always showed them; "" for NULL. Formatted here
// rather than in SQL so that both store backends print the same doubles the same way.
std::string rounded(const store::Statement& q, int col, double scale, int decimals) {
  if (q.isNull(col)) return "";
  const double step = decimals == 1 ? 10.0 : 1.0;
  const double v = std::floor(q.columnDouble(col) * scale * step + 0.5) / step;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

Status printBody(store::Database& db, std::ostream& out, int top);

}  // namespace

Status printReport(store::Database& db, std::ostream& out, int top) {
  out << "Store: " << db.path() << "\n\n";
  // One snapshot for every figure, even while a sync or the metrics stage commits.
  if (auto s = db.beginRead(); !s) return Status::error("cannot read the store for the report: " + s.message());
  auto s = printBody(db, out, top);
  (void)db.exec("ROLLBACK");  // a read-only transaction: nothing to keep, and an error has been reported already
  return s;
}

namespace {

Status printBody(store::Database& db, std::ostream& out, int top) {
  struct {
    const char* label;
    const char* sql;
  } const counts[] = {
      {"accounts", "SELECT count(*) FROM accounts"},
      {"  target accounts", "SELECT count(*) FROM accounts WHERE is_target"},
      {"contacts", "SELECT count(*) FROM contacts"},
      {"opportunities", "SELECT count(*) FROM opportunities"},
      {"  won", "SELECT count(*) FROM opportunities WHERE is_won"},
      {"campaigns", "SELECT count(*) FROM campaigns"},
      {"touchpoints", "SELECT count(*) FROM touchpoints"},
      {"  not tied to an account yet", "SELECT count(*) FROM touchpoints WHERE account_id IS NULL"},
      {"ad spend rows", "SELECT count(*) FROM ad_spend"},
  };
  for (const auto& c : counts) {
    auto n = scalar(db, c.sql);
    if (!n) return n.status();
    out << "  " << std::left << std::setw(30) << c.label << *n << "\n";
  }

  // Once the metrics stage has run, "engaged" is its score; before that, the touch count of the last
  // 90 days of data stands in (so a fresh store still shows something meaningful).
  auto has_metrics = db.prepare("SELECT as_of FROM account_engagement LIMIT 1");
  if (!has_metrics) return has_metrics.status();
  const auto metrics_row = has_metrics->step();
  if (auto s = ended(*has_metrics); !s) return s;
  if (metrics_row == Step::Row) {
    out << "\nMost engaged accounts (metrics as of " << has_metrics->columnText(0) << "):\n";
    auto q = db.prepare(
        "SELECT a.name, coalesce(a.domain, ''), a.is_target, e.score, e.score_prev_window, e.touchpoints,"
        " e.engaged_contacts, coalesce(s.stage, '') FROM account_engagement e JOIN accounts a USING (account_id)"
        " LEFT JOIN account_stages s USING (account_id) ORDER BY e.score DESC, a.account_id LIMIT ?");
    if (!q) return q.status();
    q->bind(1, top);
    out << "  " << std::left << std::setw(30) << "account" << std::setw(22) << "domain" << std::setw(7) << "target"
        << std::right << std::setw(8) << "score" << std::setw(10) << "prev 90d" << std::setw(8) << "touches"
        << std::setw(8) << "people" << "  stage\n";
    while (q->step() == Step::Row) {
      char score[16], prev[16];
      std::snprintf(score, sizeof score, "%.1f", q->columnDouble(3));
      std::snprintf(prev, sizeof prev, "%.1f", q->columnDouble(4));
      out << "  " << std::left << std::setw(30) << q->columnText(0).substr(0, 29) << std::setw(22)
          << q->columnText(1).substr(0, 21) << std::setw(7) << (q->columnInt(2) ? "yes" : "no") << std::right
          << std::setw(8) << score << std::setw(10) << prev << std::setw(8) << q->columnInt(5) << std::setw(8)
          << q->columnInt(6) << "  " << q->columnText(7) << "\n";
    }
    auto f = db.prepare("SELECT stage, accounts_entered, accounts_reached_next, conversion_rate, median_days_to_next"
                        " FROM journey_funnel ORDER BY position");
    if (auto s = ended(*q); !s) return s;
    if (!f) return f.status();
    out << "\nJourney of target accounts (entered, went further, %, median days to the next stage):\n";
    while (f->step() == Step::Row)
      out << "  " << std::left << std::setw(13) << f->columnText(0) << std::right << std::setw(6) << f->columnInt(1)
          << std::setw(6) << f->columnInt(2) << std::setw(6) << rounded(*f, 3, 100, 0) << std::setw(6)
          << rounded(*f, 4, 1, 0) << "\n";
    auto c = db.prepare("SELECT channel, conversions, value FROM attribution_channels"
                        " WHERE model = 'w_shaped' AND conversion = 'revenue' ORDER BY value DESC, channel");
    if (auto s = ended(*f); !s) return s;
    if (!c) return c.status();
    out << "\nRevenue by channel (W-shaped attribution):\n";
    while (c->step() == Step::Row)
      out << "  " << std::left << std::setw(13) << c->columnText(0) << std::right << std::setw(8)
          << rounded(*c, 1, 1, 1) << " won deals  " << std::setw(12) << rounded(*c, 2, 1, 0) << "\n";
    return ended(*c);
  }
  // The last 90 days of the data, not of the clock: demo data and old imports still show something.
  auto h = db.prepare("SELECT max(occurred_at) FROM touchpoints");
  if (!h) return h.status();
  std::string since;
  if (h->step() == Step::Row && !h->isNull(0))
    if (auto newest = parseTimestamp(h->columnView(0))) since = formatTimestamp(*newest - 90 * 86400);
  if (auto s = ended(*h); !s) return s;
  auto q = db.prepare(
      "WITH recent AS (SELECT account_id, count(*) AS touches, count(DISTINCT channel) AS channels,"
      "   count(DISTINCT contact_id) AS people FROM touchpoints"
      "   WHERE account_id IS NOT NULL AND occurred_at >= ?1 GROUP BY account_id)"
      " SELECT a.name, coalesce(a.domain, ''), a.is_target, r.touches, r.channels, r.people"
      " FROM recent r JOIN accounts a USING (account_id) ORDER BY r.touches DESC, a.account_id LIMIT ?2");
  if (!q) return q.status();
  if (since.empty()) since = formatTimestamp(0);
  q->bind(1, since);
  q->bind(2, top);
  out << "\nMost active accounts (touchpoints in the last 90 days of data; run 'abmctl metrics run' for scores):\n";
  out << "  " << std::left << std::setw(32) << "account" << std::setw(24) << "domain" << std::setw(8) << "target"
      << std::right << std::setw(8) << "touches" << std::setw(10) << "channels" << std::setw(8) << "people"
      << "\n";
  int rows = 0;
  while (q->step() == Step::Row) {
    ++rows;
    out << "  " << std::left << std::setw(32) << q->columnText(0).substr(0, 31) << std::setw(24)
        << q->columnText(1).substr(0, 23) << std::setw(8) << (q->columnInt(2) ? "yes" : "no") << std::right
        << std::setw(8) << q->columnInt(3) << std::setw(10) << q->columnInt(4) << std::setw(8) << q->columnInt(5)
        << "\n";
  }
  if (auto s = ended(*q); !s) return s;
  if (rows == 0) out << "  (no touchpoints tied to accounts yet)\n";
  return Status::ok();
}

}  // namespace

}  // namespace abm::cli
