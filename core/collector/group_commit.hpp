// Durable answers without one fsync per request: requests queue their mapped events, and one writer
// thread with its own store connection takes everything queued, writes it in ONE transaction
// (synchronous=FULL: the commit is on disk when it returns), commits, and only then tells each
// request. A request answered ok therefore survives kill -9, or a power cut, right after.
// Each request is its own savepoint: a store error in one request fails that request alone, and
// nothing of it is kept. A group whose transaction conflicts with another daemon's on a shared
// PostgreSQL store is written again whole.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector/event_rows.hpp"
#include "common/status.hpp"
#include "pipeline/identity_rules.hpp"
#include "store/location.hpp"

namespace abm::collector {

class GroupCommit {
 public:
  // Beyond this many queued events a request is refused as busy (503), so a slow disk cannot make
  // the daemon's memory grow without bound.
  static constexpr size_t kMaxQueuedEvents = 200000;
  // How often a group is written in all when its transaction keeps conflicting with other writers.
  static constexpr int kConflictAttempts = 5;

  GroupCommit(store::Location store, const pipeline::IdentityRules& identity);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void start();

  enum class Submitted { Queued, Stopped, Busy };
  // Queues one request's events of `source` (before start() too: they form its first group). When Queued, `done` is called exactly once from the
  // writer thread: ok once they are committed, else the store error (nothing of them was kept).
  Submitted submit(std::string source, std::vector<std::unique_ptr<MappedEvent>> events,
                   std::function<void(const Status&)> done);
  // Counts refused events of `source` in push_sources with the next commit.
  void noteRefused(const std::string& source, uint64_t n);
  // Commits what is queued, answers it, then ends the thread. Later submits are refused (Stopped).
  void stop();

 private:
  struct Request {
    std::string source;
    std::vector<std::unique_ptr<MappedEvent>> events;
    std::function<void(const Status&)> done;
    Status result;
    bool answered = false;
  };
  struct Connection;

  void run();
  void commitGroup(std::vector<Request>& group, std::map<std::string, uint64_t>& refused);
  Status writeGroup(std::vector<Request>& group, const std::map<std::string, uint64_t>& refused);
  Status openStore();
  static void answer(Request& r, const Status& s);

  store::Location store_;
  const pipeline::IdentityRules& identity_;
  std::unique_ptr<Connection> conn_;  // the writer thread's own

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Request> queue_;
  size_t queued_events_ = 0;
  std::map<std::string, uint64_t> refused_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace abm::collector
