#include "log/logger.hpp"

#include <abm/sdk/json_writer.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "common/timestamp.hpp"

namespace abm::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_mutex;
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

bool parseLevel(std::string_view text, Level& out) {
  for (int i = 0; i < 4; ++i)
    if (text == kNames[i]) {
      out = static_cast<Level>(i);
      return true;
    }
  return false;
}

void setLevel(Level level) { g_level = static_cast<int>(level); }
bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message, std::string_view connector, long long run) {
  if (!enabled(level)) return;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  std::string ts = formatTimestamp(ms / 1000);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(ms % 1000));
  ts.pop_back();
  ts += frac;

  sdk::JsonObjectWriter w;
  w.add("time", ts);
  w.add("level", kNames[static_cast<int>(level)]);
  if (!connector.empty()) w.add("connector", connector);
  if (run > 0) w.add("run", static_cast<int64_t>(run));
  w.add("message", message);
  std::string line = w.finish();
  line.push_back('\n');
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace abm::log
