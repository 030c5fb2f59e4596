// When a connector runs: "every 15m" (an interval) or a 5-field cron expression in UTC
// ("*/30 6-18 * * mon-fri"). Standard cron semantics: when both day-of-month and day-of-week are
// restricted, a day matching either runs.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace abm::config {

class Schedule {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  static constexpr std::chrono::seconds kMinInterval{1};
  static constexpr std::chrono::hours kMaxInterval{24 * 365};

  // Refuses an empty text, an interval outside kMinInterval..kMaxInterval and a malformed cron.
  static Result<Schedule> parse(std::string_view text);

  // False for a cron that no date can match ("0 0 30 2 *": February has no 30th).
  bool canFire() const;

  // The first run time strictly after `after` (for intervals: after + interval); TimePoint::max()
  // when nothing matches within five years.
  TimePoint next(TimePoint after) const;
  // When a daemon starting at `now` first runs the connector: an interval resumes its rhythm from
  // the last run when that run succeeded (`last_success_end`, its end), else runs now; a cron waits
  // for its next time. The scheduler and `abmctl status` both ask this.
  TimePoint firstRun(TimePoint now, std::optional<TimePoint> last_success_end) const;
  // The longest wait between two consecutive runs from `from` on, looking about a year ahead (and
  // at least at one gap): the interval itself for intervals, for "*/30 6-20 * * mon-fri" the weekend.
  // Zero when the schedule cannot fire. Monitoring uses it to tell a late connector from a quiet night.
  std::chrono::seconds longestGap(TimePoint from) const;
  bool isInterval() const { return interval_.count() > 0; }
  std::chrono::milliseconds interval() const { return interval_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::chrono::milliseconds interval_{0};
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_; // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace abm::config
