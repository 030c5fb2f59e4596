// The last line of defence of a thread: runs `fn` and turns any exception that escapes it into a
// reason ("" when none did), so a thread ends by failing its own work, never the whole process.
#pragma once

#include <exception>
#include <string>

namespace abm {

template <typename Fn>
std::string catchAll(Fn&& fn) {
  try {
    fn();
    return {};
  } catch (const std::exception& e) {
    return std::string("internal error: ") + e.what();
  } catch (...) {
    return "internal error: an exception that is not a std::exception";
  }
}

}  // namespace abm
