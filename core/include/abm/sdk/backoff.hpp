// Exponential backoff with jitter, shared by the daemon's retries of failed syncs and the HTTP kit's
// retries of failed requests: initial × 2^(attempt−1), capped at max, times 0.8–1.2 so that
// connectors (or requests) that failed together do not retry together.
#pragma once

#include <algorithm>
#include <chrono>

namespace abm::sdk {

// `jitter_unit` in [0, 1]: 0 gives 80% of the delay, 1 gives 120%.
inline std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max, double jitter_unit) {
  double d = static_cast<double>(initial.count());
  for (int i = 1; i < attempt && d < static_cast<double>(max.count()); ++i) d *= 2;
  d = std::min(d, static_cast<double>(max.count())) * (0.8 + 0.4 * std::clamp(jitter_unit, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<long long>(d));
}

}  // namespace abm::sdk
