#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "log/logger.hpp"

namespace abm::cli {

ProgressLine::ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}

void ProgressLine::update(const pipeline::SyncProgress& p) {
  if (!tty_) return;
  const double secs = std::chrono::duration<double>(p.elapsed).count();
  const double rate = secs > 0 ? static_cast<double>(p.records) / secs : 0;
  char line[160];
  std::snprintf(line, sizeof line, "  %llu records  %.0f/s  %llu checkpoints  %llu rejected  %.1fs",
                static_cast<unsigned long long>(p.records), rate, static_cast<unsigned long long>(p.checkpoints),
                static_cast<unsigned long long>(p.rejected), secs);
  // Through the log, which clears and redraws it around every log line.
  log::setStatusLine(line);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (tty_ && drawn_) log::endStatusLine();
  drawn_ = false;
}

}  // namespace abm::cli
