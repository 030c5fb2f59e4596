// The reading side of a sync: takes the worker's message lines, parses and validates them, and
// hands them to the writing side in batches. Runs on its own thread so that parsing and SQLite
// writing use both cores.
#pragma once

#include <atomic>
#include <map>
#include <string>

#include "pipeline/batch.hpp"
#include "wire/protocol.hpp"
#include "worker/worker_process.hpp"

namespace abm::pipeline {

class MessageReader {
 public:
  MessageReader(worker::WorkerProcess& proc, BatchQueue& out, std::string connector, int64_t run_id)
      : proc_(proc), out_(out), connector_(std::move(connector)), run_id_(run_id) {}

  // Reads until the worker's output ends, a limit is hit, or the message stream breaks.
  void run();

  // Valid after run() returns.
  worker::WorkerProcess::Read end = worker::WorkerProcess::Read::Eof;
  std::string fatal;          // a protocol failure found by the daemon
  std::string plugin_error;   // the plugin's own reason (TRACE error)
  int64_t resume_at = 0;      // the vendor's quota is spent until then (TRACE rate_limited)
  // The streams the plugin declared and the entity each fills (while or after run() reads).
  const std::map<std::string, Entity, std::less<>>& streams() const { return streams_; }

 private:
  bool handle(std::string_view line, Batch& batch);
  bool fail(std::string why) {
    fatal = std::move(why);
    return false;
  }

  worker::WorkerProcess& proc_;
  BatchQueue& out_;
  std::string connector_;
  int64_t run_id_;
  wire::MessageParser parser_;
  std::string error_;
  std::map<std::string, Entity, std::less<>> streams_;
  uint64_t line_no_ = 0;
};

}  // namespace abm::pipeline
