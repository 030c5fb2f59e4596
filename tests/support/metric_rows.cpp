#include "metric_rows.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace abm::test {

std::vector<std::string> exactRows(const StoreRef& db, const std::string& sql, const std::vector<int>& reals) {
  std::vector<std::string> rows;
  auto h = store::Database::open(db.location(), true);
  if (!h) {
    ADD_FAILURE() << "cannot open " << db.string() << ": " << h.error();
    return rows;
  }
  auto q = h->prepare(sql);
  if (!q) {
    ADD_FAILURE() << "SQL error in " << db.string() << ": " << q.error() << " (query: " << sql << ")";
    return rows;
  }
  while (q->step() == store::Step::Row) {
    std::string row;
    for (int c = 0; c < q->columnCount(); ++c) {
      if (c) row += '|';
      if (q->isNull(c)) {
        row += "NULL";
      } else if (std::find(reals.begin(), reals.end(), c) != reals.end()) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", q->columnDouble(c));
        row += buf;
      } else {
        row += q->columnText(c);
      }
    }
    rows.push_back(std::move(row));
  }
  if (auto s = q->status(); !s)
    ADD_FAILURE() << "SQL error in " << db.string() << ": " << s.message() << " (query: " << sql << ")";
  return rows;
}

std::vector<double> doubles(const StoreRef& db, const std::string& sql) {
  std::vector<double> out;
  for (const auto& r : exactRows(db, sql, {0})) out.push_back(r == "NULL" ? std::nan("") : std::stod(r));
  return out;
}

namespace {

struct MetricTable {
  const char* name;
  std::vector<std::string> columns;  // read as the store gives them
  std::vector<std::string> reals;    // read as doubles
};

const MetricTable kMetricTables[] = {
    {"attribution_touches",
     {"conversion", "account_id", "opportunity_id", "touchpoint_id", "campaign_id", "channel", "occurred_at"},
     {"first_touch", "last_touch", "linear", "time_decay", "position_based", "u_shaped", "w_shaped", "full_path",
      "j_shaped", "inverse_j", "amount"}},
    {"attribution_credits", {"model", "conversion", "opportunity_id", "touchpoint_id", "campaign_id", "channel"},
     {"credit", "value"}},
    {"attribution_channels", {"model", "conversion", "channel"}, {"conversions", "value"}},
    {"attribution_campaigns", {"model", "conversion", "campaign_id"}, {"conversions", "value"}},
    {"attribution_conversions", {"conversion", "conversions", "attributed", "unattributed"},
     {"value", "attributed_value"}},
    {"account_engagement", {"account_id", "as_of", "touchpoints", "engaged_contacts", "channels"},
     {"score", "score_prev_window"}},
    {"account_stage_history", {"account_id", "stage", "entered_at", "exited_at"}, {}},
    {"account_stages", {"account_id", "stage", "since"}, {}},
    {"journey_funnel", {"stage", "position", "accounts_entered", "accounts_reached_next"},
     {"conversion_rate", "median_days_to_next"}},
    {"metrics_account_paths", {"account_id", "conversion", "channels"}, {"conversions", "value", "nulls"}},
    {"metrics_account_state", {"account_id", "last_touch_at"}, {}},
    {"metrics_dirty_accounts", {"account_id"}, {}},
    {"campaign_performance",
     {"as_of", "period", "campaign_id", "channel", "impressions", "clicks", "accounts_reached", "accounts_engaged"},
     {"spend", "ctr", "cpc", "cpm", "influenced_pipeline", "sourced_pipeline", "attributed_pipeline",
      "attributed_revenue", "roas", "roi", "cac"}},
    {"kpis", {"as_of", "period", "period_start", "period_end", "segment", "metric"}, {"value"}},
};

}  // namespace

MetricRows metricRows(const StoreRef& db) {
  MetricRows out;
  for (const auto& t : kMetricTables) {
    std::string select;
    std::vector<int> reals;
    for (const auto& c : t.columns) select += (select.empty() ? "" : ", ") + c;
    for (const auto& c : t.reals) {
      reals.push_back(static_cast<int>(t.columns.size() + reals.size()));
      select += ", " + c;
    }
    auto rows = exactRows(db, "SELECT " + select + " FROM " + t.name, reals);
    std::sort(rows.begin(), rows.end());
    out[t.name] = std::move(rows);
  }
  return out;
}

std::vector<std::string> metricRuns(const StoreRef& db) {
  return exactRows(db, "SELECT as_of, mode, settings, accounts, accounts_recomputed, touchpoints, conversions,"
                       " unattributed FROM metrics_runs ORDER BY run_id");
}

std::string firstDifference(const MetricRows& a, const MetricRows& b) {
  for (const auto& [table, rows] : a) {
    const auto it = b.find(table);
    if (it == b.end()) return table + ": missing on the right";
    const auto& other = it->second;
    for (size_t i = 0; i < std::min(rows.size(), other.size()); ++i)
      if (rows[i] != other[i]) return table + " row " + std::to_string(i) + ":\n  " + rows[i] + "\n  " + other[i];
    if (rows.size() != other.size())
      return table + ": " + std::to_string(rows.size()) + " rows against " + std::to_string(other.size());
  }
  return a.size() == b.size() ? "" : "a table is missing on the left";
}

std::string lastMode(const StoreRef& db) {
  return queryText(db, "SELECT mode || ' ' || accounts_recomputed || '/' || accounts FROM metrics_runs"
                       " ORDER BY run_id DESC LIMIT 1");
}

void syncSmallChange(const fs::path& dir, const StoreRef& reference, const std::vector<const Workspace*>& into) {
  const std::string a1 = queryText(reference, "SELECT domain FROM accounts ORDER BY account_id LIMIT 1");
  const std::string a2 = queryText(reference, "SELECT domain FROM accounts ORDER BY account_id LIMIT 1 OFFSET 7");
  writeFile(dir / "touchpoints.csv", "external_id,account_domain,channel,activity,occurred_at\n"
                                     "w1," + a1 + ",event,webinar_attend,2026-10-20T15:00:00Z\n");
  writeFile(dir / "opportunities.csv",
            "external_id,account_domain,amount,created_at,closed_at,is_closed,is_won\n"
            "x1," + a2 + ",90000.35,2026-09-01,2026-10-15,true,true\n");
  for (const Workspace* ws : into) {
    ws->addConnector("events", "csv", "{\"path\": \"" + dir.string() + "\"}");
    auto r = run({(binDir() / "abmctl").string(), "-c", ws->config().string(), "sync", "events"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
}

}  // namespace abm::test
