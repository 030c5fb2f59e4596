// Prints what a busy daemon's /metrics would answer: every family with samples, label values that
// need escaping, histograms with observations in several buckets. The promtool test checks it.
#include <cstdio>
#include <limits>

#include "telemetry/telemetry.hpp"

int main() {
  abm::telemetry::Registry r;
  r.seedLastSuccess("crm", 1700000000);
  r.seedLastSuccess("never_ran", 0);
  r.setScheduleGap("crm", 900);
  r.setScheduleGap("never_ran", 205200);
  r.syncFinished("crm", "succeeded", 42.5, 12000, 7, 1700003600);
  r.syncFinished("crm", "failed", 3, 10, 0, 1700007200);
  r.syncFinished("ads \"paid\"\\social\nteam", "rate_limited", 0.4, 0, 0, 1700000000);
  r.syncFinished("csv", "succeeded", std::numeric_limits<double>::quiet_NaN(), 5, 0, 1700000000);
  r.setRunsWaiting(2);
  r.setRunsRunning(1);
  r.eventsReceived("website", 250, 1700000100);
  r.eventsRefused("website", "bad_request", 3);
  r.eventsRefused("", "unauthorized", 1);
  r.groupCommit(12, 250, 0.004);
  r.groupCommit(1, 1, 0.0009);
  r.httpRequest("/v1/batch", "POST", 200, 0.006);
  r.httpRequest("/api/v1/accounts/{account_id}", "GET", 404, 0.0004);
  r.httpRequest("unmatched", "PROPFIND", 404, 0.0001);
  r.setHttpConnections(4);
  r.metricsStageFinished(3.2, true);
  r.metricsStageFinished(0.1, false);
  const std::string text = r.render(1 << 20);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
