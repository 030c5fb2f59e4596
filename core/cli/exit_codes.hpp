// How every abmctl command ends on an error: a message on stderr and its exit code (2 for a wrong
// command line, 1 for anything that failed while doing the work).
#pragma once

#include <iostream>
#include <string>

namespace abm::cli {

// A wrong command line: says what, and where the command's help is ("abmctl report --help").
inline int usageError(const std::string& why, const std::string& help = "abmctl --help") {
  std::cerr << "abmctl: " << why << "\n(see " << help << ")\n";
  return 2;
}

inline int failed(const std::string& why) {
  std::cerr << "abmctl: " << why << "\n";
  return 1;
}

}  // namespace abm::cli
