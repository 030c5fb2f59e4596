// A one-line progress display for long syncs, shown only when stderr is a terminal.
#pragma once

#include "pipeline/sync_runner.hpp"

namespace abm::cli {

class ProgressLine {
 public:
  ProgressLine();
  void update(const pipeline::SyncProgress& p);
  void finish();
  bool active() const { return tty_; }

 private:
  bool tty_;
  bool drawn_ = false;
};

}  // namespace abm::cli
