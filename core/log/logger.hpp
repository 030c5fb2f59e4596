// Logs on stderr: one JSON object per line (time, level, connector, run, message), which journald
// and log shippers store as is, or one line of text for a person at a terminal.
#pragma once

#include <string>
#include <string_view>

namespace abm::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

bool parseLevel(std::string_view text, Level& out);
void setLevel(Level level);
bool enabled(Level level);

enum class Format { Json, Text };
// "json" or "text" (the --log-format option).
bool parseFormat(std::string_view text, Format& out);
void setFormat(Format format);
// Text when stderr is a terminal, JSON otherwise: what abmd and abmctl use without --log-format.
Format formatForStderr();

// A line the log keeps at the bottom of a terminal (abmctl sync's progress): every log line
// clears it first and draws it again after, so the two never run into each other.
void setStatusLine(std::string text);
// Leaves the status line on screen as it is and ends it with a newline.
void endStatusLine();

// Empty connector / run are left out of the line.
void write(Level level, std::string_view message, std::string_view connector = {}, long long run = 0);

inline void debug(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Debug, m, c, r); }
inline void info(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Info, m, c, r); }
inline void warn(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Warn, m, c, r); }
inline void error(std::string_view m, std::string_view c = {}, long long r = 0) { write(Level::Error, m, c, r); }

}  // namespace abm::log
