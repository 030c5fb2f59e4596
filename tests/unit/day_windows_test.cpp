// The SDK's day arithmetic and the day windows that ad and analytics plugins read metrics in.
#include <gtest/gtest.h>

#include <abm/sdk/day_windows.hpp>
#include <abm/sdk/http.hpp>

#include <utility>
#include <vector>

namespace {

using nlohmann::json;
using abm::sdk::DayWindow;
using abm::sdk::isoDate;
using abm::sdk::isoDateToDays;

// A host that keeps the checkpoints it is given and nothing else.
struct CheckpointHost {
  std::vector<std::pair<std::string, std::string>> states;
  abm_host raw{};
  CheckpointHost() {
    raw.struct_size = sizeof(abm_host);
    raw.ctx = this;
    raw.emit_state = [](void* ctx, const char* stream, const char* state, size_t len) {
      static_cast<CheckpointHost*>(ctx)->states.emplace_back(stream, std::string(state, len));
      return 0;
    };
  }
};

TEST(SdkDays, IsoDatesToDayNumbersAndBack) {
  EXPECT_EQ(isoDate(0), "1970-01-01");
  EXPECT_EQ(isoDate(19723), "2024-01-01");
  EXPECT_EQ(isoDate(19782), "2024-02-29");
  EXPECT_EQ(isoDateToDays("2024-01-01"), 19723);
  EXPECT_EQ(isoDateToDays("2024-01-01T23:59:59Z"), 19723) << "the time is ignored";
  EXPECT_EQ(isoDateToDays("2024-03-01 00:00:00"), 19783);
  EXPECT_FALSE(isoDateToDays("01/02/2024"));
  EXPECT_FALSE(isoDateToDays(""));
}

TEST(SdkDayWindows, AFirstSyncReadsFromStartDateToTomorrowInWindows) {
  CheckpointHost h;
  abm::sdk::Host host(&h.raw);
  const int64_t today = *isoDateToDays("2024-03-10");
  std::vector<std::string> read;
  auto s = abm::sdk::readDayWindows(host, "spend", json{{"start_date", "2024-03-01"}, {"days_per_query", 4}}, nullptr,
                                    [&](DayWindow w, bool&) {
                                      read.push_back(isoDate(w.from) + ".." + isoDate(w.to));
                                      return abm::sdk::Status::ok();
                                    },
                                    today);
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(read, (std::vector<std::string>{"2024-03-01..2024-03-04", "2024-03-05..2024-03-08", "2024-03-09..2024-03-11"}));
  ASSERT_EQ(h.states.size(), 3u);
  EXPECT_EQ(h.states.back().second, R"({"through":"2024-03-11"})");
}

TEST(SdkDayWindows, LaterSyncsReachBackAndAFailedWindowKeepsTheLastCheckpoint) {
  CheckpointHost h;
  abm::sdk::Host host(&h.raw);
  const int64_t today = *isoDateToDays("2024-03-10");
  const json settings{{"start_date", "2024-01-01"}, {"lookback_days", 3}, {"days_per_query", 2}};
  std::vector<std::string> read;
  auto s = abm::sdk::readDayWindows(host, "spend", settings, json{{"through", "2024-03-08"}},
                                    [&](DayWindow w, bool&) {
                                      read.push_back(isoDate(w.from));
                                      if (read.size() == 2) return abm::sdk::Status::retry("vendor down");
                                      return abm::sdk::Status::ok();
                                    },
                                    today);
  EXPECT_FALSE(s.isOk());
  EXPECT_EQ(read, (std::vector<std::string>{"2024-03-06", "2024-03-08"}));
  ASSERT_EQ(h.states.size(), 1u) << "no checkpoint for the failed window";
  EXPECT_EQ(h.states[0].second, R"({"through":"2024-03-07"})");
}

TEST(SdkDayWindows, AStopEndsAfterTheWindowItCameIn) {
  CheckpointHost h;
  abm::sdk::Host host(&h.raw);
  int windows = 0;
  auto s = abm::sdk::readDayWindows(host, "spend", json{{"start_date", "2024-01-01"}, {"days_per_query", 1}}, nullptr,
                                    [&](DayWindow, bool& go_on) {
                                      go_on = ++windows < 2;
                                      return abm::sdk::Status::ok();
                                    },
                                    *isoDateToDays("2024-01-31"));
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(windows, 2);
  EXPECT_EQ(h.states.back().second, R"({"through":"2024-01-02"})");
}

TEST(SdkDayWindows, SettingsOutOfRangeAreNamed) {
  EXPECT_EQ(abm::sdk::dayWindowSettingsError(json::object()), "");
  EXPECT_EQ(abm::sdk::dayWindowSettingsError(json{{"lookback_days", 91}}), "lookback_days must be from 0 to 90, not 91");
  EXPECT_EQ(abm::sdk::dayWindowSettingsError(json{{"days_per_query", 0}}), "days_per_query must be from 1 to 366, not 0");
}

TEST(SdkRetry, AWaitNamedInTheBodyIsHonouredWhenThereIsNoRetryAfter) {
  abm::sdk::http::RetryOptions o;
  abm::sdk::http::Response r;
  r.status = 429;
  EXPECT_FALSE(abm::sdk::http::askedWait(r, o, 0));
  o.asked_wait = [](const abm::sdk::http::Response&) { return abm::sdk::http::Millis(30'000); };
  EXPECT_EQ(abm::sdk::http::askedWait(r, o, 0), abm::sdk::http::Millis(30'000));
  r.headers["retry-after"] = "5";
  EXPECT_EQ(abm::sdk::http::askedWait(r, o, 0), abm::sdk::http::Millis(5'000)) << "Retry-After comes first";
}

}  // namespace
