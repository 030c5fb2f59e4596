// The registry as a scrape sees it: every family declared, counters that add up, histograms that
// are cumulative and end in +Inf, label values escaped, label sets that cannot grow without bound.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/exposition.hpp"
#include "telemetry/telemetry.hpp"

using abm::telemetry::Registry;

namespace {

// "name{labels}" -> value text, and the declared families with their types.
struct Scrape {
  std::map<std::string, std::string> samples;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::vector<std::string> problems;

  bool has(const std::string& series) const { return samples.count(series) > 0; }
  std::string value(const std::string& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? "<absent: " + series + ">" : it->second;
  }
};

Scrape parse(const std::string& text) {
  Scrape s;
  std::istringstream in(text);
  std::string line;
  std::string current;  // the family the last # TYPE declared
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      if (!s.helped.insert(name).second) s.problems.push_back("two HELP lines for " + name);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      auto rest = line.substr(7);
      auto name = rest.substr(0, rest.find(' '));
      if (!s.helped.count(name)) s.problems.push_back("TYPE without HELP before it: " + name);
      s.types[name] = rest.substr(rest.find(' ') + 1);
      current = name;
      continue;
    }
    auto space = line.rfind(' ');
    auto series = line.substr(0, space);
    auto name = series.substr(0, series.find('{'));
    bool belongs = name == current;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      belongs = belongs || (s.types[current] == "histogram" && name == current + suffix);
    }
    if (!belongs) s.problems.push_back("sample outside its family: " + line);
    if (!s.samples.emplace(series, line.substr(space + 1)).second) s.problems.push_back("duplicate: " + series);
  }
  return s;
}

TEST(Telemetry, AFreshRegistryDeclaresEveryFamilyWithHelpAndType) {
  Registry registry;
  auto scrape = parse(registry.render(4096));
  EXPECT_TRUE(scrape.problems.empty()) << ::testing::PrintToString(scrape.problems);
  const std::map<std::string, std::string> expected = {
      {"abmd_build_info", "gauge"},
      {"abmd_process_start_time_seconds", "gauge"},
      {"abmd_syncs_total", "counter"},
      {"abmd_sync_records_total", "counter"},
      {"abmd_sync_rejected_records_total", "counter"},
      {"abmd_sync_duration_seconds", "histogram"},
      {"abmd_sync_last_success_timestamp_seconds", "gauge"},
      {"abmd_sync_schedule_gap_seconds", "gauge"},
      {"abmd_runs_waiting", "gauge"},
      {"abmd_runs_running", "gauge"},
      {"abmd_events_received_total", "counter"},
      {"abmd_events_refused_total", "counter"},
      {"abmd_events_last_received_timestamp_seconds", "gauge"},
      {"abmd_collector_group_commits_total", "counter"},
      {"abmd_collector_group_commit_requests", "histogram"},
      {"abmd_collector_group_commit_events", "histogram"},
      {"abmd_collector_group_commit_duration_seconds", "histogram"},
      {"abmd_http_requests_total", "counter"},
      {"abmd_http_request_duration_seconds", "histogram"},
      {"abmd_http_open_connections", "gauge"},
      {"abmd_metrics_stage_duration_seconds", "histogram"},
      {"abmd_metrics_stage_failures_total", "counter"},
      {"abmd_store_size_bytes", "gauge"},
  };
  EXPECT_EQ(scrape.types, expected);
  EXPECT_EQ(scrape.value("abmd_build_info{version=\"" ABMD_VERSION "\"}"), "1");
  EXPECT_EQ(scrape.value("abmd_store_size_bytes"), "4096");
  EXPECT_EQ(scrape.value("abmd_runs_waiting"), "0");
  EXPECT_EQ(scrape.value("abmd_collector_group_commits_total"), "0");
  EXPECT_EQ(scrape.value("abmd_metrics_stage_duration_seconds_bucket{le=\"+Inf\"}"), "0");
  // Nothing per connector, source or route before one is seen.
  EXPECT_FALSE(scrape.has("abmd_syncs_total"));
  EXPECT_EQ(registry.render(4096).find("connector="), std::string::npos);
}

TEST(Telemetry, AnUnknownStoreSizeLeavesTheSampleOutButKeepsTheFamily) {
  Registry registry;
  auto scrape = parse(registry.render(-1));
  EXPECT_EQ(scrape.types.count("abmd_store_size_bytes"), 1u);
  EXPECT_FALSE(scrape.has("abmd_store_size_bytes"));
}

