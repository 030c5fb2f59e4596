// Reads a small configuration file (a connector file, a ${file:} secret) safely: only a regular
// file is opened for reading, so a FIFO cannot hang the loader and /dev/zero cannot eat memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/status.hpp"

namespace abm::config {

// The whole content of `file`, or why not: "is a folder", "is a FIFO", "is larger than N bytes", ...
// The message does not repeat the path; the caller says which file (or reference) it was.
Result<std::string> readRegularFile(const std::filesystem::path& file, size_t max_bytes);

}  // namespace abm::config
