#include "metrics/kpis_loader.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "common/timestamp.hpp"
#include "metrics/kpis_funnel.hpp"
#include "metrics/kpis_periods.hpp"
#include "metrics/kpis_relationship.hpp"

namespace abm::metrics {

namespace {

// A time column of a row; a value the store should never hold names the table and column.
Result<int64_t> timeOf(const store::Statement& q, int col, const char* where) {
  const auto t = parseTimestamp(q.columnView(col));
  if (!t) return Status::error(std::string("KPIs: ") + where + " holds '" + q.columnText(col) + "', not a time");
  return *t;
}

std::optional<double> optionalDouble(const store::Statement& q, int col) {
  if (q.isNull(col)) return std::nullopt;
  return q.columnDouble(col);
}

Stage stageNamed(std::string_view name) {
  for (size_t i = 0; i < std::size(kStageNames); ++i)
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  return Stage::Unaware;
}

// Runs `sql` with the parameters and calls row(q) for each row; stops at the first error.
template <typename Row>
Status eachRow(store::Database& db, const char* sql, std::initializer_list<std::string> params, const char* what,
               Row&& row) {
  auto q = db.prepare(sql);
  if (!q) return q.status();
  int i = 1;
  for (const auto& p : params) q->bind(i++, p);
  while (q->step() == store::Statement::Step::Row)
    if (auto s = row(*q); !s) return s;
  if (auto s = q->status(); !s) return Status::error(std::string("reading ") + what + " for the KPIs: " + s.message());
  return Status::ok();
}

Status loadOpportunities(store::Database& db, const std::string& as_of, KpiInput& in) {
  return eachRow(
      db,
      "SELECT coalesce(account_id, 0), coalesce(type, ''), coalesce(stage, ''), amount, probability, is_closed, is_won,"
      " created_at, closed_at, expected_close_at FROM opportunities WHERE created_at < ?1 ORDER BY opportunity_id",
      {as_of}, "opportunities", [&](const store::Statement& q) -> Status {
        KpiOpportunity o;
        o.account = q.columnInt(0);
        o.type = q.columnText(1);
        o.stage = q.columnText(2);
        o.amount = optionalDouble(q, 3);
        o.probability = optionalDouble(q, 4);
        o.won = q.columnInt(6) != 0;
        o.closed = o.won || q.columnInt(5) != 0;
        auto created = timeOf(q, 7, "opportunities.created_at");
        if (!created) return created.status();
        o.created = *created;
        if (o.closed) {
          // A closed deal stored without closed_at (an earlier version's) is dated at its creation.
          auto closed = q.isNull(8) ? Result<int64_t>(o.created) : timeOf(q, 8, "opportunities.closed_at");
          if (!closed) return closed.status();
          o.closed_at = *closed;
        }
        if (!q.isNull(9)) {
          auto expected = timeOf(q, 9, "opportunities.expected_close_at");
          if (!expected) return expected.status();
          o.expected_close = *expected;
        }
        in.opportunities.push_back(std::move(o));
        return Status::ok();
      });
}

// The touches of the periods, counted as they stream by: a year and a month of touchpoints need
// not be held in memory. In account order, which SQLite's touchpoints_by_account gives without
// sorting.
Status loadCoverage(store::Database& db, int64_t as_of, KpiInput& in) {
  std::unordered_map<std::string, int> role_ids;
  std::unordered_map<int64_t, int> role_of;  // contact -> role id
  auto roles = eachRow(db, "SELECT contact_id, buying_role FROM contacts WHERE buying_role IS NOT NULL", {},
                       "contacts", [&](const store::Statement& q) {
                         const auto id = role_ids.emplace(q.columnText(1), static_cast<int>(role_ids.size()));
                         role_of[q.columnInt(0)] = id.first->second;
                         return Status::ok();
                       });
  if (!roles) return roles;
  const auto periods = kpiPeriods(as_of);
  int64_t from = as_of;
  for (const auto& p : periods) from = std::min(from, p.start);
  CoverageCounter counter(periods);
  auto touches = eachRow(
      db,
      "SELECT account_id, coalesce(contact_id, 0), occurred_at FROM touchpoints"
      " WHERE account_id IS NOT NULL AND occurred_at >= ?1 AND occurred_at < ?2 ORDER BY account_id",
      {formatTimestamp(from), formatTimestamp(as_of)}, "touchpoints", [&](const store::Statement& q) -> Status {
        auto t = timeOf(q, 2, "touchpoints.occurred_at");
        if (!t) return t.status();
        const int64_t contact = q.columnInt(1);
        const auto role = role_of.find(contact);
        counter.add(q.columnInt(0), contact, role == role_of.end() ? -1 : role->second, *t);
        return Status::ok();
      });
  if (!touches) return touches;
  auto coverage = counter.result();
  if (!coverage) return coverage.status();
  in.coverage = std::move(*coverage);
  return Status::ok();
}

}  // namespace

Result<KpiInput> loadKpiInput(store::Database& db, int64_t as_of) {
  KpiInput in;
  const std::string as_of_text = formatTimestamp(as_of);
  auto accounts = eachRow(db, "SELECT account_id, is_target, tier FROM account_targeting ORDER BY account_id", {},
                          "account_targeting", [&](const store::Statement& q) {
                            KpiAccount a{q.columnInt(0), q.columnInt(1) != 0, std::nullopt};
                            if (!q.isNull(2)) a.tier = q.columnText(2);
                            in.accounts.push_back(std::move(a));
                            return Status::ok();
                          });
  if (!accounts) return accounts;
  if (auto s = loadOpportunities(db, as_of_text, in); !s) return s;
  std::vector<int64_t> targets;  // in.accounts is by id
  for (const auto& a : in.accounts)
    if (a.is_target) targets.push_back(a.id);
  FunnelCounter funnel(kpiPeriods(as_of), std::move(targets));
  auto stages = eachRow(db, "SELECT account_id, stage, entered_at FROM account_stage_history ORDER BY account_id",
                        {}, "account_stage_history", [&](const store::Statement& q) -> Status {
                          auto t = timeOf(q, 2, "account_stage_history.entered_at");
                          if (!t) return t.status();
                          funnel.add({q.columnInt(0), stageNamed(q.columnView(1)), *t});
                          return Status::ok();
                        });
  if (!stages) return stages;
  auto journeys = funnel.result();
  if (!journeys) return journeys.status();
  in.funnel = std::move(*journeys);
  // In a fixed order: the sum of the costs must not depend on the order the engine returns rows.
  auto spend = eachRow(db, "SELECT date, cost FROM ad_spend ORDER BY date, source, campaign_external_id", {}, "ad_spend",
                       [&](const store::Statement& q) -> Status {
                         auto day = timeOf(q, 0, "ad_spend.date");
                         if (!day) return day.status();
                         in.ad_spend.push_back({*day, q.columnDouble(1)});
                         return Status::ok();
                       });
  if (!spend) return spend;
  auto surveys = eachRow(db,
                         "SELECT coalesce(account_id, 0), score, responded_at FROM survey_responses"
                         " WHERE responded_at < ?1 ORDER BY response_id",
                         {as_of_text}, "survey_responses", [&](const store::Statement& q) -> Status {
                           auto t = timeOf(q, 2, "survey_responses.responded_at");
                           if (!t) return t.status();
                           in.surveys.push_back({q.columnInt(0), static_cast<int>(q.columnInt(1)), *t});
                           return Status::ok();
                         });
  if (!surveys) return surveys;
  if (auto s = loadCoverage(db, as_of, in); !s) return s;
  return in;
}

}  // namespace abm::metrics