TEST(Telemetry, SyncsCountByConnectorAndOutcomeWithKnownOutcomesAtZero) {
  Registry registry;
  registry.syncFinished("crm", "succeeded", 12.5, 1000, 3, 1700000000);
  registry.syncFinished("crm", "failed", 2, 10, 0, 1700000100);
  registry.syncFinished("crm", "succeeded", 40, 500, 1, 1700000200);
  registry.syncFinished("ads", "rate_limited", 0.5, 0, 0, 1700000300);
  auto scrape = parse(registry.render(0));
  ASSERT_TRUE(scrape.problems.empty()) << ::testing::PrintToString(scrape.problems);
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="succeeded"})"), "2");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="failed"})"), "1");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="interrupted"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="retry"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="rate_limited"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="ads",outcome="rate_limited"})"), "1");
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="ads",outcome="succeeded"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_sync_records_total{connector="crm"})"), "1510");
  EXPECT_EQ(scrape.value(R"(abmd_sync_rejected_records_total{connector="crm"})"), "4");
  // Only a success moves the gauge; ads never succeeded, so it has no sample.
  EXPECT_EQ(scrape.value(R"(abmd_sync_last_success_timestamp_seconds{connector="crm"})"), "1700000200");
  EXPECT_FALSE(scrape.has(R"(abmd_sync_last_success_timestamp_seconds{connector="ads"})"));
}

TEST(Telemetry, HistogramBucketsAreCumulativeAndEndInInfWithSumAndCount) {
  Registry registry;
  // Sync buckets: 1, 5, 15, 30, 60, ... 14400.
  for (double seconds : {0.5, 1.0, 3.0, 20.0, 20.0, 100000.0}) registry.syncFinished("crm", "succeeded", seconds, 0, 0, 1);
  auto scrape = parse(registry.render(0));
  auto bucket = [&](const char* le) {
    return scrape.value(std::string(R"(abmd_sync_duration_seconds_bucket{connector="crm",le=")") + le + "\"}");
  };
  EXPECT_EQ(bucket("1"), "2");  // 0.5 and 1: a bound is inclusive
  EXPECT_EQ(bucket("5"), "3");
  EXPECT_EQ(bucket("15"), "3");
  EXPECT_EQ(bucket("30"), "5");
  EXPECT_EQ(bucket("14400"), "5");
  EXPECT_EQ(bucket("+Inf"), "6");
  EXPECT_EQ(scrape.value(R"(abmd_sync_duration_seconds_count{connector="crm"})"), "6");
  EXPECT_EQ(scrape.value(R"(abmd_sync_duration_seconds_sum{connector="crm"})"), "100044.5");

  // Every bucket line of every histogram is non-decreasing and its +Inf equals its _count.
  registry.httpRequest("/metrics", "GET", 200, 0.003);
  registry.groupCommit(3, 250, 0.004);
  registry.metricsStageFinished(7, true);
  scrape = parse(registry.render(0));
  // Walk the text itself, in bucket order (the parsed map orders "+Inf" and bounds as strings).
  std::istringstream in(registry.render(0));
  std::string line, previous_key;
  uint64_t previous = 0;
  int histograms = 0;
  while (std::getline(in, line)) {
    auto le = line.find("le=\"");
    if (line[0] == '#' || le == std::string::npos) continue;
    auto key = line.substr(0, le);
    uint64_t n = std::stoull(line.substr(line.rfind(' ') + 1));
    if (key == previous_key) {
      EXPECT_GE(n, previous) << line;
    }
    if (line.find("le=\"+Inf\"") != std::string::npos) {
      ++histograms;
      auto name = key.substr(0, key.find("_bucket"));
      auto labels = key.substr(key.find('{') + 1);
      if (!labels.empty()) labels.pop_back();  // the comma before le
      auto count = name + "_count" + (labels.empty() ? "" : "{" + labels + "}");
      EXPECT_EQ(std::to_string(n), scrape.value(count)) << line;
    }
    previous_key = key;
    previous = n;
  }
  EXPECT_EQ(histograms, 6);  // sync, 3 group-commit, http, metrics stage
}

