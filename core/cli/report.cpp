#include "cli/report.hpp"

#include <iomanip>

namespace abm::cli {

namespace {

int64_t scalar(store::Database& db, const char* sql) {
  auto q = db.prepare(sql);
  return (q && q->step()) ? q->columnInt(0) : 0;
}

}  // namespace

void printReport(store::Database& db, std::ostream& out, int top) {
  out << "Store: " << db.path() << "\n\n";
  struct {
    const char* label;
    const char* sql;
  } const counts[] = {
      {"accounts", "SELECT count(*) FROM accounts"},
      {"  target accounts", "SELECT count(*) FROM accounts WHERE is_target = 1"},
      {"contacts", "SELECT count(*) FROM contacts"},
      {"opportunities", "SELECT count(*) FROM opportunities"},
      {"  won", "SELECT count(*) FROM opportunities WHERE is_won = 1"},
      {"campaigns", "SELECT count(*) FROM campaigns"},
      {"touchpoints", "SELECT count(*) FROM touchpoints"},
      {"  not tied to an account yet", "SELECT count(*) FROM touchpoints WHERE account_id IS NULL"},
      {"ad spend rows", "SELECT count(*) FROM ad_spend"},
  };
  for (const auto& c : counts) out << "  " << std::left << std::setw(30) << c.label << scalar(db, c.sql) << "\n";

  // Until the metrics stage scores accounts, "engaged" means most touches in the 90 days before the
  // newest touchpoint in the store (so a bundled data set reads the same whenever it is run).
  auto q = db.prepare(
      "WITH horizon AS (SELECT max(occurred_at) AS t FROM touchpoints),"
      " recent AS (SELECT account_id, count(*) AS touches, count(DISTINCT channel) AS channels,"
      "   count(DISTINCT contact_id) AS people FROM touchpoints, horizon"
      "   WHERE account_id IS NOT NULL AND occurred_at >= strftime('%Y-%m-%dT%H:%M:%SZ', horizon.t, '-90 days')"
      "   GROUP BY account_id)"
      " SELECT a.name, coalesce(a.domain, ''), a.is_target, r.touches, r.channels, r.people"
      " FROM recent r JOIN accounts a USING (account_id) ORDER BY r.touches DESC, a.account_id LIMIT ?");
  if (!q) return;
  q->bind(1, top);
  out << "\nMost engaged accounts (touchpoints in the last 90 days of data):\n";
  out << "  " << std::left << std::setw(32) << "account" << std::setw(24) << "domain" << std::setw(8) << "target"
      << std::right << std::setw(8) << "touches" << std::setw(10) << "channels" << std::setw(8) << "people"
      << "\n";
  int rows = 0;
  while (q->step()) {
    ++rows;
    out << "  " << std::left << std::setw(32) << q->columnText(0).substr(0, 31) << std::setw(24)
        << q->columnText(1).substr(0, 23) << std::setw(8) << (q->columnInt(2) ? "yes" : "no") << std::right
        << std::setw(8) << q->columnInt(3) << std::setw(10) << q->columnInt(4) << std::setw(8) << q->columnInt(5)
        << "\n";
  }
  if (rows == 0) out << "  (no touchpoints tied to accounts yet)\n";
}

}  // namespace abm::cli
