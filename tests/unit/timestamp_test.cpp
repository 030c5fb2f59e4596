#include <gtest/gtest.h>

#include "common/timestamp.hpp"

using namespace abm;

TEST(Timestamp, ParsesTheFormsSourcesUse) {
  const int64_t t = *parseTimestamp("2024-03-01T12:00:00Z");
  EXPECT_EQ(formatTimestamp(t), "2024-03-01T12:00:00Z");
  EXPECT_EQ(*parseTimestamp("2024-03-01 12:00:00"), t);
  EXPECT_EQ(*parseTimestamp("2024-03-01T12:00:00.123456Z"), t);
  EXPECT_EQ(*parseTimestamp("2024-03-01T14:00:00+02:00"), t);
  EXPECT_EQ(*parseTimestamp("2024-03-01T07:00:00-0500"), t);
  EXPECT_EQ(*parseTimestamp("2024-03-01T12:00Z"), t);
  EXPECT_EQ(formatTimestamp(*parseTimestamp("2024-03-01")), "2024-03-01T00:00:00Z");
  EXPECT_EQ(formatTimestamp(*parseTimestamp("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59Z");
}

TEST(Timestamp, RefusesInvalid) {
  for (const char* bad : {"", "2024-13-01", "2024-02-30", "2023-02-29", "2024-03-01T25:00:00Z", "2024-03-01T12",
                          "01/03/2024", "2024-03-01T12:00:00X", "2024-03-01T12:00:00+2", "yesterday"})
    EXPECT_FALSE(parseTimestamp(bad)) << bad;
  EXPECT_TRUE(parseTimestamp("2024-02-29"));
}
