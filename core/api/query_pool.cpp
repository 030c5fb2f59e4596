#include "api/query_pool.hpp"

#include <algorithm>

#include "common/catch_all.hpp"
#include "log/logger.hpp"
#include "store/store_open.hpp"

namespace abm::api {

QueryPool::QueryPool(store::Location store, size_t threads, size_t max_waiting,
                     std::chrono::milliseconds time_limit)
    : store_(std::move(store)), max_waiting_(max_waiting), time_limit_(time_limit) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) threads_.emplace_back([this] { work(); });
}

QueryPool::~QueryPool() { stop(); }

QueryPool::Submitted QueryPool::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Submitted::Stopped;
    if (jobs_.size() >= max_waiting_) return Submitted::Busy;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return Submitted::Accepted;
}

void QueryPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void QueryPool::work() {
  std::unique_ptr<Connection> connection;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every queued job has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::string open_error;
    if (!connection) {
      auto db = store::openForReading(store_);
      if (db)
        connection = std::make_unique<Connection>(std::move(*db));
      else
        open_error = db.error();
    }
    if (connection) connection->setDeadline(std::chrono::steady_clock::now() + time_limit_);
    // Jobs answer their own failures; this only keeps an escaped exception from ending the process.
    bool keep = true;
    const auto escaped = catchAll([&] { keep = job(connection.get(), open_error); });
    if (!escaped.empty()) log::error("read API query thread: " + escaped);
    if (!keep && connection) {
      log::warn("read API: a query failed on the store; the query thread connects again for the next request");
      connection.reset();
    }
  }
}

}  // namespace abm::api
