// Structured logs: one JSON object per line on stderr (time, level, connector, run, message),
// which journald stores as is.
#pragma once

#include <string>
#include <string_view>

namespace abm::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

bool parseLevel(std::string_view text, Level& out);
void setLevel(Level level);
bool enabled(Level level);

// Empty connector / run are left out of the line.
void write(Level level, std::string_view message, std::string_view connector = {}, long long run = 0);

inline void debug(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Debug, m, c, r); }
inline void info(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Info, m, c, r); }
inline void warn(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Warn, m, c, r); }
inline void error(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Error, m, c, r); }

}  // namespace abm::log
