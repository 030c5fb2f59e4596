#include "config/schedule.hpp"

#include <algorithm>

#include <charconv>
#include <sstream>
#include <vector>

#include "common/duration.hpp"
#include "common/timestamp.hpp"

namespace abm::config {

namespace {

int nameValue(std::string_view s, int lo) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lo == 1)
    for (int i = 0; i < 12; ++i)
      if (lower == kMonths[i]) return i + 1;
  if (lo == 0)
    for (int i = 0; i < 7; ++i)
      if (lower == kDays[i]) return i;
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return -1;
  return v;
}

// Parses one cron field into `bits` (indices lo..hi). `names` selects month/day names.
template <size_t N>
Status parseField(std::string_view field, int lo, int hi, const char* what, std::bitset<N>& bits, bool names_mon,
                  bool names_dow) {
  std::stringstream ss{std::string(field)};
  std::string part;
  while (std::getline(ss, part, ',')) {
    int step = 1;
    std::string range = part;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      range = part.substr(0, slash);
      step = nameValue(part.substr(slash + 1), -1);
      if (step <= 0) return Status::error(std::string(what) + " step in '" + part + "' is not a positive number");
    }
    int a = lo, b = hi;
    if (range != "*") {
      const int base = names_mon ? 1 : (names_dow ? 0 : -1);
      if (auto dash = range.find('-'); dash != std::string::npos) {
        a = nameValue(range.substr(0, dash), base);
        b = nameValue(range.substr(dash + 1), base);
      } else {
        a = b = nameValue(range, base);
        if (part.find('/') != std::string::npos) b = hi;
      }
      if (names_dow && b == 7) b = 7;  // 7 also means Sunday
      const int max = names_dow ? 7 : hi;
      if (a < lo || b > max || a > b)
        return Status::error(std::string(what) + " '" + part + "' is outside " + std::to_string(lo) + "-" +
                             std::to_string(max));
    }
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(names_dow ? v % 7 : v));
  }
  return Status::ok();
}

}  // namespace

Result<Schedule> Schedule::parse(std::string_view text) {
  Schedule s;
  s.text_ = std::string(text);
  if (text.find_first_not_of(" \t") == std::string_view::npos)
    return Status::error("schedule is empty: write 'every 15m' or a cron expression like '0 6 * * *'");
  if (text.rfind("every ", 0) == 0) {
    auto d = parseDuration(text.substr(6));
    if (!d || *d < kMinInterval || *d > kMaxInterval)
      return Status::error("schedule '" + s.text_ + "': expected 'every N{s,m,h,d}' from 1s to 365d, like 'every 15m'");
    s.interval_ = *d;
    return s;
  }
  std::vector<std::string> f;
  std::stringstream ss{std::string(text)};
  for (std::string part; ss >> part;) f.push_back(part);
  if (f.size() != 5)
    return Status::error("schedule '" + s.text_ +
                         "': expected 'every 15m' or a 5-field cron expression 'min hour day month weekday'");
  Status st;
  if (!(st = parseField(f[0], 0, 59, "minute", s.minutes_, false, false)) ||
      !(st = parseField(f[1], 0, 23, "hour", s.hours_, false, false)) ||
      !(st = parseField(f[2], 1, 31, "day-of-month", s.days_, false, false)) ||
      !(st = parseField(f[3], 1, 12, "month", s.months_, true, false)) ||
      !(st = parseField(f[4], 0, 6, "day-of-week", s.weekdays_, false, true)))
    return Status::error("schedule '" + s.text_ + "': " + st.message());
  s.days_restricted_ = f[2] != "*";
  s.weekdays_restricted_ = f[4] != "*";
  return s;
}

bool Schedule::canFire() const {
  if (isInterval()) return true;
  // Only day-of-month alone can rule out every day: with a weekday too, either may match.
  if (!days_restricted_ || weekdays_restricted_) return true;
  static constexpr unsigned kLongestMonth[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (unsigned m = 1; m <= 12; ++m)
    for (unsigned d = 1; d <= kLongestMonth[m] && months_.test(m); ++d)
      if (days_.test(d)) return true;
  return false;
}

Schedule::TimePoint Schedule::firstRun(TimePoint now, std::optional<TimePoint> last_success_end) const {
  if (!isInterval()) return next(now);
  if (!last_success_end) return now;
  return std::max(now, *last_success_end + std::chrono::duration_cast<TimePoint::duration>(interval_));
}

Schedule::TimePoint Schedule::next(TimePoint after) const {
  using namespace std::chrono;
  if (isInterval()) return after + interval_;
  int64_t t = duration_cast<seconds>(after.time_since_epoch()).count();
  t = (t / 60 + 1) * 60;  // the next whole minute strictly after
  const int64_t limit = t + int64_t{5} * 366 * 86400;
  while (t < limit) {
    const int64_t days = t / 86400;
    int64_t y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    const int weekday = static_cast<int>((days + 4) % 7);  // 1970-01-01 was a Thursday
    const bool dom = days_.test(d), dow = weekdays_.test(static_cast<size_t>(weekday));
    const bool day_ok = (days_restricted_ && weekdays_restricted_) ? (dom || dow) : (dom && dow);
    if (!months_.test(m) || !day_ok) {
      t = (days + 1) * 86400;
      continue;
    }
    const int hour = static_cast<int>(t % 86400 / 3600);
    if (!hours_.test(static_cast<size_t>(hour))) {
      t = t - t % 3600 + 3600;
      continue;
    }
    const int minute = static_cast<int>(t % 3600 / 60);
    if (!minutes_.test(static_cast<size_t>(minute))) {
      t += 60;
      continue;
    }
    return TimePoint(seconds(t));
  }
  return TimePoint::max();
}

std::chrono::seconds Schedule::longestGap(TimePoint from) const {
  using namespace std::chrono;
  if (isInterval()) return duration_cast<seconds>(interval_);
  // A year covers every monthly and yearly pattern; the match cap bounds "* * * * *" (two weeks).
  constexpr int kMaxMatches = 20000;
  const TimePoint horizon = from + hours(24 * 366);
  TimePoint previous = next(from);
  seconds longest{0};
  for (int i = 0; i < kMaxMatches && previous != TimePoint::max(); ++i) {
    const TimePoint following = next(previous);
    if (following == TimePoint::max()) break;
    longest = std::max(longest, duration_cast<seconds>(following - previous));
    if (following > horizon) break;
    previous = following;
  }
  return longest;
}

}  // namespace abm::config
