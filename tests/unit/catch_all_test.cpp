// The guard every thread of the daemon ends in: an escaping exception becomes a reason.
#include <gtest/gtest.h>

#include <stdexcept>

#include "common/catch_all.hpp"

TEST(CatchAll, AnEscapingExceptionBecomesTheReason) {
  EXPECT_EQ(abm::catchAll([] {}), "");
  EXPECT_EQ(abm::catchAll([] { throw std::runtime_error("bad line 7"); }), "internal error: bad line 7");
  EXPECT_EQ(abm::catchAll([] { throw 42; }), "internal error: an exception that is not a std::exception");
}
