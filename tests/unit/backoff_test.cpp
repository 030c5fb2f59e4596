#include <gtest/gtest.h>

#include <abm/sdk/backoff.hpp>

using abm::sdk::backoffDelay;
using namespace std::chrono_literals;

TEST(Backoff, DoublesUpToTheCapWithBoundedJitter) {
  EXPECT_EQ(backoffDelay(1, 30s, 1h, 0.5), 30s);
  EXPECT_EQ(backoffDelay(2, 30s, 1h, 0.5), 60s);
  EXPECT_EQ(backoffDelay(4, 30s, 1h, 0.5), 240s);
  EXPECT_EQ(backoffDelay(30, 30s, 1h, 0.5), 1h);
  EXPECT_EQ(backoffDelay(1, 10s, 1h, 0.0), 8s);
  EXPECT_EQ(backoffDelay(1, 10s, 1h, 1.0), 12s);
}
