// What the reading thread of a sync hands the writing thread: validated rows and the messages
// between them, in the order the plugin sent them. A batch owns every byte its rows point into.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/record_validator.hpp"

namespace abm::pipeline {

struct BatchItem {
  enum Kind { Record, State, Reject } kind;
  const Row* row = nullptr;  // Record
  std::string stream;        // State, Reject
  std::string text;          // State: the state JSON; Reject: the reason
  std::string origin, data;  // Reject
  const std::string* record_stream = nullptr;  // Record: its stream's name, owned by the MessageReader
};

class Batch {
 public:
  // Copies `line` into storage that stays put for the batch's life.
  std::string_view keep(std::string_view line);
  Row& newRow() { return rows_.emplace_back(); }
  void dropLastRow() { rows_.pop_back(); }
  std::vector<BatchItem> items;
  size_t records = 0;

 private:
  static constexpr size_t kChunk = 1 << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = kChunk;
  std::deque<std::string> big_;  // lines longer than a chunk
  std::deque<Row> rows_;         // a deque: rows point into their own buffers, so they never move
};

// A bounded hand-over between the two threads; close() ends it from either side.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  bool push(std::unique_ptr<Batch> b);        // false once closed
  std::unique_ptr<Batch> pop();               // nullptr once closed and empty
  void close();
  bool closed();

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> q_;
  size_t capacity_;
  bool closed_ = false;
};

}  // namespace abm::pipeline
