#include "log/logger.hpp"

#include <abm/sdk/json_writer.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "common/timestamp.hpp"

namespace abm::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::atomic<Format> g_format{Format::Json};
std::mutex g_mutex;
std::string g_status;  // under g_mutex; on screen when not empty
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
constexpr const char* kClearLine = "\r\033[K";

void put(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stderr); }

// "08:12:01 warn  crm (run 7): message"
std::string textLine(const std::string& ts, Level level, std::string_view message, std::string_view connector,
                     long long run) {
  std::string line = ts.substr(11, 8) + " ";
  std::string name = kNames[static_cast<int>(level)];
  line += name + std::string(6 - name.size(), ' ');
  if (!connector.empty()) {
    line += std::string(connector);
    if (run > 0) line += " (run " + std::to_string(run) + ")";
    line += ": ";
  } else if (run > 0) {
    line += "run " + std::to_string(run) + ": ";
  }
  line += std::string(message);
  return line;
}
}  // namespace

bool parseFormat(std::string_view text, Format& out) {
  if (text == "json") out = Format::Json;
  else if (text == "text") out = Format::Text;
  else return false;
  return true;
}

void setFormat(Format format) { g_format = format; }

Format formatForStderr() { return ::isatty(STDERR_FILENO) == 1 ? Format::Text : Format::Json; }

void setStatusLine(std::string text) {
  std::lock_guard lock(g_mutex);
  g_status = std::move(text);
  put(kClearLine);
  put(g_status);
  std::fflush(stderr);
}

void endStatusLine() {
  std::lock_guard lock(g_mutex);
  if (g_status.empty()) return;
  put("\n");
  g_status.clear();
  std::fflush(stderr);
}

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

  std::string line;
  if (g_format.load(std::memory_order_relaxed) == Format::Text) {
    line = textLine(ts, level, message, connector, run);
  } else {
    sdk::JsonObjectWriter w;
    w.add("time", ts);
    w.add("level", kNames[static_cast<int>(level)]);
    if (!connector.empty()) w.add("connector", connector);
    if (run > 0) w.add("run", static_cast<int64_t>(run));
    w.add("message", message);
    line = w.finish();
  }
  line.push_back('\n');
  std::lock_guard lock(g_mutex);
  if (!g_status.empty()) put(kClearLine);
  put(line);
  if (!g_status.empty()) put(g_status);
  std::fflush(stderr);
}

}  // namespace abm::log
