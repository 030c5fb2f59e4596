#include "common/duration.hpp"

#include <charconv>

namespace abm {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr == s.data() || n < 0) return std::nullopt;
  std::string_view unit(ptr, s.data() + s.size() - ptr);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  long long unit_ms = 0;
  if (unit == "ms") unit_ms = 1;
  else if (unit == "s" || unit == "sec") unit_ms = 1000;
  else if (unit == "m" || unit == "min") unit_ms = 60'000;
  else if (unit == "h") unit_ms = 3'600'000;
  else if (unit == "d") unit_ms = 86'400'000;
  else return std::nullopt;
  // Checked before multiplying: an overflow would turn a huge duration into a negative one.
  if (n > kMaxDuration.count() / unit_ms) return std::nullopt;
  return std::chrono::milliseconds(n * unit_ms);
}

}  // namespace abm