TEST(Telemetry, LabelValuesAreEscapedAsTheFormatRequires) {
  EXPECT_EQ(abm::telemetry::escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(abm::telemetry::escapeHelp("a\"b\\c\nd"), "a\"b\\\\c\\nd");
  Registry registry;
  registry.seedLastSuccess("we\"ird\\name\n", 1700000000);
  auto text = registry.render(0);
  EXPECT_NE(text.find(R"(abmd_sync_last_success_timestamp_seconds{connector="we\"ird\\name\n"} 1700000000)"),
            std::string::npos)
      << text;
}

TEST(Telemetry, NumbersRoundTripAndSpecialValuesAreSpelledAsPrometheusReadsThem) {
  using abm::telemetry::formatValue;
  EXPECT_EQ(formatValue(0.0005), "0.0005");
  EXPECT_EQ(formatValue(1700000000.25), "1700000000.25");
  EXPECT_EQ(formatValue(3), "3");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatValue(std::nan("")), "NaN");
}

TEST(Telemetry, SeedingKeepsTheNewestSuccessAndTheScheduleGapAndMakesTheSeriesAppear) {
  Registry registry;
  registry.seedLastSuccess("crm", 1700000500);
  registry.syncFinished("crm", "succeeded", 1, 0, 0, 1700000100);  // older than the seed (clock moved)
  registry.seedLastSuccess("never", 0);
  auto scrape = parse(registry.render(0));
  EXPECT_EQ(scrape.value(R"(abmd_sync_last_success_timestamp_seconds{connector="crm"})"), "1700000500");
  EXPECT_FALSE(scrape.has(R"(abmd_sync_last_success_timestamp_seconds{connector="never"})"));
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="never",outcome="succeeded"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_sync_records_total{connector="never"})"), "0");
  EXPECT_FALSE(scrape.has(R"(abmd_sync_schedule_gap_seconds{connector="crm"})"));

  registry.setScheduleGap("crm", 900);
  registry.setScheduleGap("nightly", 86400);
  registry.setScheduleGap("broken", std::nan(""));
  scrape = parse(registry.render(0));
  EXPECT_EQ(scrape.value(R"(abmd_sync_schedule_gap_seconds{connector="crm"})"), "900");
  EXPECT_EQ(scrape.value(R"(abmd_sync_schedule_gap_seconds{connector="nightly"})"), "86400");
  EXPECT_FALSE(scrape.has(R"(abmd_sync_schedule_gap_seconds{connector="broken"})"));
}

TEST(Telemetry, PushSourcesCountReceivedAndRefusedEvents) {
  Registry registry;
  registry.eventsReceived("website", 100, 1700000000);
  registry.eventsReceived("website", 1, 1690000000);  // an older event arriving late
  registry.eventsRefused("website", "bad_request", 2);
  registry.eventsRefused("", "unauthorized", 5);
  auto scrape = parse(registry.render(0));
  ASSERT_TRUE(scrape.problems.empty()) << ::testing::PrintToString(scrape.problems);
  EXPECT_EQ(scrape.value(R"(abmd_events_received_total{source="website"})"), "101");
  EXPECT_EQ(scrape.value(R"(abmd_events_last_received_timestamp_seconds{source="website"})"), "1700000000");
  EXPECT_EQ(scrape.value(R"(abmd_events_refused_total{source="website",reason="bad_request"})"), "2");
  EXPECT_EQ(scrape.value(R"(abmd_events_refused_total{source="website",reason="unauthorized"})"), "0");
  EXPECT_EQ(scrape.value(R"(abmd_events_refused_total{source="",reason="unauthorized"})"), "5");
  // A refusal that named no source is not a source: no received counter, no zero-filled reasons.
  EXPECT_FALSE(scrape.has(R"(abmd_events_received_total{source=""})"));
  EXPECT_FALSE(scrape.has(R"(abmd_events_refused_total{source="",reason="too_large"})"));

  registry.groupCommit(4, 7, 0.002);
  registry.groupCommit(1, 1, 0.001);
  scrape = parse(registry.render(0));
  EXPECT_EQ(scrape.value("abmd_collector_group_commits_total"), "2");
  EXPECT_EQ(scrape.value("abmd_collector_group_commit_events_sum"), "8");
  EXPECT_EQ(scrape.value("abmd_collector_group_commit_requests_sum"), "5");
  EXPECT_EQ(scrape.value(R"(abmd_collector_group_commit_events_bucket{le="5"})"), "1");
  EXPECT_EQ(scrape.value(R"(abmd_collector_group_commit_events_bucket{le="10"})"), "2");
}

