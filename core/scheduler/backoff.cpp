#include "scheduler/backoff.hpp"

#include <algorithm>

namespace abm::scheduler {

std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                       double jitter_unit) {
  double d = static_cast<double>(initial.count());
  for (int i = 1; i < attempt && d < static_cast<double>(max.count()); ++i) d *= 2;
  d = std::min(d, static_cast<double>(max.count()));
  d *= 0.8 + 0.4 * std::clamp(jitter_unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(d));
}

}  // namespace abm::scheduler
