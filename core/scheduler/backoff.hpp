// Retry delays after failed syncs: initial × 2^(attempt−1), capped, with ±20% jitter so connectors
// that failed together do not retry together.
#pragma once

#include <chrono>

namespace abm::scheduler {

std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                       double jitter_unit);  // jitter_unit in [0, 1)

}  // namespace abm::scheduler
