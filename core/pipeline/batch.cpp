#include "pipeline/batch.hpp"

#include <cstring>

namespace abm::pipeline {

std::string_view Batch::keep(std::string_view line) {
  if (line.size() > kChunk / 4) return big_.emplace_back(line);
  if (used_ + line.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    used_ = 0;
  }
  char* dst = chunks_.back().get() + used_;
  std::memcpy(dst, line.data(), line.size());
  used_ += line.size();
  return {dst, line.size()};
}

bool BatchQueue::push(std::unique_ptr<Batch> b) {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return closed_ || q_.size() < capacity_; });
  if (closed_) return false;
  q_.push_back(std::move(b));
  cv_.notify_all();
  return true;
}

std::unique_ptr<Batch> BatchQueue::pop() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
  if (q_.empty()) return nullptr;
  auto b = std::move(q_.front());
  q_.pop_front();
  cv_.notify_all();
  return b;
}

void BatchQueue::close() {
  std::lock_guard lock(m_);
  closed_ = true;
  cv_.notify_all();
}

bool BatchQueue::closed() {
  std::lock_guard lock(m_);
  return closed_;
}

}  // namespace abm::pipeline
