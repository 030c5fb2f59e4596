// ISO-8601 timestamps as vendors send them ("2024-03-01T12:00:00.123Z", "...+0000", "2024-03-01"; never
// a date-time without its zone: isZonelessDateTime)
// to and from milliseconds since the epoch, for cursors and query filters (header-only).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace abm::sdk {

// Days since 1970-01-01 of a civil (proleptic Gregorian) date, and back: Howard Hinnant's algorithms.
constexpr int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// The one rule for times without a zone, in the SDK and in the host: a date-time names its zone
// ("Z", "+02:00", "-0500"); without one ("2024-03-01 12:00:00") the instant is unknown (local time
// of which place?), so it is refused, never taken as UTC. A bare date ("2024-03-01") is the start of
// that day in UTC. A source documented to send UTC without a zone (Pipedrive, Google Ads' own
// cursors) says so where it reads it, by appending "Z". The host refuses zone-less date-times in
// record fields and Timestamp options alike (docs/plugin-sdk.md#times).
constexpr bool isZonelessDateTime(std::string_view s) {
  return s.size() > 10 && s.find_first_of("Zz+-", 11) == std::string_view::npos;
}

// Milliseconds since the epoch, or nothing when `s` is not an ISO date or a date-time with its zone.
inline std::optional<int64_t> isoToMillis(std::string_view s) {
  if (isZonelessDateTime(s)) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t ms = 0, offset_s = 0;
  size_t p = 10;
  if (p < text.size()) {
    if ((text[p] != 'T' && text[p] != ' ') || std::sscanf(text.c_str() + p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
      return std::nullopt;
    p += 1 + static_cast<size_t>(n);
    if (p < text.size() && text[p] == '.') {
      int64_t scale = 100;
      for (++p; p < text.size() && text[p] >= '0' && text[p] <= '9'; ++p, scale /= 10) ms += (text[p] - '0') * scale;
    }
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
      int oh = 0, om = 0;
      const char* rest = text.c_str() + p + 1;
      if (std::sscanf(rest, "%2d:%2d", &oh, &om) != 2 && std::sscanf(rest, "%2d%2d", &oh, &om) < 1) return std::nullopt;
      offset_s = (text[p] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
  }
  const int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                       h * 3600 + mi * 60 + sec - offset_s;
  return secs * 1000 + ms;
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ" for milliseconds since the epoch.
inline std::string millisToIso(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const int64_t milli = ms - secs * 1000;
  const int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400;
  const int64_t rem = secs - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60), static_cast<long long>(milli));
  return buf;
}

// Whole days: "YYYY-MM-DD" of a day number (days since 1970-01-01) and back, for APIs that take date
// ranges (ad and analytics metrics by day).
inline std::string isoDate(int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

// The day number of "YYYY-MM-DD" (a time after the date is ignored), or nothing when it is no date.
inline std::optional<int64_t> isoDateToDays(std::string_view s) {
  if (s.size() < 10) return std::nullopt;
  const auto ms = isoToMillis(s.substr(0, 10));
  if (!ms) return std::nullopt;
  return *ms / 86'400'000;
}

}  // namespace abm::sdk
