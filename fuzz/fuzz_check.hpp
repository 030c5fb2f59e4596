// What the fuzz targets share: an invariant check that stops the run with a message (libFuzzer then
// saves the input as crash-*), and a scratch file for targets whose entry point reads a file.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#define FUZZ_CHECK(cond, what)                                                         \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "invariant broken at %s:%d: %s\n  (%s)\n", __FILE__, __LINE__, \
                   std::string(what).c_str(), #cond);                                  \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace abm::fuzz {

// A file of this process's own in $TMPDIR (or /tmp), rewritten with each input: one per process so
// parallel fuzzing jobs do not share it.
inline std::filesystem::path scratchFile(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir =
      std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / ("abmd-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

inline void writeFile(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write the scratch file " + path.string());
  FUZZ_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size, "cannot write the scratch file " + path.string());
  std::fclose(f);
}

}  // namespace abm::fuzz
