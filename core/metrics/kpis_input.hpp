// What the KPIs are computed from (docs/metrics.md#kpis): plain rows that the loader reads from the
// store (kpis_loader.hpp) and the unit tests write by hand. Times are epoch seconds; account 0 is
// "no account". The touches and stage entries, millions of rows, are reduced per account as they
// stream by (FunnelCounter, CoverageCounter) rather than held.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "metrics/journey.hpp"

namespace abm::metrics {

// An account as the KPIs cut it: a target (the CRM's flag or a target list) and its tier.
struct KpiAccount {
  int64_t id = 0;
  bool is_target = false;
  std::optional<std::string> tier;
};

// A saved segment's members as of the run (the segments feature evaluates the filters).
struct KpiSavedSegment {
  std::string name;
  std::vector<int64_t> account_ids;
};

struct KpiOpportunity {
  int64_t account = 0;
  std::string type;  // new_business | expansion | renewal | "" when the source gave none
  std::string stage;
  std::optional<double> amount, probability;
  bool closed = false, won = false;
  int64_t created = 0;
  // When it closed: closed_at, else (a record of an earlier version) created_at. Unset while open.
  std::optional<int64_t> closed_at;
  std::optional<int64_t> expected_close;
};

// One entry into a buying stage (a row of account_stage_history).
struct KpiStageEntry {
  int64_t account = 0;
  Stage stage = Stage::Unaware;
  int64_t entered = 0;
};

// The funnel steps of the conversion KPIs, in the order of kFunnelSteps (kpis_funnel.hpp).
constexpr size_t kFunnelStepCount = 5;

// One account's journey as the conversion KPIs need it (kpis_funnel.hpp reduces its stage entries to
// this): bit p of entered[k] is set when the account entered step k's first stage in period p, and
// of reached[k] when it then went on to the step's second stage or further by as_of.
struct KpiFunnelAccount {
  int64_t account = 0;
  std::array<uint32_t, kFunnelStepCount> entered{}, reached{};
};

struct KpiAdSpendDay {
  int64_t day = 0;  // the day's first instant (UTC midnight)
  double cost = 0;
};

struct KpiSurveyResponse {
  int64_t account = 0;
  int score = 0;  // 0..10
  int64_t responded = 0;
};

// Per account and period: the account had a touch in the period, by how many distinct contacts and
// buying roles (kpis_relationship.hpp counts them from the touches).
struct KpiCoverage {
  int64_t account = 0;
  uint32_t contacts = 0;
  uint16_t roles = 0;
  uint8_t period = 0;  // index into the run's periods
};

struct KpiInput {
  std::vector<KpiAccount> accounts;                // every account, by id
  std::vector<KpiSavedSegment> saved_segments;     // in the order they are reported
  std::vector<KpiOpportunity> opportunities;       // by opportunity_id: sums are taken in this order
  std::vector<KpiFunnelAccount> funnel;
  std::vector<KpiAdSpendDay> ad_spend;
  std::vector<KpiSurveyResponse> surveys;
  // A row per account and period touched (1.5 million for 100,000 accounts): a deque grows
  // without the copy a vector makes, which would hold the rows twice at its peak.
  std::deque<KpiCoverage> coverage;
};

}  // namespace abm::metrics