TEST(Telemetry, HttpRequestsCountByRouteMethodAndCodeWithInventedMethodsFolded) {
  Registry registry;
  registry.httpRequest("/api/v1/accounts/{account_id}", "GET", 200, 0.004);
  registry.httpRequest("/api/v1/accounts/{account_id}", "GET", 404, 0.001);
  registry.httpRequest("/api/v1/accounts/{account_id}", "GET", 200, 0.002);
  registry.httpRequest("unmatched", "BREW", 405, 0.0001);
  registry.httpRequest("unmatched", "X-ANYTHING", 405, 0.0001);
  registry.setHttpConnections(3);
  auto scrape = parse(registry.render(0));
  ASSERT_TRUE(scrape.problems.empty()) << ::testing::PrintToString(scrape.problems);
  EXPECT_EQ(scrape.value(R"(abmd_http_requests_total{route="/api/v1/accounts/{account_id}",method="GET",code="200"})"),
            "2");
  EXPECT_EQ(scrape.value(R"(abmd_http_requests_total{route="/api/v1/accounts/{account_id}",method="GET",code="404"})"),
            "1");
  EXPECT_EQ(scrape.value(R"(abmd_http_requests_total{route="unmatched",method="other",code="405"})"), "2");
  EXPECT_EQ(scrape.value(R"(abmd_http_request_duration_seconds_bucket{route="/api/v1/accounts/{account_id}",le="0.0025"})"),
            "2");
  EXPECT_EQ(scrape.value(R"(abmd_http_request_duration_seconds_count{route="/api/v1/accounts/{account_id}"})"), "3");
  EXPECT_EQ(scrape.value("abmd_http_open_connections"), "3");
}

TEST(Telemetry, ARunawayLabelSetIsFoldedIntoOneSeries) {
  Registry registry;
  for (int i = 0; i < 1000; ++i) registry.httpRequest("/r" + std::to_string(i), "GET", 200, 0.001);
  auto scrape = parse(registry.render(0));
  std::set<std::string> routes;
  for (const auto& [series, value] : scrape.samples) {
    if (series.rfind("abmd_http_requests_total{", 0) != 0) continue;
    auto start = series.find("route=\"") + 7;
    routes.insert(series.substr(start, series.find('"', start) - start));
  }
  EXPECT_EQ(routes.size(), 257u);  // 256 kept apart, the rest in one
  EXPECT_EQ(routes.count("_other"), 1u);
  EXPECT_EQ(scrape.value(R"(abmd_http_requests_total{route="_other",method="GET",code="200"})"), "744");
}

TEST(Telemetry, MetricsStageRunsAndFailures) {
  Registry registry;
  registry.metricsStageFinished(2, true);
  registry.metricsStageFinished(0.2, false);
  registry.setRunsWaiting(4);
  registry.setRunsRunning(2);
  auto scrape = parse(registry.render(0));
  EXPECT_EQ(scrape.value("abmd_metrics_stage_duration_seconds_count"), "2");
  EXPECT_EQ(scrape.value(R"(abmd_metrics_stage_duration_seconds_bucket{le="0.5"})"), "1");
  EXPECT_EQ(scrape.value("abmd_metrics_stage_failures_total"), "1");
  EXPECT_EQ(scrape.value("abmd_runs_waiting"), "4");
  EXPECT_EQ(scrape.value("abmd_runs_running"), "2");
}

TEST(Telemetry, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < 2000; ++i) {
        registry.syncFinished(t % 2 ? "crm" : "ads", "succeeded", 1, 2, 1, i);
        registry.httpRequest("/metrics", "GET", 200, 0.001);
        if (i % 100 == 0) (void)registry.render(0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto scrape = parse(registry.render(0));
  EXPECT_EQ(scrape.value(R"(abmd_syncs_total{connector="crm",outcome="succeeded"})"), "8000");
  EXPECT_EQ(scrape.value(R"(abmd_sync_records_total{connector="ads"})"), "16000");
  EXPECT_EQ(scrape.value(R"(abmd_http_requests_total{route="/metrics",method="GET",code="200"})"), "16000");
}

}  // namespace
