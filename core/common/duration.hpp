// Human durations in config files: "500ms", "30s", "15m", "2h", "1d".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace abm {

// Longer durations are refused as typos; this also keeps `now + duration` far from overflowing.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 36525);  // 100 years

// The duration, or nullopt when `text` is not one or exceeds kMaxDuration.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace abm
