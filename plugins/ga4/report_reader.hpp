// Reads one GA4 report (Data API v1beta runReport) into aggregated touchpoints: one per report row,
// day by day. Pages come by offset/limit until offset + rows >= rowCount; a report with no rows has
// neither rows nor rowCount. The checkpoint names the last complete day and the ids written for the
// last days, which the next run reads again (GA4 restates recent days):
//   {"through": "2024-05-07", "ids": {"2024-05-04": ["2024-05-04/page_view/acme.com", ...], ...}}
// A row of a re-read day that no longer comes back leaves the store, so an incremental store is the
// one a fresh full sync would write.
#pragma once

#include <abm/sdk/api_session.hpp>

#include "report_definition.hpp"

namespace ga4 {

using abm::sdk::Host;
using abm::sdk::Status;

struct Context : abm::sdk::http::Connection {
  ReportDefinition report;
};

Status readReport(Context& ctx, const std::string& stream, const json& state);

// The Status for a failed answer: GA4's quota errors (429 RESOURCE_EXHAUSTED, no Retry-After) end
// the run rate_limited until the quota is back; everything else as the session said.
Status failure(const abm::sdk::http::Answer& a);

}  // namespace ga4
