// A Prometheus histogram with fixed upper bounds: one count per bucket (made cumulative when
// rendered), the sum and the count of observations. Not thread-safe; the registry's mutex guards it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace abm::telemetry {

// Bucket bounds of each histogram, in the metric's base unit, ascending; +Inf is implied.
// Syncs range from a second (a small CSV) to hours (a first full CRM pull).
inline constexpr double kSyncSecondsBuckets[] = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400};
// The listener answers reads from memory or an index and events after one group commit.
inline constexpr double kHttpSecondsBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr double kCommitSecondsBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};
// How many requests or events one group commit carried.
inline constexpr double kCommitSizeBuckets[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
inline constexpr double kMetricsStageSecondsBuckets[] = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds) : bounds_(bounds), counts_(bounds.size(), 0) {}

  void observe(double value) {
    for (size_t i = 0; i < bounds_.size(); ++i) {
      if (value <= bounds_[i]) {
        ++counts_[i];
        break;
      }
    }
    sum_ += value;
    ++count_;
  }

  std::span<const double> bounds() const { return bounds_; }
  // Observations that fell in bucket i alone (not cumulative); those above every bound are
  // count() minus the sum of these.
  uint64_t bucketCount(size_t i) const { return counts_[i]; }
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  std::span<const double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

}  // namespace abm::telemetry
