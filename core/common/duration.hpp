// Human durations in config files: "500ms", "30s", "15m", "2h", "1d".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace abm {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace abm
