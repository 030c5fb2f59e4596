// How deep an NDJSON row may nest (the check itself is the SDK's, <abm/sdk/json_depth.hpp>).
#pragma once

#include <abm/sdk/json_depth.hpp>

#include <cstddef>

namespace abm::csv {

// An NDJSON row nested deeper than this is rejected (unified records are flat; properties nest a little).
inline constexpr size_t kMaxJsonDepth = 64;

using abm::sdk::nestsDeeperThan;

}  // namespace abm::csv
