// What the event collector recorded of each push connector (migration 0007's push_sources), for
// `abmctl status` and the read API.
#pragma once

#include <cstdint>
#include <string>

#include "store/database.hpp"

namespace abm::store {

struct PushStats {
  int64_t events_received = 0;
  int64_t events_refused = 0;
  std::string last_event_at;  // when the last stored event was received; empty when none yet
};

// Zeros for a connector that never received anything, and for a store older than migration 0007.
Result<PushStats> pushStats(Database& db, const std::string& connector);

}  // namespace abm::store
