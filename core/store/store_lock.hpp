// One writer process per store: an exclusive flock on "<store>.lock", released when the holder exits
// (even by a crash), so a stale lock never blocks a restart.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.hpp"
#include "store/location.hpp"

namespace abm::store {

class StoreLock {
 public:
  // On PostgreSQL several daemons share the store (connector runs are leased instead): no lock.
  static Result<StoreLock> acquire(const Location& store, const char* holder);
  // Who holds the lock now, as its holder wrote it ("abmd pid 1234"); nullopt when nobody does (the
  // file keeps the last holder's name after it exits) or on PostgreSQL.
  static std::optional<std::string> currentHolder(const Location& store);
  StoreLock(StoreLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  StoreLock& operator=(StoreLock&&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace abm::store
