// One process's part in sharing a store with others: it registers the process as an instance,
// heartbeats it, and takes, renews and gives back leases on work that must run in one place at a
// time ("connector:<name>"). Every time it writes or compares comes from the store's clock.
//
// A lease is taken only when it is free, expired or already ours, in one conditional upsert, so
// two instances racing for it cannot both win. The keeper's thread renews what it holds every
// ttl/3; when a renewal finds a lease gone or taken (or cannot renew for a whole ttl, after which
// others may take it), the lease is lost and its callbacks are called: the work must stop at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::store {

class LeaseKeeper {
 public:
  // `why`: "taken by <holder>", "gone", or why it could not be renewed.
  using LostCallback = std::function<void(const std::string& resource, const std::string& why)>;

  struct Hooks {
    LostCallback on_lost;                                   // for every lost lease
    std::function<void(const std::string&)> on_warning;     // a heartbeat or renewal failed (retried)
  };

  // Opens its own connection to the store, forgets instances silent for more than 2 × ttl, refuses
  // an instance_id that a live instance elsewhere uses, registers this process and starts the
  // heartbeat thread. Leases this instance_id held before (a restart) are given back.
  static Result<std::unique_ptr<LeaseKeeper>> start(const Location& where, std::string instance_id,
                                                    std::chrono::seconds ttl, Hooks hooks = {});
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Takes `resource` when it is free, expired or already ours; false when another holder has it.
  // `on_lost` is called (from the keeper's thread; it must not call release) if the lease is lost
  // while held. Atomic against every other keeper, and serialised with the store's writes, so a
  // writer that checks leaseHolder() inside its transaction never commits after a takeover.
  Result<bool> acquire(const std::string& resource, LostCallback on_lost = {});
  // Gives the lease back (a lost one is only forgotten). Once it returns, no callback of the lease runs.
  void release(const std::string& resource);
  // Whether this keeper holds `resource` (as far as its last renewal knows).
  bool holds(const std::string& resource) const;
  // Gives back every lease, removes the instance row and stops the thread. Called by the destructor.
  void stop();

  const std::string& instanceId() const { return instance_id_; }
  std::chrono::seconds ttl() const { return ttl_; }

 private:
  LeaseKeeper(Database db, std::string instance_id, std::chrono::seconds ttl, Hooks hooks);
  Status registerInstance();
  void loop();
  void renewRound();
  Status heartbeat();
  Status reconnect();
  void warn(const std::string& message);

  Location where_;
  std::string instance_id_;
  std::string host_;
  int64_t pid_;
  std::chrono::seconds ttl_;
  Hooks hooks_;
  std::string started_at_;  // as the store wrote it at registration

  struct Held {
    LostCallback on_lost;
    std::chrono::steady_clock::time_point renewed;  // asked for before the store wrote it: never late
  };

  mutable std::mutex mu_;  // the connection and held_
  Database db_;
  bool db_broken_ = false;  // reopen before the next use (a PostgreSQL connection may have dropped)
  bool registered_ = false;
  std::map<std::string, Held> held_;
  bool warned_ = false;

  std::mutex dispatch_mu_;  // held while lost callbacks run
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

// Who holds `resource` in the store now (nullopt: nobody). Read inside a write transaction before
// its commit, it fences the commit against a takeover (LeaseKeeper::acquire runs in a write
// transaction too, so the two never interleave).
Result<std::optional<std::string>> leaseHolder(Database& db, const std::string& resource);

}  // namespace abm::store
