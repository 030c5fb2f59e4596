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
  using namespace std::chrono;
  if (unit == "ms") return milliseconds(n);
  if (unit == "s" || unit == "sec") return duration_cast<milliseconds>(seconds(n));
  if (unit == "m" || unit == "min") return duration_cast<milliseconds>(minutes(n));
  if (unit == "h") return duration_cast<milliseconds>(hours(n));
  if (unit == "d") return duration_cast<milliseconds>(hours(24 * n));
  return std::nullopt;
}

}  // namespace abm
