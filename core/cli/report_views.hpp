// The figures of `abmctl report executive|campaigns|funnel|accounts`: what the dashboards show, read
// from the tables the metrics stage writes (kpis, campaign_performance, journey_funnel,
// account_engagement and account_stages). Each builds one table; report_format prints it.
#pragma once

#include <optional>
#include <string>

#include "cli/report_format.hpp"
#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::cli {

struct ReportRequest {
  std::string period = "last_90d";     // last_90d | last_365d | qtd | YYYY-MM
  std::optional<std::string> segment;  // a saved segment's name: its segment:<name> KPI rows
  int top = 20;                        // accounts: how many
};

// Whether `period` has the shape of a KPI period (the values the metrics stage writes).
bool isPeriodName(std::string_view period);

// Target, non-target and all accounts side by side with the lift of target over non-target (with
// a segment: the segment beside all, and its lift over all). Fails naming the period or segment
// when the kpis table has rows but none for it.
Result<ReportTable> executiveReport(store::Database& db, const ReportRequest& r);
// The journey funnel of target accounts, with each stage's conversion in the period by segment.
Result<ReportTable> funnelReport(store::Database& db, const ReportRequest& r);
// campaign_performance of the period: every campaign, then every channel.
Result<ReportTable> campaignsReport(store::Database& db, const ReportRequest& r);
// The most engaged accounts with their stage, as of the last metrics run.
Result<ReportTable> accountsReport(store::Database& db, const ReportRequest& r);

}  // namespace abm::cli
