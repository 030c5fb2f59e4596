// The read API's query threads: the event loop hands each request's store work here and goes on
// serving other connections; the answer comes back through the request's Respond. Each thread opens
// its own read-only connection to the store on first use (and again after a failed open: the daemon
// may still be creating the store), so readers never share a connection and never block the writer.
// A connection that failed a job with a store error is dropped and the next job opens another: a
// PostgreSQL server that restarted, or a network that dropped the connection, costs one answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/store_access.hpp"

namespace abm::api {

class QueryPool {
 public:
  // `connection` is null when the store could not be opened; `open_error` then says why. A job
  // returns false when the store failed it (not a bad request, not the time limit): the pool then
  // drops the connection.
  using Job = std::function<bool(Connection* connection, const std::string& open_error)>;

  // Each job's queries are interrupted once it has run for `time_limit`.
  QueryPool(store::Location store, size_t threads, size_t max_waiting,
            std::chrono::milliseconds time_limit);
  ~QueryPool();
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  enum class Submitted { Accepted, Busy, Stopped };
  // Busy when max_waiting jobs are already queued (the caller answers 429); Stopped after stop().
  // A job must not throw: it answers its own request, failures included.
  Submitted submit(Job job);

  // Refuses new jobs, runs the queued ones to their end, then joins the threads. Never call it from
  // a job. Idempotent.
  void stop();

 private:
  void work();

  const store::Location store_;
  const size_t max_waiting_;
  const std::chrono::milliseconds time_limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace abm::api
