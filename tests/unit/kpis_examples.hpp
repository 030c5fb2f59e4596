// The worked examples of docs/metrics.md#kpis as KPI inputs, and a lookup of one figure by names.
// As of 2026-11-15T12:00:00Z. Accounts: 1 (target, tier strategic), 2 (not a target), 3 (target,
// no tier); the saved segment "big" holds accounts 2 and 3.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/timestamp.hpp"
#include "metrics/kpis.hpp"

namespace abm::metrics::examples {

inline int64_t at(const std::string& text) {
  const auto t = parseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

inline const int64_t kAsOf = at("2026-11-15T12:00:00Z");

inline KpiInput accounts() {
  KpiInput in;
  in.accounts = {{1, true, "strategic"}, {2, false, std::nullopt}, {3, true, std::nullopt}};
  in.saved_segments = {{"big", {2, 3}}};
  return in;
}

inline KpiOpportunity deal(int64_t account, const std::string& created, std::optional<double> amount,
                           const std::string& closed = "", bool won = false) {
  KpiOpportunity o;
  o.account = account;
  o.type = "new_business";
  o.created = at(created);
  o.amount = amount;
  if (!closed.empty()) {
    o.closed = true;
    o.won = won;
    o.closed_at = at(closed);
  }
  return o;
}

// The deals example: what docs/metrics.md#kpis works through for the deal, pipeline and forecast
// figures.
inline KpiInput dealsExample() {
  KpiInput in = accounts();
  in.opportunities = {
      deal(1, "2026-10-01", 100, "2026-10-11", true),  // won after 10 days
      deal(1, "2026-09-20", 50, "2026-10-20"),         // lost
      deal(2, "2026-10-05", 300, "2026-10-25", true),  // won after 20 days
      deal(3, "2026-10-10", std::nullopt, "2026-10-12", true),  // won after 2 days, no amount
      deal(2, "2026-10-15", 40),                       // open, probability 0.5 from its source
      deal(0, "2026-10-20", 10),                       // open, no account, stage negotiation
      deal(1, "2026-11-02", 70, "2026-11-10", true),   // account 1's second win
      deal(3, "2026-09-01", 1000),                     // open, stage discovery: no probability
  };
  in.opportunities[4].probability = 0.5;
  in.opportunities[4].expected_close = at("2026-12-15");
  in.opportunities[5].stage = "negotiation";
  in.opportunities[5].expected_close = at("2027-01-10");  // after the quarter
  in.opportunities[7].stage = "discovery";
  return in;
}

inline MetricsSettings dealsSettings() {
  MetricsSettings s;
  s.stage_probabilities = {{"negotiation", 0.8}};
  return s;
}

// One figure by the names the kpis table uses; fails the test when the figure was never set.
inline std::optional<double> figure(const KpiTable& t, Kpi k, const std::string& segment, const std::string& period) {
  for (size_t s = 0; s < t.segments().size(); ++s)
    for (size_t p = 0; p < t.periods().size(); ++p)
      if (t.segments().names()[s] == segment && t.periods()[p].name == period) {
        EXPECT_TRUE(t.has(k, s, p)) << kKpiNames[static_cast<size_t>(k)] << " " << segment << " " << period;
        return t.get(k, s, p);
      }
  ADD_FAILURE() << "no segment " << segment << " or period " << period;
  return std::nullopt;
}

}  // namespace abm::metrics::examples
