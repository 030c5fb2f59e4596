// Metrics by day (ad spend, analytics) read in windows of days, the way vendors that restate recent
// days need (header-only). The first sync reads from `start_date` (default a year back); later syncs
// from `lookback_days` before the last day read; every window ends at tomorrow (UTC) at the latest,
// so an account's own today is inside it wherever the account is. After each window the stream is
// checkpointed as {"through": "YYYY-MM-DD"}. Settings read: start_date, lookback_days (3),
// days_per_query (30).
#pragma once

#include <abm/sdk/plugin.hpp>
#include <abm/sdk/time.hpp>

#include <algorithm>
#include <ctime>
#include <functional>
#include <string>

namespace abm::sdk {

// The days of one window, [from, to], as days since 1970-01-01.
struct DayWindow {
  int64_t from;
  int64_t to;
};

// "" when lookback_days and days_per_query are in range, else what is wrong.
inline std::string dayWindowSettingsError(const nlohmann::json& settings) {
  const int lookback = settings.value("lookback_days", 3);
  if (lookback < 0 || lookback > 90) return "lookback_days must be from 0 to 90, not " + std::to_string(lookback);
  const int per_query = settings.value("days_per_query", 30);
  if (per_query < 1 || per_query > 366) return "days_per_query must be from 1 to 366, not " + std::to_string(per_query);
  return {};
}

// Calls `read(window, go_on)` for each window in order and checkpoints after each one that returns
// ok; stops after a window when `go_on` was set false (the host asked to stop). `today` is the
// current UTC day (a parameter for tests).
inline Status readDayWindows(Host& host, const std::string& stream, const nlohmann::json& settings,
                             const nlohmann::json& state, const std::function<Status(DayWindow, bool& go_on)>& read,
                             int64_t today = std::time(nullptr) / 86400) {
  const int64_t last = today + 1;
  const int64_t per_query = settings.value("days_per_query", 30);
  int64_t from = isoDateToDays(settings.value("start_date", "")).value_or(today - 365);
  if (state.is_object() && state.contains("through") && state["through"].is_string())
    if (const auto through = isoDateToDays(state["through"].get<std::string>()))
      from = std::max(from, *through + 1 - settings.value("lookback_days", int64_t{3}));
  for (int64_t a = from; a <= last; a += per_query) {
    const DayWindow w{a, std::min(a + per_query - 1, last)};
    bool go_on = true;
    if (Status s = read(w, go_on); !s.isOk()) return s;
    host.checkpoint(stream, {{"through", isoDate(w.to)}});
    if (!go_on) break;
  }
  return Status::ok();
}

}  // namespace abm::sdk
