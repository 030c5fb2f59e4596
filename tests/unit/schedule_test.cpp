#include <gtest/gtest.h>

#include "common/duration.hpp"
#include "common/timestamp.hpp"
#include "config/schedule.hpp"

using namespace abm;
using config::Schedule;

namespace {
Schedule::TimePoint at(const char* ts) { return Schedule::TimePoint(std::chrono::seconds(*parseTimestamp(ts))); }
std::string fmt(Schedule::TimePoint t) {
  return formatTimestamp(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}
std::string nextOf(const char* expr, const char* after) {
  auto s = Schedule::parse(expr);
  EXPECT_TRUE(s.isOk()) << expr << ": " << (s ? "" : s.error());
  return fmt(s->next(at(after)));
}
}  // namespace

TEST(Schedule, Interval) {
  auto s = Schedule::parse("every 15m");
  ASSERT_TRUE(s);
  EXPECT_EQ(fmt(s->next(at("2024-03-01T12:00:00Z"))), "2024-03-01T12:15:00Z");
  EXPECT_EQ(Schedule::parse("every 2h")->interval(), std::chrono::hours(2));
}

TEST(Schedule, CronNextRuns) {
  EXPECT_EQ(nextOf("*/15 * * * *", "2024-03-01T12:07:30Z"), "2024-03-01T12:15:00Z");
  EXPECT_EQ(nextOf("0 6 * * *", "2024-03-01T06:00:00Z"), "2024-03-02T06:00:00Z");   // strictly after
  EXPECT_EQ(nextOf("30 9 * * mon-fri", "2024-03-01T10:00:00Z"), "2024-03-04T09:30:00Z");  // Fri -> Mon
  EXPECT_EQ(nextOf("0 0 1 * *", "2024-02-15T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(nextOf("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");  // leap day
  EXPECT_EQ(nextOf("0 12 * jan,jul 0", "2024-03-01T00:00:00Z"), "2024-07-07T12:00:00Z");
  EXPECT_EQ(nextOf("0 8 15 * 1", "2024-03-01T00:00:00Z"), "2024-03-04T08:00:00Z");  // dom OR dow
  EXPECT_EQ(nextOf("5,35 1-2 * * *", "2024-03-01T01:36:00Z"), "2024-03-01T02:05:00Z");
  EXPECT_EQ(nextOf("0 0 * * 7", "2024-03-01T00:00:00Z"), "2024-03-03T00:00:00Z");  // 7 is Sunday
}

TEST(Schedule, LongestGapIsTheLongestWaitBetweenTwoRuns) {
  using std::chrono::hours;
  using std::chrono::minutes;
  const auto from = at("2024-03-06T12:00:00Z");  // a Wednesday
  EXPECT_EQ(Schedule::parse("every 15m")->longestGap(from), minutes(15));
  EXPECT_EQ(Schedule::parse("*/10 * * * *")->longestGap(from), minutes(10));
  // Weekdays 06:00-20:30 every 30 minutes: Friday 20:30 to Monday 06:00.
  EXPECT_EQ(Schedule::parse("*/30 6-20 * * mon-fri")->longestGap(from), hours(57) + minutes(30));
  // Monthly on the 31st: 31 March to 31 May, as April has no 31st.
  EXPECT_EQ(Schedule::parse("0 0 31 * *")->longestGap(from), hours(24 * 61));
  // Only on 29 February: one gap, four years, even beyond the year looked at.
  EXPECT_EQ(Schedule::parse("0 0 29 2 *")->longestGap(from), hours(24 * (365 * 4 + 1)));
  EXPECT_EQ(Schedule::parse("0 0 30 2 *")->longestGap(from), std::chrono::seconds(0));
}

TEST(Schedule, RefusesBadExpressions) {
  for (const char* bad : {"every", "every 0s", "every 10x", "* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *",
                          "* * * 13 *", "*/0 * * * *", "a b c d e", "5-1 * * * *"}) {
    auto s = Schedule::parse(bad);
    EXPECT_FALSE(s.isOk()) << bad;
    if (!s) {
      EXPECT_NE(s.error().find(bad), std::string::npos) << "names the expression: " << s.error();
    }
  }
}

TEST(Duration, Parses) {
  EXPECT_EQ(*parseDuration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*parseDuration("30s"), std::chrono::seconds(30));
  EXPECT_EQ(*parseDuration("1d"), std::chrono::hours(24));
  EXPECT_FALSE(parseDuration("-1s"));
  EXPECT_FALSE(parseDuration("5"));
  EXPECT_FALSE(parseDuration("m"));
}

TEST(Schedule, RefusesIntervalsOutsideOneSecondToAYear) {
  // 9223372036s overflowed into a negative interval (a tight loop); 99999999999d was accepted.
  for (const char* bad : {"every 9223372036s", "every 99999999999d", "every 366d", "every 9223372036854775807ms"}) {
    auto s = Schedule::parse(bad);
    EXPECT_FALSE(s.isOk()) << bad;
    if (!s) {
      EXPECT_NE(s.error().find("from 1s to 365d"), std::string::npos) << s.error();
    }
  }
  ASSERT_TRUE(Schedule::parse("every 365d"));
  EXPECT_EQ(Schedule::parse("every 365d")->interval(), std::chrono::hours(24 * 365));
}

TEST(Schedule, RefusesTheEmptySchedule) {
  for (const char* bad : {"", "   "}) {
    auto s = Schedule::parse(bad);
    ASSERT_FALSE(s.isOk()) << "'" << bad << "'";
    EXPECT_NE(s.error().find("schedule is empty"), std::string::npos) << s.error();
  }
}

TEST(Schedule, KnowsACronThatCanNeverFire) {
  EXPECT_FALSE(Schedule::parse("0 0 30 2 *")->canFire());
  EXPECT_FALSE(Schedule::parse("0 0 31 4,6,9,11 *")->canFire());
  EXPECT_EQ(Schedule::parse("0 0 30 2 *")->next(at("2024-01-01T00:00:00Z")), Schedule::TimePoint::max());
  EXPECT_TRUE(Schedule::parse("0 0 29 2 *")->canFire());     // leap years
  EXPECT_TRUE(Schedule::parse("0 0 30 2 mon")->canFire());   // either day field may match
  EXPECT_TRUE(Schedule::parse("0 0 31 1-12 *")->canFire());
  EXPECT_TRUE(Schedule::parse("every 5m")->canFire());
}

TEST(Duration, RefusesValuesThatWouldOverflow) {
  EXPECT_FALSE(parseDuration("9223372036854775807s"));
  EXPECT_FALSE(parseDuration("99999999999d"));
  EXPECT_FALSE(parseDuration("36526d"));
  EXPECT_EQ(*parseDuration("36525d"), kMaxDuration);
}
